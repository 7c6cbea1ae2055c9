"""``carnet.client``: ITI-41/42/18/43 round trips against a live ``carnet serve``, and the
request it puts on the wire (streamed MTOM with a Content-Length) against a mock transport.

Each test names the rule it checks; the live ones use the session's SQLite server and feed
their patient with ITI-44 first.
"""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from carnet import client as client_module
from carnet.client import (
    DocumentIntegrityError,
    RegistryFailure,
    TransportFailure,
    XdsClient,
)
from carnet.file_metadata import files_submission
from carnet.responses import read_query_response
from registry.ebrim import adhoc_query_response
from registry.model import Association, Code, DocumentEntry, Submission
from registry.vocabulary import (
    AssociationType,
    AvailabilityStatus,
    ErrorCode,
    ResponseStatus,
)
from schemas import parse_xml
from soap.mime import parse_media_type
from soap.mtom import include_content_id, parse_mtom
from tests import submissions as build
from tests.live_server import LiveServer
from tests.soap.test_registry_endpoint import feed_patient, new_patient_id

XDSB = "urn:ihe:iti:xds-b:2007"
SUCCESS = ResponseStatus.SUCCESS.value
REGISTRY_RESPONSE = (
    '<env:Envelope xmlns:env="http://www.w3.org/2003/05/soap-envelope"><env:Body>'
    '<rs:RegistryResponse xmlns:rs="urn:oasis:names:tc:ebxml-regrep:xsd:rs:3.0" '
    f'status="{SUCCESS}"/>'
    "</env:Body></env:Envelope>"
).encode()


@pytest.fixture
def client(server: LiveServer) -> Iterator[XdsClient]:
    with XdsClient(server.url) as xds:
        yield xds


@pytest.fixture
def patient_id(client: XdsClient) -> str:
    patient = new_patient_id()
    feed_patient(client, patient)
    return patient


def as_registered(found: DocumentEntry, sent: DocumentEntry) -> DocumentEntry:
    """``found`` with the attributes the registry assigns put back to what was sent."""
    return found.with_(
        entry_uuid=sent.entry_uuid,
        logical_id=sent.logical_id,
        version=sent.version,
        availability_status=sent.availability_status,
    )


# --------------------------------------------------------------------------- on the wire


def test_iti41_request_streams_files_with_a_content_length(tmp_path: Path) -> None:
    big = tmp_path / "big.pdf"
    big.write_bytes(bytes(range(256)) * 4096 * 4)  # 4 MiB
    seen: dict[str, object] = {}

    class Recorder(httpx.BaseTransport):
        """Reads the request as a server would, chunk by chunk (MockTransport reads it whole)."""

        def handle_request(self, request: httpx.Request) -> httpx.Response:
            assert isinstance(request.stream, httpx.SyncByteStream)
            chunks = list(request.stream)
            seen["headers"] = request.headers
            seen["largest"] = max(len(c) for c in chunks)
            seen["body"] = b"".join(chunks)
            return httpx.Response(
                200, content=REGISTRY_RESPONSE, headers={"Content-Type": "application/soap+xml"}
            )

    submission, documents = files_submission([big], patient_id=build.PATIENT_ID)
    with XdsClient("http://node.test", http=httpx.Client(transport=Recorder())) as xds:
        result = xds.provide_and_register(submission, documents)

    assert result.status is ResponseStatus.SUCCESS
    headers = seen["headers"]
    assert isinstance(headers, httpx.Headers)
    body = seen["body"]
    assert isinstance(body, bytes)
    assert "transfer-encoding" not in headers
    assert int(headers["content-length"]) == len(body)
    # Sent in pieces of 64 KiB (joined up to twice that by soap.mtom_writer), never whole.
    assert isinstance(seen["largest"], int) and seen["largest"] <= 128 * 1024
    package = parse_mtom([body], parse_media_type(headers["content-type"]), max_root_bytes=10**6)
    envelope = parse_xml(package.root)
    [document] = envelope.iter(f"{{{XDSB}}}Document")
    assert document.get("id") == submission.documents[0].entry_uuid
    content_id = include_content_id(document)
    assert content_id is not None
    assert package.attachments[content_id].sha1 == hashlib.sha1(big.read_bytes()).hexdigest()
    assert package.attachments[content_id].content_type == "application/pdf"
    package.close()


