"""ITI TF-2b 3.57 (XDS Metadata Update): the Document Registry's rules, one test per rule.

In process, on SQLite and PostgreSQL; the wire is covered by
``tests/soap/test_registry_update_delete.py``. Stored queries over versions
(ITI TF-2a 3.18.4.1.2.3.5.1, as the supplement amends 3.18) are checked here
too, since only ITI-57 creates versions.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator, Mapping, Sequence
from datetime import UTC, datetime
from pathlib import Path

import pytest

from registry.dmp_vocabulary import DmpAvailabilityStatus
from registry.ebrim import parse_submission
from registry.errors import RegistryError
from registry.metadata_update import DMP_STATUSES, update_document_set
from registry.model import Association, DocumentEntry, Folder, Submission, SubmissionSet
from registry.patients import Patient
from registry.register import register
from registry.storage.database import Database
from registry.stored_queries import run_stored_query
from registry.vocabulary import AssociationType, AvailabilityStatus, ErrorCode, ReturnType
from registry.vocabulary import StoredQueryId as Q
from schemas import parse_xml
from tests import submissions as build

APPROVED = AvailabilityStatus.APPROVED.value
DEPRECATED = AvailabilityStatus.DEPRECATED.value
ARCHIVED = DmpAvailabilityStatus.ARCHIVED.value
DELETED = DmpAvailabilityStatus.DELETED.value
IPF = Path(__file__).parent.parent / "data" / "ipf"


@pytest.fixture
def database(database_url: str) -> Iterator[Database]:
    db = Database(database_url)
    db.migrate()
    with db.unit_of_work() as store:
        store.save_patient(Patient(patient_id=build.PATIENT_ID))
        store.save_patient(Patient(patient_id=build.OTHER_PATIENT_ID))
    yield db
    db.dispose()


# --------------------------------------------------------------------------- helpers


def original(database: Database, *, folders: tuple[Folder, ...] = ()) -> Submission:
    """Register one DocumentEntry (and ``folders`` holding it); return it as registered."""
    memberships: tuple[Association, ...] = ()
    for index, folder in enumerate(folders):
        memberships += (
            build.has_member(f"fm{index}", folder.entry_uuid, "Document01", status=None),
            build.has_member(f"ss-fm{index}", "SubmissionSet01", f"fm{index}"),
        )
    return register(database, build.submission(folders=folders, associations=memberships))


def version_of(
    previous: DocumentEntry | Folder,
    *,
    previous_version: str | None = "1",
    propagation: str | None = None,
    extra: tuple[Association, ...] = (),
    **changes: object,
) -> Submission:
    """An ITI-57 request making a new version of ``previous`` (symbolic id ``New01``)."""
    ss = build.submission_set(patient_id=previous.patient_id)
    new = previous.with_(
        entry_uuid="New01", logical_id=previous.logical_id, version=None, **changes
    )
    member = build.has_member("ss-new", ss.entry_uuid, "New01").with_(
        previous_version=previous_version, association_propagation=propagation
    )
    return Submission(
        submission_set=ss,
        documents=(new,) if isinstance(new, DocumentEntry) else (),
        folders=(new,) if isinstance(new, Folder) else (),
        associations=(member, *extra),
    )


def status_change(
    target: str,
    *,
    original_status: str = APPROVED,
    new_status: str = DEPRECATED,
    submission_set: SubmissionSet | None = None,
    entry_uuid: str = "status01",
) -> Association:
    ss = submission_set or build.submission_set()
    return Association(
        entry_uuid=entry_uuid,
        association_type=AssociationType.UPDATE_AVAILABILITY_STATUS.value,
        source_id=ss.entry_uuid,
        target_id=target,
        original_status=original_status,
        new_status=new_status,
    )


def status_request(*changes: Association, patient_id: str = build.PATIENT_ID) -> Submission:
    return Submission(
        submission_set=build.submission_set(patient_id=patient_id), associations=changes
    )


def refused(database: Database, submission: Submission) -> list[tuple[ErrorCode, str | None]]:
    with pytest.raises(RegistryError) as caught:
        update_document_set(database, submission)
    return [(e.error_code, e.location) for e in caught.value.errors]


def codes(database: Database, submission: Submission) -> list[ErrorCode]:
    return [code for code, _ in refused(database, submission)]


def query(
    database: Database, query_id: Q, parameters: Mapping[str, str | Sequence[str]]
) -> list[str]:
    values = {k: (v,) if isinstance(v, str) else tuple(v) for k, v in parameters.items()}
    with database.snapshot() as store:
        result = run_stored_query(
            store,
            query_id=query_id.value,
            parameters=values,
            return_type=ReturnType.LEAF_CLASS,
            max_results=100,
        )
    return [obj.entry_uuid for obj in result.objects]


def find_documents(database: Database, *statuses: str, level: str | None = None) -> list[str]:
    parameters = {
        "$XDSDocumentEntryPatientId": f"'{build.PATIENT_ID}'",
        "$XDSDocumentEntryStatus": "(" + ",".join(f"'{s}'" for s in statuses) + ")",
    }
    if level is not None:
        parameters["$MetadataLevel"] = level
    return query(database, Q.FIND_DOCUMENTS, parameters)


def stored(database: Database, entry_uuid: str) -> DocumentEntry:
    with database.snapshot() as store:
        [entry] = store.documents([entry_uuid])
    return entry


def latest(database: Database, entry_uuid: str) -> bool:
    with database.snapshot() as store:
        return store.objects_by_uuid([entry_uuid])[entry_uuid].latest


# --------------------------------------------------------------------------- new versions


def test_iti57_new_version_deprecates_previous(database: Database) -> None:
    previous = original(database).documents[0]
    done = update_document_set(database, version_of(previous, title="Titre corrigé"))
    [new] = done.documents
    assert new.entry_uuid.startswith("urn:uuid:") and new.entry_uuid != previous.entry_uuid
    assert new.logical_id == previous.entry_uuid and new.version == "2"
    assert stored(database, new.entry_uuid).title == "Titre corrigé"
    assert stored(database, new.entry_uuid).availability_status == APPROVED
    assert stored(database, previous.entry_uuid).availability_status == DEPRECATED
    assert latest(database, new.entry_uuid) and not latest(database, previous.entry_uuid)


def test_iti57_versions_count_up_from_the_latest(database: Database) -> None:
    first = original(database).documents[0]
    second = update_document_set(database, version_of(first)).documents[0]
    third = update_document_set(
        database, version_of(second.with_(logical_id=first.entry_uuid), previous_version="2")
    ).documents[0]
    assert third.version == "3" and third.logical_id == first.entry_uuid


def test_iti57_previous_version_mismatch_is_metadata_version_error(database: Database) -> None:
    previous = original(database).documents[0]
    assert refused(database, version_of(previous, previous_version="2")) == [
        (ErrorCode.METADATA_VERSION_ERROR, "New01")
    ]


def test_iti57_unknown_lid_is_metadata_update_error(database: Database) -> None:
    previous = original(database).documents[0]
    stranger = previous.with_(logical_id=uuid.uuid4().urn)
    assert codes(database, version_of(stranger)) == [ErrorCode.METADATA_UPDATE_ERROR]


def test_iti57_deprecated_latest_version_is_metadata_update_error(database: Database) -> None:
    previous = original(database).documents[0]
    update_document_set(database, status_request(status_change(previous.entry_uuid)))
    assert codes(database, version_of(previous)) == [ErrorCode.METADATA_UPDATE_ERROR]


def test_iti57_changed_unique_id_is_metadata_update_error(database: Database) -> None:
    previous = original(database).documents[0]
    request = version_of(previous, unique_id=build.unique_oid())
    assert codes(database, request) == [ErrorCode.METADATA_UPDATE_ERROR]


@pytest.mark.parametrize(
    "changes",
    [
        {"hash": "f" * 40},
        {"size": 1},
        {"repository_unique_id": "1.2.3.4"},
    ],
    ids=["hash", "size", "repositoryUniqueId"],
)
def test_iti57_changed_document_is_metadata_update_error(
    database: Database, changes: dict[str, object]
) -> None:
    previous = original(database).documents[0]
    assert codes(database, version_of(previous, **changes)) == [ErrorCode.METADATA_UPDATE_ERROR]


def test_iti57_changed_patient_is_patient_id_reconciliation_error(database: Database) -> None:
    previous = original(database).documents[0]
    request = version_of(
        previous,
        patient_id=build.OTHER_PATIENT_ID,
        source_patient_id=build.OTHER_PATIENT_ID,
    )
    request = Submission(
        submission_set=request.submission_set.with_(patient_id=build.OTHER_PATIENT_ID),
        documents=request.documents,
        associations=request.associations,
    )
    assert codes(database, request) == [ErrorCode.PATIENT_ID_RECONCILIATION_ERROR]


def test_iti57_object_without_lid_is_metadata_update_error(database: Database) -> None:
    """NIST's registry simulator: "logicalId not found, this cannot be an update"."""
    assert codes(database, build.submission()) == [ErrorCode.METADATA_UPDATE_ERROR]


