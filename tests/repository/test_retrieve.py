"""ITI TF-2b 3.43.4.1.3: the rules of Retrieve Document Set, in process, on SQLite and PG."""

from __future__ import annotations

import pytest
from lxml import etree

from registry.errors import RegistryError
from registry.model import Submission
from registry.register import register
from registry.storage.database import Database
from registry.vocabulary import ErrorCode, ResponseStatus
from repository.errors import RepositoryError
from repository.folder_store import FolderDocumentStore
from repository.provide_and_register import provide_and_register
from repository.registration import InProcessRegistry
from repository.retrieve import DocumentRequest, parse_retrieve_request, retrieve_documents
from tests import submissions as build
from tests.repository.conftest import REPOSITORY_ID, Content
from tests.repository_wire import retrieve_request

DATA = b"<ClinicalDocument>lettre de liaison</ClinicalDocument>"


@pytest.fixture
def provided(store: FolderDocumentStore, registry: InProcessRegistry) -> Submission:
    entry = build.document_entry(
        hash=None, size=None, repository_unique_id=None, mime_type="text/xml"
    )
    return provide_and_register(
        build.submission(entry),
        {"Document01": Content(DATA)},
        store=store,
        registry=registry,
        repository_unique_id=REPOSITORY_ID,
    )


def ask(unique_id: str, repository: str = REPOSITORY_ID) -> DocumentRequest:
    return DocumentRequest(repository_unique_id=repository, document_unique_id=unique_id)


def codes(error: RegistryError) -> list[tuple[ErrorCode, str | None]]:
    return [(e.error_code, e.location) for e in error.errors]


def test_parse_retrieve_request_reads_every_document_request() -> None:
    request = retrieve_request(("1.2.3", "1.2.3.4"), ("1.2.3", "1.2.3.5", "urn:oid:1.9"))
    assert parse_retrieve_request(request) == (
        DocumentRequest(repository_unique_id="1.2.3", document_unique_id="1.2.3.4"),
        DocumentRequest(
            repository_unique_id="1.2.3",
            document_unique_id="1.2.3.5",
            home_community_id="urn:oid:1.9",
        ),
    )


def test_parse_retrieve_request_without_document_request_is_refused() -> None:
    with pytest.raises(RepositoryError, match="no DocumentRequest"):
        parse_retrieve_request(retrieve_request())
    with pytest.raises(RepositoryError, match="expected xdsb:RetrieveDocumentSetRequest"):
        parse_retrieve_request(etree.Element("{urn:ihe:iti:xds-b:2007}Other"))


def test_iti43_finds_the_document_and_opens_its_content(
    database: Database, store: FolderDocumentStore, provided: Submission
) -> None:
    entry = provided.documents[0]
    result = retrieve_documents(
        database, store, [ask(entry.unique_id)], repository_unique_id=REPOSITORY_ID
    )
    try:
        assert result.status is ResponseStatus.SUCCESS
        [document] = result.documents
        assert document.mime_type == "text/xml"
        assert document.content.read() == DATA
    finally:
        result.close()
    assert document.content.closed


def test_iti43_unknown_document_is_partial_success(
    database: Database, store: FolderDocumentStore, provided: Submission
) -> None:
    entry = provided.documents[0]
    result = retrieve_documents(
        database,
        store,
        [ask(entry.unique_id), ask("1.2.3.999")],
        repository_unique_id=REPOSITORY_ID,
    )
    result.close()
    assert result.status is ResponseStatus.PARTIAL_SUCCESS
    assert [d.request.document_unique_id for d in result.documents] == [entry.unique_id]
    assert [(e.error_code, e.location) for e in result.errors] == [
        (ErrorCode.DOCUMENT_UNIQUE_ID_ERROR, "1.2.3.999")
    ]


def test_iti43_nothing_found_is_failure(database: Database, store: FolderDocumentStore) -> None:
    with pytest.raises(RegistryError) as caught:
        retrieve_documents(database, store, [ask("1.2.3.999")], repository_unique_id=REPOSITORY_ID)
    assert codes(caught.value) == [(ErrorCode.DOCUMENT_UNIQUE_ID_ERROR, "1.2.3.999")]


def test_iti43_other_repository_is_unknown_repository_id(
    database: Database, store: FolderDocumentStore, provided: Submission
) -> None:
    entry = provided.documents[0]
    with pytest.raises(RegistryError) as caught:
        retrieve_documents(
            database, store, [ask(entry.unique_id, "1.2.3.4.5")], repository_unique_id=REPOSITORY_ID
        )
    assert codes(caught.value) == [(ErrorCode.UNKNOWN_REPOSITORY_ID, "1.2.3.4.5")]


def test_iti43_document_registered_for_another_repository_is_unknown_here(
    database: Database, store: FolderDocumentStore
) -> None:
    entry = build.document_entry(repository_unique_id="1.2.3.4.5")
    register(database, build.submission(entry))
    with pytest.raises(RegistryError) as caught:
        retrieve_documents(
            database, store, [ask(entry.unique_id)], repository_unique_id=REPOSITORY_ID
        )
    assert codes(caught.value) == [(ErrorCode.DOCUMENT_UNIQUE_ID_ERROR, entry.unique_id)]


def test_iti43_registered_document_without_content_is_repository_error(
    database: Database, store: FolderDocumentStore, provided: Submission
) -> None:
    entry = provided.documents[0]
    store.delete(entry.hash or "")
    with pytest.raises(RegistryError) as caught:
        retrieve_documents(
            database, store, [ask(entry.unique_id)], repository_unique_id=REPOSITORY_ID
        )
    assert codes(caught.value) == [(ErrorCode.REPOSITORY_ERROR, entry.unique_id)]
