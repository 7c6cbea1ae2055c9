"""ITI TF-2b 3.41.4.1.2 — the Provide and Register Document Set-b request, documents as XOP parts.

The request is an ``xdsb:ProvideAndRegisterDocumentSetRequest`` holding the metadata
(``lcm:SubmitObjectsRequest``) and one ``xdsb:Document`` per DocumentEntry, its ``id`` the
entry's id. Each document travels as a binary MIME part referenced by ``xop:Include``
(ITI TF-2x Appendix V §V.3.6; XOP 1.0 §3), never as base64 text. A document given as a
:class:`~pathlib.Path` is opened only when the HTTP layer reaches its part and read in
chunks, so a submission of large files holds none of them in memory; its size comes from
the file system, which lets the whole request carry a ``Content-Length``.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator, Mapping
from pathlib import Path

from lxml import etree

from registry.ebrim import submission_element
from registry.model import Submission
from registry.vocabulary import Namespace
from soap.mtom import xop_include
from soap.mtom_writer import OutgoingAttachment

__all__ = ["DocumentContent", "file_chunks", "provide_and_register_request"]

DocumentContent = Path | bytes
"""A document to send: a file (streamed) or bytes already in memory."""

_CHUNK = 64 * 1024


def file_chunks(path: Path, *, chunk_size: int = _CHUNK) -> Iterator[bytes]:
    """The content of ``path`` in chunks, the file opened on first use and closed at the end."""
    with path.open("rb") as file:
        while block := file.read(chunk_size):
            yield block


def provide_and_register_request(
    submission: Submission, documents: Mapping[str, DocumentContent]
) -> tuple[etree._Element, tuple[OutgoingAttachment, ...]]:
    """The request element and its MTOM parts, in DocumentEntry order.

    ``documents`` maps each DocumentEntry's id (``entry_uuid``) to its content. Raises
    ``ValueError`` when a DocumentEntry has no document or a document no DocumentEntry:
    the repository would refuse them with ``XDSMissingDocument`` /
    ``XDSMissingDocumentMetadata`` (ITI TF-2b 3.41.4.1.3).
    """
    entry_ids = [entry.entry_uuid for entry in submission.documents]
    missing = [entry_id for entry_id in entry_ids if entry_id not in documents]
    extra = [entry_id for entry_id in documents if entry_id not in entry_ids]
    if missing or extra:
        raise ValueError(
            "documents and DocumentEntries must pair one to one: "
            + "; ".join(
                text
                for text in (
                    f"no document for {', '.join(missing)}" if missing else "",
                    f"no DocumentEntry for {', '.join(extra)}" if extra else "",
                )
                if text
            )
        )
    xdsb = Namespace.XDS_B.value
    request = etree.Element(f"{{{xdsb}}}ProvideAndRegisterDocumentSetRequest", nsmap={"xdsb": xdsb})
    request.append(submission_element(submission))
    attachments: list[OutgoingAttachment] = []
    tag = uuid.uuid4().hex
    for index, entry in enumerate(submission.documents, start=1):
        content_id = f"document{index}.{tag}@carnet"
        document = etree.SubElement(request, f"{{{xdsb}}}Document", id=entry.entry_uuid)
        document.append(xop_include(content_id))
        content = documents[entry.entry_uuid]
        media_type = entry.mime_type or "application/octet-stream"
        if isinstance(content, Path):
            attachments.append(
                OutgoingAttachment(
                    content_id=content_id,
                    content=file_chunks(content),
                    content_type=media_type,
                    size=content.stat().st_size,
                )
            )
        else:
            attachments.append(
                OutgoingAttachment(content_id=content_id, content=content, content_type=media_type)
            )
    return request, tuple(attachments)