def test_iti57_missing_previous_version_is_metadata_update_error(database: Database) -> None:
    previous = original(database).documents[0]
    assert refused(database, version_of(previous, previous_version=None)) == [
        (ErrorCode.METADATA_UPDATE_ERROR, "ss-new")
    ]


def test_iti57_invalid_association_propagation_is_metadata_update_error(
    database: Database,
) -> None:
    previous = original(database).documents[0]
    assert codes(database, version_of(previous, propagation="maybe")) == [
        ErrorCode.METADATA_UPDATE_ERROR
    ]


def test_iti57_stray_association_is_metadata_update_operation_error(database: Database) -> None:
    previous = original(database).documents[0]
    other = original(database).documents[0]
    stray = build.relationship("r", AssociationType.APPEND, previous.entry_uuid, other.entry_uuid)
    request = version_of(previous, extra=(stray,))
    assert codes(database, request) == [ErrorCode.METADATA_UPDATE_OPERATION_ERROR]


def test_iti57_same_logical_id_twice_is_metadata_update_error(database: Database) -> None:
    """The IPF sample ``SubmitObjectsRequest_ebrs30_update_sameLid.xml`` in model form."""
    previous = original(database).documents[0]
    request = version_of(previous)
    twin = request.documents[0].with_(entry_uuid="New02", unique_id=build.unique_oid())
    request = Submission(
        submission_set=request.submission_set,
        documents=(*request.documents, twin),
        associations=(
            *request.associations,
            build.has_member("ss-new2", "SubmissionSet01", "New02").with_(previous_version="1"),
        ),
    )
    assert ErrorCode.METADATA_UPDATE_ERROR in codes(database, request)


