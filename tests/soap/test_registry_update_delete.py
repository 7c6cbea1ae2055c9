"""ITI-57 Update Document Set and ITI-62 Delete Document Set on the wire, at ``/xds/registry``.

A real ``carnet serve``, on SQLite and again on PostgreSQL (when installed).
Documents are registered with ITI-42 under ``urn:uuid:`` ids the test picks, so
each request can name them; ITI-18 checks what the registry then holds. The
rules themselves are tested one by one in ``tests/registry/test_metadata_update.py``
and ``tests/registry/test_remove_metadata.py``.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from pathlib import Path

import httpx
import pytest
from lxml import etree

from carnet.client import XdsClient, quote_list
from registry.ebrim import parse_submission, submission_element
from registry.model import Association, DocumentEntry, Submission
from registry.vocabulary import (
    AssociationType,
    AvailabilityStatus,
    ErrorCode,
    Namespace,
    ResponseStatus,
    StoredQueryId,
)
from schemas import parse_xml
from tests import submissions as build
from tests.live_server import LiveServer
from tests.soap.test_registry_endpoint import feed_patient, new_patient_id

IPF = Path(__file__).parent.parent / "data" / "ipf"
RIM = Namespace.RIM.value
RS = Namespace.RS.value
LCM = Namespace.LCM.value
APPROVED = AvailabilityStatus.APPROVED.value
DEPRECATED = AvailabilityStatus.DEPRECATED.value
UPDATE = "urn:ihe:iti:2010:UpdateDocumentSet"
DELETE = "urn:ihe:iti:2010:DeleteDocumentSet"


@pytest.fixture
def patient_id(client: XdsClient) -> str:
    pid = new_patient_id()
    feed_patient(client, pid)
    return pid


# --------------------------------------------------------------------------- helpers


def urn() -> str:
    return uuid.uuid4().urn


def registered(client: XdsClient, patient_id: str) -> Submission:
    """ITI-42 of one DocumentEntry under ids we chose; returns the submission as sent."""
    entry = build.document_entry(urn(), patient_id=patient_id)
    ss = build.submission_set(urn(), patient_id=patient_id)
    submission = Submission(
        submission_set=ss,
        documents=(entry,),
        associations=(build.has_member(urn(), ss.entry_uuid, entry.entry_uuid),),
    )
    client.register(submission)
    return submission


def new_version(previous: DocumentEntry, *, previous_version: str = "1") -> Submission:
    ss = build.submission_set(patient_id=previous.patient_id)
    entry = previous.with_(
        entry_uuid="Document02", logical_id=previous.entry_uuid, title="Nouveau titre"
    )
    member = build.has_member("member", ss.entry_uuid, "Document02").with_(
        previous_version=previous_version
    )
    return Submission(submission_set=ss, documents=(entry,), associations=(member,))


def status_change(patient_id: str, target: str, original: str, new: str) -> Submission:
    ss = build.submission_set(patient_id=patient_id)
    change = Association(
        entry_uuid="change",
        association_type=AssociationType.UPDATE_AVAILABILITY_STATUS.value,
        source_id=ss.entry_uuid,
        target_id=target,
        original_status=original,
        new_status=new,
    )
    return Submission(submission_set=ss, associations=(change,))


def update(client: XdsClient, request: Submission | etree._Element) -> etree._Element:
    """Send ITI-57; return the ``rs:RegistryResponse``."""
    body = request if isinstance(request, etree._Element) else submission_element(request)
    return client.call(client.registry_url, UPDATE, body)


def delete(client: XdsClient, *ids: str) -> etree._Element:
    """Send ITI-62 for ``ids``; return the ``rs:RegistryResponse``."""
    request = etree.Element(f"{{{LCM}}}RemoveObjectsRequest", nsmap={"lcm": LCM, "rim": RIM})
    holder = etree.SubElement(request, f"{{{RIM}}}ObjectRefList")
    for each in ids:
        etree.SubElement(holder, f"{{{RIM}}}ObjectRef", id=each)
    return client.call(client.registry_url, DELETE, request)


def succeeded(response: etree._Element) -> bool:
    return response.tag == f"{{{RS}}}RegistryResponse" and (
        response.get("status") == ResponseStatus.SUCCESS.value
    )


def failure(response: etree._Element) -> list[tuple[str, str | None]]:
    """The (errorCode, location) of a Failure response."""
    assert response.get("status") == ResponseStatus.FAILURE.value
    return [
        (e.get("errorCode", ""), e.get("location")) for e in response.iter(f"{{{RS}}}RegistryError")
    ]


def get_documents(
    client: XdsClient, parameters: Mapping[str, str], level: str | None = None
) -> list[etree._Element]:
    values = dict(parameters)
    if level is not None:
        values["$MetadataLevel"] = level
    response = client.stored_query(StoredQueryId.GET_DOCUMENTS.value, values)
    return response.findall(f"{{{RIM}}}RegistryObjectList/{{{RIM}}}ExtrinsicObject")


def version_of(element: etree._Element) -> str | None:
    info = element.find(f"{{{RIM}}}VersionInfo")
    return None if info is None else info.get("versionName")


def by_logical_id(client: XdsClient, lid: str) -> dict[str, etree._Element]:
    found = get_documents(client, {"$XDSDocumentEntryLogicalID": quote_list([lid])}, level="2")
    return {e.get("id", ""): e for e in found}


# --------------------------------------------------------------------------- ITI-57


def test_iti57_new_version_deprecates_previous(client: XdsClient, patient_id: str) -> None:
    previous = registered(client, patient_id).documents[0]
    assert succeeded(update(client, new_version(previous)))
    versions = by_logical_id(client, previous.entry_uuid)
    assert len(versions) == 2
    old = versions.pop(previous.entry_uuid)
    [new] = versions.values()
    assert (version_of(old), old.get("status")) == ("1", DEPRECATED)
    assert (version_of(new), new.get("status")) == ("2", APPROVED)
    assert new.get("lid") == old.get("lid") == previous.entry_uuid


def test_iti57_previous_version_mismatch_is_metadata_version_error(
    client: XdsClient, patient_id: str
) -> None:
    previous = registered(client, patient_id).documents[0]
    response = update(client, new_version(previous, previous_version="3"))
    assert failure(response) == [(ErrorCode.METADATA_VERSION_ERROR.value, "Document02")]
    assert list(by_logical_id(client, previous.entry_uuid)) == [previous.entry_uuid]


def test_iti57_unknown_lid_is_metadata_update_error(client: XdsClient, patient_id: str) -> None:
    previous = registered(client, patient_id).documents[0]
    stranger = previous.with_(entry_uuid=urn())
    codes = [code for code, _ in failure(update(client, new_version(stranger)))]
    assert codes == [ErrorCode.METADATA_UPDATE_ERROR.value]


def test_iti57_update_availability_status_deprecates(client: XdsClient, patient_id: str) -> None:
    previous = registered(client, patient_id).documents[0]
    request = status_change(patient_id, previous.entry_uuid, APPROVED, DEPRECATED)
    assert succeeded(update(client, request))
    [found] = get_documents(
        client, {"$XDSDocumentEntryEntryUUID": quote_list([previous.entry_uuid])}
    )
    assert found.get("status") == DEPRECATED
    again = update(client, status_change(patient_id, previous.entry_uuid, APPROVED, DEPRECATED))
    assert [code for code, _ in failure(again)] == [ErrorCode.METADATA_UPDATE_ERROR.value]


@pytest.mark.parametrize(
    "status",
    ["urn:asip:ci-sis:2010:StatusType:Archived", "urn:asip:ci-sis:2010:StatusType:Deleted"],
)
def test_iti57_dmp_statuses_are_metadata_update_error_under_profile_ihe(
    client: XdsClient, patient_id: str, status: str
) -> None:
    previous = registered(client, patient_id).documents[0]
    refused = update(client, status_change(patient_id, previous.entry_uuid, APPROVED, status))
    assert failure(refused) == [(ErrorCode.METADATA_UPDATE_ERROR.value, "change")]
    [found] = get_documents(
        client, {"$XDSDocumentEntryEntryUUID": quote_list([previous.entry_uuid])}
    )
    assert found.get("status") == APPROVED


def test_iti18_returns_latest_version_unless_metadata_level_2(
    client: XdsClient, patient_id: str
) -> None:
    previous = registered(client, patient_id).documents[0]
    assert succeeded(update(client, new_version(previous)))
    by_unique_id = {"$XDSDocumentEntryUniqueId": quote_list([previous.unique_id])}
    [latest] = get_documents(client, by_unique_id)
    assert version_of(latest) == "2"
    assert sorted(version_of(e) or "" for e in get_documents(client, by_unique_id, "2")) == [
        "1",
        "2",
    ]


def test_iti57_replays_ipf_update_sample(client: XdsClient) -> None:
    """IPF's ``SubmitObjectsRequest_ebrs30_update.xml``, once per server, as sent."""
    raw = parse_xml((IPF / "SubmitObjectsRequest_ebrs30_update.xml").read_bytes())
    sample = parse_submission(raw)
    [entry] = sample.documents
    assert entry.logical_id is not None
    lid, other_id = entry.logical_id, "urn:uuid:e0985823-dc50-45a5-a6c8-a11a829893bd"
    patient_id = sample.submission_set.patient_id
    if get_documents(client, {"$XDSDocumentEntryEntryUUID": quote_list([lid])}, level="2"):
        pytest.skip("the sample's fixed ids are already registered on this server")
    feed_patient(client, patient_id)
    first = entry.with_(entry_uuid=lid, logical_id=None, document_availability=None)
    other = build.document_entry(other_id, patient_id=patient_id, source_patient_id=patient_id)
    client.register(build.submission(first, other, patient_id=patient_id))

    assert succeeded(update(client, raw))
    versions = by_logical_id(client, lid)
    assert {version_of(e): e.get("status") for e in versions.values()} == {
        "1": DEPRECATED,
        "2": APPROVED,
    }
    [changed] = get_documents(client, {"$XDSDocumentEntryEntryUUID": quote_list([other_id])})
    assert changed.get("status") == DEPRECATED


