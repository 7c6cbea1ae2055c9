"""soap/faults.py: SOAP 1.2 faults and the ebRS rendering of registry errors."""

from __future__ import annotations

import logging

import httpx
import pytest
from lxml import etree

from registry.errors import MetadataError, RegistryError, RegistryErrorList, UnknownPatientId
from registry.vocabulary import ErrorCode, ErrorSeverity
from soap import FaultCode, SoapApplication, SoapFault, registry_error_response
from soap.faults import REGISTRY_RESPONSE_ELEMENTS, read_registry_errors
from tests.soap.conftest import ITI18, ITI42, NS, QUERY, RS, SOAP12_TYPE, XDSB, call, envelope

FAILURE = "urn:oasis:names:tc:ebxml-regrep:ResponseStatusType:Failure"
ERROR = "urn:oasis:names:tc:ebxml-regrep:ErrorSeverityType:Error"
WARNING = "urn:oasis:names:tc:ebxml-regrep:ErrorSeverityType:Warning"


def stored_query(refuse: bool) -> bytes:
    marker = "<t:refuse/>" if refuse else ""
    return envelope(
        f'<query:AdhocQueryRequest xmlns:query="{QUERY}">{marker}</query:AdhocQueryRequest>',
        action=ITI18,
    )


def test_registry_error_rendered_as_registry_response_failure() -> None:
    error = UnknownPatientId("patient 42 is unknown", location="42^^^&1.2.3&ISO")
    response = registry_error_response(error, response_element=etree.QName(RS, "RegistryResponse"))
    assert response.tag == f"{{{RS}}}RegistryResponse"
    assert response.get("status") == FAILURE
    [error_list] = response
    assert error_list.tag == f"{{{RS}}}RegistryErrorList"
    assert error_list.get("highestSeverity") == ERROR
    [item] = error_list
    assert item.tag == f"{{{RS}}}RegistryError"
    assert dict(item.items()) == {
        "errorCode": "XDSUnknownPatientId",
        "codeContext": "patient 42 is unknown",
        "location": "42^^^&1.2.3&ISO",
        "severity": ERROR,
    }


def test_registry_error_list_renders_every_error_in_adhoc_query_response(
    app: SoapApplication,
) -> None:
    result = call(app, stored_query(refuse=True), path="/xds/registry")
    assert result.status == 200
    assert result.content_type == (
        'application/soap+xml; charset=UTF-8; action="urn:ihe:iti:2007:RegistryStoredQueryResponse"'
    )
    response = result.xml.find("env:Body/query:AdhocQueryResponse", NS)
    assert response is not None
    assert response.get("status") == FAILURE
    assert [child.tag for child in response] == [
        f"{{{RS}}}RegistryErrorList",
        "{urn:oasis:names:tc:ebxml-regrep:xsd:rim:3.0}RegistryObjectList",
    ]
    assert len(response[1]) == 0
    errors = response.findall("rs:RegistryErrorList/rs:RegistryError", NS)
    assert [(e.get("errorCode"), e.get("location")) for e in errors] == [
        ("XDSUnknownPatientId", "123^^^&1.2.3&ISO"),
        ("XDSRegistryMetadataError", None),
    ]
    assert errors[1].get("codeContext") == "$XDSDocumentEntryStatus is missing"
    assert result.xml.findtext("env:Header/wsa:RelatesTo", namespaces=NS)


def test_registry_error_failure_response_over_http(base_url: str) -> None:
    response = httpx.post(
        base_url + "/xds/registry",
        content=stored_query(refuse=True),
        headers={"Content-Type": SOAP12_TYPE},
    )
    assert response.status_code == 200
    root = etree.fromstring(response.content)
    assert root.find("env:Body/query:AdhocQueryResponse", NS).get("status") == FAILURE  # type: ignore[union-attr]


def test_successful_stored_query_is_answered(app: SoapApplication) -> None:
    result = call(app, stored_query(refuse=False), path="/xds/registry")
    assert result.status == 200
    assert result.xml.find("env:Body/query:AdhocQueryResponse", NS) is not None


def test_warnings_only_give_warning_highest_severity() -> None:
    warning = MetadataError("extra metadata ignored", severity=ErrorSeverity.WARNING)
    response = registry_error_response(
        warning, response_element=etree.QName(RS, "RegistryResponse")
    )
    assert response[0].get("highestSeverity") == WARNING


def test_registry_error_in_retrieve_response_heads_it() -> None:
    response = registry_error_response(
        RegistryError("no such document"),
        response_element=etree.QName(XDSB, "RetrieveDocumentSetResponse"),
    )
    assert response.tag == f"{{{XDSB}}}RetrieveDocumentSetResponse"
    assert response[0].tag == f"{{{RS}}}RegistryResponse"
    assert response[0].get("status") == FAILURE
    assert response[0][0][0].get("errorCode") == "XDSRegistryError"


