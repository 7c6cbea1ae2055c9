"""ITI-18, ITI-42 and ITI-44 on the wire: a real ``carnet serve`` spoken to over HTTP.

Every test runs against the server on SQLite and again on PostgreSQL (when
installed). Patients are fed with ITI-44, as an affinity domain's patient
identity source would, before documents are registered with ITI-42 and
found with ITI-18.
"""

from __future__ import annotations

import uuid
from pathlib import Path

import pytest
from lxml import etree

from carnet.client import RegistryFailure, SoapFaultError, XdsClient, quote_list
from registry.model import Submission
from registry.vocabulary import (
    AssociationType,
    AvailabilityStatus,
    ErrorCode,
    ReturnType,
    StoredQueryId,
    SubmissionSetStatus,
)
from schemas import parse_xml
from tests import submissions as build

DATA = Path(__file__).parent.parent / "data"
RIM = "urn:oasis:names:tc:ebxml-regrep:xsd:rim:3.0"
APPROVED = AvailabilityStatus.APPROVED.value
DEPRECATED = AvailabilityStatus.DEPRECATED.value


def new_patient_id() -> str:
    return f"{uuid.uuid4().hex[:12].upper()}^^^&1.2.250.1.213.1.4.10&ISO"


def feed_patient(client: XdsClient, patient_id: str) -> None:
    """ITI-44 add (PRPA_IN201301UV02) of ``patient_id``; asserts the AA acknowledgement."""
    identifier, authority = patient_id.split("^^^&")[0], patient_id.split("&")[1]
    message = parse_xml((DATA / "hl7v3" / "PRPA_IN201301UV02_add.xml").read_bytes())
    patient_ii = message.find(".//{urn:hl7-org:v3}patient/{urn:hl7-org:v3}id")
    assert patient_ii is not None
    patient_ii.set("root", authority)
    patient_ii.set("extension", identifier)
    ack = client.patient_feed(message)
    assert (
        ack.find(".//{urn:hl7-org:v3}acknowledgement/{urn:hl7-org:v3}typeCode").get("code") == "AA"
    )


def find_documents(
    client: XdsClient,
    patient_id: str,
    *statuses: str,
    return_type: ReturnType = ReturnType.LEAF_CLASS,
) -> etree._Element:
    return client.stored_query(
        StoredQueryId.FIND_DOCUMENTS.value,
        {
            "$XDSDocumentEntryPatientId": f"'{patient_id}'",
            "$XDSDocumentEntryStatus": quote_list(statuses or (APPROVED,)),
        },
        return_type=return_type,
    )


def extrinsic_objects(response: etree._Element) -> list[etree._Element]:
    return response.findall(f"{{{RIM}}}RegistryObjectList/{{{RIM}}}ExtrinsicObject")


def unique_id_of(element: etree._Element) -> str:
    for identifier in element.iterfind(f"{{{RIM}}}ExternalIdentifier"):
        if (
            identifier.get("identificationScheme")
            == "urn:uuid:2e82c1f6-a085-4c72-9da3-8640a32e42ab"
        ):
            return identifier.get("value", "")
    raise AssertionError("no uniqueId")


def entry_uuids(client: XdsClient, patient_id: str) -> dict[str, str]:
    """uniqueId → entryUUID of the patient's documents, Approved or Deprecated."""
    response = find_documents(client, patient_id, APPROVED, DEPRECATED)
    return {unique_id_of(e): e.get("id", "") for e in extrinsic_objects(response)}


def registered(client: XdsClient, submission: Submission) -> dict[str, str]:
    """Register ``submission``; return the uniqueId → entryUUID of the patient's documents."""
    client.register(submission)
    return entry_uuids(client, submission.submission_set.patient_id)


