"""ITI TF-2b 3.43 — Retrieve Document Set on the consumer's side: request, and documents to disk.

The request names each document by repository and document uniqueId (ITI TF-2b 3.43.4.1.2).
The answer is an MTOM package (ITI TF-2x Appendix V §V.3.6): an
``xdsb:RetrieveDocumentSetResponse`` whose ``xdsb:DocumentResponse`` elements point at binary
parts with ``xop:Include`` (inline base64 is read too). ``soap.mtom.parse_mtom`` has already
spooled each part and computed its SHA-1 and size on the way in; :func:`save_documents`
copies each one to ``out_dir`` through a temporary file and compares it with the registry's
``hash`` and ``size`` (ITI TF-3 4.2.3.2.11, 4.2.3.2.23) when those are known. A document that
disagrees is not kept: it is reported as an :class:`~carnet.client_errors.IntegrityMismatch`.

Each document is written as ``<uniqueId><extension>``, the uniqueId with every character
other than letters, digits, ``.``, ``-`` and ``_`` replaced by ``_``, the extension guessed
from the mimeType (``.bin`` when unknown).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import mimetypes
import os
import re
import uuid
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

from lxml import etree

from carnet.client_errors import IntegrityMismatch, MalformedResponse, RegistryErrorInfo
from carnet.responses import read_registry_response
from registry.model import DocumentEntry
from registry.vocabulary import Namespace, ResponseStatus
from soap.faults import SoapFault
from soap.mtom import Attachment, include_content_id

__all__ = [
    "RetrieveResult",
    "RetrievedDocument",
    "document_file_name",
    "retrieve_request",
    "save_documents",
]

_XDSB = Namespace.XDS_B.value
_UNSAFE = re.compile(r"[^A-Za-z0-9._-]")
_CHUNK = 64 * 1024
# mimetypes answers differently from one platform to the next for these.
_EXTENSIONS = {"text/xml": ".xml", "application/xml": ".xml", "text/plain": ".txt"}


@dataclass(frozen=True, kw_only=True, slots=True)
class RetrievedDocument:
    """A document written to disk by ITI-43."""

    unique_id: str
    repository_unique_id: str
    home_community_id: str | None
    mime_type: str
    path: Path
    """Where the bytes were written."""
    size: int
    sha1: str
    """Lower-case hex SHA-1 of the bytes."""


@dataclass(frozen=True, kw_only=True, slots=True)
class RetrieveResult:
    """The outcome of ITI-43: documents written, errors of a PartialSuccess, hash mismatches."""

    status: ResponseStatus | str
    documents: tuple[RetrievedDocument, ...] = ()
    errors: tuple[RegistryErrorInfo, ...] = ()
    """The response's ``rs:RegistryError`` elements (the documents it could not return)."""
    mismatches: tuple[IntegrityMismatch, ...] = ()
    """Documents received but not kept: their SHA-1 or size contradict the registry."""

    @property
    def complete(self) -> bool:
        """Every document asked for was written, and matched its metadata."""
        return self.status == ResponseStatus.SUCCESS and not self.mismatches

    def merged(self, other: RetrieveResult) -> RetrieveResult:
        """Both results as one (retrievals from several repositories)."""
        statuses = {self.status, other.status}
        if statuses == {ResponseStatus.SUCCESS}:
            status: ResponseStatus | str = ResponseStatus.SUCCESS
        elif statuses == {ResponseStatus.FAILURE}:
            status = ResponseStatus.FAILURE
        else:
            status = ResponseStatus.PARTIAL_SUCCESS
        return RetrieveResult(
            status=status,
            documents=self.documents + other.documents,
            errors=self.errors + other.errors,
            mismatches=self.mismatches + other.mismatches,
        )


def retrieve_request(
    repository_unique_id: str,
    document_unique_ids: Iterable[str],
    *,
    home_community_id: str | None = None,
) -> etree._Element:
    """``xdsb:RetrieveDocumentSetRequest`` for one repository's documents (ITI TF-2b 3.43.4.1.2)."""
    request = etree.Element(f"{{{_XDSB}}}RetrieveDocumentSetRequest", nsmap={"xdsb": _XDSB})
    for unique_id in document_unique_ids:
        item = etree.SubElement(request, f"{{{_XDSB}}}DocumentRequest")
        if home_community_id is not None:
            etree.SubElement(item, f"{{{_XDSB}}}HomeCommunityId").text = home_community_id
        etree.SubElement(item, f"{{{_XDSB}}}RepositoryUniqueId").text = repository_unique_id
        etree.SubElement(item, f"{{{_XDSB}}}DocumentUniqueId").text = unique_id
    return request


