"""The SOAP layer behind the production HTTP servers (gunicorn gthread, granian WSGI).

wsgiref cannot read chunked request bodies; these servers decode them and mark the
input terminated (PEP 3333 ``wsgi.input_terminated``), which is how large MTOM
uploads without Content-Length reach :class:`soap.http_body.RequestBody`.
"""

from __future__ import annotations

import importlib.util
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.soap.conftest import NS, Result, envelope, mtom
from tests.soap.server_app import MAX_REQUEST
from tests.soap.test_mtom import echoed, streamed_package
from tests.soap.test_size_limits import padded
from tests.soap.test_wsgi import retrieve

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent


def command(server: str, port: int) -> list[str]:
    if server == "gunicorn":
        return [
            str(BIN / "gunicorn"),
            "--bind", f"127.0.0.1:{port}",
            "--workers", "1",
            "--worker-class", "gthread",
            "--threads", "2",
            "--no-control-socket",
            "tests.soap.server_app:app",
        ]  # fmt: skip
    return [
        str(BIN / "granian"),
        "--interface", "wsgi",
        "--host", "127.0.0.1",
        "--port", str(port),
        "--workers", "1",
        "tests.soap.server_app:app",
    ]  # fmt: skip


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="module", params=["gunicorn", "granian"])
def server_url(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    server: str = request.param
    if importlib.util.find_spec(server) is None or not (BIN / server).exists():
        pytest.skip(f"{server} is not installed")
    port = free_port()
    log = tmp_path_factory.mktemp(server) / "server.log"
    with log.open("wb") as out:
        process = subprocess.Popen(
            command(server, port), cwd=ROOT, stdout=out, stderr=subprocess.STDOUT
        )
    try:
        deadline = time.monotonic() + 20
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                if process.poll() is not None or time.monotonic() > deadline:
                    pytest.fail(f"{server} did not start:\n{log.read_text()}")
                time.sleep(0.1)
        yield f"http://127.0.0.1:{port}"
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def test_chunked_mtom_upload_is_spooled_and_hashed(server_url: str) -> None:
    size = 20 * 1024 * 1024
    content_type, chunks, sha1 = streamed_package(size)
    response = httpx.post(
        server_url + "/test", content=chunks, headers={"Content-Type": content_type}, timeout=60
    )
    assert response.status_code == 200
    body = Result(status=200, headers=dict(response.headers), body=response.content)
    attachment = echoed(body).find("t:Attachment", NS)
    assert attachment is not None
    assert (attachment.get("size"), attachment.get("sha1")) == (str(size), sha1)
    assert attachment.get("inMemory") == "false"


def test_oversized_upload_is_refused(server_url: str) -> None:
    size = MAX_REQUEST + 1
    response = httpx.post(
        server_url + "/test",
        content=padded(size),
        headers={"Content-Type": "application/soap+xml"},
        timeout=60,
    )
    assert response.status_code == 400
    expected = f"request body exceeds {MAX_REQUEST} bytes (Content-Length {size})"
    assert expected.encode() in response.content


def test_mtom_response_is_streamed_with_its_length(server_url: str) -> None:
    content_type, body = mtom(retrieve(5 * 1024 * 1024, "file"))
    response = httpx.post(
        server_url + "/xds/retrieve", content=body, headers={"Content-Type": content_type}
    )
    assert response.status_code == 200
    assert int(response.headers["content-length"]) == len(response.content)
    assert len(response.content) > 5 * 1024 * 1024


def test_plain_request_is_answered(server_url: str) -> None:
    response = httpx.post(
        server_url + "/test", content=envelope(), headers={"Content-Type": "application/soap+xml"}
    )
    assert response.status_code == 200
    assert b"urn:test:echoResponse" in response.content