def test_iti42_registers_and_iti18_finds_the_document(client: XdsClient) -> None:
    patient_id = new_patient_id()
    feed_patient(client, patient_id)
    entry = build.document_entry(patient_id=patient_id)
    client.register(build.submission(entry, patient_id=patient_id))

    response = find_documents(client, patient_id)
    [found] = extrinsic_objects(response)
    assert found.get("id", "").startswith("urn:uuid:")
    assert found.get("status") == APPROVED
    assert found.get("lid") == found.get("id")
    assert unique_id_of(found) == entry.unique_id
    slots = {
        s.get("name"): [v.text for v in s.iter(f"{{{RIM}}}Value")]
        for s in found.iterfind(f"{{{RIM}}}Slot")
    }
    assert slots["hash"] == [entry.hash]
    assert slots["urn:carnet:test:extra"] == ["a", "b"]  # extra slots round-trip

    refs = find_documents(client, patient_id, return_type=ReturnType.OBJECT_REF)
    assert [r.get("id") for r in refs.iter(f"{{{RIM}}}ObjectRef")] == [found.get("id")]


def test_iti42_unknown_patient_is_refused_and_nothing_is_written(client: XdsClient) -> None:
    patient_id = new_patient_id()
    entry = build.document_entry(patient_id=patient_id)
    with pytest.raises(RegistryFailure) as caught:
        client.register(build.submission(entry, patient_id=patient_id))
    assert caught.value.codes == (ErrorCode.UNKNOWN_PATIENT_ID.value,)
    assert caught.value.errors[0].location == patient_id
    feed_patient(client, patient_id)
    assert extrinsic_objects(find_documents(client, patient_id)) == []


def test_iti42_is_all_or_nothing(client: XdsClient) -> None:
    patient_id = new_patient_id()
    feed_patient(client, patient_id)
    good = build.document_entry("Document01", patient_id=patient_id)
    bad = build.document_entry("Document02", patient_id=patient_id, creation_time="2024-13-01")
    with pytest.raises(RegistryFailure) as caught:
        client.register(build.submission(good, bad, patient_id=patient_id))
    assert caught.value.codes == (ErrorCode.REGISTRY_METADATA_ERROR.value,)
    assert caught.value.errors[0].location == "Document02"
    assert extrinsic_objects(find_documents(client, patient_id)) == []


def test_iti42_duplicate_unique_id_in_registry(client: XdsClient) -> None:
    patient_id = new_patient_id()
    feed_patient(client, patient_id)
    entry = build.document_entry(patient_id=patient_id)
    client.register(build.submission(entry, patient_id=patient_id))
    with pytest.raises(RegistryFailure) as caught:
        client.register(build.submission(entry, patient_id=patient_id))
    assert caught.value.codes == (ErrorCode.DUPLICATE_UNIQUE_ID_IN_REGISTRY.value,)
    assert caught.value.errors[0].location == entry.unique_id


def test_iti42_same_unique_id_different_hash_is_non_identical_hash(client: XdsClient) -> None:
    patient_id = new_patient_id()
    feed_patient(client, patient_id)
    entry = build.document_entry(patient_id=patient_id)
    client.register(build.submission(entry, patient_id=patient_id))
    changed = entry.with_(hash="0" * 40)
    with pytest.raises(RegistryFailure) as caught:
        client.register(build.submission(changed, patient_id=patient_id))
    assert caught.value.codes == (ErrorCode.NON_IDENTICAL_HASH.value,)


def test_iti42_patient_id_does_not_match(client: XdsClient) -> None:
    patient_id, other = new_patient_id(), new_patient_id()
    feed_patient(client, patient_id)
    feed_patient(client, other)
    entry = build.document_entry(patient_id=other)
    with pytest.raises(RegistryFailure) as caught:
        client.register(build.submission(entry, patient_id=patient_id))
    assert ErrorCode.PATIENT_ID_DOES_NOT_MATCH.value in caught.value.codes


