"""W3C SOAP MTOM §3-4 and XOP 1.0 — reading MTOM/XOP requests as a stream.

ITI TF-2b 3.41 and 3.43 (with ITI TF-2x Appendix V) require MTOM/XOP for ITI-41/43: documents
travel as binary MIME parts of a ``multipart/related; type="application/xop+xml"``
package (RFC 2387), referenced from the envelope by ``xop:Include href="cid:…"``.

:func:`parse_mtom` reads the package from an iterable of byte chunks (the WSGI
input) with python-multipart's streaming parser: the root part — the one whose
Content-ID is the ``start`` parameter, else the first — is kept in memory up to a
cap; every other part is spooled to a :class:`tempfile.SpooledTemporaryFile`
(memory up to ``spool_bytes``, then disk) while its SHA-1 and size are computed on
the fly (the ``hash`` and ``size`` ITI-41 compares with the metadata, ITI TF-3
4.2.3.2.11/.23). Nothing is base64-inlined into the tree: handlers resolve an
``xop:Include`` with :func:`include_content_id` and look the :class:`Attachment` up.

Tolerated because real stacks send them: a MIME preamble before the first
boundary, boundaries holding ``+ = . :`` quoted or not, ``start``/``start-info``
quoted or not, Content-IDs with or without ``<>``, Content-Transfer-Encoding
``binary``/``8bit``/``7bit``, an XML declaration in the root part. Lines must end
with CRLF (RFC 2046 §5.1.1).

Responses are written by :func:`soap.mtom_writer.build_mtom`.
"""

from __future__ import annotations

import hashlib
import io
import logging
import tempfile
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import IO

from lxml import etree
from python_multipart import MultipartParser
from python_multipart.exceptions import MultipartParseError

from soap.faults import SoapFault
from soap.mime import (
    MediaType,
    action_uri,
    cid_url,
    content_id_from_header,
    content_id_from_href,
    parse_media_type,
)
from soap.namespaces import Namespace, clark

__all__ = ["Attachment", "MtomPackage", "include_content_id", "parse_mtom", "xop_include"]

_log = logging.getLogger(__name__)

_CHUNK = 64 * 1024
_MAX_PREAMBLE = 64 * 1024
# RFC 2045 §6.1: identity encodings — the bytes on the wire are the content.
_IDENTITY_ENCODINGS = frozenset({"", "binary", "8bit", "7bit"})
_ROOT_TYPES = frozenset({"application/xop+xml", "application/soap+xml", "text/xml"})


@dataclass(frozen=True, kw_only=True)
class Attachment:
    """One MIME part of an MTOM request, spooled to memory or disk.

    The data file is shared: read it through one of :meth:`read`, :meth:`chunks` or
    :meth:`open` at a time. The SOAP layer closes it after the response is sent.
    """

    content_id: str
    """The part's Content-ID without angle brackets."""
    content_type: str
    """The part's Content-Type header value (``application/octet-stream`` if absent)."""
    size: int
    """Number of bytes of content."""
    sha1: str
    """Lower-case hex SHA-1 of the content (ITI TF-3 4.2.3.2.11 ``hash``)."""
    data_file: IO[bytes] = field(repr=False, compare=False)
    """The spooled content; prefer :meth:`chunks` / :meth:`read`."""

    @property
    def in_memory(self) -> bool:
        """Whether the content is still held in memory (not rolled over to disk)."""
        spooled = self.data_file
        if isinstance(spooled, tempfile.SpooledTemporaryFile):
            return isinstance(spooled._file, io.BytesIO)
        return isinstance(spooled, io.BytesIO)

    def open(self) -> IO[bytes]:
        """The data file, rewound; do not close it (:meth:`close` does)."""
        self.data_file.seek(0)
        return self.data_file

    def read(self) -> bytes:
        """The whole content (use :meth:`chunks` for large documents)."""
        return self.open().read()

    def chunks(self, size: int = _CHUNK) -> Iterator[bytes]:
        """The content in chunks of at most ``size`` bytes, from the start."""
        data = self.open()
        while block := data.read(size):
            yield block

    def close(self) -> None:
        """Release the memory or delete the temporary file."""
        self.data_file.close()


@dataclass(frozen=True, kw_only=True)
class MtomPackage:
    """A parsed MTOM/XOP request: the root part's bytes and the other parts."""

    root: bytes
    """The root part: the SOAP envelope (XOP infoset serialisation)."""
    root_type: MediaType
    """The root part's media type (``application/xop+xml; type="application/soap+xml"``)."""
    attachments: Mapping[str, Attachment]
    """The other parts by Content-ID."""

    def action(self, outer: MediaType) -> str | None:
        """The SOAP 1.2 ``action`` parameter, wherever the sender put it (SOAP MTOM §4.3).

        Axis2 adds it to the outer ``multipart/related`` type, CXF nests it in
        ``start-info``, others in the root part's ``type`` parameter. Raises a Sender
        fault when two places disagree.
        """
        candidates = [outer.param("action"), self.root_type.param("action")]
        for media in (outer, self.root_type):
            for nested in ("start-info", "type"):
                inner = media.param(nested)
                candidates.append(parse_media_type(inner).param("action") if inner else None)
        found = {uri for value in candidates if (uri := action_uri(value))}
        if len(found) > 1:
            raise SoapFault(f"the MIME package names several actions: {', '.join(sorted(found))}")
        return found.pop() if found else None

    def close(self) -> None:
        """Close every attachment."""
        for attachment in self.attachments.values():
            attachment.close()


