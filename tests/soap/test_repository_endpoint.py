"""ITI-41 and ITI-43 on the wire: a real ``carnet serve`` spoken to over HTTP.

Every test runs against the server on SQLite and again on PostgreSQL (when
installed). Requests are packaged with our ``soap.mtom_writer.build_mtom``
(``tests/repository_wire.py``); patients are fed with ITI-44 first, as for ITI-42.
"""

from __future__ import annotations

import base64
import hashlib
import os
import random
from pathlib import Path

import httpx
import pytest
from lxml import etree

from carnet.client import XdsClient
from registry.model import DocumentEntry
from registry.vocabulary import ErrorCode
from schemas import parse_xml
from tests import submissions as build
from tests.live_server import LiveServer, live_server
from tests.repository_wire import (
    FAILURE,
    ITI41,
    PARTIAL_SUCCESS,
    SUCCESS,
    Answer,
    provide_and_register,
    provide_and_register_request,
    retrieve,
    send,
)
from tests.soap.test_registry_endpoint import (
    extrinsic_objects,
    feed_patient,
    find_documents,
    new_patient_id,
)

DATA = Path(__file__).parent.parent / "data"
RIM = "urn:oasis:names:tc:ebxml-regrep:xsd:rim:3.0"
REPOSITORY_ID = build.REPOSITORY_ID
IPF_SAMPLE = DATA / "ipf" / "continua-hrn-ProvideAndRegisterDocumentSet.xml"
IPF_PATIENT = "SELF-5^^^&1.3.6.1.4.1.21367.2005.3.7&ISO"


@pytest.fixture
def url(node: LiveServer) -> str:
    return node.url + "/xds/repository"


@pytest.fixture
def patient_id(client: XdsClient) -> str:
    patient = new_patient_id()
    feed_patient(client, patient)
    return patient


def bare_entry(entry_id: str, patient_id: str, **changes: object) -> DocumentEntry:
    """A DocumentEntry as a Document Source sends it: no hash, size nor repositoryUniqueId."""
    entry = build.document_entry(entry_id, patient_id=patient_id)
    return entry.with_(**({"hash": None, "size": None, "repository_unique_id": None} | changes))


def stored_files(node: LiveServer) -> set[str]:
    return {p.name for p in (node.data_dir / "documents").rglob("*") if p.is_file()}


def slots(element: etree._Element) -> dict[str, list[str]]:
    return {
        s.get("name", ""): [v.text or "" for v in s.iter(f"{{{RIM}}}Value")]
        for s in element.iterfind(f"{{{RIM}}}Slot")
    }


def awkward_bytes(size: int) -> bytes:
    """Binary content holding CRLFs and MIME-boundary look-alikes."""
    rng = random.Random(size)
    noise = rng.randbytes(size)
    return b"\r\n--MIMEBoundary_fake\r\n" + noise + b"\r\n--\r\n"


def assert_success(answer: Answer) -> None:
    assert answer.status == 200, etree.tostring(answer.body)
    assert answer.status_uri == SUCCESS, answer.errors


# --------------------------------------------------------------------------- ITI-41


def test_iti43_retrieves_byte_for_byte(
    client: XdsClient, node: LiveServer, url: str, patient_id: str
) -> None:
    text = b"<ClinicalDocument>compte rendu d'hospitalisation</ClinicalDocument>"
    binary = awkward_bytes(3 * 1024 * 1024)  # beyond the 1 MiB spool: on disk both ways
    first = bare_entry("Document01", patient_id, mime_type="text/xml")
    second = bare_entry("Document02", patient_id, mime_type="application/pdf")
    answer = provide_and_register(
        url,
        build.submission(first, second, patient_id=patient_id),
        {"Document01": text, "Document02": binary},
    )
    assert_success(answer)
    assert answer.content_type.startswith("multipart/related")  # MTOM in, MTOM out

    found = {
        e.get("mimeType"): slots(e) for e in extrinsic_objects(find_documents(client, patient_id))
    }
    assert found["application/pdf"]["hash"] == [hashlib.sha1(binary).hexdigest()]
    assert found["application/pdf"]["size"] == [str(len(binary))]
    assert found["text/xml"]["repositoryUniqueId"] == [REPOSITORY_ID]
    assert {hashlib.sha1(text).hexdigest(), hashlib.sha1(binary).hexdigest()} <= stored_files(node)

    retrieved = retrieve(url, (REPOSITORY_ID, first.unique_id), (REPOSITORY_ID, second.unique_id))
    assert_success(retrieved)
    assert retrieved.documents() == {
        first.unique_id: ("text/xml", text),
        second.unique_id: ("application/pdf", binary),
    }


