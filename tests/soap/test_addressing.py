"""WS-Addressing 1.0 Core §3 and SOAP Binding §6 (soap/addressing.py, soap/transactions.py)."""

from __future__ import annotations

import re

import httpx
import pytest
from lxml import etree

from soap import SoapApplication
from tests.soap.conftest import NS, SOAP12_TYPE, call, envelope

ANONYMOUS = "http://www.w3.org/2005/08/addressing/anonymous"
REQUEST_ID = "urn:uuid:6f6b0f9e-3c2a-4bfa-9a0e-000000000001"


def test_missing_wsa_action_is_sender_fault(app: SoapApplication) -> None:
    result = call(app, envelope(action=None))
    assert result.status == 400
    code, subcodes, reason = result.fault()
    assert (code, subcodes) == ("env:Sender", ["wsa:MessageAddressingHeaderRequired"])
    assert reason == (
        "A required header representing a Message Addressing Property is not present: wsa:Action"
    )
    detail = result.xml.findtext(
        "env:Body/env:Fault/env:Detail/wsa:ProblemHeaderQName", namespaces=NS
    )
    assert detail == "wsa:Action"
    # Even this fault relates to the request (its MessageID was readable).
    assert result.xml.findtext("env:Header/wsa:RelatesTo", namespaces=NS) == REQUEST_ID


def test_unknown_action_is_action_not_supported(app: SoapApplication) -> None:
    result = call(
        app, envelope(action="urn:ihe:iti:2007:RegistryStoredQuery"), path="/xds/repository"
    )
    assert result.status == 400
    code, subcodes, reason = result.fault()
    assert (code, subcodes) == ("env:Sender", ["wsa:ActionNotSupported"])
    assert reason == (
        "The [action] 'urn:ihe:iti:2007:RegistryStoredQuery' cannot be processed at the receiver: "
        "the endpoint /xds/repository (Document Repository) accepts "
        "urn:ihe:iti:2007:ProvideAndRegisterDocumentSet-b"
    )
    problem = result.xml.findtext(
        "env:Body/env:Fault/env:Detail/wsa:ProblemAction/wsa:Action", namespaces=NS
    )
    assert problem == "urn:ihe:iti:2007:RegistryStoredQuery"
    assert result.xml.findtext("env:Header/wsa:Action", namespaces=NS) == (
        "http://www.w3.org/2005/08/addressing/fault"
    )


def test_response_relates_to_request_message_id(base_url: str) -> None:
    response = httpx.post(
        base_url + "/test", content=envelope(), headers={"Content-Type": SOAP12_TYPE}
    )
    assert response.status_code == 200
    root = etree.fromstring(response.content)
    assert root.findtext("env:Header/wsa:RelatesTo", namespaces=NS) == REQUEST_ID
    assert root.findtext("env:Header/wsa:Action", namespaces=NS) == "urn:test:echoResponse"
    assert root.findtext("env:Header/wsa:To", namespaces=NS) == ANONYMOUS
    message_id = root.findtext("env:Header/wsa:MessageID", namespaces=NS) or ""
    assert re.fullmatch(
        r"urn:uuid:[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[0-9a-f]{4}-[0-9a-f]{12}", message_id
    )
    assert message_id != REQUEST_ID


def test_missing_message_id_is_tolerated_without_relates_to(app: SoapApplication) -> None:
    result = call(app, envelope(message_id=None))
    assert result.status == 200
    assert result.xml.find("env:Header/wsa:RelatesTo", NS) is None
    assert result.xml.findtext("env:Header/wsa:MessageID", namespaces=NS)


def test_content_type_action_matching_wsa_action_is_accepted(app: SoapApplication) -> None:
    result = call(app, envelope(), 'application/soap+xml;charset=UTF-8;action="urn:test:echo"')
    assert result.status == 200


def test_content_type_action_disagreeing_with_wsa_action_is_refused(app: SoapApplication) -> None:
    result = call(app, envelope(), 'application/soap+xml; charset=UTF-8; action="urn:test:boom"')
    assert result.status == 400
    code, subcodes, reason = result.fault()
    assert (code, subcodes) == ("env:Sender", ["wsa:InvalidAddressingHeader", "wsa:ActionMismatch"])
    assert reason == (
        "wsa:Action 'urn:test:echo' disagrees with the action parameter 'urn:test:boom' "
        "of the Content-Type"
    )


def test_repeated_wsa_action_is_invalid_cardinality(app: SoapApplication) -> None:
    data = envelope(headers="<wsa:Action>urn:test:echo</wsa:Action>")
    code, subcodes, reason = call(app, data).fault()
    assert (code, subcodes) == (
        "env:Sender",
        ["wsa:InvalidAddressingHeader", "wsa:InvalidCardinality"],
    )
    assert reason == "wsa:Action appears 2 times; it may appear at most once"


def test_non_anonymous_reply_to_is_refused(app: SoapApplication) -> None:
    data = envelope().replace(ANONYMOUS.encode(), b"http://client.example/callback")
    result = call(app, data)
    assert result.status == 400
    code, subcodes, _ = result.fault()
    assert code == "env:Sender"
    assert subcodes == ["wsa:InvalidAddressingHeader", "wsa:OnlyAnonymousAddressSupported"]


def test_action_with_surrounding_whitespace_is_trimmed(app: SoapApplication) -> None:
    data = envelope().replace(b"<wsa:Action>urn:test:echo<", b"<wsa:Action>\n  urn:test:echo\n<")
    assert call(app, data).status == 200


@pytest.mark.parametrize("value", ["None", "", "  "])
def test_content_type_action_that_is_not_a_uri_is_ignored(app: SoapApplication, value: str) -> None:
    # zeep 4 sends action="None" when the WSDL has no soapAction (as the IHE WSDLs).
    result = call(app, envelope(), f'application/soap+xml; charset=utf-8; action="{value}"')
    assert result.status == 200
