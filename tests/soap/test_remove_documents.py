"""IHE RMD on the wire: ITI-62 then ITI-86 against a real ``carnet serve``, with ``XdsClient``.

The metadata is removed from the registry first (Delete Document Set), then the
document from the repository (Remove Documents); the stored file goes only when
no registered DocumentEntry of the repository still carries its SHA-1.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest

from carnet.client import RegistryFailure, XdsClient
from registry.model import DocumentEntry, Submission
from registry.vocabulary import ErrorCode, ResponseStatus
from tests import submissions as build
from tests.live_server import LiveServer
from tests.soap.test_registry_endpoint import feed_patient, new_patient_id

REPOSITORY_ID = build.REPOSITORY_ID
DATA = b"<ClinicalDocument>lettre de sortie</ClinicalDocument>"


def new_uuid() -> str:
    return f"urn:uuid:{uuid.uuid4()}"


@pytest.fixture
def client(server: LiveServer) -> Iterator[XdsClient]:
    with XdsClient(server.url) as xds:
        yield xds


@pytest.fixture
def patient_id(client: XdsClient) -> str:
    patient = new_patient_id()
    feed_patient(client, patient)
    return patient


def stored_files(server: LiveServer) -> set[str]:
    return {p.name for p in (server.data_dir / "documents").rglob("*") if p.is_file()}


def submit(client: XdsClient, patient_id: str, count: int) -> Submission:
    """ITI-41 of ``count`` DocumentEntries with the same content, every id a UUID."""
    entries = tuple(
        build.document_entry(new_uuid(), patient_id=patient_id).with_(
            hash=None, size=None, repository_unique_id=None
        )
        for _ in range(count)
    )
    ss = build.submission_set(new_uuid(), patient_id=patient_id)
    submission = Submission(
        submission_set=ss,
        documents=entries,
        associations=tuple(
            build.has_member(new_uuid(), ss.entry_uuid, entry.entry_uuid) for entry in entries
        ),
    )
    client.provide_and_register(submission, {entry.entry_uuid: DATA for entry in entries})
    return submission


def delete_metadata(client: XdsClient, submission: Submission, entry: DocumentEntry) -> None:
    """ITI-62 of ``entry`` and its HasMember (and the SubmissionSet when it is the last)."""
    links = [a.entry_uuid for a in submission.associations if a.target_id == entry.entry_uuid]
    last = len(submission.documents) == 1
    client.delete(
        [entry.entry_uuid, *links, *([submission.submission_set.entry_uuid] if last else [])]
    )


def test_iti86_after_iti62_frees_the_stored_file(
    client: XdsClient, server: LiveServer, patient_id: str
) -> None:
    submission = submit(client, patient_id, 1)
    [entry] = submission.documents
    before = stored_files(server)
    delete_metadata(client, submission, entry)
    result = client.remove_documents(REPOSITORY_ID, [entry.unique_id])
    assert result.status == ResponseStatus.SUCCESS
    assert len(before - stored_files(server)) == 1


def test_iti86_keeps_a_file_another_entry_shares(
    client: XdsClient, server: LiveServer, patient_id: str
) -> None:
    submission = submit(client, patient_id, 2)
    first, second = submission.documents
    before = stored_files(server)
    delete_metadata(client, submission, first)
    assert client.remove_documents(REPOSITORY_ID, [first.unique_id]).status == (
        ResponseStatus.SUCCESS
    )
    assert stored_files(server) == before
    assert client.download([second.unique_id], server.data_dir / "out").documents


def test_iti86_refuses_a_document_still_registered(client: XdsClient, patient_id: str) -> None:
    [entry] = submit(client, patient_id, 1).documents
    with pytest.raises(RegistryFailure) as refused:
        client.remove_documents(REPOSITORY_ID, [entry.unique_id])
    assert refused.value.codes == (ErrorCode.REFERENCES_EXIST.value,)


def test_iti86_rejects_unknown_document(client: XdsClient) -> None:
    with pytest.raises(RegistryFailure) as refused:
        client.remove_documents(REPOSITORY_ID, ["1.2.250.1.999.404"])
    assert refused.value.status == ResponseStatus.FAILURE
    assert refused.value.codes == (ErrorCode.DOCUMENT_UNIQUE_ID_ERROR.value,)


def test_iti86_rejects_other_repository_id(client: XdsClient) -> None:
    with pytest.raises(RegistryFailure) as refused:
        client.remove_documents("1.2.3.999", ["1.2.250.1.999.404"])
    assert refused.value.codes == (ErrorCode.UNKNOWN_REPOSITORY_ID.value,)


def test_iti86_partial_success_lists_the_documents_not_removed(
    client: XdsClient, patient_id: str
) -> None:
    submission = submit(client, patient_id, 1)
    [entry] = submission.documents
    delete_metadata(client, submission, entry)
    result = client.remove_documents(REPOSITORY_ID, [entry.unique_id, "1.2.250.1.999.404"])
    assert result.status == ResponseStatus.PARTIAL_SUCCESS
    assert result.codes == (ErrorCode.DOCUMENT_UNIQUE_ID_ERROR.value,)
