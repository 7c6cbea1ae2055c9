"""ITI TF-2b 3.62 (Remove Metadata): the Document Registry's rules, one test per rule.

In process, on SQLite and PostgreSQL; the wire is covered by
``tests/soap/test_registry_update_delete.py``.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest
from lxml import etree

from registry.ebrim import parse_remove_objects
from registry.errors import MetadataError, RegistryError
from registry.metadata_update import update_document_set
from registry.model import ObjectRef, Submission
from registry.patients import Patient
from registry.register import register
from registry.remove_metadata import delete_document_set
from registry.storage.database import Database
from registry.vocabulary import DeletionScope, ErrorCode, Namespace
from tests import submissions as build


@pytest.fixture
def database(database_url: str) -> Iterator[Database]:
    db = Database(database_url)
    db.migrate()
    with db.unit_of_work() as store:
        store.save_patient(Patient(patient_id=build.PATIENT_ID))
    yield db
    db.dispose()


def refs(*ids: str) -> tuple[ObjectRef, ...]:
    return tuple(ObjectRef(id=each) for each in ids)


def refused(database: Database, *ids: str) -> list[tuple[ErrorCode, str | None]]:
    with pytest.raises(RegistryError) as caught:
        delete_document_set(database, refs(*ids))
    return [(e.error_code, e.location) for e in caught.value.errors]


def known(database: Database, *ids: str) -> set[str]:
    with database.snapshot() as store:
        return set(store.objects_by_uuid(ids))


def everything(done: Submission) -> list[str]:
    return [obj.entry_uuid for obj in done.objects()]


def test_iti62_removes_document_and_its_associations(database: Database) -> None:
    done = register(database, build.submission())
    removed = delete_document_set(database, refs(*everything(done)))
    assert set(removed) == set(everything(done))
    assert known(database, *everything(done)) == set()
    with database.snapshot() as store:
        assert store.objects_by_unique_id([done.documents[0].unique_id]) == {}


def test_iti62_unknown_object_is_unresolved_reference(database: Database) -> None:
    done = register(database, build.submission())
    stranger = uuid.uuid4().urn
    assert refused(database, *everything(done), stranger) == [
        (ErrorCode.UNRESOLVED_REFERENCE, stranger)
    ]
    assert known(database, *everything(done)) == set(everything(done))


def test_iti62_referenced_object_is_references_exist(database: Database) -> None:
    done = register(database, build.submission())
    document = done.documents[0].entry_uuid
    assert refused(database, document) == [(ErrorCode.REFERENCES_EXIST, document)]


def test_iti62_submission_set_alone_is_references_exist(database: Database) -> None:
    done = register(database, build.submission())
    ss = done.submission_set.entry_uuid
    assert refused(database, ss) == [(ErrorCode.REFERENCES_EXIST, ss)]


def test_iti62_recorded_association_is_references_exist(database: Database) -> None:
    done = register(database, build.submission(folders=(build.folder(),), associations=()))
    membership = build.has_member("fm", done.folders[0].entry_uuid, done.documents[0].entry_uuid)
    added = register(
        database,
        Submission(
            submission_set=build.submission_set(),
            associations=(
                membership.with_(submission_set_status=None),
                build.has_member("ss-fm", "SubmissionSet01", "fm"),
            ),
        ),
    )
    folder_link = next(a for a in added.associations if a.source_id == done.folders[0].entry_uuid)
    assert refused(database, folder_link.entry_uuid) == [
        (ErrorCode.REFERENCES_EXIST, folder_link.entry_uuid)
    ]


def test_iti62_leaving_submission_set_empty_is_unreferenced_object(database: Database) -> None:
    done = register(database, build.submission())
    [member] = done.associations
    ss = done.submission_set.entry_uuid
    assert refused(database, done.documents[0].entry_uuid, member.entry_uuid) == [
        (ErrorCode.UNREFERENCED_OBJECT, ss)
    ]


def test_iti62_leaving_document_outside_any_submission_set_is_unreferenced_object(
    database: Database,
) -> None:
    done = register(database, build.submission())
    [member] = done.associations
    # Errors come sorted by entryUUID; the spec gives them no order.
    assert refused(database, member.entry_uuid) == sorted(
        [
            (ErrorCode.UNREFERENCED_OBJECT, done.documents[0].entry_uuid),
            (ErrorCode.UNREFERENCED_OBJECT, done.submission_set.entry_uuid),
        ],
        key=lambda error: error[1],
    )


def test_iti62_removes_folder_membership(database: Database) -> None:
    """NIST's second Remove Metadata scenario, step 3: a document leaves a folder."""
    folder = build.folder()
    done = register(
        database,
        build.submission(
            folders=(folder,),
            associations=(
                build.has_member("fm", folder.entry_uuid, "Document01", status=None),
                build.has_member("ss-fm", "SubmissionSet01", "fm"),
            ),
        ),
    )
    uuids = {a.entry_uuid: a for a in done.associations}
    membership = next(a for a in uuids.values() if a.source_id == done.folders[0].entry_uuid)
    record = next(a for a in uuids.values() if a.target_id == membership.entry_uuid)
    delete_document_set(database, refs(membership.entry_uuid, record.entry_uuid))
    assert known(database, membership.entry_uuid, record.entry_uuid) == set()
    assert known(database, done.folders[0].entry_uuid, done.documents[0].entry_uuid) == {
        done.folders[0].entry_uuid,
        done.documents[0].entry_uuid,
    }


