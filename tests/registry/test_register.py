"""ITI TF-2b 3.42.4.1.3: the rules registration checks against the registry's state.

One test per rule, in process, on SQLite and PostgreSQL (the wire is
covered by ``tests/soap/test_registry_endpoint.py``).
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest

from registry.errors import RegistryError
from registry.model import Association, Submission
from registry.patients import Patient
from registry.register import register, register_submission
from registry.storage.database import Database
from registry.vocabulary import AssociationType, AvailabilityStatus, ErrorCode
from tests import submissions as build

APPROVED = AvailabilityStatus.APPROVED.value
DEPRECATED = AvailabilityStatus.DEPRECATED.value


@pytest.fixture
def database(database_url: str) -> Iterator[Database]:
    db = Database(database_url)
    db.migrate()
    with db.unit_of_work() as store:
        store.save_patient(Patient(patient_id=build.PATIENT_ID))
        store.save_patient(Patient(patient_id=build.OTHER_PATIENT_ID))
    yield db
    db.dispose()


def refused(database: Database, submission: Submission) -> list[tuple[ErrorCode, str | None, str]]:
    with pytest.raises(RegistryError) as caught:
        register(database, submission)
    return [(e.error_code, e.location, e.reason) for e in caught.value.errors]


def registered_document(database: Database) -> str:
    """Register one document; return its entryUUID."""
    done = register(database, build.submission())
    return done.documents[0].entry_uuid


def test_registration_assigns_uuids_status_and_first_version(database: Database) -> None:
    done = register(database, build.submission(folders=(build.folder(),)))
    for obj in done.objects():
        assert obj.entry_uuid.startswith("urn:uuid:")
        assert obj.availability_status is AvailabilityStatus.APPROVED
    entry = done.documents[0]
    assert entry.logical_id == entry.entry_uuid and entry.version == "1"
    assert done.folders[0].last_update_time is not None
    # Associations point at the new ids, not the symbolic ones.
    ids = {obj.entry_uuid for obj in done.objects()}
    assert all(a.source_id in ids and a.target_id in ids for a in done.associations)


def test_unknown_patient_is_unknown_patient_id(database: Database) -> None:
    stranger = "NOBODY^^^&1.2.250.1.213.1.4.10&ISO"
    errors = refused(database, build.submission(patient_id=stranger))
    assert errors[0][:2] == (ErrorCode.UNKNOWN_PATIENT_ID, stranger)


def test_merged_patient_is_unknown_patient_id(database: Database) -> None:
    with database.unit_of_work() as store:
        store.merge_patients(subsumed=build.OTHER_PATIENT_ID, surviving=build.PATIENT_ID)
    errors = refused(database, build.submission(patient_id=build.OTHER_PATIENT_ID))
    assert errors[0][0] is ErrorCode.UNKNOWN_PATIENT_ID
    assert "merged" in errors[0][2]


def test_unique_id_already_registered_is_duplicate(database: Database) -> None:
    entry = build.document_entry()
    register(database, build.submission(entry))
    errors = refused(database, build.submission(entry))
    assert errors == [(ErrorCode.DUPLICATE_UNIQUE_ID_IN_REGISTRY, entry.unique_id, errors[0][2])]


def test_unique_id_with_other_hash_is_non_identical_hash(database: Database) -> None:
    entry = build.document_entry()
    register(database, build.submission(entry))
    errors = refused(database, build.submission(entry.with_(hash="f" * 40)))
    assert [e[0] for e in errors] == [ErrorCode.NON_IDENTICAL_HASH]


def test_submission_set_unique_id_already_registered_is_duplicate(database: Database) -> None:
    first = register(database, build.submission())
    again = build.submission()
    again = Submission(
        submission_set=again.submission_set.with_(unique_id=first.submission_set.unique_id),
        documents=again.documents,
        associations=again.associations,
    )
    assert [e[0] for e in refused(database, again)] == [ErrorCode.DUPLICATE_UNIQUE_ID_IN_REGISTRY]


def test_entry_uuid_already_registered_is_metadata_error(database: Database) -> None:
    taken = registered_document(database)
    entry = build.document_entry(taken)
    errors = refused(database, build.submission(entry))
    assert (ErrorCode.REGISTRY_METADATA_ERROR, taken) in {(e[0], e[1]) for e in errors}


def test_association_to_unknown_object_is_metadata_error(database: Database) -> None:
    missing = uuid.uuid4().urn
    sub = build.submission(
        associations=(build.relationship("x", AssociationType.TRANSFORM, "Document01", missing),)
    )
    errors = refused(database, sub)
    assert errors[0][0] is ErrorCode.REGISTRY_METADATA_ERROR and missing in errors[0][2]


def test_symbolic_reference_outside_the_submission_is_metadata_error(database: Database) -> None:
    sub = build.submission(
        associations=(build.relationship("x", AssociationType.APPEND, "Document01", "Nowhere"),)
    )
    assert any("Nowhere" in reason for _, _, reason in refused(database, sub))


def test_relationship_to_a_folder_is_metadata_error(database: Database) -> None:
    done = register(database, build.submission(folders=(build.folder(),)))
    folder_uuid = done.folders[0].entry_uuid
    entry = build.document_entry("Document02")
    sub = build.submission(
        entry,
        associations=(build.relationship("r", AssociationType.REPLACE, "Document02", folder_uuid),),
    )
    assert any("must target a DocumentEntry" in reason for _, _, reason in refused(database, sub))


def test_relationship_to_another_patients_document_is_patient_id_does_not_match(
    database: Database,
) -> None:
    other = register(database, build.submission(patient_id=build.OTHER_PATIENT_ID))
    target = other.documents[0].entry_uuid
    sub = build.submission(
        associations=(build.relationship("r", AssociationType.APPEND, "Document01", target),)
    )
    assert [e[0] for e in refused(database, sub)] == [ErrorCode.PATIENT_ID_DOES_NOT_MATCH]


def test_rplc_deprecates_target_and_xfrm_does_not(database: Database) -> None:
    rplc_target, xfrm_target = registered_document(database), registered_document(database)
    sub = build.submission(
        build.document_entry("Document01"),
        build.document_entry("Document02"),
        associations=(
            build.relationship("r", AssociationType.REPLACE, "Document01", rplc_target),
            build.relationship("t", AssociationType.TRANSFORM, "Document02", xfrm_target),
        ),
    )
    register(database, sub)
    with database.snapshot() as store:
        refs = store.objects_by_uuid([rplc_target, xfrm_target])
    assert refs[rplc_target].availability_status == DEPRECATED
    assert refs[xfrm_target].availability_status == APPROVED


def test_xfrm_rplc_deprecates_target(database: Database) -> None:
    target = registered_document(database)
    sub = build.submission(
        associations=(
            build.relationship("r", AssociationType.TRANSFORM_AND_REPLACE, "Document01", target),
        )
    )
    register(database, sub)
    with database.snapshot() as store:
        assert store.objects_by_uuid([target])[target].availability_status == DEPRECATED


def test_signs_may_target_the_submission_set(database: Database) -> None:
    sub = build.submission(
        build.document_entry("Document01"),
        build.document_entry("Signature01"),
        associations=(
            build.relationship("s", AssociationType.SIGNS, "Signature01", "SubmissionSet01"),
        ),
    )
    register(database, sub)


def test_membership_in_a_deprecated_folder_is_metadata_error(database: Database) -> None:
    done = register(database, build.submission(folders=(build.folder(),)))
    folder_uuid = done.folders[0].entry_uuid
    with database.unit_of_work() as store:
        store.set_status([folder_uuid], DEPRECATED)
    membership = build.has_member("fm", folder_uuid, "Document01", status=None)
    sub = build.submission(
        associations=(membership, build.has_member("ss-fm", "SubmissionSet01", "fm"))
    )
    assert any("not Approved" in reason for _, _, reason in refused(database, sub))


def test_registered_document_cannot_gain_members(database: Database) -> None:
    target = registered_document(database)
    member = Association(
        entry_uuid="m",
        association_type=AssociationType.HAS_MEMBER.value,
        source_id=target,
        target_id="Document01",
    )
    sub = build.submission(associations=(member, build.has_member("ss-m", "SubmissionSet01", "m")))
    assert any("cannot gain members" in reason for _, _, reason in refused(database, sub))


def test_refused_submission_writes_nothing(database: Database) -> None:
    good = build.document_entry("Document01")
    missing = uuid.uuid4().urn
    sub = build.submission(
        good,
        associations=(build.relationship("a", AssociationType.APPEND, "Document01", missing),),
    )
    refused(database, sub)
    with database.snapshot() as store:
        assert store.objects_by_unique_id([good.unique_id, sub.submission_set.unique_id]) == {}


def test_register_submission_validates_too(database: Database) -> None:
    with database.unit_of_work() as store, pytest.raises(RegistryError) as caught:
        register_submission(store, build.submission(build.document_entry(hash="nope")))
    assert caught.value.errors[0].error_code is ErrorCode.REGISTRY_METADATA_ERROR