def test_iti57_refused_update_writes_nothing(database: Database) -> None:
    previous = original(database).documents[0]
    request = version_of(previous, previous_version="7")
    refused(database, request)
    assert stored(database, previous.entry_uuid).availability_status == APPROVED
    assert latest(database, previous.entry_uuid)
    with database.snapshot() as store:
        assert store.objects_by_unique_id([request.submission_set.unique_id]) == {}


# --------------------------------------------------------------------------- propagation


def test_iti57_propagation_copies_folder_membership(database: Database) -> None:
    done = original(database, folders=(build.folder(),))
    previous, folder = done.documents[0], done.folders[0]
    later = datetime(2030, 1, 2, 3, 4, 5, tzinfo=UTC)
    new = update_document_set(database, version_of(previous), now=later).documents[0]
    with database.snapshot() as store:
        members = store.associations_from([folder.entry_uuid])
        [stored_folder] = store.folders([folder.entry_uuid])
        recorded = store.associations_to([a.entry_uuid for a in members])
    assert {a.target_id for a in members} == {previous.entry_uuid, new.entry_uuid}
    assert stored_folder.last_update_time == "20300102030405"
    # The new membership is recorded as a member of the update's SubmissionSet.
    assert len(recorded) == 2


def test_iti57_propagation_no_leaves_folders_alone(database: Database) -> None:
    done = original(database, folders=(build.folder(),))
    previous, folder = done.documents[0], done.folders[0]
    update_document_set(database, version_of(previous, propagation="no"))
    with database.snapshot() as store:
        members = store.associations_from([folder.entry_uuid])
    assert {a.target_id for a in members} == {previous.entry_uuid}