def test_iti62_removes_all_or_nothing(database: Database) -> None:
    first = register(database, build.submission())
    second = register(database, build.submission())
    errors = refused(database, *everything(first), second.documents[0].entry_uuid)
    assert [code for code, _ in errors] == [ErrorCode.REFERENCES_EXIST]
    assert known(database, *everything(first)) == set(everything(first))


def test_iti62_removing_latest_version_makes_previous_latest(database: Database) -> None:
    done = register(database, build.submission())
    previous = done.documents[0]
    ss = build.submission_set()
    update = update_document_set(
        database,
        Submission(
            submission_set=ss,
            documents=(previous.with_(entry_uuid="New01", version=None),),
            associations=(
                build.has_member("m", ss.entry_uuid, "New01").with_(previous_version="1"),
            ),
        ),
    )
    delete_document_set(database, refs(*everything(update)))
    with database.snapshot() as store:
        ref = store.objects_by_uuid([previous.entry_uuid])[previous.entry_uuid]
        assert ref.latest
        assert store.latest_documents([previous.entry_uuid]) == {
            previous.entry_uuid: store.documents([previous.entry_uuid])[0]
        }


# --------------------------------------------------------------------------- the request


def request(*children: etree._Element, **attributes: str) -> etree._Element:
    element = etree.Element(f"{{{Namespace.LCM.value}}}RemoveObjectsRequest", attributes)
    element.extend(children)
    return element


def object_ref_list(*ids: str) -> etree._Element:
    rim = Namespace.RIM.value
    holder = etree.Element(f"{{{rim}}}ObjectRefList")
    for each in ids:
        etree.SubElement(holder, f"{{{rim}}}ObjectRef", id=each)
    return holder


def test_iti62_request_names_objects_by_object_ref() -> None:
    a, b = uuid.uuid4().urn, uuid.uuid4().urn
    parsed = parse_remove_objects(request(object_ref_list(a, b, a)))
    assert [ref.id for ref in parsed] == [a, b]


def test_iti62_request_without_object_ref_is_metadata_error() -> None:
    with pytest.raises(MetadataError):
        parse_remove_objects(request(object_ref_list()))


def test_iti62_request_other_deletion_scope_is_metadata_error() -> None:
    scope = DeletionScope.DELETE_REPOSITORY_ITEM_ONLY.value
    with pytest.raises(MetadataError) as caught:
        parse_remove_objects(request(object_ref_list(uuid.uuid4().urn), deletionScope=scope))
    assert caught.value.location == "deletionScope"


def test_iti62_request_with_adhoc_query_is_metadata_error() -> None:
    query = etree.Element(f"{{{Namespace.RIM.value}}}AdhocQuery", id="q")
    with pytest.raises(MetadataError):
        parse_remove_objects(request(query, object_ref_list(uuid.uuid4().urn)))
