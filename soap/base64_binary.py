"""XML Schema Part 2 §3.2.16 (base64Binary) — inline document content, spooled like an MTOM part.

An ``xdsb:Document`` is ``xs:base64Binary``: optimised senders replace its text
by an ``xop:Include`` (XOP 1.0 §3), others leave the base64 inline — inside an
MTOM root part too (ITI TF-2b 3.41.4.1.2). :func:`inline_attachment` decodes that
text piece by piece into a spooled temporary file while computing SHA-1 and
size, and gives an :class:`~soap.mtom.Attachment`, so the repository reads an
inline document exactly as it reads an MTOM part. The text itself is already in
memory, capped by the envelope size limit.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import tempfile
from collections.abc import Iterator

from soap.faults import SoapFault
from soap.mtom import Attachment

__all__ = ["inline_attachment"]

_PIECE = 64 * 1024
"""Characters of base64 text decoded at a time (a multiple of 4)."""


def inline_attachment(text: str, *, content_id: str, spool_bytes: int = 1024 * 1024) -> Attachment:
    """The bytes ``text`` encodes in base64 (whitespace ignored), as a spooled attachment.

    Raises a Sender :class:`~soap.faults.SoapFault` when ``text`` is not base64.
    The caller closes the attachment.
    """
    spool = tempfile.SpooledTemporaryFile(max_size=spool_bytes)  # noqa: SIM115 (returned open)
    digest = hashlib.sha1(usedforsecurity=False)
    size = 0
    try:
        for piece in _pieces(text):
            try:
                data = base64.b64decode(piece, validate=True)
            except binascii.Error as error:
                raise SoapFault(
                    f"the content of {content_id} is neither an xop:Include nor base64 text: "
                    f"{error}"
                ) from None
            spool.write(data)
            digest.update(data)
            size += len(data)
        spool.seek(0)
    except BaseException:
        spool.close()
        raise
    return Attachment(
        content_id=content_id,
        content_type="application/octet-stream",
        size=size,
        sha1=digest.hexdigest(),
        data_file=spool,
    )


def _pieces(text: str) -> Iterator[str]:
    """The base64 characters of ``text`` without whitespace, in pieces of 4n characters.

    >>> list(_pieces(" QUJD\\nREVG Rw== "))
    ['QUJDREVGRw==']
    """
    pending = ""
    for start in range(0, len(text), _PIECE):
        pending += "".join(text[start : start + _PIECE].split())
        usable = len(pending) - len(pending) % 4
        if usable:
            yield pending[:usable]
            pending = pending[usable:]
    if pending:
        yield pending  # not a multiple of 4: b64decode reports the bad padding
