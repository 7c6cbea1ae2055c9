"""MTOM/XOP requests (soap/mtom.py): real stacks' MIME variants, streaming, spooling, XOP.

The literal messages below reproduce the MIME framing of the stacks XDS.b actors use
(header order, quoting, Content-ID shapes), as documented by their projects and seen in
IHE Connectathon traces: Apache Axis2 1.6 (NIST XDS Toolkit, OpenXDS), Apache CXF 3
(IPF, Gazelle), Microsoft WCF (.NET ``MessageEncoding="Mtom"``), and JavaMail/SAAJ
with a MIME preamble.
"""

from __future__ import annotations

import hashlib
import tracemalloc
from collections.abc import Iterator

import httpx
import pytest
from lxml import etree

from soap import (
    Addressing,
    Service,
    SoapApplication,
    SoapFault,
    SoapRequest,
    SoapResponse,
    Transaction,
)
from soap.mime import parse_media_type
from soap.mtom import parse_mtom
from tests.soap.conftest import (
    ITI41,
    NS,
    RS,
    SOAP12_TYPE,
    SUCCESS,
    Result,
    call,
    envelope,
    mtom,
)

DOCUMENT = (
    b"<ClinicalDocument xmlns='urn:hl7-org:v3'>bonjour</ClinicalDocument>\n\r\n--not-a-boundary"
)
DOCUMENT_SHA1 = hashlib.sha1(DOCUMENT).hexdigest()


def submission(href: str) -> bytes:
    """An ITI-41 envelope whose one document is ``href``."""
    body = (
        f'<xdsb:ProvideAndRegisterDocumentSetRequest><xdsb:Document id="Document01">'
        f'<xop:Include href="{href}"/></xdsb:Document></xdsb:ProvideAndRegisterDocumentSetRequest>'
    )
    return envelope(body, action=ITI41, declaration=True)


def part(headers: list[str], data: bytes) -> bytes:
    return "".join(h + "\r\n" for h in headers).encode() + b"\r\n" + data


def package(boundary: str, parts: list[bytes], *, preamble: bytes = b"") -> bytes:
    delimiter = f"--{boundary}".encode()
    body = preamble
    for each in parts:
        body += delimiter + b"\r\n" + each + b"\r\n"
    return body + delimiter + b"--\r\n"


def echoed(result: Result) -> etree._Element:
    assert result.status == 200, result.body.decode("utf-8", "replace")
    parsed = parse_mtom(
        [result.body], parse_media_type(result.content_type), max_root_bytes=1 << 20
    )
    echo = etree.fromstring(parsed.root).find("env:Body/t:Echo", NS)
    assert echo is not None
    return echo


def assert_document_received(result: Result, content_id: str) -> None:
    echo = echoed(result)
    attachment = echo.find("t:Attachment", NS)
    assert attachment is not None
    assert attachment.attrib["contentId"] == content_id
    assert attachment.attrib["sha1"] == DOCUMENT_SHA1
    assert attachment.attrib["size"] == str(len(DOCUMENT))
    resolved = echo.find("t:Resolved", NS)
    assert resolved is not None
    assert dict(resolved.items()) == {"id": "Document01", "sha1": DOCUMENT_SHA1}
    assert echo.get("mtom") == "true"


# --- real stacks ---------------------------------------------------------------------


def test_axis2_style_mtom_request_is_read(app: SoapApplication) -> None:
    boundary = "MIMEBoundary_urn_uuid_E5BC3B0A6E8B6B5F6A1390212345678"
    root_id = "0.urn:uuid:E5BC3B0A6E8B6B5F6A1390212345679@apache.org"
    doc_id = "1.urn:uuid:E5BC3B0A6E8B6B5F6A1390212345680@apache.org"
    content_type = (
        f'multipart/related; boundary={boundary}; type="application/xop+xml"; '
        f'start="<{root_id}>"; start-info="application/soap+xml"; action="{ITI41}"'
    )
    body = package(
        boundary,
        [
            part(
                [
                    'Content-Type: application/xop+xml; charset=UTF-8; type="application/soap+xml"',
                    "Content-Transfer-Encoding: binary",
                    f"Content-ID: <{root_id}>",
                ],
                submission(f"cid:{doc_id}"),
            ),
            part(
                [
                    "Content-Type: text/xml",
                    "Content-Transfer-Encoding: binary",
                    f"Content-ID: <{doc_id}>",
                ],
                DOCUMENT,
            ),
        ],
    )
    assert_document_received(call(app, body, content_type, path="/xds/repository"), doc_id)


