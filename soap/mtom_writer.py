"""W3C SOAP MTOM §4.3 and XOP 1.0 §4 — writing MTOM/XOP responses as a stream.

ITI-43 answers a retrieve with the documents as binary MIME parts (ITI TF-2b
3.43.4.2; ITI TF-2x Appendix V); a document may be 100 MB, so the package is produced
as an iterable of chunks read from the document's file in constant memory. When
every part's size is known the ``Content-Length`` is computed up front.

Header layout follows Axis2 (the NIST XDS Toolkit's stack), which all tested stacks
read: outer ``multipart/related; type="application/xop+xml"; start="<…>";
start-info="application/soap+xml"; action="…"``, root part
``application/xop+xml; charset=UTF-8; type="application/soap+xml"``, every part
``Content-Transfer-Encoding: binary``.
"""

from __future__ import annotations

import uuid
from collections.abc import Generator, Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import IO, cast

__all__ = ["MtomBody", "OutgoingAttachment", "build_mtom"]

_CHUNK = 64 * 1024
_CRLF = b"\r\n"

Content = bytes | IO[bytes] | Iterable[bytes]


@dataclass(frozen=True, kw_only=True)
class OutgoingAttachment:
    """A binary part of an MTOM response, referenced by ``xop:Include href="cid:…"``."""

    content_id: str
    """Content-ID without angle brackets (see :func:`soap.mtom.xop_include`)."""
    content: Content
    """The bytes, a binary file (read from its current position, closed once sent) or chunks."""
    content_type: str = "application/octet-stream"
    """The part's media type (the document's mimeType)."""
    size: int | None = None
    """Number of bytes, when known; measured for ``bytes`` and seekable files."""


@dataclass(frozen=True, kw_only=True)
class MtomBody:
    """An MTOM message ready for the HTTP layer."""

    content_type: str
    """The ``Content-Type`` header value."""
    chunks: Generator[bytes, None, None]
    """The body, lazily; closing it closes the attachments' files."""
    content_length: int | None
    """The body's length when every part's size is known."""


def build_mtom(
    root: bytes,
    attachments: Iterable[OutgoingAttachment] = (),
    *,
    action: str | None = None,
    root_content_id: str | None = None,
    boundary: str | None = None,
) -> MtomBody:
    """Package the serialized envelope ``root`` and ``attachments`` as MTOM/XOP.

    ``action`` is the SOAP 1.2 action parameter (the response's wsa:Action).
    """
    parts = list(attachments)
    boundary = boundary or f"MIMEBoundary_{uuid.uuid4().hex}"
    root_id = root_content_id or f"root.message.{uuid.uuid4().hex}@carnet"
    for value in [boundary, root_id, action or "", *_header_values(parts)]:
        if any(c in value for c in '\r\n"'):
            raise ValueError(f"MIME header value {value!r} holds CR, LF or a quote")
    content_type = (
        f'multipart/related; type="application/xop+xml"; boundary="{boundary}"; '
        f'start="<{root_id}>"; start-info="application/soap+xml"'
        + (f'; action="{action}"' if action else "")
    )
    heads = [
        _head(boundary, 'application/xop+xml; charset=UTF-8; type="application/soap+xml"', root_id)
    ]
    heads += [_head(boundary, part.content_type, part.content_id) for part in parts]
    closing = b"--" + boundary.encode("ascii") + b"--" + _CRLF
    sizes = [_size(part) for part in parts]
    length: int | None = None
    if all(size is not None for size in sizes):
        known = [size for size in sizes if size is not None]
        length = sum(map(len, heads)) + len(root) + sum(known) + 2 * (len(parts) + 1) + len(closing)
    return MtomBody(
        content_type=content_type,
        chunks=_coalesced(_stream(heads, root, parts, closing)),
        content_length=length,
    )


def _header_values(parts: Sequence[OutgoingAttachment]) -> Iterator[str]:
    for part in parts:
        yield part.content_id
        yield part.content_type


def _head(boundary: str, content_type: str, content_id: str) -> bytes:
    """Delimiter line and part headers (RFC 2046 §5.1.1, RFC 2045 §7)."""
    return (
        f"--{boundary}\r\n"
        f"Content-Type: {content_type}\r\n"
        "Content-Transfer-Encoding: binary\r\n"
        f"Content-ID: <{content_id}>\r\n"
        "\r\n"
    ).encode("latin-1")


def _size(part: OutgoingAttachment) -> int | None:
    if part.size is not None:
        return part.size
    content = part.content
    if isinstance(content, bytes):
        return len(content)
    file = _reader(content)
    if file is None:
        return None
    try:
        here = file.seek(0, 1)
        end = file.seek(0, 2)
        file.seek(here)
    except (OSError, AttributeError):
        return None  # not seekable
    return end - here


def _reader(content: Content) -> IO[bytes] | None:
    """``content`` as a binary file, if it is one."""
    return cast("IO[bytes]", content) if hasattr(content, "read") else None


def _stream(
    heads: list[bytes], root: bytes, parts: list[OutgoingAttachment], closing: bytes
) -> Generator[bytes, None, None]:
    try:
        yield heads[0] + root + _CRLF
        for head, part in zip(heads[1:], parts, strict=True):
            yield head
            yield from _content_chunks(part.content)
            yield _CRLF
        yield closing
    finally:
        for part in parts:
            close = getattr(part.content, "close", None)
            if close is not None and not isinstance(part.content, bytes):
                close()


def _coalesced(chunks: Generator[bytes, None, None]) -> Generator[bytes, None, None]:
    """Join small pieces (MIME heads, CRLFs) into writes of at least ``_CHUNK`` bytes.

    Servers write each yielded piece with its own ``send``: a short head sent alone,
    then the body, meets Nagle's algorithm on one side and delayed ACKs on the
    other and stalls ~40 ms a message (measured: 43 retrieves/s of 40 KB before,
    see README "Benchmarks"). Memory stays bounded by twice ``_CHUNK``.
    """
    pending: list[bytes] = []
    size = 0
    try:
        for chunk in chunks:
            pending.append(chunk)
            size += len(chunk)
            if size >= _CHUNK:
                yield b"".join(pending)
                pending.clear()
                size = 0
        if pending:
            yield b"".join(pending)
    finally:
        chunks.close()


def _content_chunks(content: Content) -> Iterator[bytes]:
    reader = _reader(content)
    if isinstance(content, bytes):
        yield content
    elif reader is not None:
        while block := reader.read(_CHUNK):
            yield block
    else:
        for block in content:
            if block:
                yield bytes(block)