def test_registry_errors_render_only_in_ebrs_responses() -> None:
    assert {
        f"{{{RS}}}RegistryResponse",
        f"{{{QUERY}}}AdhocQueryResponse",
        f"{{{XDSB}}}RetrieveDocumentSetResponse",
    } == REGISTRY_RESPONSE_ELEMENTS
    with pytest.raises(KeyError):
        registry_error_response(
            RegistryError("x"), response_element=etree.QName("urn:hl7-org:v3", "MCCI_IN000002UV01")
        )


def test_unexpected_exception_is_receiver_fault_without_leak(
    app: SoapApplication, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.ERROR, logger="soap.wsgi"):
        result = call(app, envelope(action="urn:test:boom"))
    assert result.status == 500
    code, subcodes, reason = result.fault()
    assert (code, subcodes) == ("env:Receiver", [])
    assert reason.startswith("the server could not process the request (incident ")
    assert b"hunter2" not in result.body and b"Traceback" not in result.body
    incident = reason.removeprefix("the server could not process the request (incident ").rstrip(
        ")"
    )
    [record] = [r for r in caplog.records if incident in r.getMessage()]
    assert record.exc_info is not None and "hunter2" in str(record.exc_info[1])


def test_soap_fault_raised_by_handler_is_rendered(app: SoapApplication) -> None:
    result = call(app, envelope(action="urn:test:fault"))
    assert result.status == 400
    code, subcodes, reason = result.fault()
    assert (code, subcodes, reason) == ("env:Sender", ["ns1:Refused"], "the handler refuses")
    value = result.xml.find("env:Body/env:Fault/env:Code/env:Subcode/env:Value", NS)
    assert value is not None
    prefix, _, local = (value.text or "").partition(":")
    assert (value.nsmap[prefix], local) == ("urn:carnet:test", "Refused")


def test_fault_codes_map_to_http_status_per_soap12_http_binding() -> None:
    assert {code: code.http_status for code in FaultCode} == {
        FaultCode.VERSION_MISMATCH: 500,
        FaultCode.MUST_UNDERSTAND: 500,
        FaultCode.DATA_ENCODING_UNKNOWN: 500,
        FaultCode.SENDER: 400,
        FaultCode.RECEIVER: 500,
    }


def test_fault_element_shape() -> None:
    detail = etree.Element("{urn:x}Why")
    fault = SoapFault("no", code=FaultCode.RECEIVER, detail=detail).to_element()
    assert [child.tag.split("}")[1] for child in fault] == ["Code", "Reason", "Detail"]
    text = fault.find("env:Reason/env:Text", NS)
    assert text is not None
    assert text.get("{http://www.w3.org/XML/1998/namespace}lang") == "en"
    assert fault.findtext("env:Code/env:Value", namespaces=NS) == "env:Receiver"


def test_registry_refusal_of_plain_iti42_is_failure_with_http_200(app: SoapApplication) -> None:
    result = call(app, envelope("<t:Register/>", action=ITI42), path="/xds/registry")
    assert result.status == 200
    assert result.xml.find("env:Body/rs:RegistryResponse", NS) is not None


def test_read_registry_errors_gives_each_code_its_registry_error_class() -> None:
    sent = RegistryErrorList(
        [
            UnknownPatientId("patient 42 is unknown", location="42^^^&1.2.3&ISO"),
            MetadataError("a warning", severity=ErrorSeverity.WARNING),
            RegistryError("not available", code=ErrorCode.REGISTRY_NOT_AVAILABLE),
        ]
    )
    response = registry_error_response(sent, response_element=etree.QName(RS, "RegistryResponse"))
    read = read_registry_errors(response)
    assert [type(e) for e in read] == [UnknownPatientId, MetadataError, RegistryError]
    assert [(e.error_code, e.reason, e.location, e.severity) for e in read] == [
        (e.error_code, e.reason, e.location, e.severity) for e in sent.errors
    ]


def test_read_registry_errors_keeps_a_code_outside_the_standard_in_the_reason() -> None:
    response = etree.fromstring(
        f'<rs:RegistryResponse xmlns:rs="{RS}" status="{FAILURE}"><rs:RegistryErrorList>'
        '<rs:RegistryError errorCode="DMPNationalRule" codeContext="refused" severity="bogus"/>'
        "</rs:RegistryErrorList></rs:RegistryResponse>"
    )
    [error] = read_registry_errors(response)
    assert error.error_code is ErrorCode.REGISTRY_ERROR
    assert error.reason == "DMPNationalRule: refused"
    assert error.severity is ErrorSeverity.ERROR