def test_cxf_style_mtom_request_is_read(app: SoapApplication) -> None:
    boundary = "uuid:0ca0e16e-feb1-426c-97d8-c4508ada5e82"
    doc_id = "5aeaa450-17f0-4484-b845-a8480c363444-1@cxf.apache.org"
    content_type = (
        f'multipart/related; type="application/xop+xml"; boundary="{boundary}"; '
        'start="<root.message@cxf.apache.org>"; '
        f'start-info="application/soap+xml; action=\\"{ITI41}\\""'
    )
    body = package(
        boundary,
        [
            part(
                [
                    "Content-Type: application/xop+xml; charset=UTF-8; "
                    f'type="application/soap+xml; action=\\"{ITI41}\\""',
                    "Content-Transfer-Encoding: binary",
                    "Content-ID: <root.message@cxf.apache.org>",
                ],
                submission(f"cid:{doc_id}"),
            ),
            part(
                [
                    "Content-Type: application/octet-stream",
                    "Content-Transfer-Encoding: binary",
                    f"Content-ID: <{doc_id}>",
                ],
                DOCUMENT,
            ),
        ],
    )
    assert_document_received(call(app, body, content_type, path="/xds/repository"), doc_id)


def test_wcf_style_mtom_request_is_read(app: SoapApplication) -> None:
    # WCF: "+" and "=" in a quoted boundary, no spaces after ";", 8bit root part, headers
    # in another order, http: Content-IDs percent-encoded in the cid: href.
    boundary = "uuid:b8b3f3a6-d5d1-4d87-8f19-2f1e6a3b1c3e+id=1"
    content_type = (
        'multipart/related;type="application/xop+xml";start="<http://tempuri.org/0>";'
        f'boundary="{boundary}";start-info="application/soap+xml"'
    )
    body = package(
        boundary,
        [
            part(
                [
                    "Content-ID: <http://tempuri.org/0>",
                    "Content-Transfer-Encoding: 8bit",
                    "Content-Type: application/xop+xml;charset=utf-8;"
                    f'type="application/soap+xml;action=\\"{ITI41}\\""',
                ],
                submission("cid:http%3A%2F%2Ftempuri.org%2F1%2F636123456789012345"),
            ),
            part(
                [
                    "Content-ID: <http://tempuri.org/1/636123456789012345>",
                    "Content-Transfer-Encoding: binary",
                    "Content-Type: application/octet-stream",
                ],
                DOCUMENT,
            ),
        ],
    )
    result = call(app, body, content_type, path="/xds/repository")
    assert_document_received(result, "http://tempuri.org/1/636123456789012345")


def test_javamail_style_mtom_request_with_preamble_is_read(app: SoapApplication) -> None:
    # A MIME preamble, a "----=_Part_" boundary, an unquoted start, a bare Content-ID.
    boundary = "----=_Part_0_1234567.1234567890123"
    content_type = (
        f'multipart/related; type="application/xop+xml"; boundary="{boundary}"; '
        'start=<rootpart@soapui.org>; start-info="application/soap+xml"'
    )
    body = package(
        boundary,
        [
            part(
                [
                    'Content-Type: application/xop+xml; charset=UTF-8; type="application/soap+xml"',
                    "Content-Transfer-Encoding: 8bit",
                    "Content-ID: <rootpart@soapui.org>",
                ],
                submission("cid:doc1"),
            ),
            part(
                ["Content-Type: text/xml", "Content-Transfer-Encoding: binary", "Content-ID: doc1"],
                DOCUMENT,
            ),
        ],
        preamble=b"This is a multi-part message in MIME format.\r\n",
    )
    assert_document_received(call(app, body, content_type, path="/xds/repository"), "doc1")


