"""IHE RMD, ITI TF-2b 3.86.4.1.3: the rules of Remove Documents, in process, on SQLite and PG."""

from __future__ import annotations

import pytest
from lxml import etree

from registry.errors import RegistryError
from registry.model import DocumentEntry, ObjectRef, Submission
from registry.remove_metadata import delete_document_set
from registry.storage.database import Database
from registry.vocabulary import ErrorCode, ResponseStatus
from repository.errors import RepositoryError
from repository.folder_store import FolderDocumentStore
from repository.provide_and_register import provide_and_register
from repository.registration import InProcessRegistry
from repository.remove_documents import (
    RemoveDocumentsResult,
    parse_remove_documents_request,
    remove_documents,
)
from repository.retrieve import DocumentRequest
from tests import submissions as build
from tests.repository.conftest import REPOSITORY_ID, Content

DATA = b"<ClinicalDocument>compte rendu</ClinicalDocument>"
OTHER = b"<ClinicalDocument>ordonnance</ClinicalDocument>"


def provide(
    store: FolderDocumentStore, registry: InProcessRegistry, contents: dict[str, bytes]
) -> Submission:
    entries = [
        build.document_entry(entry_uuid, hash=None, size=None, repository_unique_id=None)
        for entry_uuid in contents
    ]
    return provide_and_register(
        build.submission(*entries),
        {entry_uuid: Content(data) for entry_uuid, data in contents.items()},
        store=store,
        registry=registry,
        repository_unique_id=REPOSITORY_ID,
    )


def delete_metadata(database: Database, submission: Submission, *entries: DocumentEntry) -> None:
    """ITI-62: remove ``entries`` and their HasMembers (the whole submission by default)."""
    removing = entries or submission.documents
    uuids = {entry.entry_uuid for entry in removing}
    links = [a.entry_uuid for a in submission.associations if a.target_id in uuids]
    refs = [*uuids, *links]
    if not entries:
        refs.append(submission.submission_set.entry_uuid)
    delete_document_set(database, [ObjectRef(id=each) for each in refs])


def ask(unique_id: str, repository: str = REPOSITORY_ID) -> DocumentRequest:
    return DocumentRequest(repository_unique_id=repository, document_unique_id=unique_id)


def remove(
    database: Database,
    store: FolderDocumentStore,
    registry: InProcessRegistry,
    *requests: DocumentRequest,
) -> RemoveDocumentsResult:
    return remove_documents(
        database, store, requests, registry=registry, repository_unique_id=REPOSITORY_ID
    )


def codes(error: RegistryError) -> list[tuple[ErrorCode, str | None]]:
    return [(e.error_code, e.location) for e in error.errors]


def test_parse_remove_documents_request_reads_every_document_request() -> None:
    request = etree.fromstring(
        b'<rmd:RemoveDocumentsRequest xmlns:rmd="urn:ihe:iti:rmd:2017"'
        b' xmlns:xdsb="urn:ihe:iti:xds-b:2007"><xdsb:DocumentRequest>'
        b"<xdsb:HomeCommunityId>urn:oid:1.9</xdsb:HomeCommunityId>"
        b"<xdsb:RepositoryUniqueId>1.2.3</xdsb:RepositoryUniqueId>"
        b"<xdsb:DocumentUniqueId>1.2.3.4</xdsb:DocumentUniqueId>"
        b"</xdsb:DocumentRequest></rmd:RemoveDocumentsRequest>"
    )
    assert parse_remove_documents_request(request) == (
        DocumentRequest(
            repository_unique_id="1.2.3",
            document_unique_id="1.2.3.4",
            home_community_id="urn:oid:1.9",
        ),
    )
    with pytest.raises(RepositoryError, match="expected rmd:RemoveDocumentsRequest"):
        parse_remove_documents_request(etree.Element("{urn:ihe:iti:xds-b:2007}Other"))
    with pytest.raises(RepositoryError, match="no DocumentRequest"):
        parse_remove_documents_request(
            etree.Element("{urn:ihe:iti:rmd:2017}RemoveDocumentsRequest")
        )


def test_iti86_after_iti62_removes_the_stored_content(
    database: Database, store: FolderDocumentStore, registry: InProcessRegistry
) -> None:
    done = provide(store, registry, {"Document01": DATA})
    [entry] = done.documents
    delete_metadata(database, done)
    assert store.exists(entry.hash or "")
    result = remove(database, store, registry, ask(entry.unique_id))
    assert result.status is ResponseStatus.SUCCESS
    assert result.released == {entry.hash}
    assert set(store.keys()) == set()


def test_iti86_keeps_content_another_registered_entry_uses(
    database: Database, store: FolderDocumentStore, registry: InProcessRegistry
) -> None:
    done = provide(store, registry, {"Document01": DATA, "Document02": DATA})
    first, second = done.documents
    delete_metadata(database, done, first)
    result = remove(database, store, registry, ask(first.unique_id))
    assert result.status is ResponseStatus.SUCCESS
    assert result.released == frozenset()
    assert set(store.keys()) == {second.hash}


def test_iti86_refuses_a_document_still_registered(
    database: Database, store: FolderDocumentStore, registry: InProcessRegistry
) -> None:
    done = provide(store, registry, {"Document01": DATA})
    [entry] = done.documents
    with pytest.raises(RegistryError) as refused:
        remove(database, store, registry, ask(entry.unique_id))
    assert codes(refused.value) == [(ErrorCode.REFERENCES_EXIST, entry.unique_id)]
    assert set(store.keys()) == {entry.hash}
    # Once its metadata is gone, the same request succeeds: the ledger was kept.
    delete_metadata(database, done)
    remove(database, store, registry, ask(entry.unique_id))
    assert set(store.keys()) == set()


def test_iti86_rejects_unknown_document(
    database: Database, store: FolderDocumentStore, registry: InProcessRegistry
) -> None:
    with pytest.raises(RegistryError) as refused:
        remove(database, store, registry, ask("1.2.250.1.999.404"))
    assert codes(refused.value) == [(ErrorCode.DOCUMENT_UNIQUE_ID_ERROR, "1.2.250.1.999.404")]


def test_iti86_rejects_a_document_already_removed(
    database: Database, store: FolderDocumentStore, registry: InProcessRegistry
) -> None:
    done = provide(store, registry, {"Document01": DATA})
    [entry] = done.documents
    delete_metadata(database, done)
    remove(database, store, registry, ask(entry.unique_id))
    with pytest.raises(RegistryError) as refused:
        remove(database, store, registry, ask(entry.unique_id))
    assert codes(refused.value) == [(ErrorCode.DOCUMENT_UNIQUE_ID_ERROR, entry.unique_id)]


def test_iti86_partial_success_names_other_repository_and_unknown_document(
    database: Database, store: FolderDocumentStore, registry: InProcessRegistry
) -> None:
    done = provide(store, registry, {"Document01": DATA, "Document02": OTHER})
    first, second = done.documents
    delete_metadata(database, done)
    result = remove(
        database,
        store,
        registry,
        ask(first.unique_id),
        ask(second.unique_id, repository="1.2.3.999"),
        ask("1.2.250.1.999.404"),
    )
    assert result.status is ResponseStatus.PARTIAL_SUCCESS
    assert [(e.error_code, e.location) for e in result.errors] == [
        (ErrorCode.UNKNOWN_REPOSITORY_ID, "1.2.3.999"),
        (ErrorCode.DOCUMENT_UNIQUE_ID_ERROR, "1.2.250.1.999.404"),
    ]
    assert set(store.keys()) == {second.hash}
