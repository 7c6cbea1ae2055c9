"""soap/wsdl.py: ``?wsdl`` publishes the WSDL with the endpoint's URL and ``?xsd=`` links."""

from __future__ import annotations

import httpx
import pytest
import zeep
from lxml import etree

from soap import SoapApplication
from tests.soap.conftest import call

WSDL_NS = {
    "wsdl": "http://schemas.xmlsoap.org/wsdl/",
    "soap12": "http://schemas.xmlsoap.org/wsdl/soap12/",
    "xsd": "http://www.w3.org/2001/XMLSchema",
    "wsam": "http://www.w3.org/2007/05/addressing/metadata",
}
ENDPOINT = "https://carnet.example:8443/xds/registry"


def test_wsdl_served_with_rewritten_address_and_xsd_links(app: SoapApplication) -> None:
    result = call(app, method="GET", path="/xds/registry", query="wsdl")
    assert result.status == 200
    assert result.content_type == "text/xml; charset=UTF-8"
    wsdl = result.xml
    assert wsdl.xpath("//soap12:address/@location", namespaces=WSDL_NS) == [ENDPOINT]
    assert wsdl.xpath("//xsd:import/@schemaLocation", namespaces=WSDL_NS) == [
        f"{ENDPOINT}?xsd=schema/ebRS30/query.xsd"
    ]
    # ?wsdl is the first WSDL of the service: ITI-18.
    assert wsdl.xpath("//wsdl:input/@wsam:Action", namespaces=WSDL_NS) == [
        "urn:ihe:iti:2007:RegistryStoredQuery"
    ]


def test_wsdl_picked_by_name(app: SoapApplication) -> None:
    result = call(app, method="GET", path="/xds/registry", query="wsdl=iti42")
    assert result.xml.xpath("//wsdl:input/@wsam:Action", namespaces=WSDL_NS) == [
        "urn:ihe:iti:2007:RegisterDocumentSet-b"
    ]
    assert call(app, method="GET", path="/xds/registry", query="WSDL=ITI42.wsdl").status == 200


def test_unknown_wsdl_name_is_404(app: SoapApplication) -> None:
    assert call(app, method="GET", path="/xds/registry", query="wsdl=iti43").status == 404


def test_imported_schemas_are_served_with_their_own_links_rewritten(app: SoapApplication) -> None:
    result = call(app, method="GET", path="/xds/registry", query="xsd=schema/ebRS30/rim.xsd")
    assert result.status == 200
    locations = result.xml.xpath("//xsd:import/@schemaLocation", namespaces=WSDL_NS)
    assert locations == [f"{ENDPOINT}?xsd=schema/xml.xsd", f"{ENDPOINT}?xsd=schema/IHE/xcf.xsd"]


@pytest.mark.parametrize(
    "path",
    [
        "../wsdl/iti42.wsdl",
        "schema/../../loader.py",
        "/etc/passwd",
        "schema/ebRS30/../../../xds/rs.xsd",
        "..%2Fxds%2Frs.xsd",
        "schema/ebRS30/missing.xsd",
        "",
    ],
)
def test_xsd_outside_the_wsdl_folder_is_404(app: SoapApplication, path: str) -> None:
    assert call(app, method="GET", path="/xds/registry", query=f"xsd={path}").status == 404


def test_address_follows_host_header_and_scheme(app: SoapApplication) -> None:
    result = call(app, method="GET", path="/xds/registry", query="wsdl", host="dmp.test")
    assert result.xml.xpath("//soap12:address/@location", namespaces=WSDL_NS) == [
        "https://dmp.test/xds/registry"
    ]


def test_malformed_host_header_falls_back_to_server_name(app: SoapApplication) -> None:
    result = call(app, method="GET", path="/xds/registry", query="wsdl", host='evil"/><x')
    assert result.xml.xpath("//soap12:address/@location", namespaces=WSDL_NS) == [
        "https://localhost:8080/xds/registry"
    ]


def test_service_without_wsdl_answers_404(app: SoapApplication) -> None:
    assert call(app, method="GET", path="/test", query="wsdl").status == 404


def test_wsdl_over_http_names_the_loopback_address(base_url: str) -> None:
    response = httpx.get(base_url + "/xds/repository?wsdl")
    assert response.status_code == 200
    wsdl = etree.fromstring(response.content)
    assert wsdl.xpath("//soap12:address/@location", namespaces=WSDL_NS) == [
        base_url + "/xds/repository"
    ]
    locations = wsdl.xpath("//xsd:import/@schemaLocation", namespaces=WSDL_NS)
    assert isinstance(locations, list) and locations
    for location in locations:
        assert httpx.get(str(location)).status_code == 200


@pytest.mark.parametrize(
    ("path", "query", "service"),
    [
        ("/xds/registry", "wsdl", "DocumentRegistry_Service"),
        ("/xds/registry", "wsdl=iti42", "DocumentRegistry_Service"),
        ("/xds/repository", "wsdl", "DocumentRepository_Service"),
        ("/xds/retrieve", "wsdl", "DocumentRepository_Service"),
    ],
)
def test_zeep_builds_a_client_from_the_served_wsdl(
    base_url: str, path: str, query: str, service: str
) -> None:
    client = zeep.Client(f"{base_url}{path}?{query}")
    assert list(client.wsdl.services) == [service]
    assert client.service._binding_options["address"] == base_url + path


def test_zeep_registers_through_the_served_wsdl(base_url: str) -> None:
    # zeep adds WS-Addressing itself (the WSDL's wsam:Action) and sends action="None" in the
    # Content-Type: the server must ignore that non-URI action rather than call it a mismatch.
    client = zeep.Client(f"{base_url}/xds/registry?wsdl=iti42")
    result = client.service["DocumentRegistry_RegisterDocumentSet-b"](RegistryObjectList={})
    assert result["status"] == "urn:oasis:names:tc:ebxml-regrep:ResponseStatusType:Success"


def test_zeep_reads_a_registry_failure(base_url: str) -> None:
    client = zeep.Client(f"{base_url}/xds/registry?wsdl")
    result = client.service["DocumentRegistry_RegistryStoredQuery"](
        ResponseOption={"returnType": "LeafClass", "returnComposedObjects": True},
        AdhocQuery={"id": "urn:carnet:test:refuse"},
    )
    assert result["status"] == "urn:oasis:names:tc:ebxml-regrep:ResponseStatusType:Failure"
    errors = result["RegistryErrorList"]["RegistryError"]
    assert [e["errorCode"] for e in errors] == ["XDSUnknownPatientId", "XDSRegistryMetadataError"]