def test_iti41_plain_soap_gets_mtom_required_fault(url: str, patient_id: str) -> None:
    entry = bare_entry("Document01", patient_id)
    answer = provide_and_register(
        url,
        build.submission(entry, patient_id=patient_id),
        {"Document01": b"x"},
        inline=True,
        mtom=False,
    )
    assert answer.status == 400
    code, reason = answer.fault()
    assert code == "env:Sender"
    assert "MTOM/XOP required" in reason


def test_iti41_inline_base64_document_is_accepted(url: str, patient_id: str) -> None:
    content = "<ClinicalDocument>en ligne, é à ü</ClinicalDocument>\n".encode() * 500
    entry = bare_entry("Document01", patient_id, mime_type="text/xml")
    answer = provide_and_register(
        url, build.submission(entry, patient_id=patient_id), {"Document01": content}, inline=True
    )
    assert_success(answer)
    assert retrieve(url, (REPOSITORY_ID, entry.unique_id)).documents() == {
        entry.unique_id: ("text/xml", content)
    }


def test_iti41_invalid_inline_base64_is_sender_fault(url: str, patient_id: str) -> None:
    entry = bare_entry("Document01", patient_id)
    request, _ = provide_and_register_request(
        build.submission(entry, patient_id=patient_id), {"Document01": b"x"}, inline=True
    )
    request[1].text = "not*base64!"
    answer = send(url, ITI41, request)
    assert answer.status == 400
    assert "neither an xop:Include nor base64" in answer.fault()[1]


def test_iti41_missing_document_is_xds_missing_document(url: str, patient_id: str) -> None:
    first, second = bare_entry("Document01", patient_id), bare_entry("Document02", patient_id)
    answer = provide_and_register(
        url, build.submission(first, second, patient_id=patient_id), {"Document01": b"one"}
    )
    assert answer.status_uri == FAILURE
    assert [(code, location) for code, location, _ in answer.errors] == [
        (ErrorCode.MISSING_DOCUMENT.value, "Document02")
    ]


def test_iti41_document_without_metadata_is_xds_missing_document_metadata(
    url: str, patient_id: str
) -> None:
    entry = bare_entry("Document01", patient_id)
    answer = provide_and_register(
        url,
        build.submission(entry, patient_id=patient_id),
        {"Document01": b"one", "Document77": b"orphan"},
    )
    assert [(code, location) for code, location, _ in answer.errors] == [
        (ErrorCode.MISSING_DOCUMENT_METADATA.value, "Document77")
    ]


def test_iti41_hash_mismatch_is_repository_metadata_error(
    node: LiveServer, url: str, patient_id: str
) -> None:
    entry = bare_entry("Document01", patient_id, hash="ab" * 20, size=3)
    content = b"the real content"
    answer = provide_and_register(
        url, build.submission(entry, patient_id=patient_id), {"Document01": content}
    )
    assert answer.status_uri == FAILURE
    assert [(code, location) for code, location, _ in answer.errors] == [
        (ErrorCode.REPOSITORY_METADATA_ERROR.value, "Document01"),
        (ErrorCode.REPOSITORY_METADATA_ERROR.value, "Document01"),
    ]
    contexts = [context for _, _, context in answer.errors]
    assert contexts[0].startswith("hash of DocumentEntry Document01")
    assert contexts[1].startswith("size of DocumentEntry Document01")
    assert hashlib.sha1(content).hexdigest() not in stored_files(node)


def test_iti41_other_repository_unique_id_is_repository_metadata_error(
    url: str, patient_id: str
) -> None:
    entry = bare_entry("Document01", patient_id, repository_unique_id="1.2.3.4.5")
    answer = provide_and_register(
        url, build.submission(entry, patient_id=patient_id), {"Document01": b"x"}
    )
    assert answer.codes == [ErrorCode.REPOSITORY_METADATA_ERROR.value]
    assert "repositoryUniqueId" in answer.errors[0][2]


def test_iti41_failed_registration_removes_stored_bytes(
    client: XdsClient, node: LiveServer, url: str
) -> None:
    unknown = new_patient_id()  # never fed: the registry refuses with XDSUnknownPatientId
    content = os.urandom(200_000)
    entry = bare_entry("Document01", unknown)
    answer = provide_and_register(
        url, build.submission(entry, patient_id=unknown), {"Document01": content}
    )
    assert answer.codes == [ErrorCode.UNKNOWN_PATIENT_ID.value]
    assert hashlib.sha1(content).hexdigest() not in stored_files(node)
    assert not any(p.name.startswith(".tmp-") for p in (node.data_dir / "documents").rglob("*"))


