"""ITI TF-2b 3.41.4.1.3 — the Document Repository's actions on Provide and Register Document Set-b.

:func:`provide_and_register` takes the metadata of an
``xdsb:ProvideAndRegisterDocumentSetRequest`` (already read into a
:class:`~registry.model.Submission`) and its documents, by DocumentEntry id, and:

1. pairs them: every DocumentEntry has a document (``XDSMissingDocument``) and
   every document a DocumentEntry (``XDSMissingDocumentMetadata``);
2. checks what the Document Source supplied: a ``hash`` or ``size`` must match the
   bytes received, a ``repositoryUniqueId`` must be this repository's
   (``XDSRepositoryMetadataError``, naming the attribute);
3. sets ``hash``, ``size`` and ``repositoryUniqueId`` (ITI TF-3 4.2.3.2.11, .23,
   .18: the repository owns them) and validates the submission as the registry
   will (ITI TF-3 4.2), before anything is written;
4. stores the documents (:class:`~repository.document_store.DocumentStore`:
   temporary file, fsync, rename), then registers the metadata (ITI-42) through a
   :class:`~repository.registration.DocumentRegistry`.

Atomic across both: if registration fails, the stored contents no committed
DocumentEntry references are removed again; after a crash, the start-up sweep
(:mod:`repository.sweep`) removes them. Contents are shared between entries
with the same bytes, so a failed submission may remove a content that a
concurrent submission has just stored: both the removal and that submission's
re-check of its contents ("still there? store again") run where the registry
holds its writer lock, before its commit, so one always sees the other's result.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator, Mapping, Sequence
from datetime import datetime
from typing import Protocol

from registry.errors import RegistryError, RegistryErrorList
from registry.model import DocumentEntry, Submission
from registry.storage.store import RegistryStore
from registry.validation import validate_submission
from repository.document_store import DocumentStore
from repository.errors import (
    MissingDocument,
    MissingDocumentMetadata,
    RepositoryMetadataError,
)
from repository.registration import DocumentRegistry

__all__ = ["DocumentContent", "SubmissionCheck", "complete_metadata", "provide_and_register"]

_log = logging.getLogger(__name__)


class DocumentContent(Protocol):
    """A document received with the metadata: its SHA-1, its size and its bytes.

    ``soap.mtom.Attachment`` (an MTOM part spooled while its SHA-1 was computed) is one.
    """

    @property
    def sha1(self) -> str:
        """Hex SHA-1 of the bytes."""
        ...

    @property
    def size(self) -> int:
        """Number of bytes."""
        ...

    def chunks(self, size: int = ...) -> Iterator[bytes]:
        """The bytes from the start, in pieces; may be called again to re-read them."""
        ...


class SubmissionCheck(Protocol):
    """A rule the repository applies to a completed submission before storing anything.

    The profile decides which apply (CDA header against metadata, the submission's
    signature…). ``submission`` has its hash, size and repositoryUniqueId set and has
    passed the registry's own validation; ``documents`` are keyed by DocumentEntry
    id. A check refuses by raising a ``registry.errors.RegistryError``.
    """

    def __call__(
        self, submission: Submission, documents: Mapping[str, DocumentContent]
    ) -> None: ...


def provide_and_register(
    submission: Submission,
    documents: Mapping[str, DocumentContent],
    *,
    store: DocumentStore,
    registry: DocumentRegistry,
    repository_unique_id: str,
    checks: Sequence[SubmissionCheck] = (),
    now: datetime | None = None,
    in_transaction: Callable[[RegistryStore], None] | None = None,
) -> Submission:
    """Store ``documents`` and register ``submission``, all or nothing; return it registered.

    ``documents`` maps each ``xdsb:Document/@id`` to its content; ``checks`` are the
    profile's extra rules (:class:`SubmissionCheck`), run before anything is stored;
    ``in_transaction`` runs in the registration's transaction (``DocumentRegistry.register``).
    Refusals raise ``registry.errors.RegistryError`` (a ``RegistryErrorList`` for several), and
    leave no content behind that the refused submission alone had brought.
    """
    completed = complete_metadata(submission, documents, repository_unique_id=repository_unique_id)
    validate_submission(completed)
    for check in checks:
        check(completed, documents)
    contents = {content.sha1.lower(): content for content in documents.values()}

    def ensure_stored() -> None:
        # Under the registry's writer lock: a failed submission may have removed a
        # content we share with it since we stored it.
        for key, content in contents.items():
            if not store.exists(key):
                _log.info("content %s was released by another submission; storing it again", key)
                store.put(content.chunks(), expected_key=key)

    try:
        for key, content in contents.items():
            store.put(content.chunks(), expected_key=key)
        return registry.register(
            completed, before_commit=ensure_stored, now=now, in_transaction=in_transaction
        )
    except BaseException:
        _release(store, registry, contents)
        raise


def complete_metadata(
    submission: Submission,
    documents: Mapping[str, DocumentContent],
    *,
    repository_unique_id: str,
) -> Submission:
    """Apply the pairing and supplied-value rules; set hash, size and repositoryUniqueId.

    Raises a :class:`~registry.errors.RegistryErrorList` of every
    ``XDSMissingDocument``, ``XDSMissingDocumentMetadata`` and
    ``XDSRepositoryMetadataError`` found.
    """
    errors: list[RegistryError] = []
    entry_ids = {entry.entry_uuid for entry in submission.documents}
    errors.extend(
        MissingDocumentMetadata(
            f"xdsb:Document {document_id} has no DocumentEntry (rim:ExtrinsicObject) "
            "with that id in the metadata",
            location=document_id,
        )
        for document_id in documents
        if document_id not in entry_ids
    )
    completed: list[DocumentEntry] = []
    for entry in submission.documents:
        content = documents.get(entry.entry_uuid)
        if content is None:
            errors.append(
                MissingDocument(
                    f"DocumentEntry {entry.entry_uuid} (uniqueId {entry.unique_id}) has no "
                    "xdsb:Document in the request",
                    location=entry.entry_uuid,
                )
            )
            continue
        supplied = list(_check_supplied(entry, content, repository_unique_id))
        errors.extend(supplied)
        completed.append(
            entry.with_(
                hash=content.sha1.lower(),
                size=content.size,
                repository_unique_id=repository_unique_id,
            )
        )
    if errors:
        raise RegistryErrorList(errors)
    return Submission(
        submission_set=submission.submission_set,
        documents=tuple(completed),
        folders=submission.folders,
        associations=submission.associations,
        object_refs=submission.object_refs,
        request_slots=submission.request_slots,
    )


def _check_supplied(
    entry: DocumentEntry, content: DocumentContent, repository_unique_id: str
) -> Iterator[RepositoryMetadataError]:
    """ITI TF-2b 3.41.4.1.3: the values a Document Source may supply must be right."""
    where = entry.entry_uuid
    if entry.is_on_demand:
        yield RepositoryMetadataError(
            f"DocumentEntry {where} is On-Demand: ITI-41 provides stable documents only",
            location=where,
        )
    if entry.hash is not None and entry.hash.lower() != content.sha1.lower():
        yield RepositoryMetadataError(
            f"hash of DocumentEntry {where} is {entry.hash}, the document's SHA-1 is "
            f"{content.sha1.lower()}",
            location=where,
        )
    if entry.size is not None and entry.size != content.size:
        yield RepositoryMetadataError(
            f"size of DocumentEntry {where} is {entry.size}, the document has {content.size} bytes",
            location=where,
        )
    if entry.repository_unique_id is not None and entry.repository_unique_id != (
        repository_unique_id
    ):
        yield RepositoryMetadataError(
            f"repositoryUniqueId of DocumentEntry {where} is {entry.repository_unique_id}, "
            f"this repository is {repository_unique_id}",
            location=where,
        )


def _release(
    store: DocumentStore, registry: DocumentRegistry, contents: Mapping[str, DocumentContent]
) -> None:
    """Remove the contents of a refused submission that nothing committed references."""
    try:
        released = registry.release(list(contents), remove=store.delete)
    except Exception:
        # The start-up sweep will remove them; the refusal itself is what the sender needs.
        _log.exception("could not release the contents of a refused submission")
        return
    if released:
        _log.info("released %d stored content(s) of a refused submission", len(released))
