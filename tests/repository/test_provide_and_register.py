"""ITI TF-2b 3.41.4.1.3: the rules of Provide and Register, in process, on SQLite and PostgreSQL.

The wire (MTOM, inline base64, faults) is covered by ``tests/soap/test_repository_endpoint.py``.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Collection, Mapping
from datetime import datetime
from pathlib import Path

import pytest

from registry.errors import RegistryError
from registry.model import DocumentEntry, Submission
from registry.storage.database import Database
from registry.storage.store import RegistryStore
from registry.vocabulary import ErrorCode
from repository.errors import DocumentStoreError
from repository.folder_store import FolderDocumentStore
from repository.provide_and_register import DocumentContent, provide_and_register
from repository.registration import InProcessRegistry
from soap.mtom import Attachment
from tests import submissions as build
from tests.repository.conftest import REPOSITORY_ID, Content

DATA = b"<ClinicalDocument>compte rendu</ClinicalDocument>"


def provide(
    submission: Submission,
    documents: Mapping[str, DocumentContent],
    store: FolderDocumentStore,
    registry: InProcessRegistry,
) -> Submission:
    return provide_and_register(
        submission,
        documents,
        store=store,
        registry=registry,
        repository_unique_id=REPOSITORY_ID,
    )


def refused(
    submission: Submission,
    documents: Mapping[str, DocumentContent],
    store: FolderDocumentStore,
    registry: InProcessRegistry,
) -> list[tuple[ErrorCode, str | None, str]]:
    with pytest.raises(RegistryError) as caught:
        provide(submission, documents, store, registry)
    return [(e.error_code, e.location, e.reason) for e in caught.value.errors]


def bare_entry(
    entry_id: str = "Document01", *, patient_id: str = build.PATIENT_ID, **changes: object
) -> DocumentEntry:
    """A DocumentEntry as a Document Source sends it: no hash, size nor repositoryUniqueId."""
    entry = build.document_entry(entry_id, patient_id=patient_id)
    return entry.with_(**({"hash": None, "size": None, "repository_unique_id": None} | changes))


def stored_files(store: FolderDocumentStore) -> set[str]:
    return set(store.keys())


def documents_in_registry(database: Database, unique_ids: Collection[str]) -> list[DocumentEntry]:
    with database.snapshot() as snapshot:
        return list(snapshot.documents_by_unique_id(unique_ids))


def test_attachment_is_document_content(tmp_path: Path) -> None:
    def as_content(attachment: Attachment) -> DocumentContent:
        return attachment  # mypy checks that an MTOM part satisfies the repository's protocol

    with (tmp_path / "part").open("w+b") as file:
        file.write(DATA)
        attachment = Attachment(
            content_id="part", content_type="text/xml", size=len(DATA), sha1="", data_file=file
        )
        assert b"".join(as_content(attachment).chunks()) == DATA


def test_iti41_sets_hash_size_and_repository_unique_id(
    database: Database, store: FolderDocumentStore, registry: InProcessRegistry
) -> None:
    entry = bare_entry()
    done = provide(build.submission(entry), {"Document01": Content(DATA)}, store, registry)
    registered = done.documents[0]
    assert registered.hash == hashlib.sha1(DATA).hexdigest()
    assert registered.size == len(DATA)
    assert registered.repository_unique_id == REPOSITORY_ID
    [found] = documents_in_registry(database, [entry.unique_id])
    assert found == registered
    with store.open(registered.hash) as file:
        assert file.read() == DATA


def test_iti41_supplied_matching_hash_and_size_are_accepted(
    store: FolderDocumentStore, registry: InProcessRegistry
) -> None:
    entry = build.document_entry(content=DATA, hash=hashlib.sha1(DATA).hexdigest().upper())
    done = provide(build.submission(entry), {"Document01": Content(DATA)}, store, registry)
    assert done.documents[0].hash == hashlib.sha1(DATA).hexdigest()


def test_iti41_missing_document_is_xds_missing_document(
    store: FolderDocumentStore, registry: InProcessRegistry
) -> None:
    first, second = bare_entry("Document01"), bare_entry("Document02")
    errors = refused(
        build.submission(first, second), {"Document01": Content(DATA)}, store, registry
    )
    assert [(code, location) for code, location, _ in errors] == [
        (ErrorCode.MISSING_DOCUMENT, "Document02")
    ]
    assert stored_files(store) == set()


def test_iti41_document_without_entry_is_xds_missing_document_metadata(
    store: FolderDocumentStore, registry: InProcessRegistry
) -> None:
    documents = {"Document01": Content(DATA), "Document09": Content(b"orphan")}
    errors = refused(build.submission(bare_entry()), documents, store, registry)
    assert [(code, location) for code, location, _ in errors] == [
        (ErrorCode.MISSING_DOCUMENT_METADATA, "Document09")
    ]
    assert stored_files(store) == set()


def test_iti41_hash_mismatch_is_repository_metadata_error(
    store: FolderDocumentStore, registry: InProcessRegistry
) -> None:
    entry = bare_entry(hash="0" * 40)
    errors = refused(build.submission(entry), {"Document01": Content(DATA)}, store, registry)
    [(code, location, reason)] = errors
    assert code is ErrorCode.REPOSITORY_METADATA_ERROR
    assert location == "Document01"
    assert reason.startswith("hash of DocumentEntry Document01")
    assert stored_files(store) == set()


def test_iti41_size_mismatch_is_repository_metadata_error(
    store: FolderDocumentStore, registry: InProcessRegistry
) -> None:
    entry = bare_entry(size=len(DATA) + 1)
    [(code, _, reason)] = refused(
        build.submission(entry), {"Document01": Content(DATA)}, store, registry
    )
    assert code is ErrorCode.REPOSITORY_METADATA_ERROR
    assert reason.startswith("size of DocumentEntry Document01")


def test_iti41_other_repository_unique_id_is_repository_metadata_error(
    store: FolderDocumentStore, registry: InProcessRegistry
) -> None:
    entry = bare_entry(repository_unique_id="1.2.3.4.5")
    [(code, _, reason)] = refused(
        build.submission(entry), {"Document01": Content(DATA)}, store, registry
    )
    assert code is ErrorCode.REPOSITORY_METADATA_ERROR
    assert reason.startswith("repositoryUniqueId of DocumentEntry Document01")


def test_iti41_invalid_metadata_is_refused_before_anything_is_stored(
    store: FolderDocumentStore, registry: InProcessRegistry
) -> None:
    entry = bare_entry(creation_time="2024-13-01")
    [(code, location, _)] = refused(
        build.submission(entry), {"Document01": Content(DATA)}, store, registry
    )
    assert (code, location) == (ErrorCode.REGISTRY_METADATA_ERROR, "Document01")
    assert stored_files(store) == set()


def test_iti41_failed_registration_removes_stored_bytes(
    database: Database, store: FolderDocumentStore, registry: InProcessRegistry
) -> None:
    entry = bare_entry(patient_id=build.OTHER_PATIENT_ID)  # never fed: XDSUnknownPatientId
    submission = build.submission(entry, patient_id=build.OTHER_PATIENT_ID)
    [(code, _, _)] = refused(submission, {"Document01": Content(DATA)}, store, registry)
    assert code is ErrorCode.UNKNOWN_PATIENT_ID
    assert stored_files(store) == set()
    assert documents_in_registry(database, [entry.unique_id]) == []


def test_iti41_failed_registration_keeps_bytes_a_committed_entry_references(
    store: FolderDocumentStore, registry: InProcessRegistry
) -> None:
    provide(build.submission(bare_entry()), {"Document01": Content(DATA)}, store, registry)
    # Same bytes, unknown patient: refused, but the first document's content stays.
    entry = bare_entry(patient_id=build.OTHER_PATIENT_ID)
    refused(
        build.submission(entry, patient_id=build.OTHER_PATIENT_ID),
        {"Document01": Content(DATA)},
        store,
        registry,
    )
    assert stored_files(store) == {hashlib.sha1(DATA).hexdigest()}


class _RacingRegistry:
    """A registry that lets a "concurrent failed submission" release contents first."""

    def __init__(self, inner: InProcessRegistry, store: FolderDocumentStore) -> None:
        self.inner = inner
        self.store = store

    def register(
        self,
        submission: Submission,
        *,
        before_commit: Callable[[], None],
        now: datetime | None = None,
        in_transaction: Callable[[RegistryStore], None] | None = None,
    ) -> Submission:
        self.inner.release([d.hash or "" for d in submission.documents], remove=self.store.delete)
        assert not any(self.store.exists(d.hash or "") for d in submission.documents)
        return self.inner.register(
            submission, before_commit=before_commit, now=now, in_transaction=in_transaction
        )

    def release(self, keys: Collection[str], *, remove: Callable[[str], object]) -> set[str]:
        return self.inner.release(keys, remove=remove)


def test_iti41_content_released_by_a_concurrent_failure_is_stored_again(
    store: FolderDocumentStore, registry: InProcessRegistry
) -> None:
    racing = _RacingRegistry(registry, store)
    done = provide_and_register(
        build.submission(bare_entry()),
        {"Document01": Content(DATA)},
        store=store,
        registry=racing,
        repository_unique_id=REPOSITORY_ID,
    )
    assert store.exists(done.documents[0].hash or "")


def test_iti41_store_failure_is_repository_error_and_registers_nothing(
    database: Database,
    store: FolderDocumentStore,
    registry: InProcessRegistry,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    entries = (bare_entry("Document01"), bare_entry("Document02"))
    calls = []
    put = store.put

    def failing_second_put(*args: object, **kwargs: object) -> str:
        calls.append(1)
        if len(calls) == 2:
            raise DocumentStoreError("disk on fire")
        return put(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(store, "put", failing_second_put)
    [(code, _, _)] = refused(
        build.submission(*entries),
        {"Document01": Content(DATA), "Document02": Content(b"second")},
        store,
        registry,
    )
    assert code is ErrorCode.REPOSITORY_ERROR
    assert stored_files(store) == set()
    assert documents_in_registry(database, [e.unique_id for e in entries]) == []


def test_iti41_identical_documents_are_stored_once(
    store: FolderDocumentStore, registry: InProcessRegistry
) -> None:
    done = provide(
        build.submission(bare_entry("Document01"), bare_entry("Document02")),
        {"Document01": Content(DATA), "Document02": Content(DATA)},
        store,
        registry,
    )
    assert {d.hash for d in done.documents} == stored_files(store)
    assert len(stored_files(store)) == 1