def test_iti57_propagation_copies_relationships(database: Database) -> None:
    previous = original(database).documents[0]
    addendum = register(
        database,
        build.submission(
            associations=(
                build.relationship(
                    "apnd", AssociationType.APPEND, "Document01", previous.entry_uuid
                ),
            )
        ),
    ).documents[0]
    new = update_document_set(database, version_of(previous)).documents[0]
    with database.snapshot() as store:
        appends = store.associations_from([addendum.entry_uuid], types=[AssociationType.APPEND])
    assert {a.target_id for a in appends} == {previous.entry_uuid, new.entry_uuid}


def test_iti57_new_folder_version_keeps_its_members(database: Database) -> None:
    done = original(database, folders=(build.folder(),))
    folder, document = done.folders[0], done.documents[0]
    new = update_document_set(database, version_of(folder, title="Séjour 2")).folders[0]
    assert new.version == "2"
    with database.snapshot() as store:
        assert [a.target_id for a in store.associations_from([new.entry_uuid])] == [
            document.entry_uuid
        ]
        previous = store.objects_by_uuid([folder.entry_uuid])[folder.entry_uuid]
    assert previous.availability_status == DEPRECATED and not previous.latest
    found = query(database, Q.GET_FOLDERS, {"$XDSFolderUniqueId": f"('{folder.unique_id}')"})
    assert found == [new.entry_uuid]


# --------------------------------------------------------------------------- status changes


def test_iti57_update_availability_status_deprecates(database: Database) -> None:
    previous = original(database).documents[0]
    done = update_document_set(database, status_request(status_change(previous.entry_uuid)))
    assert stored(database, previous.entry_uuid).availability_status == DEPRECATED
    # The status change is kept, with the SubmissionSet that made it.
    [change] = done.associations
    assert change.source_id == done.submission_set.entry_uuid
    with database.snapshot() as store:
        assert store.associations([change.entry_uuid])[0].new_status == DEPRECATED


def test_iti57_update_availability_status_approves_again(database: Database) -> None:
    previous = original(database).documents[0]
    update_document_set(database, status_request(status_change(previous.entry_uuid)))
    back = status_change(previous.entry_uuid, original_status=DEPRECATED, new_status=APPROVED)
    update_document_set(database, status_request(back))
    assert stored(database, previous.entry_uuid).availability_status == APPROVED


def test_iti57_original_status_mismatch_is_metadata_update_error(database: Database) -> None:
    previous = original(database).documents[0]
    change = status_change(previous.entry_uuid, original_status=DEPRECATED, new_status=APPROVED)
    assert refused(database, status_request(change)) == [
        (ErrorCode.METADATA_UPDATE_ERROR, "status01")
    ]


# ------------------------------------------------ DMP statuses (TD3.3c/d), when the app allows them


def dmp_update(database: Database, *changes: Association) -> Submission:
    return update_document_set(database, status_request(*changes), statuses=DMP_STATUSES)