def test_unquoted_boundary_with_equals_sign_is_read(app: SoapApplication) -> None:
    boundary = "----=_Part_7_99.1700000000000"
    content_type = f'multipart/related; type="application/xop+xml"; boundary={boundary}'
    _, body = mtom(submission("cid:doc@x"), [("doc@x", "text/xml", DOCUMENT)], boundary=boundary)
    assert_document_received(call(app, body, content_type, path="/xds/repository"), "doc@x")


def test_root_part_found_by_start_when_not_first(app: SoapApplication) -> None:
    boundary = "b1"
    content_type = 'multipart/related; type="application/xop+xml"; boundary=b1; start="<root@x>"'
    body = package(
        boundary,
        [
            part(["Content-Type: text/xml", "Content-ID: <doc@x>"], DOCUMENT),
            part(
                [
                    'Content-Type: application/xop+xml; type="application/soap+xml"',
                    "Content-ID: <root@x>",
                ],
                submission("cid:doc@x"),
            ),
        ],
    )
    assert_document_received(call(app, body, content_type, path="/xds/repository"), "doc@x")


def test_first_part_is_root_without_start(app: SoapApplication) -> None:
    content_type, body = mtom(submission("cid:doc@x"), [("doc@x", "text/xml", DOCUMENT)])
    content_type = content_type.replace('start="<root.message@carnet.test>"; ', "")
    assert_document_received(call(app, body, content_type, path="/xds/repository"), "doc@x")


def test_xop_include_with_angle_brackets_in_href_is_resolved(app: SoapApplication) -> None:
    content_type, body = mtom(submission("cid:%3Cdoc@x%3E"), [("doc@x", "text/xml", DOCUMENT)])
    assert_document_received(call(app, body, content_type, path="/xds/repository"), "doc@x")


# --- the MTOM rules ------------------------------------------------------------------


def test_mtom_request_gets_mtom_response(app: SoapApplication) -> None:
    content_type, body = mtom(submission("cid:doc@x"), [("doc@x", "text/xml", DOCUMENT)])
    result = call(app, body, content_type, path="/xds/repository")
    media = parse_media_type(result.content_type)
    assert media.essence == "multipart/related"
    assert media.param("type") == "application/xop+xml"
    assert media.param("start-info") == "application/soap+xml"
    assert media.param("action") == ITI41 + "Response"
    assert int(result.headers["content-length"]) == len(result.body)
    parsed = parse_mtom([result.body], media, max_root_bytes=1 << 20)
    assert parsed.root_type.essence == "application/xop+xml"
    assert parsed.root_type.param("type") == "application/soap+xml"
    assert etree.fromstring(parsed.root).find("env:Header/wsa:RelatesTo", NS) is not None


def test_plain_soap_to_mtom_only_service_is_refused(app: SoapApplication) -> None:
    result = call(app, submission("cid:doc@x"), SOAP12_TYPE, path="/xds/repository")
    assert result.status == 400
    assert result.fault() == (
        "env:Sender",
        [],
        "MTOM/XOP required: ITI-41 Provide and Register Document Set-b must be sent as "
        'multipart/related; type="application/xop+xml" (ITI TF-2x Appendix V)',
    )


def test_mtom_action_parameter_disagreeing_with_wsa_action_is_refused(app: SoapApplication) -> None:
    content_type, body = mtom(submission("cid:doc@x"), [("doc@x", "text/xml", DOCUMENT)])
    result = call(app, body, content_type + '; action="urn:other"', path="/xds/repository")
    assert result.fault()[1] == ["wsa:InvalidAddressingHeader", "wsa:ActionMismatch"]


def test_xop_include_to_missing_part_is_sender_fault(app: SoapApplication) -> None:
    content_type, body = mtom(submission("cid:missing@x"), [("doc@x", "text/xml", DOCUMENT)])
    result = call(app, body, content_type, path="/xds/repository")
    assert result.status == 400
    assert (
        result.fault()[2] == "xop:Include refers to cid:missing@x, which is not in the MIME package"
    )