def test_iti42_rplc_deprecates_the_original(client: XdsClient) -> None:
    patient_id = new_patient_id()
    feed_patient(client, patient_id)
    original = build.document_entry(patient_id=patient_id)
    ids = registered(client, build.submission(original, patient_id=patient_id))
    original_uuid = ids[original.unique_id]

    replacement = build.document_entry("Document02", patient_id=patient_id)
    rplc = build.relationship("rplc", AssociationType.REPLACE, "Document02", original_uuid)
    client.register(build.submission(replacement, patient_id=patient_id, associations=(rplc,)))

    approved = extrinsic_objects(find_documents(client, patient_id))
    assert [unique_id_of(e) for e in approved] == [replacement.unique_id]
    deprecated = extrinsic_objects(find_documents(client, patient_id, DEPRECATED))
    assert [e.get("id") for e in deprecated] == [original_uuid]


def test_iti42_replacing_a_deprecated_document_is_refused(client: XdsClient) -> None:
    patient_id = new_patient_id()
    feed_patient(client, patient_id)
    original = build.document_entry(patient_id=patient_id)
    original_uuid = registered(client, build.submission(original, patient_id=patient_id))[
        original.unique_id
    ]
    first = build.document_entry("Document02", patient_id=patient_id)
    client.register(
        build.submission(
            first,
            patient_id=patient_id,
            associations=(
                build.relationship("r1", AssociationType.REPLACE, "Document02", original_uuid),
            ),
        )
    )
    second = build.document_entry("Document03", patient_id=patient_id)
    with pytest.raises(RegistryFailure) as caught:
        client.register(
            build.submission(
                second,
                patient_id=patient_id,
                associations=(
                    build.relationship("r2", AssociationType.REPLACE, "Document03", original_uuid),
                ),
            )
        )
    assert caught.value.codes == (ErrorCode.REGISTRY_METADATA_ERROR.value,)
    assert "not Approved" in caught.value.errors[0].context


def test_iti42_relationship_to_unknown_document_is_refused(client: XdsClient) -> None:
    patient_id = new_patient_id()
    feed_patient(client, patient_id)
    entry = build.document_entry(patient_id=patient_id)
    missing = uuid.uuid4().urn
    with pytest.raises(RegistryFailure) as caught:
        client.register(
            build.submission(
                entry,
                patient_id=patient_id,
                associations=(
                    build.relationship("a", AssociationType.APPEND, "Document01", missing),
                ),
            )
        )
    assert caught.value.codes == (ErrorCode.REGISTRY_METADATA_ERROR.value,)
    assert missing in caught.value.errors[0].context


def test_iti42_replacement_joins_the_folders_of_the_original(client: XdsClient) -> None:
    patient_id = new_patient_id()
    feed_patient(client, patient_id)
    original = build.document_entry(patient_id=patient_id)
    folder = build.folder(patient_id=patient_id)
    membership = build.has_member("fm", "Folder01", "Document01", status=None)
    client.register(
        build.submission(
            original,
            patient_id=patient_id,
            folders=(folder,),
            associations=(membership, build.has_member("ss-fm", "SubmissionSet01", "fm")),
        )
    )
    original_uuid = entry_uuids(client, patient_id)[original.unique_id]

    replacement = build.document_entry("Document02", patient_id=patient_id)
    client.register(
        build.submission(
            replacement,
            patient_id=patient_id,
            associations=(
                build.relationship("r", AssociationType.REPLACE, "Document02", original_uuid),
            ),
        )
    )

    response = client.stored_query(
        StoredQueryId.GET_FOLDER_AND_CONTENTS.value, {"$XDSFolderUniqueId": f"'{folder.unique_id}'"}
    )
    contents = {unique_id_of(e) for e in extrinsic_objects(response)}
    assert replacement.unique_id in contents