def document_file_name(unique_id: str, mime_type: str) -> str:
    """The file name a retrieved document is written under.

    >>> document_file_name("1.2.3^abc/1", "application/pdf")
    '1.2.3_abc_1.pdf'
    >>> document_file_name("2.25.7", "text/xml")
    '2.25.7.xml'
    """
    essence = mime_type.split(";")[0].strip().lower()
    extension = _EXTENSIONS.get(essence) or mimetypes.guess_extension(essence) or ".bin"
    return _UNSAFE.sub("_", unique_id) + extension


def _text(element: etree._Element, local_name: str) -> str | None:
    text = element.findtext(f"{{{_XDSB}}}{local_name}")
    return None if text is None else text.strip()


def _content(
    document: etree._Element, attachments: Mapping[str, Attachment]
) -> tuple[Iterator[bytes], str, int]:
    """The document's bytes as chunks, with their SHA-1 and size."""
    try:
        content_id = include_content_id(document)
    except SoapFault as fault:
        raise MalformedResponse(str(fault)) from None
    if content_id is None:
        try:
            data = base64.b64decode("".join((document.text or "").split()), validate=True)
        except binascii.Error:
            raise MalformedResponse("xdsb:Document holds neither xop:Include nor base64") from None
        return iter((data,)), hashlib.sha1(data, usedforsecurity=False).hexdigest(), len(data)
    attachment = attachments.get(content_id)
    if attachment is None:
        raise MalformedResponse(f"xop:Include refers to cid:{content_id}, absent from the answer")
    return attachment.chunks(_CHUNK), attachment.sha1, attachment.size


def _write(chunks: Iterator[bytes], directory: Path) -> Path:
    """The bytes in a new hidden file of ``directory`` (mode 0666 less the umask), fsynced."""
    path = directory / f".retrieve-{uuid.uuid4().hex}.part"
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
    try:
        with os.fdopen(descriptor, "wb") as file:
            for block in chunks:
                file.write(block)
            file.flush()
            os.fsync(file.fileno())
    except BaseException:
        path.unlink(missing_ok=True)
        raise
    return path


def save_documents(
    response: etree._Element,
    attachments: Mapping[str, Attachment],
    out_dir: Path,
    *,
    expected: Mapping[str, DocumentEntry] | None = None,
) -> RetrieveResult:
    """Write each returned document to ``out_dir``, checking it against ``expected``.

    ``response`` is the ``xdsb:RetrieveDocumentSetResponse``; ``expected`` maps document
    uniqueIds to their DocumentEntries (from the registry), whose ``hash`` and ``size`` the
    bytes must match when present.
    """
    if response.tag != f"{{{_XDSB}}}RetrieveDocumentSetResponse":
        raise MalformedResponse(
            f"expected xdsb:RetrieveDocumentSetResponse, got {etree.QName(response).localname}"
        )
    registry_response = response.find(f"{{{Namespace.RS.value}}}RegistryResponse")
    if registry_response is None:
        raise MalformedResponse("RetrieveDocumentSetResponse without rs:RegistryResponse")
    outcome = read_registry_response(registry_response)
    out_dir.mkdir(parents=True, exist_ok=True)
    documents: list[RetrievedDocument] = []
    mismatches: list[IntegrityMismatch] = []
    for item in response.iterfind(f"{{{_XDSB}}}DocumentResponse"):
        unique_id = _text(item, "DocumentUniqueId")
        repository_unique_id = _text(item, "RepositoryUniqueId")
        document = item.find(f"{{{_XDSB}}}Document")
        if not unique_id or not repository_unique_id or document is None:
            raise MalformedResponse(
                "DocumentResponse lacks DocumentUniqueId, RepositoryUniqueId or Document"
            )
        mime_type = _text(item, "mimeType") or "application/octet-stream"
        chunks, sha1, size = _content(document, attachments)
        entry = (expected or {}).get(unique_id)
        want_hash = None if entry is None else entry.hash
        want_size = None if entry is None else entry.size
        if (want_hash is not None and want_hash.lower() != sha1) or (
            want_size is not None and want_size != size
        ):
            mismatches.append(
                IntegrityMismatch(
                    unique_id=unique_id,
                    expected_hash=want_hash,
                    actual_hash=sha1,
                    expected_size=want_size,
                    actual_size=size,
                )
            )
            continue
        target = out_dir / document_file_name(unique_id, mime_type)
        os.replace(_write(chunks, out_dir), target)
        documents.append(
            RetrievedDocument(
                unique_id=unique_id,
                repository_unique_id=repository_unique_id,
                home_community_id=_text(item, "HomeCommunityId"),
                mime_type=mime_type,
                path=target,
                size=size,
                sha1=sha1,
            )
        )
    return RetrieveResult(
        status=outcome.status,
        documents=tuple(documents),
        errors=outcome.errors,
        mismatches=tuple(mismatches),
    )