def test_truncated_mtom_package_is_refused(app: SoapApplication) -> None:
    content_type, body = mtom(submission("cid:doc@x"), [("doc@x", "text/xml", DOCUMENT)])
    result = call(app, body[:-40], content_type, path="/xds/repository")
    assert result.fault() == ("env:Sender", [], "the MIME package ends before its closing boundary")


def test_multipart_without_boundary_is_refused(app: SoapApplication) -> None:
    result = call(
        app, b"--x\r\n", 'multipart/related; type="application/xop+xml"', path="/xds/repository"
    )
    assert result.fault()[2] == "multipart/related Content-Type without a boundary parameter"


def test_body_without_the_announced_boundary_is_refused(app: SoapApplication) -> None:
    content_type, body = mtom(submission("cid:doc@x"))
    result = call(
        app, body.replace(b"MIMEBoundary", b"OtherBoundary"), content_type, path="/xds/repository"
    )
    assert (
        result.fault()[2]
        == "no MIME boundary delimiter found where the multipart body should start"
    )


def test_base64_transfer_encoding_is_refused(app: SoapApplication) -> None:
    content_type, body = mtom(submission("cid:doc@x"), [("doc@x", "text/xml", b"PGEvPg==")])
    body = body.replace(b"binary\r\nContent-ID: <doc@x>", b"base64\r\nContent-ID: <doc@x>")
    result = call(app, body, content_type, path="/xds/repository")
    assert result.fault()[2] == (
        "Content-Transfer-Encoding 'base64' is not supported: "
        "MTOM parts are sent as binary, 8bit or 7bit"
    )


def test_duplicate_content_id_is_refused(app: SoapApplication) -> None:
    parts = [("doc@x", "text/xml", DOCUMENT), ("doc@x", "text/xml", b"other")]
    content_type, body = mtom(submission("cid:doc@x"), parts)
    result = call(app, body, content_type, path="/xds/repository")
    assert result.fault()[2] == "two MIME parts share the Content-ID 'doc@x'"


def test_non_xop_multipart_type_is_refused(app: SoapApplication) -> None:
    content_type, body = mtom(submission("cid:doc@x"))
    content_type = content_type.replace('type="application/xop+xml"', 'type="application/json"')
    result = call(app, body, content_type, path="/xds/repository")
    assert result.fault()[2] == (
        "multipart/related type 'application/json' is not MTOM/XOP: expected application/xop+xml"
    )


# --- streaming and spooling ----------------------------------------------------------


def pieces(data: bytes, size: int) -> Iterator[bytes]:
    for start in range(0, len(data), size):
        yield data[start : start + size]


@pytest.mark.parametrize("chunk_size", [1, 7, 4096])
def test_attachment_sha1_and_size_computed_while_streaming(chunk_size: int) -> None:
    # Chunks as small as one byte split boundaries, headers and CRLFs everywhere.
    documents = [DOCUMENT, bytes(range(256)) * 40, b""]
    parts = [(f"doc{n}@x", "application/octet-stream", d) for n, d in enumerate(documents)]
    content_type, body = mtom(envelope(), parts)
    parsed = parse_mtom(
        pieces(body, chunk_size), parse_media_type(content_type), max_root_bytes=1 << 20
    )
    try:
        assert parsed.root == envelope()
        for n, document in enumerate(documents):
            attachment = parsed.attachments[f"doc{n}@x"]
            assert (attachment.size, attachment.sha1) == (
                len(document),
                hashlib.sha1(document).hexdigest(),
            )
            assert attachment.read() == document
            assert b"".join(attachment.chunks(100)) == document
    finally:
        parsed.close()


def streamed_package(size: int) -> tuple[str, Iterator[bytes], str]:
    """A ``size``-byte attachment generated on the fly: (content type, chunks, its sha1)."""
    content_type, head = mtom(envelope(), [("big@x", "application/pdf", b"@@")])
    before, after = head.split(b"@@")
    block = bytes(range(256)) * 256  # 64 KiB

    def blocks() -> Iterator[bytes]:
        left = size
        while left:
            piece = block[: min(left, len(block))]
            left -= len(piece)
            yield piece

    expected = hashlib.sha1()
    for piece in blocks():
        expected.update(piece)

    def generate() -> Iterator[bytes]:
        yield before
        yield from blocks()
        yield after

    return content_type, generate(), expected.hexdigest()