@pytest.mark.parametrize("status", [ARCHIVED, DELETED])
def test_iti57_dmp_statuses_are_metadata_update_error_by_default(
    database: Database, status: str
) -> None:
    previous = original(database).documents[0]
    change = status_change(previous.entry_uuid, new_status=status)
    assert refused(database, status_request(change)) == [
        (ErrorCode.METADATA_UPDATE_ERROR, "status01")
    ]
    assert stored(database, previous.entry_uuid).availability_status == APPROVED


def test_iti57_archives_and_unarchives_when_dmp_statuses_are_allowed(database: Database) -> None:
    previous = original(database).documents[0]
    dmp_update(database, status_change(previous.entry_uuid, new_status=ARCHIVED))
    assert stored(database, previous.entry_uuid).availability_status == ARCHIVED
    back = status_change(previous.entry_uuid, original_status=ARCHIVED, new_status=APPROVED)
    dmp_update(database, back)
    assert stored(database, previous.entry_uuid).availability_status == APPROVED


def test_iti57_deletes_logically_when_dmp_statuses_are_allowed(database: Database) -> None:
    previous = original(database).documents[0]
    dmp_update(database, status_change(previous.entry_uuid, new_status=DELETED))
    assert stored(database, previous.entry_uuid).availability_status == DELETED


@pytest.mark.parametrize("status", [APPROVED, ARCHIVED, DEPRECATED])
def test_iti57_deleted_is_final(database: Database, status: str) -> None:
    previous = original(database).documents[0]
    dmp_update(database, status_change(previous.entry_uuid, new_status=DELETED))
    back = status_change(previous.entry_uuid, original_status=DELETED, new_status=status)
    with pytest.raises(RegistryError) as caught:
        dmp_update(database, back)
    assert [e.error_code for e in caught.value.errors] == [ErrorCode.METADATA_UPDATE_ERROR]
    assert stored(database, previous.entry_uuid).availability_status == DELETED


def test_find_documents_lists_dmp_statuses_when_asked_for(database: Database) -> None:
    archived, deleted = (original(database).documents[0] for _ in range(2))
    dmp_update(database, status_change(archived.entry_uuid, new_status=ARCHIVED))
    dmp_update(database, status_change(deleted.entry_uuid, new_status=DELETED))
    assert find_documents(database, APPROVED) == []
    assert find_documents(database, ARCHIVED) == [archived.entry_uuid]
    assert find_documents(database, DELETED) == [deleted.entry_uuid]
    assert sorted(find_documents(database, APPROVED, ARCHIVED)) == [archived.entry_uuid]


def test_iti57_status_of_an_old_version_is_metadata_update_error(database: Database) -> None:
    previous = original(database).documents[0]
    update_document_set(database, version_of(previous))
    change = status_change(previous.entry_uuid, original_status=DEPRECATED, new_status=APPROVED)
    assert codes(database, status_request(change)) == [ErrorCode.METADATA_UPDATE_ERROR]


def test_iti57_status_value_outside_approved_deprecated_is_metadata_update_error(
    database: Database,
) -> None:
    previous = original(database).documents[0]
    change = status_change(previous.entry_uuid, new_status=AvailabilityStatus.SUBMITTED.value)
    assert codes(database, status_request(change)) == [ErrorCode.METADATA_UPDATE_ERROR]


def test_iti57_status_of_another_patients_document_is_patient_id_does_not_match(
    database: Database,
) -> None:
    other = register(database, build.submission(patient_id=build.OTHER_PATIENT_ID))
    change = status_change(other.documents[0].entry_uuid)
    assert codes(database, status_request(change)) == [ErrorCode.PATIENT_ID_DOES_NOT_MATCH]


def test_iti57_new_version_and_status_change_in_one_request(database: Database) -> None:
    """NIST test 20003 success_update: the new version is created, then deprecated."""
    previous = original(database).documents[0]
    request = version_of(previous, extra=(status_change("New01"),))
    new = update_document_set(database, request).documents[0]
    assert stored(database, new.entry_uuid).availability_status == DEPRECATED
    assert stored(database, previous.entry_uuid).availability_status == DEPRECATED