def test_iti41_documents_must_pair_with_document_entries() -> None:
    submission, _ = files_submission([Path("a.xml")], patient_id=build.PATIENT_ID)
    with (
        XdsClient("http://node.test", http=httpx.Client()) as xds,
        pytest.raises(ValueError, match="no document for Document01"),
    ):
        xds.provide_and_register(submission, {"Other": b"x"})


def test_query_response_reader_gives_back_the_model() -> None:
    entry = build.document_entry("urn:uuid:0b8f6e0a-5a53-4b5c-9d51-3c1f2a7e2b10")
    folder = build.folder("urn:uuid:2f0a1f3e-2b0c-4f0e-8d64-7a4f0c2c9e11")
    response = adhoc_query_response((folder, entry), status=SUCCESS)
    read = read_query_response(response)
    assert read.documents == (entry,)
    assert read.folders == (folder,)
    assert read.status is ResponseStatus.SUCCESS


# --------------------------------------------------------------------------- live: ITI-42, ITI-18


def test_find_documents_returns_what_was_registered(client: XdsClient, patient_id: str) -> None:
    entry = build.document_entry(patient_id=patient_id)
    result = client.register(build.submission(entry, patient_id=patient_id))
    assert result.status is ResponseStatus.SUCCESS

    [found] = client.find_documents(patient_id)
    assert found.entry_uuid.startswith("urn:uuid:")
    assert found.availability_status == AvailabilityStatus.APPROVED.value
    assert as_registered(found, entry) == entry


def test_find_documents_filters_by_type_code_and_status(client: XdsClient, patient_id: str) -> None:
    report = Code(code="34133-9", scheme="2.16.840.1.113883.6.1", display_name="Summary")
    plain = build.document_entry(patient_id=patient_id)
    summary = build.document_entry("Document02", patient_id=patient_id, type_code=report)
    client.register(build.submission(plain, summary, patient_id=patient_id))

    by_type = client.find_documents(patient_id, type_codes=[report])
    assert [e.unique_id for e in by_type] == [summary.unique_id]
    by_string = client.find_documents(patient_id, type_codes=["34133-9^^2.16.840.1.113883.6.1"])
    assert [e.unique_id for e in by_string] == [summary.unique_id]
    assert client.find_documents(patient_id, statuses=[AvailabilityStatus.DEPRECATED]) == []
    assert client.find_documents(patient_id, creation_time_from="2099") == []


def test_get_documents_by_unique_id(client: XdsClient, patient_id: str) -> None:
    entry = build.document_entry(patient_id=patient_id)
    client.register(build.submission(entry, patient_id=patient_id))
    [found] = client.get_documents(unique_ids=[entry.unique_id])
    assert as_registered(found, entry) == entry
    assert client.get_documents(unique_ids=["1.2.3.4.5.6.7.8.9"]) == []


def test_submission_set_and_folder_queries(client: XdsClient, patient_id: str) -> None:
    entry = build.document_entry(patient_id=patient_id)
    folder = build.folder(patient_id=patient_id)
    submission = build.submission(
        entry,
        patient_id=patient_id,
        folders=(folder,),
        associations=(
            build.has_member("fm", "Folder01", "Document01", status=None),
            build.has_member("ss-fm", "SubmissionSet01", "fm"),
        ),
    )
    client.register(submission)

    [submission_set] = client.find_submission_sets(patient_id)
    assert submission_set.unique_id == submission.submission_set.unique_id
    assert submission_set.content_type_code == submission.submission_set.content_type_code
    [found_folder] = client.find_folders(patient_id)
    assert found_folder.unique_id == folder.unique_id

    contents = client.get_submission_set_and_contents(unique_id=submission_set.unique_id)
    assert [s.unique_id for s in contents.submission_sets] == [submission_set.unique_id]
    assert [d.unique_id for d in contents.documents] == [entry.unique_id]
    assert [f.unique_id for f in contents.folders] == [folder.unique_id]
    assert len(contents.associations) == 4  # three HasMember of the set, one of the folder

    folder_contents = client.get_folder_and_contents(unique_id=folder.unique_id)
    assert [d.unique_id for d in folder_contents.documents] == [entry.unique_id]
    assert [f.unique_id for f in client.get_folders_for_document(unique_id=entry.unique_id)] == [
        folder.unique_id
    ]
    everything = client.get_all(patient_id)
    assert len(everything.documents) == 1 and len(everything.submission_sets) == 1


