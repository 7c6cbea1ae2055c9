"""zeep, a WSDL-driven SOAP client we did not write, as a peer of a live ``carnet serve``.

zeep builds its clients from the WSDLs the server publishes (``?wsdl=…``, schemas
fetched through the rewritten ``?xsd=`` links). What it can do is tested as a
peer would use it; what it cannot do (README "Design choices") is pinned, so
the README is corrected the day zeep does it.
"""

from __future__ import annotations

import pytest

from carnet.client import XdsClient
from tests import submissions as build
from tests.live_server import LiveServer
from tests.repository_wire import SUCCESS, provide_and_register
from tests.soap.test_registry_endpoint import feed_patient, new_patient_id

zeep = pytest.importorskip("zeep")
RIM = "urn:oasis:names:tc:ebxml-regrep:xsd:rim:3.0"
FAILURE = "urn:oasis:names:tc:ebxml-regrep:ResponseStatusType:Failure"


@pytest.fixture
def patient_id(server: LiveServer) -> str:
    patient = new_patient_id()
    with XdsClient(server.url) as client:
        feed_patient(client, patient)
    return patient


def test_zeep_retrieves_a_document_through_iti43_and_reads_the_mtom_part(
    server: LiveServer, patient_id: str
) -> None:
    entry = build.document_entry(patient_id=patient_id).with_(
        hash=None, size=None, repository_unique_id=None
    )
    content = b"<ClinicalDocument>zeep</ClinicalDocument>"
    answer = provide_and_register(
        server.url + "/xds/repository",
        build.submission(entry, patient_id=patient_id),
        {"Document01": content},
    )
    assert answer.status_uri == SUCCESS

    peer = zeep.Client(f"{server.url}/xds/repository?wsdl=iti43")
    result = peer.service["DocumentRepository_RetrieveDocumentSet"](
        DocumentRequest=[
            {"RepositoryUniqueId": build.REPOSITORY_ID, "DocumentUniqueId": entry.unique_id}
        ]
    )
    assert result["RegistryResponse"]["status"] == SUCCESS
    [document] = result["DocumentResponse"]
    assert document["DocumentUniqueId"] == entry.unique_id
    assert document["mimeType"] == "text/xml"
    assert document["Document"] == content


def test_zeep_iti42_reaches_the_registry_rules(server: LiveServer) -> None:
    """zeep's ITI-42 is dispatched and answered like any peer's: an empty submission is
    refused with XDSRegistryMetadataError, which zeep reads back."""
    peer = zeep.Client(f"{server.url}/xds/registry?wsdl=iti42")
    result = peer.service["DocumentRegistry_RegisterDocumentSet-b"](RegistryObjectList={})
    assert result["status"] == FAILURE
    [error] = result["RegistryErrorList"]["RegistryError"]
    assert error["errorCode"] == "XDSRegistryMetadataError"
    assert "SubmissionSet" in error["codeContext"]


def test_zeep_cannot_send_ebrim_objects_through_their_substitution_group(
    server: LiveServer,
) -> None:
    """Measured (README "Design choices"): zeep 4.3 writes a member of ebRIM's
    ``Identifiable`` substitution group as the abstract head and drops its attributes,
    so it cannot build a real ITI-42 SubmitObjectsRequest."""
    peer = zeep.Client(f"{server.url}/xds/registry?wsdl=iti42")
    extrinsic_object = peer.get_element(f"{{{RIM}}}ExtrinsicObject")
    entry = extrinsic_object(
        id="Document01",
        objectType="urn:uuid:7edca82f-054d-47f2-a032-9b2a5b5186c1",
        mimeType="text/xml",
    )
    with pytest.raises(zeep.exceptions.ValidationError, match="attribute id is not valid"):
        peer.service["DocumentRegistry_RegisterDocumentSet-b"](
            RegistryObjectList={"Identifiable": [zeep.xsd.AnyObject(extrinsic_object, entry)]}
        )