def test_iti57_new_version_with_wrong_original_status_fails_whole(database: Database) -> None:
    """NIST test 20003 failed_update: OriginalStatus Deprecated for a new (Approved) version."""
    previous = original(database).documents[0]
    change = status_change("New01", original_status=DEPRECATED, new_status=APPROVED)
    assert codes(database, version_of(previous, extra=(change,))) == [
        ErrorCode.METADATA_UPDATE_ERROR
    ]
    assert stored(database, previous.entry_uuid).availability_status == APPROVED


def test_iti57_status_of_folder_membership(database: Database) -> None:
    done = original(database, folders=(build.folder(),))
    membership = next(a for a in done.associations if a.source_id == done.folders[0].entry_uuid)
    update_document_set(database, status_request(status_change(membership.entry_uuid)))
    with database.snapshot() as store:
        [after] = store.associations([membership.entry_uuid])
    assert str(after.availability_status) == DEPRECATED
    folders = query(
        database,
        Q.GET_FOLDERS_FOR_DOCUMENT,
        {"$XDSDocumentEntryEntryUUID": f"'{done.documents[0].entry_uuid}'"},
    )
    assert folders == []


def test_iti57_status_of_submission_set_member_is_metadata_update_error(
    database: Database,
) -> None:
    done = original(database)
    member = done.associations[0]
    assert member.source_id == done.submission_set.entry_uuid
    assert codes(database, status_request(status_change(member.entry_uuid))) == [
        ErrorCode.METADATA_UPDATE_ERROR
    ]


def test_iti57_status_of_unknown_object_is_metadata_update_error(database: Database) -> None:
    change = status_change(uuid.uuid4().urn)
    assert codes(database, status_request(change)) == [ErrorCode.METADATA_UPDATE_ERROR]


# --------------------------------------------------------------------------- submitted associations


def submit_association(new: Association) -> Submission:
    ss = build.submission_set()
    trigger = Association(
        entry_uuid="submit01",
        association_type=AssociationType.SUBMIT_ASSOCIATION.value,
        source_id=ss.entry_uuid,
        target_id=new.entry_uuid,
    )
    return Submission(submission_set=ss, associations=(new, trigger))


def test_iti57_submit_association_adds_document_to_folder(database: Database) -> None:
    folder = register(database, build.submission(folders=(build.folder(),))).folders[0]
    document = original(database).documents[0]
    membership = build.has_member("fm", folder.entry_uuid, document.entry_uuid, status=None)
    done = update_document_set(database, submit_association(membership))
    found = query(
        database,
        Q.GET_FOLDERS_FOR_DOCUMENT,
        {"$XDSDocumentEntryEntryUUID": f"'{document.entry_uuid}'"},
    )
    assert found == [folder.entry_uuid]
    with database.snapshot() as store:
        [after] = store.folders([folder.entry_uuid])
    assert after.last_update_time is not None
    assert len(done.associations) == 2


def test_iti57_submit_association_between_patients_is_metadata_update_error(
    database: Database,
) -> None:
    mine = original(database).documents[0]
    theirs = register(database, build.submission(patient_id=build.OTHER_PATIENT_ID)).documents[0]
    link = build.relationship("x", AssociationType.APPEND, mine.entry_uuid, theirs.entry_uuid)
    assert codes(database, submit_association(link)) == [ErrorCode.METADATA_UPDATE_ERROR]


def test_iti57_submit_association_twice_is_metadata_update_error(database: Database) -> None:
    done = original(database, folders=(build.folder(),))
    again = build.has_member(
        "fm", done.folders[0].entry_uuid, done.documents[0].entry_uuid, status=None
    )
    assert codes(database, submit_association(again)) == [ErrorCode.METADATA_UPDATE_ERROR]


