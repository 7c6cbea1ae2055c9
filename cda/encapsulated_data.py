"""HL7 V3 Data Types R1 §2.1.5 — ED, encapsulated data: a level-1 body and an observationMedia.

A CDA document carries binary content in two places, both of type ED: the ``text`` of a
``nonXMLBody`` (CDA R2 §4.3.6, level 1) and the ``value`` of an ``observationMedia`` entry
(CDA R2 §4.3.7.5) that a narrative block's ``renderMultiMedia`` shows. An ED is either inline
— plain text when ``representation`` is ``TXT`` (the default), base64 when it is ``B64``,
possibly compressed — or a ``reference`` to where the content lives.

:func:`read_encapsulated_data` decodes it once and never raises: content it cannot decode
comes back with ``data=None`` and a ``problem`` saying why, so a renderer can still show the
rest of the document. Decompression is capped (:data:`MAX_DECODED_BYTES`) against a
compression bomb.
"""

from __future__ import annotations

import base64
import binascii
import zlib
from dataclasses import dataclass

from lxml import etree

from cda.document import NAMESPACES

__all__ = ["MAX_DECODED_BYTES", "EncapsulatedData", "read_encapsulated_data"]

MAX_DECODED_BYTES = 64 * 1024 * 1024
"""The most bytes a compressed ED may expand to; beyond, it is left undecoded."""

_DEFAULT_MEDIA_TYPE = "text/plain"  # Data Types R1 §2.1.5.1: ED.mediaType defaults to text/plain

# Data Types R1 §2.1.5.4 CompressionAlgorithm → zlib window bits (DF deflate, GZ gzip, ZL zlib).
_COMPRESSIONS = {"DF": -zlib.MAX_WBITS, "GZ": 16 + zlib.MAX_WBITS, "ZL": zlib.MAX_WBITS}


@dataclass(frozen=True, kw_only=True, slots=True)
class EncapsulatedData:
    """The decoded content of an ED element."""

    media_type: str
    """``mediaType``, lower case, parameters dropped (``text/plain`` when absent)."""
    data: bytes | None
    """The inline content, decoded; ``None`` when there is none or it cannot be decoded."""
    charset: str | None
    """The ``charset`` of text content; ``utf-8`` for ``TXT`` content (read as XML text)."""
    reference: str | None
    """``reference/@value``: where the content lives, when it is not inline."""
    problem: str | None
    """Why inline content present in the document could not be decoded."""


def read_encapsulated_data(element: etree._Element) -> EncapsulatedData:
    """Decode the ED ``element`` (a ``nonXMLBody/text``, an ``observationMedia/value``).

    >>> from lxml import etree
    >>> ed = etree.fromstring(
    ...     '<value xmlns="urn:hl7-org:v3" mediaType="image/PNG" representation="B64">'
    ...     "iVBO\\n Rw==</value>")
    >>> read_encapsulated_data(ed).media_type, read_encapsulated_data(ed).data
    ('image/png', b'\\x89PNG')
    """
    media_type = (element.get("mediaType") or _DEFAULT_MEDIA_TYPE).split(";")[0].strip().lower()
    reference = element.find("cda:reference", NAMESPACES)
    where = reference.get("value") if reference is not None else None
    text = element.text or ""
    if element.get("representation", "TXT").upper() != "B64":
        data = text.encode("utf-8") if text else None
        return EncapsulatedData(
            media_type=media_type, data=data, charset="utf-8", reference=where, problem=None
        )
    charset = element.get("charset")
    if not text.strip():
        return EncapsulatedData(
            media_type=media_type, data=None, charset=charset, reference=where, problem=None
        )
    data, problem = _decoded(text, element.get("compression"))
    return EncapsulatedData(
        media_type=media_type, data=data, charset=charset, reference=where, problem=problem
    )


def _decoded(text: str, compression: str | None) -> tuple[bytes | None, str | None]:
    """The bytes of base64 ``text``, decompressed; or ``None`` and the reason."""
    try:
        # Base64 in XML is wrapped and indented: whitespace is not part of the alphabet.
        raw = base64.b64decode("".join(text.split()), validate=True)
    except (binascii.Error, ValueError):
        return None, "the content is not valid base64"
    if not compression:
        return raw, None
    window = _COMPRESSIONS.get(compression.upper())
    if window is None:
        return None, f"compression {compression!r} is not supported"
    decompressor = zlib.decompressobj(window)
    try:
        data = decompressor.decompress(raw, MAX_DECODED_BYTES)
    except zlib.error:
        return None, f"the content is not valid {compression} compressed data"
    if decompressor.unconsumed_tail:
        return None, f"the content expands beyond {MAX_DECODED_BYTES} bytes"
    return data, None
