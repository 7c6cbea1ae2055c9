"""SOAP 1.2 Part 2 §7.5 (HTTP binding, request body) — reading a WSGI request body under a cap.

PEP 3333 lets an application read ``wsgi.input`` only up to ``CONTENT_LENGTH``;
a body sent with ``Transfer-Encoding: chunked`` has no length and may be read to
its end only when the server says it decoded and terminated it
(``wsgi.input_terminated``, which gunicorn sets). The cap is enforced on the
declared length before anything is read and again on every chunk, so a chunked
body cannot slip past it.

Refusals are Sender faults (SOAP 1.2 Part 2 Table 20: HTTP 400). HTTP 413 was
considered: RFC 9110 §15.5.14 fits, but the SOAP 1.2 HTTP binding's state table
(Part 2 Table 20, §7.5.2.2) maps every fault the responding node generates to
400/500 and lists no 413, and SOAP clients (Axis2, CXF, WCF) surface the fault
reason only when it comes with one of those codes. A body without length on a
server that does not terminate it gets 411 (RFC 9110 §15.5.12) — the one case the
fault code cannot express, as the request cannot be read at all.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import IO, Any

from soap.faults import SoapFault

__all__ = ["RequestBody"]

_CHUNK = 64 * 1024


class RequestBody:
    """The body of one WSGI request, read as chunks, at most ``max_bytes`` in all."""

    def __init__(self, environ: Mapping[str, Any], *, max_bytes: int) -> None:
        self._input: IO[bytes] = environ["wsgi.input"]
        self.max_bytes = max_bytes
        self.read_bytes = 0
        self._terminated = bool(environ.get("wsgi.input_terminated"))
        declared = (environ.get("CONTENT_LENGTH") or "").strip()
        self.length: int | None
        try:
            self.length = int(declared) if declared else None
        except ValueError:
            raise SoapFault(f"Content-Length {declared!r} is not a number") from None
        if self.length is not None and self.length < 0:
            raise SoapFault(f"Content-Length {declared!r} is negative")
        if self.length is None and not self._terminated:
            raise SoapFault("the request has no Content-Length", http_status=411)

    def check_declared_length(self) -> None:
        """Refuse up front a body whose declared length is over the cap."""
        if self.length is not None and self.length > self.max_bytes:
            raise SoapFault(
                f"request body exceeds {self.max_bytes} bytes (Content-Length {self.length})"
            )

    def chunks(self) -> Iterator[bytes]:
        """The body, chunk by chunk; a Sender fault once more than ``max_bytes`` arrive."""
        self.check_declared_length()
        while True:
            want = _CHUNK
            if self.length is not None:
                want = min(want, self.length - self.read_bytes)
                if want <= 0:
                    return
            chunk = self._input.read(want)
            if not chunk:
                if self.length is not None:
                    raise SoapFault(
                        f"request body ended after {self.read_bytes} of {self.length} bytes"
                    )
                return
            self.read_bytes += len(chunk)
            if self.read_bytes > self.max_bytes:
                raise SoapFault(f"request body exceeds {self.max_bytes} bytes")
            yield chunk

    def read(self, *, max_bytes: int, what: str) -> bytes:
        """The whole body in memory, refused past ``max_bytes`` (naming ``what`` it is)."""
        if self.length is not None and self.length > max_bytes:
            self.check_declared_length()
            raise SoapFault(f"{what} exceeds {max_bytes} bytes (Content-Length {self.length})")
        data = bytearray()
        for chunk in self.chunks():
            data += chunk
            if len(data) > max_bytes:
                raise SoapFault(f"{what} exceeds {max_bytes} bytes")
        return bytes(data)

    def drain(self, *, limit: int) -> None:
        """Read and drop what the client is still sending, up to ``limit`` bytes.

        Answering before the body is consumed makes the server close a socket with
        unread data, which TCP turns into a reset that may destroy the answer before
        the client reads it; draining a bounded amount lets most clients see the fault.
        """
        left = limit
        if self.length is not None:
            left = min(left, self.length - self.read_bytes)
        elif not self._terminated:
            return
        while left > 0:
            chunk = self._input.read(min(_CHUNK, left))
            if not chunk:
                return
            self.read_bytes += len(chunk)
            left -= len(chunk)