def xop_include(content_id: str) -> etree._Element:
    """``<xop:Include href="cid:…"/>`` pointing at the part ``content_id`` (XOP §3)."""
    include = etree.Element(clark(Namespace.XOP, "Include"), nsmap={"xop": Namespace.XOP.value})
    include.set("href", cid_url(content_id))
    return include


def include_content_id(element: etree._Element) -> str | None:
    """The Content-ID ``element`` refers to through its ``xop:Include`` child (XOP §3).

    ``element`` may be the ``xop:Include`` itself. ``None`` when there is no include
    (the content is inline base64); a Sender fault when the include has no ``cid:`` href.
    """
    include = element if element.tag == clark(Namespace.XOP, "Include") else None
    if include is None:
        include = element.find(clark(Namespace.XOP, "Include"))
    if include is None:
        return None
    href = include.get("href", "")
    content_id = content_id_from_href(href)
    if not content_id:
        raise SoapFault(f"xop:Include href {href!r} is not a cid: URL (XOP 1.0 §3)")
    return content_id


class _Part:
    """Where the bytes of the part being read go."""

    def __init__(self) -> None:
        self.headers: dict[str, str] = {}
        self.root: bytearray | None = None
        self.spool: tempfile.SpooledTemporaryFile[bytes] | None = None
        self.sha1 = hashlib.sha1(usedforsecurity=False)
        self.size = 0


class _Receiver:
    """python-multipart callbacks assembling an :class:`MtomPackage`."""

    def __init__(
        self,
        *,
        start: str | None,
        max_root_bytes: int,
        spool_bytes: int,
        max_memory_bytes: int,
        max_parts: int,
    ):
        self.start = start
        self.max_root_bytes = max_root_bytes
        self.spool_bytes = spool_bytes
        self.memory_left = max_memory_bytes
        self.max_parts = max_parts
        self.root: bytes | None = None
        self.root_type = MediaType(essence="")
        self.attachments: dict[str, Attachment] = {}
        self.parts = 0
        self.ended = False
        self.part = _Part()
        self.field = bytearray()
        self.value = bytearray()

    def callbacks(self) -> dict[str, Callable[..., None]]:
        return {
            "on_part_begin": self.part_begin,
            "on_header_field": lambda data, start, end: self.field.extend(data[start:end]),
            "on_header_value": lambda data, start, end: self.value.extend(data[start:end]),
            "on_header_end": self.header_end,
            "on_headers_finished": self.headers_finished,
            "on_part_data": self.part_data,
            "on_part_end": self.part_end,
            "on_end": self.end,
        }

    def part_begin(self) -> None:
        self.parts += 1
        if self.parts > self.max_parts:
            raise SoapFault(f"the MIME package has more than {self.max_parts} parts")
        self.part = _Part()

    def header_end(self) -> None:
        name = self.field.decode("latin-1").strip().lower()
        self.part.headers[name] = self.value.decode("latin-1").strip()
        self.field.clear()
        self.value.clear()

    def headers_finished(self) -> None:
        headers = self.part.headers
        encoding = headers.get("content-transfer-encoding", "").lower()
        if encoding not in _IDENTITY_ENCODINGS:
            raise SoapFault(
                f"Content-Transfer-Encoding {encoding!r} is not supported: "
                "MTOM parts are sent as binary, 8bit or 7bit"
            )
        content_id = content_id_from_header(headers.get("content-id", ""))
        is_root = self.root is None and (
            content_id == self.start if self.start else self.parts == 1
        )
        if is_root:
            self.part.root = bytearray()
        else:
            # Closed by Attachment.close() once the response is sent, not here.
            self.part.spool = tempfile.SpooledTemporaryFile(max_size=self.spool_bytes)  # noqa: SIM115

    def part_data(self, data: bytes, start: int, end: int) -> None:
        part = self.part
        if part.root is not None:
            if len(part.root) + end - start > self.max_root_bytes:
                raise SoapFault(f"the SOAP envelope part exceeds {self.max_root_bytes} bytes")
            part.root.extend(data[start:end])
        elif part.spool is not None:
            block = data[start:end]
            part.spool.write(block)
            part.sha1.update(block)
            part.size += len(block)
            if part.size > self.memory_left:
                # Many small parts must not add up to more memory than the budget.
                part.spool.rollover()

    def part_end(self) -> None:
        part = self.part
        if part.root is not None:
            self.root = bytes(part.root)
            self.root_type = parse_media_type(part.headers.get("content-type", ""))
            return
        if part.spool is None:
            return
        content_id = content_id_from_header(part.headers.get("content-id", ""))
        if not content_id:
            _log.warning("MIME part without Content-ID ignored (it cannot be referenced)")
            part.spool.close()
            return
        if content_id in self.attachments:
            part.spool.close()
            raise SoapFault(f"two MIME parts share the Content-ID {content_id!r}")
        part.spool.seek(0)
        if isinstance(part.spool._file, io.BytesIO):
            self.memory_left -= part.size
        self.attachments[content_id] = Attachment(
            content_id=content_id,
            content_type=part.headers.get("content-type", "application/octet-stream"),
            size=part.size,
            sha1=part.sha1.hexdigest(),
            data_file=part.spool,
        )
        part.spool = None

    def end(self) -> None:
        self.ended = True

    def discard(self) -> None:
        if self.part.spool is not None:
            self.part.spool.close()
        for attachment in self.attachments.values():
            attachment.close()