def test_large_attachment_spooled_to_disk() -> None:
    size = 20 * 1024 * 1024
    content_type, chunks, sha1 = streamed_package(size)
    tracemalloc.start()
    try:
        parsed = parse_mtom(chunks, parse_media_type(content_type), max_root_bytes=1 << 20)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    try:
        attachment = parsed.attachments["big@x"]
        assert (attachment.size, attachment.sha1) == (size, sha1)
        assert not attachment.in_memory  # rolled over to a temporary file
        assert peak < 4 * 1024 * 1024, f"peak Python memory {peak} bytes for a {size}-byte part"
        assert hashlib.sha1(b"".join(attachment.chunks())).hexdigest() == sha1
    finally:
        parsed.close()
    assert attachment.data_file.closed


def test_small_attachment_stays_in_memory() -> None:
    content_type, body = mtom(envelope(), [("doc@x", "text/xml", DOCUMENT)])
    parsed = parse_mtom([body], parse_media_type(content_type), max_root_bytes=1 << 20)
    assert parsed.attachments["doc@x"].in_memory
    parsed.close()


def test_many_parts_roll_over_past_the_memory_budget() -> None:
    parts = [(f"p{n}@x", "text/plain", bytes(50 * 1024)) for n in range(5)]
    content_type, body = mtom(envelope(), parts)
    parsed = parse_mtom(
        [body], parse_media_type(content_type), max_root_bytes=1 << 20, max_memory_bytes=120 * 1024
    )
    assert [parsed.attachments[f"p{n}@x"].in_memory for n in range(5)] == [
        True,
        True,
        False,
        False,
        False,
    ]
    parsed.close()


def test_large_attachment_over_http_is_spooled_and_hashed(base_url: str) -> None:
    size = 20 * 1024 * 1024
    content_type, chunks, sha1 = streamed_package(size)
    response = httpx.post(
        base_url + "/test", content=chunks, headers={"Content-Type": content_type}, timeout=60
    )
    assert response.status_code == 200
    result = Result(status=200, headers=dict(response.headers), body=response.content)
    attachment = echoed(result).find("t:Attachment", NS)
    assert attachment is not None
    assert dict(attachment.items()) == {
        "contentId": "big@x",
        "contentType": "application/pdf",
        "size": str(size),
        "sha1": sha1,
        "inMemory": "false",
    }


def test_attachments_are_closed_after_the_response_is_sent() -> None:
    seen: list[SoapRequest] = []

    def keep(request: SoapRequest) -> SoapResponse:
        seen.append(request)
        return SoapResponse(body=etree.Element(f"{{{RS}}}RegistryResponse", status=SUCCESS))

    service = Service(
        path="/keep",
        name="keep",
        transactions=(
            Transaction(
                name="keep",
                action="urn:test:echo",
                response_action="urn:test:echoResponse",
                response_element=etree.QName(RS, "RegistryResponse"),
                handler=keep,
            ),
        ),
    )
    app = SoapApplication([service], max_request_bytes=1 << 20, max_envelope_bytes=1 << 16)
    content_type, body = mtom(envelope(), [("doc@x", "text/xml", DOCUMENT)])
    assert call(app, body, content_type, path="/keep").status == 200
    assert seen[0].attachments["doc@x"].data_file.closed


def test_attachment_for_inline_content_is_none() -> None:
    request = SoapRequest(
        body=etree.fromstring(b"<Document>PGEvPg==</Document>"),
        headers=(),
        addressing=Addressing(action="urn:x"),
    )
    assert request.attachment_for(request.body) is None


def test_xop_include_without_cid_href_is_sender_fault() -> None:
    request = SoapRequest(
        body=etree.fromstring(
            b'<Document><xop:Include xmlns:xop="http://www.w3.org/2004/08/xop/include" '
            b'href="http://example.org/doc"/></Document>'
        ),
        headers=(),
        addressing=Addressing(action="urn:x"),
    )
    with pytest.raises(SoapFault, match=r"is not a cid: URL \(XOP 1.0 §3\)"):
        request.attachment_for(request.body)
