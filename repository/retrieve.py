"""ITI TF-2b 3.43.4.1.3 — the Document Repository's actions on Retrieve Document Set.

:func:`parse_retrieve_request` reads an ``xdsb:RetrieveDocumentSetRequest``
(ITI TF-2b 3.43.4.1.2) into :class:`DocumentRequest` values;
:func:`retrieve_documents` looks each document up in the registry metadata —
its uniqueId, registered with this repository's ``repositoryUniqueId`` — and
opens its stored content for streaming, without reading it. The registry
answers through :meth:`~repository.registration.DocumentRegistry.registered_documents`:
this node's own registry from its tables, a registry on another node from the
repository's ledger of what it answered Success for (so ITI-43 needs no call
to it). The result names
the documents found and an error for each one that was not: a request for
another repository is ``XDSUnknownRepositoryId``, an unknown document
``XDSDocumentUniqueIdError`` with the uniqueId as location (ITI TF-2b
3.43.4.2.3). Some found and some not is ``PartialSuccess``; none found is a
``Failure``, raised as a :class:`~registry.errors.RegistryErrorList`.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import IO

from lxml import etree

from registry.errors import RegistryErrorList
from registry.storage.database import Database
from registry.vocabulary import Namespace, ResponseStatus
from repository.document_store import DocumentStore
from repository.errors import (
    DocumentNotStored,
    DocumentUniqueIdError,
    RepositoryError,
    UnknownRepositoryId,
)
from repository.registration import DocumentRegistry, InProcessRegistry

__all__ = [
    "DocumentRequest",
    "RetrieveResult",
    "RetrievedDocument",
    "parse_retrieve_request",
    "read_document_requests",
    "retrieve_documents",
]

_log = logging.getLogger(__name__)

_XDSB = Namespace.XDS_B.value
_REQUEST = f"{{{_XDSB}}}RetrieveDocumentSetRequest"
_DOCUMENT_REQUEST = f"{{{_XDSB}}}DocumentRequest"


@dataclass(frozen=True, kw_only=True, slots=True)
class DocumentRequest:
    """One ``xdsb:DocumentRequest`` (ITI TF-2b 3.43.4.1.2)."""

    repository_unique_id: str
    """``RepositoryUniqueId``: the repository the consumer believes holds the document."""
    document_unique_id: str
    """``DocumentUniqueId``: ``XDSDocumentEntry.uniqueId``."""
    home_community_id: str | None = None
    """``HomeCommunityId`` (XCA); echoed back in the DocumentResponse."""


@dataclass(frozen=True, kw_only=True)
class RetrievedDocument:
    """A document found for a request, its content open for reading."""

    request: DocumentRequest
    """The request it answers."""
    mime_type: str
    """``XDSDocumentEntry.mimeType``: the ``xdsb:mimeType`` of the DocumentResponse."""
    hash: str
    """The SHA-1 it is stored under."""
    size: int | None
    """``XDSDocumentEntry.size``."""
    content: IO[bytes] = field(repr=False, compare=False)
    """The stored bytes, positioned at the start; whoever sends them closes it."""


@dataclass(frozen=True, kw_only=True)
class RetrieveResult:
    """The documents found and, for PartialSuccess, the errors about the others."""

    documents: tuple[RetrievedDocument, ...]
    errors: tuple[RepositoryError, ...] = ()

    @property
    def status(self) -> ResponseStatus:
        """Success when every request was answered, PartialSuccess otherwise."""
        return ResponseStatus.PARTIAL_SUCCESS if self.errors else ResponseStatus.SUCCESS

    def close(self) -> None:
        """Close every content (when the response will not be sent)."""
        for document in self.documents:
            document.content.close()


def parse_retrieve_request(request: etree._Element) -> tuple[DocumentRequest, ...]:
    """Read an ``xdsb:RetrieveDocumentSetRequest``; refuse one without DocumentRequest."""
    if request.tag != _REQUEST:
        raise RepositoryError(
            f"expected xdsb:RetrieveDocumentSetRequest, got {etree.QName(request).localname}"
        )
    return read_document_requests(request)


def read_document_requests(request: etree._Element) -> tuple[DocumentRequest, ...]:
    """The ``xdsb:DocumentRequest`` children of ``request``; at least one, each complete.

    ITI-43 (3.43.4.1.2) and ITI-86 (IHE RMD 3.86.4.1.2) name documents this same way.
    """
    requests: list[DocumentRequest] = []
    for index, element in enumerate(request.iterchildren(_DOCUMENT_REQUEST), start=1):
        repository_unique_id = _text(element, "RepositoryUniqueId")
        document_unique_id = _text(element, "DocumentUniqueId")
        if not repository_unique_id or not document_unique_id:
            raise RepositoryError(
                f"DocumentRequest {index} lacks its RepositoryUniqueId or DocumentUniqueId",
                location=document_unique_id or None,
            )
        requests.append(
            DocumentRequest(
                repository_unique_id=repository_unique_id,
                document_unique_id=document_unique_id,
                home_community_id=_text(element, "HomeCommunityId") or None,
            )
        )
    if not requests:
        raise RepositoryError(f"the {etree.QName(request).localname} holds no DocumentRequest")
    return tuple(requests)


def retrieve_documents(
    database: Database,
    store: DocumentStore,
    requests: Sequence[DocumentRequest],
    *,
    repository_unique_id: str,
    registry: DocumentRegistry | None = None,
) -> RetrieveResult:
    """Find and open the requested documents of this repository.

    ``registry`` says which documents are registered; by default this node's
    registry, in ``database``. Raises a :class:`~registry.errors.RegistryErrorList`
    when none is found. The caller owns the contents of the result
    (:meth:`RetrieveResult.close`).
    """
    if registry is None:
        registry = InProcessRegistry(database, repository_unique_id=repository_unique_id)
    ours = [r for r in requests if r.repository_unique_id == repository_unique_id]
    entries = registry.registered_documents({r.document_unique_id for r in ours})
    documents: list[RetrievedDocument] = []
    errors: list[RepositoryError] = []
    try:
        for request in requests:
            if request.repository_unique_id != repository_unique_id:
                errors.append(
                    UnknownRepositoryId(
                        f"document {request.document_unique_id} is asked of repository "
                        f"{request.repository_unique_id}; this is {repository_unique_id}",
                        location=request.repository_unique_id,
                    )
                )
                continue
            entry = entries.get(request.document_unique_id)
            if entry is None or not entry.hash:
                errors.append(
                    DocumentUniqueIdError(
                        f"no document with uniqueId {request.document_unique_id} is stored "
                        f"in repository {repository_unique_id}",
                        location=request.document_unique_id,
                    )
                )
                continue
            try:
                content = store.open(entry.hash.lower())
            except DocumentNotStored:
                _log.error(
                    "document %s is registered in this repository but its content %s is missing",
                    request.document_unique_id,
                    entry.hash,
                )
                errors.append(
                    RepositoryError(
                        f"the content of document {request.document_unique_id} is missing "
                        "from this repository",
                        location=request.document_unique_id,
                    )
                )
                continue
            documents.append(
                RetrievedDocument(
                    request=request,
                    mime_type=(
                        entry.mime_type
                        if entry.mime_type is not None
                        else "application/octet-stream"
                    ),
                    hash=entry.hash.lower(),
                    size=entry.size,
                    content=content,
                )
            )
    except BaseException:
        RetrieveResult(documents=tuple(documents)).close()
        raise
    if not documents:
        raise RegistryErrorList(errors)
    return RetrieveResult(documents=tuple(documents), errors=tuple(errors))


def _text(element: etree._Element, local_name: str) -> str:
    return (element.findtext(f"{{{_XDSB}}}{local_name}") or "").strip()