def _skip_preamble(chunks: Iterable[bytes], delimiter: bytes) -> Iterator[bytes]:
    """Drop the MIME preamble (RFC 2046 §5.1.1): yield from the first ``--boundary`` on."""
    pending = b""
    iterator = iter(chunks)
    for chunk in iterator:
        pending += chunk
        at = 0 if pending.startswith(delimiter) else pending.find(b"\n" + delimiter)
        if at >= 0:
            yield pending[at + (0 if pending.startswith(delimiter) else 1) :]
            yield from iterator
            return
        if len(pending) > _MAX_PREAMBLE:
            break
    raise SoapFault("no MIME boundary delimiter found where the multipart body should start")


def parse_mtom(
    chunks: Iterable[bytes],
    media_type: MediaType,
    *,
    max_root_bytes: int,
    spool_bytes: int = 1024 * 1024,
    max_memory_bytes: int = 16 * 1024 * 1024,
    max_parts: int = 1000,
) -> MtomPackage:
    """Read a ``multipart/related`` MTOM/XOP package; raise :class:`SoapFault` when malformed.

    ``media_type`` is the request's parsed Content-Type; ``chunks`` its body (the total size
    cap is the caller's job). Each part stays in memory up to ``spool_bytes``, and all of
    them together up to ``max_memory_bytes``; beyond, parts are rolled over to disk. The
    caller owns the returned package and must :meth:`~MtomPackage.close` it.
    """
    boundary = media_type.param("boundary")
    if not boundary:
        raise SoapFault("multipart/related Content-Type without a boundary parameter")
    package_type = (media_type.param("type") or "application/xop+xml").lower()
    if package_type not in _ROOT_TYPES:
        raise SoapFault(
            f"multipart/related type {package_type!r} is not MTOM/XOP: expected application/xop+xml"
        )
    start = media_type.param("start")
    receiver = _Receiver(
        start=content_id_from_header(start) if start else None,
        max_root_bytes=max_root_bytes,
        spool_bytes=spool_bytes,
        max_memory_bytes=max_memory_bytes,
        max_parts=max_parts,
    )
    parser = MultipartParser(boundary.encode("latin-1"), receiver.callbacks(), max_header_count=32)  # type: ignore[arg-type]
    try:
        for chunk in _skip_preamble(chunks, b"--" + boundary.encode("latin-1")):
            parser.write(chunk)  # after the closing boundary the epilogue is discarded
        parser.finalize()
        if not receiver.ended:
            raise SoapFault("the MIME package ends before its closing boundary")
        root = receiver.root
        if root is None:
            root = _root_from_first_part(receiver, start)
        if receiver.root_type.essence not in _ROOT_TYPES:
            raise SoapFault(
                f"the root MIME part has type {receiver.root_type.essence!r}, "
                "expected application/xop+xml (XOP 1.0 §4.1)"
            )
    except MultipartParseError as exc:
        receiver.discard()
        raise SoapFault(f"malformed MIME multipart body: {exc}") from None
    except BaseException:
        receiver.discard()
        raise
    return MtomPackage(root=root, root_type=receiver.root_type, attachments=receiver.attachments)


def _root_from_first_part(receiver: _Receiver, start: str | None) -> bytes:
    """No part has the ``start`` Content-ID: take the first part, as lenient stacks do."""
    first = next(iter(receiver.attachments.values()), None)
    if first is None:
        raise SoapFault("the MIME package holds no root part")
    if first.size > receiver.max_root_bytes:
        raise SoapFault(f"the SOAP envelope part exceeds {receiver.max_root_bytes} bytes")
    _log.warning("no MIME part has the start Content-ID %r; using the first part as root", start)
    del receiver.attachments[first.content_id]
    root = first.read()
    first.close()
    receiver.root_type = parse_media_type(first.content_type)
    return root
