"""soap/wsgi.py: routing, methods, media types, and responses in the request's packaging."""

from __future__ import annotations

import io

import httpx
import pytest
from lxml import etree

from soap import OutgoingAttachment, Service, SoapApplication, SoapResponse, Transaction, build_mtom
from soap.mime import parse_media_type
from soap.mtom import parse_mtom
from tests.soap.conftest import ITI43, NS, RS, SOAP12_TYPE, call, envelope, mtom, services


def retrieve(size: int = 11, kind: str = "bytes") -> bytes:
    return envelope(f'<xdsb:RetrieveDocumentSetRequest size="{size}" kind="{kind}"/>', action=ITI43)


def test_unknown_path_is_404_plain_text(app: SoapApplication) -> None:
    result = call(app, envelope(), path="/nowhere")
    assert result.status == 404
    assert result.content_type == "text/plain; charset=UTF-8"
    assert result.body == b"no SOAP service at /nowhere\n"


def test_trailing_slash_reaches_the_service(app: SoapApplication) -> None:
    assert call(app, envelope(), path="/test/").status == 200


def test_get_without_wsdl_is_405(app: SoapApplication) -> None:
    result = call(app, method="GET", path="/xds/registry")
    assert result.status == 405
    assert result.headers["allow"] == "POST, GET"


@pytest.mark.parametrize("method", ["PUT", "DELETE", "HEAD", "PATCH"])
def test_other_methods_are_405(app: SoapApplication, method: str) -> None:
    assert call(app, envelope(), method=method).status == 405


def test_unsupported_media_type_is_415_with_sender_fault(app: SoapApplication) -> None:
    result = call(app, b"{}", "application/json")
    assert result.status == 415
    assert result.fault() == (
        "env:Sender",
        [],
        "unsupported media type 'application/json': send application/soap+xml "
        'or multipart/related; type="application/xop+xml"',
    )


def test_media_type_is_case_insensitive(app: SoapApplication) -> None:
    assert call(app, envelope(), "Application/SOAP+XML; Charset=utf-8").status == 200


def test_plain_request_with_attachments_in_response_gets_mtom(app: SoapApplication) -> None:
    result = call(app, retrieve(), path="/xds/retrieve")
    assert result.status == 200
    media = parse_media_type(result.content_type)
    assert media.essence == "multipart/related"
    package = parse_mtom([result.body], media, max_root_bytes=1 << 20)
    assert package.attachments["doc-1@carnet"].read() == b"01234567890"
    include = etree.fromstring(package.root).find(".//xdsb:Document/{*}Include", NS)
    assert include is not None and include.get("href") == "cid:doc-1@carnet"


@pytest.mark.parametrize(
    ("kind", "has_length"), [("bytes", True), ("file", True), ("iterable", False)]
)
def test_mtom_response_length_known_when_sizes_are(
    app: SoapApplication, kind: str, has_length: bool
) -> None:
    result = call(app, retrieve(1000, kind), path="/xds/retrieve")
    assert ("content-length" in result.headers) is has_length
    if has_length:
        assert int(result.headers["content-length"]) == len(result.body)
    package = parse_mtom(
        [result.body], parse_media_type(result.content_type), max_root_bytes=1 << 20
    )
    assert package.attachments["doc-1@carnet"].size == 1000


def test_mtom_retrieve_over_http(base_url: str) -> None:
    content_type, body = mtom(retrieve(5 * 1024 * 1024, "file"))
    response = httpx.post(
        base_url + "/xds/retrieve", content=body, headers={"Content-Type": content_type}
    )
    assert response.status_code == 200
    assert int(response.headers["content-length"]) == len(response.content)
    package = parse_mtom(
        [response.content],
        parse_media_type(response.headers["content-type"]),
        max_root_bytes=1 << 20,
    )
    assert package.attachments["doc-1@carnet"].size == 5 * 1024 * 1024
    root = etree.fromstring(package.root)
    assert root.findtext("env:Header/wsa:Action", namespaces=NS) == ITI43 + "Response"


def test_build_mtom_round_trips_through_parse_mtom() -> None:
    body = build_mtom(
        envelope(),
        [
            OutgoingAttachment(content_id="a@x", content=b"alpha", content_type="text/plain"),
            OutgoingAttachment(
                content_id="http://tempuri.org/1/2", content=io.BytesIO(b"\r\n--beta")
            ),
        ],
        action="urn:test:echoResponse",
    )
    data = b"".join(body.chunks)
    assert body.content_length == len(data)
    media = parse_media_type(body.content_type)
    assert media.param("action") == "urn:test:echoResponse"
    package = parse_mtom([data], media, max_root_bytes=1 << 20)
    assert package.root == envelope()
    assert package.attachments["a@x"].read() == b"alpha"
    assert package.attachments["a@x"].content_type == "text/plain"
    assert package.attachments["http://tempuri.org/1/2"].read() == b"\r\n--beta"


def test_build_mtom_streams_a_file_in_bounded_chunks_and_closes_it() -> None:
    document = io.BytesIO(bytes(3 * 1024 * 1024))
    body = build_mtom(envelope(), [OutgoingAttachment(content_id="big@x", content=document)])
    sizes = [len(chunk) for chunk in body.chunks]
    assert max(sizes) <= 64 * 1024 + 1024
    assert sum(sizes) == body.content_length
    assert document.closed


def test_build_mtom_refuses_header_injection() -> None:
    with pytest.raises(ValueError, match="CR, LF or a quote"):
        build_mtom(b"<x/>", [OutgoingAttachment(content_id="a\r\nX-Evil: 1", content=b"")])


def test_duplicate_actions_in_a_service_are_refused() -> None:
    transaction = services()[0].transactions[0]
    with pytest.raises(ValueError, match="two transactions answer"):
        Service(path="/x", name="x", transactions=(transaction, transaction))


def test_duplicate_service_paths_are_refused() -> None:
    with pytest.raises(ValueError, match="two services at /test"):
        SoapApplication([services()[3], services()[3]], max_request_bytes=1, max_envelope_bytes=1)


def test_handler_response_is_wrapped_with_response_action(app: SoapApplication) -> None:
    transaction = Transaction(
        name="x",
        action="urn:x",
        response_action="urn:xResponse",
        response_element=etree.QName(RS, "RegistryResponse"),
        handler=lambda request: SoapResponse(body=etree.Element(f"{{{RS}}}RegistryResponse")),
    )
    local = SoapApplication(
        [Service(path="/x", name="x", transactions=(transaction,))],
        max_request_bytes=1 << 20,
        max_envelope_bytes=1 << 20,
    )
    result = call(local, envelope(action="urn:x"), SOAP12_TYPE, path="/x")
    assert result.xml.findtext("env:Header/wsa:Action", namespaces=NS) == "urn:xResponse"
    assert result.xml.find("env:Body/rs:RegistryResponse", NS) is not None