def test_iti42_adding_to_an_existing_folder_updates_last_update_time(client: XdsClient) -> None:
    patient_id = new_patient_id()
    feed_patient(client, patient_id)
    folder = build.folder(patient_id=patient_id)
    client.register(build.submission(patient_id=patient_id, folders=(folder,)))
    response = client.stored_query(
        StoredQueryId.GET_FOLDERS.value, {"$XDSFolderUniqueId": f"'{folder.unique_id}'"}
    )
    [package] = response.iter(f"{{{RIM}}}RegistryPackage")
    folder_uuid = package.get("id", "")
    first_update = package.findtext(
        f"{{{RIM}}}Slot[@name='lastUpdateTime']/{{{RIM}}}ValueList/{{{RIM}}}Value"
    )
    assert first_update

    entry = build.document_entry("Document09", patient_id=patient_id)
    sub = build.submission(
        entry,
        patient_id=patient_id,
        associations=(
            build.has_member("fm", folder_uuid, "Document09", status=None),
            build.has_member("ss-fm", "SubmissionSet01", "fm"),
        ),
    )
    client.register(sub)
    response = client.stored_query(
        StoredQueryId.GET_FOLDER_AND_CONTENTS.value, {"$XDSFolderEntryUUID": f"'{folder_uuid}'"}
    )
    assert entry.unique_id in {unique_id_of(e) for e in extrinsic_objects(response)}
    [package] = response.iter(f"{{{RIM}}}RegistryPackage")
    assert (
        package.findtext(f"{{{RIM}}}Slot[@name='lastUpdateTime']/{{{RIM}}}ValueList/{{{RIM}}}Value")
        >= first_update
    )


def test_iti42_reference_membership_of_a_registered_document(client: XdsClient) -> None:
    patient_id = new_patient_id()
    feed_patient(client, patient_id)
    entry = build.document_entry(patient_id=patient_id)
    entry_uuid = registered(client, build.submission(entry, patient_id=patient_id))[entry.unique_id]
    second = build.document_entry("Document02", patient_id=patient_id)
    client.register(
        build.submission(
            second,
            patient_id=patient_id,
            associations=(
                build.has_member(
                    "ref", "SubmissionSet01", entry_uuid, status=SubmissionSetStatus.REFERENCE
                ),
            ),
        )
    )


def test_iti18_unknown_stored_query(client: XdsClient) -> None:
    with pytest.raises(RegistryFailure) as caught:
        client.stored_query(uuid.uuid4().urn, {"$XDSDocumentEntryPatientId": "'x'"})
    assert caught.value.codes == (ErrorCode.UNKNOWN_STORED_QUERY.value,)


def test_iti18_missing_required_parameter(client: XdsClient) -> None:
    with pytest.raises(RegistryFailure) as caught:
        client.stored_query(
            StoredQueryId.FIND_DOCUMENTS.value, {"$XDSDocumentEntryStatus": quote_list([APPROVED])}
        )
    assert caught.value.codes == (ErrorCode.STORED_QUERY_MISSING_PARAM.value,)


def test_iti18_injection_like_patient_id_finds_nothing(client: XdsClient) -> None:
    # From IPF's iti18request.xml: a patient id carrying SQL.
    request = parse_xml((DATA / "ipf" / "iti18request.xml").read_bytes())
    response = client.call(client.registry_url, "urn:ihe:iti:2007:RegistryStoredQuery", request)
    assert response.get("status") in {
        "urn:oasis:names:tc:ebxml-regrep:ResponseStatusType:Success",
        "urn:oasis:names:tc:ebxml-regrep:ResponseStatusType:Failure",
    }
    assert extrinsic_objects(response) == []


def test_iti44_feed_acknowledges_and_patient_becomes_known(client: XdsClient) -> None:
    patient_id = new_patient_id()
    feed_patient(client, patient_id)
    client.register(
        build.submission(build.document_entry(patient_id=patient_id), patient_id=patient_id)
    )


def test_wrong_action_for_endpoint_is_action_not_supported(client: XdsClient) -> None:
    request = parse_xml((DATA / "ipf" / "iti18request.xml").read_bytes())
    with pytest.raises(SoapFaultError) as caught:
        client.call(client.registry_url, "urn:ihe:iti:2007:RetrieveDocumentSet", request)
    assert caught.value.code == "env:Sender"
    assert caught.value.subcodes == ("wsa:ActionNotSupported",)
    assert caught.value.http_status == 400
