"""The repository package's public surface (STYLE principle 3)."""

from __future__ import annotations

import repository


def test_repository_exports() -> None:
    assert sorted(repository.__all__) == [
        "CdaHeaderCheck",
        "DocumentContent",
        "DocumentNotStored",
        "DocumentRegistry",
        "DocumentRequest",
        "DocumentStillRegistered",
        "DocumentStore",
        "DocumentStoreError",
        "DocumentUniqueIdError",
        "FolderDocumentStore",
        "InProcessRegistry",
        "MissingDocument",
        "MissingDocumentMetadata",
        "Recovery",
        "RegistryConnection",
        "RegistryNotAvailable",
        "RemoteRegistry",
        "RemoveDocumentsResult",
        "RepositoryError",
        "RepositoryMetadataError",
        "RepositoryOutOfResources",
        "RetrieveResult",
        "RetrievedDocument",
        "SubmissionCheck",
        "SubmissionSignatureCheck",
        "SubmissionSignatureError",
        "SweepReport",
        "UnknownRepositoryId",
        "add_signature_entry",
        "document_entry_from_cda",
        "parse_remove_documents_request",
        "parse_retrieve_request",
        "provide_and_register",
        "read_document_requests",
        "remove_documents",
        "retrieve_documents",
        "sweep",
    ]
    for name in repository.__all__:
        assert getattr(repository, name).__module__.startswith("repository."), name