def test_get_related_documents_follows_rplc(client: XdsClient, patient_id: str) -> None:
    original = build.document_entry(patient_id=patient_id)
    client.register(build.submission(original, patient_id=patient_id))
    [registered] = client.find_documents(patient_id)
    replacement = build.document_entry("Document02", patient_id=patient_id)
    rplc = build.relationship("rplc", AssociationType.REPLACE, "Document02", registered.entry_uuid)
    client.register(build.submission(replacement, patient_id=patient_id, associations=(rplc,)))

    related = client.get_related_documents(
        unique_id=original.unique_id, association_types=[AssociationType.REPLACE]
    )
    assert {d.unique_id for d in related.documents} == {original.unique_id, replacement.unique_id}
    assert [a.kind for a in related.associations] == [AssociationType.REPLACE]
    [deprecated] = client.find_documents(patient_id, statuses=[AvailabilityStatus.DEPRECATED])
    assert deprecated.unique_id == original.unique_id


def test_iti42_refusal_raises_registry_failure_with_the_ihe_code(client: XdsClient) -> None:
    unknown = new_patient_id()
    with pytest.raises(RegistryFailure) as caught:
        client.register(build.submission(patient_id=unknown))
    assert caught.value.codes == (ErrorCode.UNKNOWN_PATIENT_ID.value,)


def test_unreachable_node_raises_transport_failure() -> None:
    with XdsClient("http://127.0.0.1:9", timeout=5) as xds, pytest.raises(TransportFailure):
        xds.find_documents(build.PATIENT_ID)


# --------------------------------------------------------------------------- live: ITI-41, ITI-43


def test_iti41_then_iti43_gives_the_bytes_back(
    client: XdsClient, patient_id: str, tmp_path: Path
) -> None:
    text, scan = tmp_path / "cr.xml", tmp_path / "scan.pdf"
    text.write_bytes(b"<ClinicalDocument/>")
    scan.write_bytes(bytes(range(256)) * 2000)
    submission, documents = files_submission([text, scan], patient_id=patient_id)
    client.provide_and_register(submission, documents)

    found = {e.unique_id: e for e in client.find_documents(patient_id)}
    assert {e.unique_id for e in submission.documents} == set(found)
    for entry, path in zip(submission.documents, (text, scan), strict=True):
        assert found[entry.unique_id].hash == hashlib.sha1(path.read_bytes()).hexdigest()
        assert found[entry.unique_id].size == path.stat().st_size
    [repository] = {e.repository_unique_id for e in found.values()}
    assert repository is not None

    result = client.retrieve(repository, list(found), tmp_path / "out")
    assert result.complete
    by_id = {d.unique_id: d for d in result.documents}
    for entry, path in zip(submission.documents, (text, scan), strict=True):
        assert by_id[entry.unique_id].path.read_bytes() == path.read_bytes()
        assert by_id[entry.unique_id].mime_type == entry.mime_type


def test_iti43_unknown_document_is_a_partial_success(
    client: XdsClient, patient_id: str, tmp_path: Path
) -> None:
    (tmp_path / "a.txt").write_bytes(b"a")
    submission, documents = files_submission([tmp_path / "a.txt"], patient_id=patient_id)
    client.provide_and_register(submission, documents)
    known = submission.documents[0].unique_id

    result = client.download([known, "1.2.3.999.1"], tmp_path / "out")
    assert result.status is ResponseStatus.PARTIAL_SUCCESS
    assert [d.unique_id for d in result.documents] == [known]
    assert [(e.code, e.location) for e in result.errors] == [
        (ErrorCode.DOCUMENT_UNIQUE_ID_ERROR.value, "1.2.3.999.1")
    ]


