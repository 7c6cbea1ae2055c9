"""WSS 1.1 §5-6: the ``wsse:Security`` header and its SAML assertion (``soap/ws_security.py``)."""

from __future__ import annotations

import pytest
from lxml import etree

from soap.envelope import parse_envelope
from soap.faults import FaultCode, SoapFault
from soap.identity_errors import MalformedAssertion, MissingAssertion
from soap.namespaces import Namespace, clark
from soap.ws_security import (
    SAML_ASSERTION,
    SECURITY_HEADER,
    find_assertion,
    security_header,
    understood_headers,
)

ASSERTION = (
    b'<saml2:Assertion xmlns:saml2="urn:oasis:names:tc:SAML:2.0:assertion" ID="_a" Version="2.0"/>'
)


def envelope_with(*headers: etree._Element) -> etree._Element:
    env = Namespace.SOAP12
    root = etree.Element(clark(env, "Envelope"), nsmap={"env": env.value})
    etree.SubElement(root, clark(env, "Header")).extend(headers)
    etree.SubElement(etree.SubElement(root, clark(env, "Body")), "{urn:example}Ping")
    return root


def test_security_header_carries_the_assertion_marked_must_understand() -> None:
    header = security_header(ASSERTION)
    assert header.tag == SECURITY_HEADER
    assert header.get(clark(Namespace.SOAP12, "mustUnderstand")) == "true"
    assert [child.tag for child in header] == [SAML_ASSERTION]


def test_find_assertion_returns_the_security_headers_assertion() -> None:
    assertion = find_assertion([security_header(ASSERTION)])
    assert assertion.get("ID") == "_a"


def test_request_without_security_header_is_missing_its_assertion() -> None:
    with pytest.raises(MissingAssertion, match="no wsse:Security header"):
        find_assertion([])


def test_security_header_without_assertion_is_missing_its_assertion() -> None:
    header = security_header(ASSERTION)
    header.remove(header[0])
    with pytest.raises(MissingAssertion, match="holds no saml2:Assertion"):
        find_assertion([header])


def test_two_assertions_in_the_security_header_are_refused() -> None:
    header = security_header(ASSERTION)
    header.append(etree.fromstring(ASSERTION))
    with pytest.raises(MalformedAssertion, match="2 saml2:Assertion"):
        find_assertion([header])


def test_two_security_headers_for_this_node_are_refused() -> None:
    with pytest.raises(MalformedAssertion, match="several wsse:Security"):
        find_assertion([security_header(ASSERTION), security_header(ASSERTION)])


def test_security_header_is_understood_only_when_the_vihf_is_enabled() -> None:
    root = envelope_with(security_header(ASSERTION))
    with pytest.raises(SoapFault) as refused:
        parse_envelope(root, understood=understood_headers(vihf_enabled=False))
    assert refused.value.code is FaultCode.MUST_UNDERSTAND
    envelope = parse_envelope(root, understood=understood_headers(vihf_enabled=True))
    assert envelope.headers[0].tag == SECURITY_HEADER


def test_security_header_refuses_what_is_not_an_assertion() -> None:
    with pytest.raises(MalformedAssertion, match=r"not a SAML 2\.0 assertion"):
        security_header(b"<Assertion/>")
