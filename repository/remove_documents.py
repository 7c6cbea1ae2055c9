"""IHE RMD, ITI TF-2b 3.86.4.1.3 — the Document Repository's actions on Remove Documents.

A Document Administrator removes a document in two steps: Delete Document Set
(ITI-62) removes its metadata from the registry, then Remove Documents (ITI-86)
asks the repository to remove the document itself. :func:`remove_documents`
answers each ``xdsb:DocumentRequest`` of an ``rmd:RemoveDocumentsRequest``:

* another repository's uniqueId is ``XDSUnknownRepositoryId``;
* a document this repository never stored, or already removed, is
  ``XDSDocumentUniqueIdError`` with the uniqueId as location;
* a document whose DocumentEntry is still registered is refused
  (``ReferencesExistException``, :class:`~repository.errors.DocumentStillRegistered`).
  RMD lets the repository remove it anyway, leaving the registry pointing at
  nothing; this repository keeps that invariant instead, so the administrator
  runs ITI-62 first. It asks its registry
  (:meth:`~repository.registration.DocumentRegistry.still_registered`: its own
  tables, or ITI-18 GetDocuments to a registry on another node, which must answer);
* otherwise the document is forgotten and its stored content removed — unless
  another registered DocumentEntry of this repository carries the same SHA-1
  (contents are kept once, :mod:`repository.document_store`), in which case the
  content stays for it.

The uniqueId → content mapping comes from the repository's ledger
(``RepositoryLedger.stored_document_hashes``), since ITI-62 deleted the entry. The
ledger is updated in one unit of work; contents are then removed under the
registry's writer lock (:meth:`~repository.registration.DocumentRegistry.release`),
so a concurrent Provide and Register of the same content keeps it. A crash
between the two leaves an unreferenced content, which the start-up sweep removes.
Some removed and some not is ``PartialSuccess``; none removed is a ``Failure``,
raised as a :class:`~registry.errors.RegistryErrorList`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from lxml import etree

from registry.errors import RegistryErrorList
from registry.storage.database import Database
from registry.vocabulary import Namespace, ResponseStatus
from repository.document_store import DocumentStore
from repository.errors import (
    DocumentStillRegistered,
    DocumentUniqueIdError,
    RepositoryError,
    UnknownRepositoryId,
)
from repository.registration import DocumentRegistry
from repository.retrieve import DocumentRequest, read_document_requests

__all__ = ["RemoveDocumentsResult", "parse_remove_documents_request", "remove_documents"]

_REQUEST = f"{{{Namespace.RMD.value}}}RemoveDocumentsRequest"


@dataclass(frozen=True, kw_only=True, slots=True)
class RemoveDocumentsResult:
    """The documents removed and, for PartialSuccess, the errors about the others."""

    removed: tuple[DocumentRequest, ...]
    """The requests whose document was removed."""
    released: frozenset[str] = frozenset()
    """The stored contents (SHA-1) deleted; a content another entry uses is kept."""
    errors: tuple[RepositoryError, ...] = ()
    """One error per request not honoured."""

    @property
    def status(self) -> ResponseStatus:
        """Success when every document was removed, PartialSuccess otherwise."""
        return ResponseStatus.PARTIAL_SUCCESS if self.errors else ResponseStatus.SUCCESS


def parse_remove_documents_request(request: etree._Element) -> tuple[DocumentRequest, ...]:
    """Read an ``rmd:RemoveDocumentsRequest`` (IHE RMD 3.86.4.1.2)."""
    if request.tag != _REQUEST:
        raise RepositoryError(
            f"expected rmd:RemoveDocumentsRequest, got {etree.QName(request).localname}"
        )
    return read_document_requests(request)


def remove_documents(
    database: Database,
    store: DocumentStore,
    requests: Sequence[DocumentRequest],
    *,
    registry: DocumentRegistry,
    repository_unique_id: str,
) -> RemoveDocumentsResult:
    """Remove the requested documents of this repository whose metadata is gone.

    Raises a :class:`~registry.errors.RegistryErrorList` when none is removed.
    """
    ours = list(
        dict.fromkeys(
            r.document_unique_id for r in requests if r.repository_unique_id == repository_unique_id
        )
    )
    errors: list[RepositoryError] = []
    removable: dict[str, str] = {}
    # Asked before the ledger's unit of work: a registry on another node is not
    # called while this database's writer lock is held.
    still_registered = registry.still_registered(ours)
    with database.unit_of_work() as registered:
        ledger = registered.ledger.stored_document_hashes(
            ours, repository_unique_id=repository_unique_id
        )
        removable = {
            unique_id: key for unique_id, key in ledger.items() if unique_id not in still_registered
        }
        registered.ledger.forget_stored_documents(
            removable, repository_unique_id=repository_unique_id
        )
    removed: list[DocumentRequest] = []
    for request in requests:
        unique_id = request.document_unique_id
        if request.repository_unique_id != repository_unique_id:
            errors.append(
                UnknownRepositoryId(
                    f"document {unique_id} is in repository {request.repository_unique_id}; "
                    f"this is {repository_unique_id}",
                    location=request.repository_unique_id,
                )
            )
        elif unique_id in still_registered:
            errors.append(
                DocumentStillRegistered(
                    f"document {unique_id} is still registered: remove its DocumentEntry "
                    "(ITI-62 Delete Document Set) before the document",
                    location=unique_id,
                )
            )
        elif unique_id not in removable:
            errors.append(
                DocumentUniqueIdError(
                    f"no document with uniqueId {unique_id} is stored in repository "
                    f"{repository_unique_id}",
                    location=unique_id,
                )
            )
        else:
            removed.append(request)
    released = registry.release(set(removable.values()), remove=store.delete)
    if not removed:
        raise RegistryErrorList(errors)
    return RemoveDocumentsResult(
        removed=tuple(removed), released=frozenset(released), errors=tuple(errors)
    )