def test_iti43_hash_mismatch_raises_and_keeps_nothing(
    client: XdsClient, patient_id: str, tmp_path: Path
) -> None:
    (tmp_path / "a.txt").write_bytes(b"abc")
    submission, documents = files_submission([tmp_path / "a.txt"], patient_id=patient_id)
    client.provide_and_register(submission, documents)
    [entry] = client.find_documents(patient_id)
    assert entry.repository_unique_id is not None
    wrong = entry.with_(hash="0" * 40)

    out = tmp_path / "out"
    with pytest.raises(DocumentIntegrityError) as caught:
        client.retrieve(
            entry.repository_unique_id, [entry.unique_id], out, expected={entry.unique_id: wrong}
        )
    [mismatch] = caught.value.mismatches
    assert mismatch.actual_hash == hashlib.sha1(b"abc").hexdigest()
    assert list(out.iterdir()) == []


def test_exported_names_exist() -> None:
    assert all(hasattr(client_module, name) for name in client_module.__all__)


# --------------------------------------------------------------------------- live: ITI-57, ITI-62


def registered_with_uuids(client: XdsClient, patient_id: str) -> Submission:
    """ITI-42 of one DocumentEntry under ``urn:uuid:`` ids we chose, so later requests name them."""
    entry = build.document_entry(uuid.uuid4().urn, patient_id=patient_id)
    submission_set = build.submission_set(uuid.uuid4().urn, patient_id=patient_id)
    submission = Submission(
        submission_set=submission_set,
        documents=(entry,),
        associations=(
            build.has_member(uuid.uuid4().urn, submission_set.entry_uuid, entry.entry_uuid),
        ),
    )
    client.register(submission)
    return submission


def test_iti57_update_publishes_a_new_version(client: XdsClient, patient_id: str) -> None:
    [entry] = registered_with_uuids(client, patient_id).documents
    submission_set = build.submission_set(patient_id=patient_id)
    version_two = entry.with_(entry_uuid="Document02", logical_id=entry.entry_uuid, title="v2")
    member = build.has_member("m", submission_set.entry_uuid, "Document02").with_(
        previous_version="1"
    )
    result = client.update(
        Submission(submission_set=submission_set, documents=(version_two,), associations=(member,))
    )
    assert result.status is ResponseStatus.SUCCESS

    [latest] = client.find_documents(patient_id)
    assert (latest.title, latest.logical_id, latest.version) == ("v2", entry.entry_uuid, "2")


def test_iti57_update_availability_status(client: XdsClient, patient_id: str) -> None:
    [entry] = registered_with_uuids(client, patient_id).documents
    submission_set = build.submission_set(patient_id=patient_id)
    change = Association(
        entry_uuid="change",
        association_type=AssociationType.UPDATE_AVAILABILITY_STATUS.value,
        source_id=submission_set.entry_uuid,
        target_id=entry.entry_uuid,
        original_status=AvailabilityStatus.APPROVED.value,
        new_status=AvailabilityStatus.DEPRECATED.value,
    )
    client.update(Submission(submission_set=submission_set, associations=(change,)))
    assert client.find_documents(patient_id) == []
    [deprecated] = client.find_documents(patient_id, statuses=[AvailabilityStatus.DEPRECATED])
    assert deprecated.unique_id == entry.unique_id


def test_iti62_delete_removes_the_objects(client: XdsClient, patient_id: str) -> None:
    submission = registered_with_uuids(client, patient_id)
    ids = [obj.entry_uuid for obj in submission.objects()]
    assert client.delete(ids).status is ResponseStatus.SUCCESS
    assert client.get_documents(entry_uuids=[submission.documents[0].entry_uuid]) == []


def test_iti62_unknown_reference_raises_registry_failure(client: XdsClient) -> None:
    missing = uuid.uuid4().urn
    with pytest.raises(RegistryFailure) as caught:
        client.delete([missing])
    assert caught.value.codes == (ErrorCode.UNRESOLVED_REFERENCE.value,)
