"""Size caps on the request body and the envelope, declared or streamed (soap/http_body.py)."""

from __future__ import annotations

import io
import sys
from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest

from soap import SoapApplication
from tests.soap.conftest import SOAP12_TYPE, call, envelope, mtom, services

MAX_REQUEST = 64 * 1024
MAX_ENVELOPE = 8 * 1024


@pytest.fixture(scope="module")
def small_app() -> SoapApplication:
    return SoapApplication(
        services(), max_request_bytes=MAX_REQUEST, max_envelope_bytes=MAX_ENVELOPE
    )


def padded(size: int) -> bytes:
    """An envelope of ``size`` bytes (padding in a comment)."""
    base = envelope()
    return base.replace(b"<env:Body>", b"<env:Body><!--" + b"x" * (size - len(base) - 7) + b"-->")


def chunks(data: bytes, size: int = 4096) -> Iterator[bytes]:
    for start in range(0, len(data), size):
        yield data[start : start + size]


def test_oversized_body_is_refused_by_content_length(small_app: SoapApplication) -> None:
    result = call(small_app, padded(MAX_REQUEST + 1))
    assert result.status == 400
    assert result.fault() == (
        "env:Sender",
        [],
        f"request body exceeds {MAX_REQUEST} bytes (Content-Length {MAX_REQUEST + 1})",
    )


def test_declared_oversized_body_is_refused_reading_only_a_bounded_drain(
    small_app: SoapApplication,
) -> None:
    class Endless(io.RawIOBase):
        """A 10 GiB upload: zeros for ever, counting what is read."""

        read_bytes = 0

        def readable(self) -> bool:
            return True

        def readinto(self, buffer: Any) -> int:
            buffer[:] = bytes(len(buffer))
            self.read_bytes += len(buffer)
            return len(buffer)

    stream = Endless()
    environ = {
        "REQUEST_METHOD": "POST",
        "PATH_INFO": "/test",
        "CONTENT_TYPE": SOAP12_TYPE,
        "CONTENT_LENGTH": str(10 * 1024**3),
        "wsgi.input": io.BufferedReader(stream),
        "wsgi.errors": sys.stderr,
        "wsgi.url_scheme": "http",
    }
    statuses: list[str] = []
    body = b"".join(small_app(environ, lambda status, headers: statuses.append(status)))
    assert statuses == ["400 Bad Request"]
    assert b"request body exceeds 65536 bytes (Content-Length 10737418240)" in body
    # Only the bounded drain that lets the client read the fault was consumed.
    assert stream.read_bytes <= 9 * 1024 * 1024


def test_oversized_body_is_refused_when_chunked(small_app: SoapApplication) -> None:
    content_type, body = mtom(envelope(), [("doc@x", "text/plain", b"x" * MAX_REQUEST)])
    result = call(small_app, chunks(body), content_type, chunked=True)
    assert result.status == 400
    assert result.fault() == ("env:Sender", [], f"request body exceeds {MAX_REQUEST} bytes")


def test_oversized_mtom_root_part_is_refused(small_app: SoapApplication) -> None:
    content_type, body = mtom(padded(MAX_ENVELOPE + 1))
    result = call(small_app, chunks(body), content_type, chunked=True)
    assert result.fault() == (
        "env:Sender",
        [],
        f"the SOAP envelope part exceeds {MAX_ENVELOPE} bytes",
    )


def test_oversized_envelope_is_refused(small_app: SoapApplication) -> None:
    result = call(small_app, padded(MAX_ENVELOPE + 1))
    assert result.fault() == (
        "env:Sender",
        [],
        f"SOAP envelope exceeds {MAX_ENVELOPE} bytes (Content-Length {MAX_ENVELOPE + 1})",
    )


def test_oversized_chunked_envelope_is_refused(small_app: SoapApplication) -> None:
    result = call(small_app, chunks(padded(MAX_ENVELOPE + 1)), chunked=True)
    assert result.fault() == ("env:Sender", [], f"SOAP envelope exceeds {MAX_ENVELOPE} bytes")


def test_envelope_at_the_cap_is_accepted(small_app: SoapApplication) -> None:
    assert call(small_app, padded(MAX_ENVELOPE)).status == 200
    assert call(small_app, chunks(padded(MAX_ENVELOPE)), chunked=True).status == 200


def test_body_shorter_than_content_length_is_refused(small_app: SoapApplication) -> None:
    data = envelope()
    environ = {
        "REQUEST_METHOD": "POST",
        "PATH_INFO": "/test",
        "CONTENT_TYPE": SOAP12_TYPE,
        "CONTENT_LENGTH": str(len(data) + 10),
        "wsgi.input": io.BytesIO(data),
        "wsgi.errors": sys.stderr,
        "wsgi.url_scheme": "http",
    }
    body = b"".join(small_app(environ, lambda status, headers: None))
    assert f"request body ended after {len(data)} of {len(data) + 10} bytes".encode() in body


def test_body_without_length_on_unterminated_input_gets_411(small_app: SoapApplication) -> None:
    environ = {
        "REQUEST_METHOD": "POST",
        "PATH_INFO": "/test",
        "CONTENT_TYPE": SOAP12_TYPE,
        "wsgi.input": io.BytesIO(envelope()),
        "wsgi.errors": sys.stderr,
        "wsgi.url_scheme": "http",
    }
    statuses: list[str] = []
    b"".join(small_app(environ, lambda status, headers: statuses.append(status)))
    assert statuses == ["411 Length Required"]


def test_oversized_body_is_refused_over_http_by_content_length(
    serve: Callable[[SoapApplication], str], small_app: SoapApplication
) -> None:
    # 20 MB: more than the server drains before answering, so it closes on unread data.
    url = serve(small_app) + "/test"
    size = 20 * 1024 * 1024
    response = httpx.post(url, content=padded(size), headers={"Content-Type": SOAP12_TYPE})
    assert response.status_code == 400
    assert f"request body exceeds 65536 bytes (Content-Length {size})".encode() in response.content


def test_oversized_body_is_refused_over_http_when_chunked(
    serve: Callable[[SoapApplication], str], small_app: SoapApplication
) -> None:
    url = serve(small_app) + "/test"
    content_type, body = mtom(envelope(), [("doc@x", "text/plain", b"x" * 4 * MAX_REQUEST)])
    response = httpx.post(url, content=chunks(body), headers={"Content-Type": content_type})
    assert response.status_code == 400
    assert b"request body exceeds 65536 bytes</env:Text>" in response.content


def test_chunked_request_within_caps_is_answered_over_http(
    serve: Callable[[SoapApplication], str], small_app: SoapApplication
) -> None:
    url = serve(small_app) + "/test"
    response = httpx.post(
        url, content=chunks(padded(MAX_ENVELOPE), 100), headers={"Content-Type": SOAP12_TYPE}
    )
    assert response.status_code == 200
    assert b"urn:test:echoResponse" in response.content