def test_iti41_ipf_continua_sample_is_refused_for_its_placeholder_hash_and_size(
    client: XdsClient, url: str
) -> None:
    # The IPF sample carries hash "aaaa…dddd" and size "0815", not those of its document.
    feed_patient(client, IPF_PATIENT)
    sample = parse_xml(IPF_SAMPLE.read_bytes())
    answer = send(url, ITI41, sample)
    assert answer.status_uri == FAILURE
    assert [(code, location) for code, location, _ in answer.errors] == [
        (ErrorCode.REPOSITORY_METADATA_ERROR.value, "Document01"),
        (ErrorCode.REPOSITORY_METADATA_ERROR.value, "Document01"),
    ]

    # Without the two placeholder slots the repository sets them, and the registry accepts it.
    for slot in sample.iter(f"{{{RIM}}}Slot"):
        if slot.get("name") in {"hash", "size"}:
            parent = slot.getparent()
            assert parent is not None
            parent.remove(slot)
    assert_success(send(url, ITI41, sample))
    document = sample.find("{urn:ihe:iti:xds-b:2007}Document")
    assert document is not None
    expected = base64.b64decode(document.text or "")
    assert retrieve(url, (REPOSITORY_ID, "1.3.6.1.4.1.21367.2005.3.9999.32")).documents() == {
        "1.3.6.1.4.1.21367.2005.3.9999.32": ("text/xml", expected)
    }


# --------------------------------------------------------------------------- ITI-43


@pytest.fixture
def stored(url: str, patient_id: str) -> tuple[DocumentEntry, bytes]:
    content = b"<ClinicalDocument>stored</ClinicalDocument>" + os.urandom(32)
    entry = bare_entry("Document01", patient_id, mime_type="text/xml")
    assert_success(
        provide_and_register(
            url, build.submission(entry, patient_id=patient_id), {"Document01": content}
        )
    )
    return entry, content


def test_iti43_unknown_document_is_partial_success(
    url: str, stored: tuple[DocumentEntry, bytes]
) -> None:
    entry, content = stored
    answer = retrieve(url, (REPOSITORY_ID, "1.2.250.1.999.404"), (REPOSITORY_ID, entry.unique_id))
    assert answer.status_uri == PARTIAL_SUCCESS
    assert [(code, location) for code, location, _ in answer.errors] == [
        (ErrorCode.DOCUMENT_UNIQUE_ID_ERROR.value, "1.2.250.1.999.404")
    ]
    assert answer.documents() == {entry.unique_id: ("text/xml", content)}


def test_iti43_nothing_found_is_failure(url: str) -> None:
    answer = retrieve(url, (REPOSITORY_ID, "1.2.250.1.999.404"))
    assert answer.body.tag == "{urn:ihe:iti:xds-b:2007}RetrieveDocumentSetResponse"
    assert answer.status_uri == FAILURE
    assert answer.codes == [ErrorCode.DOCUMENT_UNIQUE_ID_ERROR.value]


def test_iti43_other_repository_is_unknown_repository_id(
    url: str, stored: tuple[DocumentEntry, bytes]
) -> None:
    entry, _ = stored
    answer = retrieve(url, ("1.2.3.4.5", entry.unique_id))
    assert answer.status_uri == FAILURE
    assert [(code, location) for code, location, _ in answer.errors] == [
        (ErrorCode.UNKNOWN_REPOSITORY_ID.value, "1.2.3.4.5")
    ]


def test_iti43_plain_soap_request_gets_an_mtom_answer(
    url: str, stored: tuple[DocumentEntry, bytes]
) -> None:
    entry, content = stored
    answer = retrieve(url, (REPOSITORY_ID, entry.unique_id, "urn:oid:1.2.3"), mtom=False)
    assert answer.content_type.startswith("multipart/related")
    assert answer.documents() == {entry.unique_id: ("text/xml", content)}
    [response] = answer.body.iterfind("{urn:ihe:iti:xds-b:2007}DocumentResponse")
    assert response.findtext("{urn:ihe:iti:xds-b:2007}HomeCommunityId") == "urn:oid:1.2.3"


def test_repository_publishes_its_wsdls(url: str) -> None:
    for name, action in (("iti41", ITI41), ("iti43", "urn:ihe:iti:2007:RetrieveDocumentSet")):
        response = httpx.get(f"{url}?wsdl={name}", timeout=10)
        assert response.status_code == 200
        assert action.encode() in response.content
        assert url.encode() in response.content


# --------------------------------------------------------------------------- sweep


def test_serve_sweeps_the_document_store_before_serving(tmp_path: Path) -> None:
    orphan = tmp_path / "documents" / "ab" / ("abcd" + "0" * 36)
    orphan.parent.mkdir(parents=True)
    orphan.write_bytes(b"stored, never committed")
    interrupted = orphan.parent / ".tmp-crashed"
    interrupted.write_bytes(b"half a document")
    with live_server(tmp_path, workers=1, threads=2) as running:
        assert not orphan.exists() and not interrupted.exists()
        assert "removed 1 interrupted write(s) and 1 unreferenced" in running.log.read_text()