def test_iti57_and_iti62_wsdls_are_published(node: LiveServer) -> None:
    for name, operation in (("iti57", "UpdateDocumentSet"), ("iti62", "DeleteDocumentSet")):
        response = httpx.get(f"{node.url}/xds/registry?wsdl={name}")
        assert response.status_code == 200
        assert f"DocumentRegistry_{operation}".encode() in response.content


# --------------------------------------------------------------------------- ITI-62


def test_iti62_removes_document_and_its_associations(client: XdsClient, patient_id: str) -> None:
    submission = registered(client, patient_id)
    assert succeeded(delete(client, *(obj.entry_uuid for obj in submission.objects())))
    entry = submission.documents[0].entry_uuid
    assert get_documents(client, {"$XDSDocumentEntryEntryUUID": quote_list([entry])}) == []
    members = client.stored_query(
        StoredQueryId.GET_ASSOCIATIONS.value, {"$uuid": quote_list([entry])}
    )
    assert members.find(f"{{{RIM}}}RegistryObjectList/{{{RIM}}}Association") is None


def test_iti62_unknown_object_is_unresolved_reference(client: XdsClient) -> None:
    stranger = urn()
    assert failure(delete(client, stranger)) == [(ErrorCode.UNRESOLVED_REFERENCE.value, stranger)]


def test_iti62_referenced_object_is_references_exist(client: XdsClient, patient_id: str) -> None:
    entry = registered(client, patient_id).documents[0].entry_uuid
    assert failure(delete(client, entry)) == [(ErrorCode.REFERENCES_EXIST.value, entry)]
    assert len(get_documents(client, {"$XDSDocumentEntryEntryUUID": quote_list([entry])})) == 1


def test_iti62_leaving_submission_set_empty_is_unreferenced_object(
    client: XdsClient, patient_id: str
) -> None:
    submission = registered(client, patient_id)
    [member] = submission.associations
    response = delete(client, submission.documents[0].entry_uuid, member.entry_uuid)
    assert failure(response) == [
        (ErrorCode.UNREFERENCED_OBJECT.value, submission.submission_set.entry_uuid)
    ]
