"""SOAP 1.2 Part 1 §5: envelope version, structure and mustUnderstand (soap/envelope.py)."""

from __future__ import annotations

import httpx

from soap import SoapApplication
from tests.soap.conftest import NS, SOAP11, SOAP12, SOAP12_TYPE, call, envelope

WSSE = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd"
SOAP11_NS = {"soap": SOAP11, "env": SOAP12}


def test_soap11_envelope_gets_version_mismatch_fault(app: SoapApplication) -> None:
    # A SOAP 1.1 envelope sent with the SOAP 1.2 media type.
    result = call(app, envelope(namespace=SOAP11))
    assert result.status == 500
    assert result.content_type == "text/xml; charset=UTF-8"
    root = result.xml
    assert root.findtext("soap:Body/soap:Fault/faultcode", namespaces=SOAP11_NS) == (
        "soap:VersionMismatch"
    )
    supported = root.find("soap:Header/env:Upgrade/env:SupportedEnvelope", SOAP11_NS)
    assert supported is not None
    prefix, _, local = supported.get("qname", "").partition(":")
    assert (supported.nsmap[prefix], local) == (SOAP12, "Envelope")


def test_soap11_media_type_gets_version_mismatch_fault(base_url: str) -> None:
    response = httpx.post(
        base_url + "/test",
        content=envelope(namespace=SOAP11),
        headers={"Content-Type": "text/xml; charset=utf-8", "SOAPAction": '"urn:test:echo"'},
    )
    assert response.status_code == 500
    assert response.headers["content-type"] == "text/xml; charset=UTF-8"
    assert b"<faultcode>soap:VersionMismatch</faultcode>" in response.content
    assert b"env:Upgrade" in response.content


def test_unknown_envelope_namespace_gets_version_mismatch_fault(app: SoapApplication) -> None:
    result = call(app, envelope(namespace="urn:not-soap"))
    assert result.status == 500
    code, subcodes, reason = result.fault()
    assert (code, subcodes) == ("env:VersionMismatch", [])
    assert reason == "unknown envelope namespace urn:not-soap: this node speaks SOAP 1.2"


def test_non_envelope_document_is_sender_fault(app: SoapApplication) -> None:
    result = call(app, b"<hello/>")
    assert result.status == 400
    assert result.fault() == (
        "env:Sender",
        [],
        "the document element is hello, not a SOAP 1.2 env:Envelope",
    )


def test_body_with_two_elements_is_sender_fault(app: SoapApplication) -> None:
    result = call(app, envelope("<t:One/><t:Two/>"))
    assert result.status == 400
    assert result.fault() == ("env:Sender", [], "env:Body must hold exactly one element, found 2")


def test_envelope_without_body_is_sender_fault(app: SoapApplication) -> None:
    data = f'<env:Envelope xmlns:env="{SOAP12}"><env:Header/></env:Envelope>'.encode()
    result = call(app, data)
    assert result.status == 400
    assert result.fault()[2] == (
        "env:Envelope must hold an optional env:Header then one env:Body, found nothing"
    )


def test_unknown_mustunderstand_header_gets_mustunderstand_fault(app: SoapApplication) -> None:
    header = '<x:Billing xmlns:x="urn:example:billing" env:mustUnderstand="true">42</x:Billing>'
    result = call(app, envelope(headers=header))
    assert result.status == 500
    code, subcodes, reason = result.fault()
    assert (code, subcodes) == ("env:MustUnderstand", [])
    assert reason == (
        "header block(s) marked mustUnderstand not understood: {urn:example:billing}Billing"
    )
    not_understood = result.xml.find("env:Header/env:NotUnderstood", NS)
    assert not_understood is not None
    prefix, _, local = not_understood.get("qname", "").partition(":")
    assert (not_understood.nsmap[prefix], local) == ("urn:example:billing", "Billing")


def test_mustunderstand_one_is_mandatory_too(app: SoapApplication) -> None:
    header = '<x:Billing xmlns:x="urn:example:billing" env:mustUnderstand="1"/>'
    assert call(app, envelope(headers=header)).fault()[0] == "env:MustUnderstand"


def test_optional_unknown_header_is_ignored(app: SoapApplication) -> None:
    header = '<x:Billing xmlns:x="urn:example:billing" env:mustUnderstand="false"/>'
    assert call(app, envelope(headers=header)).status == 200


def test_mustunderstand_header_for_another_role_is_ignored(app: SoapApplication) -> None:
    # SOAP 1.2 Part 1 §5.2.2: a block targeted at role "none" is not processed by anyone.
    header = (
        '<x:Billing xmlns:x="urn:example:billing" env:mustUnderstand="true" '
        'env:role="http://www.w3.org/2003/05/soap-envelope/role/none"/>'
    )
    assert call(app, envelope(headers=header)).status == 200


def test_configured_header_is_understood(app: SoapApplication) -> None:
    header = f'<wsse:Security xmlns:wsse="{WSSE}" env:mustUnderstand="true"/>'
    result = call(app, envelope(headers=header))
    assert result.status == 200
    assert result.xml.find("env:Body/t:Echo", NS).get("headers") == "4"  # type: ignore[union-attr]


def test_wsa_headers_with_mustunderstand_are_understood(app: SoapApplication) -> None:
    data = envelope().replace(b"<wsa:Action>", b'<wsa:Action env:mustUnderstand="true">')
    assert call(app, data).status == 200


def test_response_is_soap12_with_response_action_in_content_type(app: SoapApplication) -> None:
    result = call(app, envelope(), SOAP12_TYPE)
    assert result.status == 200
    assert (
        result.content_type == 'application/soap+xml; charset=UTF-8; action="urn:test:echoResponse"'
    )
    assert result.body.startswith(b"<?xml version='1.0' encoding='UTF-8'?>")
    assert result.xml.tag == f"{{{SOAP12}}}Envelope"


def test_soap_encoded_body_gets_data_encoding_unknown_fault(app: SoapApplication) -> None:
    body = (
        '<t:Ping env:encodingStyle="http://www.w3.org/2003/05/soap-encoding"><t:n>1</t:n></t:Ping>'
    )
    result = call(app, envelope(body))
    assert result.status == 500
    assert result.fault() == (
        "env:DataEncodingUnknown",
        [],
        "data encoding http://www.w3.org/2003/05/soap-encoding is not supported: "
        "the IHE transactions are document/literal",
    )


def test_encoding_none_is_literal(app: SoapApplication) -> None:
    body = '<t:Ping env:encodingStyle="http://www.w3.org/2003/05/soap-envelope/encoding/none"/>'
    assert call(app, envelope(body)).status == 200
