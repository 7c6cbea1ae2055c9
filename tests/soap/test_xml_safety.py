"""The envelope goes through the one hardened parser (schemas.parse_xml): no DTD, no entities."""

from __future__ import annotations

import os
import threading
import time
from pathlib import Path

import httpx
import pytest

from soap import SoapApplication
from tests.soap.conftest import SOAP12, SOAP12_TYPE, Result, call, envelope

DOCTYPE_REASON = "XML document type declarations are not accepted"


def billion_laughs() -> bytes:
    entities = "".join(f'<!ENTITY lol{n} "{f"&lol{n - 1};" * 10}">' for n in range(1, 10))
    return (
        f'<?xml version="1.0"?><!DOCTYPE env:Envelope [<!ENTITY lol0 "lol">{entities}]>'
        f'<env:Envelope xmlns:env="{SOAP12}"><env:Body><x a="&lol9;">&lol9;</x></env:Body>'
        "</env:Envelope>"
    ).encode()


def test_billion_laughs_is_refused(app: SoapApplication) -> None:
    started = time.monotonic()
    result = call(app, billion_laughs())
    assert time.monotonic() - started < 2
    assert result.status == 400
    assert result.fault() == ("env:Sender", [], DOCTYPE_REASON)


def test_billion_laughs_is_refused_over_http(base_url: str) -> None:
    response = httpx.post(
        base_url + "/test", content=billion_laughs(), headers={"Content-Type": SOAP12_TYPE}
    )
    assert response.status_code == 400
    assert DOCTYPE_REASON.encode() in response.content


def xxe(path: Path) -> bytes:
    return (
        f'<?xml version="1.0"?><!DOCTYPE env:Envelope [<!ENTITY xxe SYSTEM "file://{path}">]>'
        + envelope("<t:Ping>&xxe;</t:Ping>").decode()
    ).encode()


def test_xxe_is_refused_without_reading_file(app: SoapApplication, tmp_path: Path) -> None:
    # A named pipe blocks whoever opens it for reading until a writer comes: if the parser
    # tried to resolve the entity, the request would hang instead of being refused.
    fifo = tmp_path / "secret.fifo"
    os.mkfifo(fifo)
    results: list[Result] = []
    worker = threading.Thread(target=lambda: results.append(call(app, xxe(fifo))), daemon=True)
    worker.start()
    worker.join(timeout=10)
    if worker.is_alive():
        with open(fifo, "wb") as unblock:  # let the stuck parser go before failing
            unblock.write(b"x")
        pytest.fail("the parser opened the external entity's file")
    assert results[0].status == 400
    assert results[0].fault() == ("env:Sender", [], DOCTYPE_REASON)


def test_xxe_does_not_leak_file_content(app: SoapApplication, tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET-42")
    result = call(app, xxe(secret))
    assert result.status == 400
    assert b"TOP-SECRET-42" not in result.body


def test_external_dtd_is_refused(app: SoapApplication) -> None:
    data = b'<!DOCTYPE env:Envelope SYSTEM "http://127.0.0.1:9/x.dtd">' + envelope()
    assert call(app, data).fault() == ("env:Sender", [], DOCTYPE_REASON)


def test_malformed_xml_is_sender_fault_with_parser_reason(app: SoapApplication) -> None:
    result = call(app, envelope()[:-20])
    assert result.status == 400
    code, subcodes, reason = result.fault()
    assert (code, subcodes) == ("env:Sender", [])
    assert reason.startswith("malformed XML: ")


def test_empty_body_is_sender_fault(app: SoapApplication) -> None:
    code, _, reason = call(app, b"").fault()
    assert code == "env:Sender"
    assert reason.startswith("malformed XML: ")