def test_iti57_submit_association_with_propagation_is_operation_error(database: Database) -> None:
    """NIST test 20006 (CP-ITI-1029): propagation and a manual link to the same new version."""
    previous = original(database).documents[0]
    other = original(database).documents[0]
    link = build.relationship("x", AssociationType.APPEND, "New01", other.entry_uuid)
    trigger = Association(
        entry_uuid="submit01",
        association_type=AssociationType.SUBMIT_ASSOCIATION.value,
        source_id="SubmissionSet01",
        target_id="x",
    )
    request = version_of(previous, extra=(link, trigger))
    assert codes(database, request) == [ErrorCode.METADATA_UPDATE_OPERATION_ERROR]


# --------------------------------------------------------------------------- stored queries


def test_iti18_returns_latest_version_unless_metadata_level_2(database: Database) -> None:
    previous = original(database).documents[0]
    new = update_document_set(database, version_of(previous)).documents[0]
    assert find_documents(database, APPROVED, DEPRECATED) == [new.entry_uuid]
    assert find_documents(database, APPROVED, DEPRECATED, level="2") == [
        previous.entry_uuid,
        new.entry_uuid,
    ]


def test_iti18_get_documents_by_logical_id_returns_every_version(database: Database) -> None:
    previous = original(database).documents[0]
    new = update_document_set(database, version_of(previous)).documents[0]
    found = query(
        database, Q.GET_DOCUMENTS, {"$XDSDocumentEntryLogicalID": f"('{previous.entry_uuid}')"}
    )
    assert found == [previous.entry_uuid, new.entry_uuid]


def test_iti18_get_documents_by_unique_id_is_latest_unless_metadata_level_2(
    database: Database,
) -> None:
    previous = original(database).documents[0]
    new = update_document_set(database, version_of(previous)).documents[0]
    by_unique_id = {"$XDSDocumentEntryUniqueId": f"('{previous.unique_id}')"}
    assert query(database, Q.GET_DOCUMENTS, by_unique_id) == [new.entry_uuid]
    assert query(database, Q.GET_DOCUMENTS, {**by_unique_id, "$MetadataLevel": "2"}) == [
        previous.entry_uuid,
        new.entry_uuid,
    ]


def test_iti18_get_documents_by_entry_uuid_returns_that_version(database: Database) -> None:
    previous = original(database).documents[0]
    update_document_set(database, version_of(previous))
    by_uuid = {"$XDSDocumentEntryEntryUUID": f"('{previous.entry_uuid}')"}
    assert query(database, Q.GET_DOCUMENTS, by_uuid) == [previous.entry_uuid]


# --------------------------------------------------------------------------- IPF sample


def test_iti57_replays_ipf_update_sample(database: Database) -> None:
    """``SubmitObjectsRequest_ebrs30_update.xml``: a new version and a status change."""
    request = parse_submission(
        parse_xml((IPF / "SubmitObjectsRequest_ebrs30_update.xml").read_bytes())
    )
    patient_id = request.submission_set.patient_id
    with database.unit_of_work() as store:
        store.save_patient(Patient(patient_id=patient_id))
    [sample] = request.documents
    assert sample.logical_id is not None
    other_id = "urn:uuid:e0985823-dc50-45a5-a6c8-a11a829893bd"
    first = sample.with_(entry_uuid=sample.logical_id, logical_id=None)
    other = build.document_entry(other_id, patient_id=patient_id, source_patient_id=patient_id)
    register(database, build.submission(first, other, patient_id=patient_id))

    done = update_document_set(database, request)
    [new] = done.documents
    assert new.version == "2" and new.logical_id == sample.logical_id
    assert stored(database, sample.logical_id).availability_status == DEPRECATED
    assert stored(database, other_id).availability_status == DEPRECATED
    assert stored(database, new.entry_uuid).availability_status == APPROVED
