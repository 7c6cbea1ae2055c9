"""ITI-41 at a repository node whose registry is another node (``--registry-url``), on the wire.

Two live ``carnet serve``: a registry node (profile ihe) and a repository node with
``CARNET_REGISTRY_URL`` pointing at it. ITI-41 goes to the repository node, which
registers with ITI-42 through :class:`soap.registry_client.RegistryClient`; the
registry node's answers — Success, its errors, no answer at all — decide what the
repository keeps (ITI TF-2b 3.41.4.1.3). Failures a real registry does not produce
on demand (faults, non-SOAP answers, timeouts) come from small WSGI stubs on
loopback.
"""

from __future__ import annotations

import hashlib
import sqlite3
import time
import uuid
from collections.abc import Callable, Iterable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest
from lxml import etree

from carnet.app import document_store, open_database, sweep_documents
from carnet.client import RegistryFailure, XdsClient
from carnet.settings import Settings
from registry.errors import RegistryError, UnknownPatientId
from registry.model import DocumentEntry
from registry.storage.database import Database
from registry.storage.store import StoredDocument
from registry.vocabulary import ErrorCode
from repository.errors import RegistryNotAvailable
from soap.envelope import build_envelope, serialize
from soap.faults import FaultCode, SoapFault
from soap.registry_client import RegistryClient
from tests import submissions as build
from tests.live_server import LiveServer, free_port, live_server
from tests.repository_wire import retrieve
from tests.soap.test_registry_endpoint import feed_patient, new_patient_id

REPOSITORY_ID = "1.2.250.1.999.1.1.2"
"""The repository node's OID: not the registry node's own repository."""

WsgiApp = Callable[..., Iterable[bytes]]


@pytest.fixture(scope="module")
def registry_node(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    with live_server(tmp_path_factory.mktemp("registry-node"), workers=1) as node:
        yield node


def registry_url(node: LiveServer) -> str:
    return node.url + "/xds/registry"


def closed_url() -> str:
    """A loopback URL nothing listens on."""
    return f"http://127.0.0.1:{free_port()}/xds/registry"


def repository_env(url: str) -> dict[str, str]:
    return {"CARNET_REGISTRY_URL": url, "CARNET_REPOSITORY_UNIQUE_ID": REPOSITORY_ID}


@pytest.fixture(scope="module")
def repository_node(
    tmp_path_factory: pytest.TempPathFactory, registry_node: LiveServer
) -> Iterator[LiveServer]:
    with live_server(
        tmp_path_factory.mktemp("repository-node"),
        workers=1,
        extra_env=repository_env(registry_url(registry_node)),
    ) as node:
        yield node


@pytest.fixture(scope="module")
def registry(registry_node: LiveServer) -> Iterator[XdsClient]:
    with XdsClient(registry_node.url) as client:
        yield client


@pytest.fixture
def patient_id(registry: XdsClient) -> str:
    patient = new_patient_id()
    feed_patient(registry, patient)
    return patient


def new_document() -> tuple[DocumentEntry, bytes]:
    """A DocumentEntry (plain text: no CDA rule applies) and its unique content."""
    data = f"compte rendu {uuid.uuid4()}".encode()
    entry = build.document_entry(mime_type="text/plain").with_(
        hash=None, size=None, repository_unique_id=None
    )
    return entry, data


def provide(node: LiveServer, patient_id: str) -> tuple[DocumentEntry, bytes]:
    """ITI-41 of one document to ``node``; the entry as sent and its content."""
    entry, data = new_document()
    entry = entry.with_(patient_id=patient_id, source_patient_id=patient_id)
    with XdsClient(node.url) as client:
        client.provide_and_register(
            build.submission(entry, patient_id=patient_id), {entry.entry_uuid: data}
        )
    return entry, data


def stored(node_dir: Path, data: bytes) -> bool:
    key = hashlib.sha1(data).hexdigest()
    return (node_dir / "documents" / key[:2] / key).exists()


def ledger_rows(node_dir: Path, unique_id: str) -> tuple[int, int]:
    """(registered, pending) ledger rows of ``unique_id`` in the node's SQLite database."""
    with sqlite3.connect(node_dir / "registry.sqlite3") as connection:
        return tuple(  # type: ignore[return-value]
            connection.execute(
                f"SELECT COUNT(*) FROM {table} WHERE unique_id = ?", (unique_id,)
            ).fetchone()[0]
            for table in ("repository_documents", "repository_pending_documents")
        )


# --------------------------------------------------------------------------- two live nodes


def test_iti41_at_a_repository_node_is_registered_at_its_registry_node(
    repository_node: LiveServer, registry: XdsClient, patient_id: str
) -> None:
    entry, data = provide(repository_node, patient_id)
    [found] = registry.get_documents(unique_ids=[entry.unique_id])
    assert (found.repository_unique_id, found.hash, found.size) == (
        REPOSITORY_ID,
        hashlib.sha1(data).hexdigest(),
        len(data),
    )
    with XdsClient(repository_node.url) as own_registry:
        assert own_registry.get_documents(unique_ids=[entry.unique_id]) == []
    answer = retrieve(repository_node.url + "/xds/repository", (REPOSITORY_ID, entry.unique_id))
    assert answer.documents() == {entry.unique_id: ("text/plain", data)}
    assert ledger_rows(repository_node.data_dir, entry.unique_id) == (1, 0)


def test_iti41_refused_by_the_registry_node_carries_its_error_code(
    repository_node: LiveServer,
) -> None:
    unknown = new_patient_id()  # never fed to the registry node
    with pytest.raises(RegistryFailure) as refused:
        provide(repository_node, unknown)
    assert refused.value.codes == (ErrorCode.UNKNOWN_PATIENT_ID.value,)
    [error] = refused.value.errors
    assert error.location == unknown


def test_iti41_refused_by_the_registry_node_leaves_no_file_and_no_ledger_row(
    repository_node: LiveServer,
) -> None:
    entry, data = new_document()
    unknown = new_patient_id()
    entry = entry.with_(patient_id=unknown, source_patient_id=unknown)
    with XdsClient(repository_node.url) as client, pytest.raises(RegistryFailure):
        client.provide_and_register(
            build.submission(entry, patient_id=unknown), {entry.entry_uuid: data}
        )
    assert not stored(repository_node.data_dir, data)
    assert ledger_rows(repository_node.data_dir, entry.unique_id) == (0, 0)


def test_iti41_with_the_registry_unreachable_is_refused_with_registry_not_available(
    tmp_path: Path,
) -> None:
    with live_server(tmp_path / "node", workers=1, extra_env=repository_env(closed_url())) as node:
        entry, data = new_document()
        with XdsClient(node.url) as client, pytest.raises(RegistryFailure) as refused:
            client.provide_and_register(build.submission(entry), {entry.entry_uuid: data})
        [error] = refused.value.errors
        assert error.code == ErrorCode.REGISTRY_NOT_AVAILABLE.value
        assert "cannot reach the registry" in error.context
        assert not stored(node.data_dir, data)
        assert ledger_rows(node.data_dir, entry.unique_id) == (0, 0)


# --------------------------------------------------------------------------- start-up sweep


def crashed_repository(
    data_dir: Path, registry_at: str, entry: DocumentEntry, data: bytes
) -> tuple[Settings, Database]:
    """A repository data dir as a crash during ITI-42 leaves it: the file, a pending claim."""
    settings = Settings(
        data_dir=data_dir, registry_url=registry_at, repository_unique_id=REPOSITORY_ID
    )
    database = open_database(settings)
    key = document_store(settings).put([data])
    with database.unit_of_work() as store:
        store.ledger.add_pending_registration(
            "crashed",
            [StoredDocument(unique_id=entry.unique_id, hash=key, mime_type="text/plain", size=4)],
            repository_unique_id=REPOSITORY_ID,
            created_at=datetime.now(UTC),
        )
    return settings, database


def test_startup_keeps_a_crashed_registration_the_registry_node_has(
    tmp_path: Path, registry_node: LiveServer, registry: XdsClient, patient_id: str
) -> None:
    entry, data = new_document()
    entry = entry.with_(
        patient_id=patient_id,
        source_patient_id=patient_id,
        hash=hashlib.sha1(data).hexdigest(),
        size=len(data),
        repository_unique_id=REPOSITORY_ID,
    )
    _, database = crashed_repository(tmp_path / "node", registry_url(registry_node), entry, data)
    database.dispose()
    # The registry committed the ITI-42; the repository died before it heard so.
    registry.register(build.submission(entry, patient_id=patient_id))
    env = repository_env(registry_url(registry_node))
    with live_server(tmp_path / "node", workers=1, extra_env=env) as node:
        assert ledger_rows(node.data_dir, entry.unique_id) == (1, 0)
        answer = retrieve(node.url + "/xds/repository", (REPOSITORY_ID, entry.unique_id))
        assert answer.documents() == {entry.unique_id: ("text/plain", data)}


def test_sweep_removes_a_crashed_registration_the_registry_node_does_not_have(
    tmp_path: Path, registry_node: LiveServer
) -> None:
    entry, data = new_document()
    settings, database = crashed_repository(
        tmp_path / "node", registry_url(registry_node), entry, data
    )
    try:
        report = sweep_documents(settings, database)
    finally:
        database.dispose()
    assert (report.abandoned, report.unreferenced, report.in_doubt) == (1, 1, 0)
    assert not stored(settings.data_dir, data)
    assert ledger_rows(settings.data_dir, entry.unique_id) == (0, 0)


def test_sweep_keeps_a_crashed_registration_while_the_registry_is_unreachable(
    tmp_path: Path,
) -> None:
    entry, data = new_document()
    settings, database = crashed_repository(tmp_path / "node", closed_url(), entry, data)
    try:
        report = sweep_documents(settings, database)
    finally:
        database.dispose()
    assert (report.in_doubt, report.unreferenced, report.kept) == (1, 0, 1)
    assert stored(settings.data_dir, data)
    assert ledger_rows(settings.data_dir, entry.unique_id) == (0, 1)


# --------------------------------------------------------------------------- RegistryClient


def test_registry_client_raises_the_registry_errors_as_their_classes(
    registry_node: LiveServer,
) -> None:
    unknown = new_patient_id()
    entry = build.document_entry(patient_id=unknown, repository_unique_id=REPOSITORY_ID)
    client = RegistryClient(registry_url(registry_node))
    try:
        with pytest.raises(UnknownPatientId) as refused:
            client.register(build.submission(entry, patient_id=unknown))
    finally:
        client.close()
    assert refused.value.location == unknown


def test_registry_client_get_documents_finds_entries_by_unique_id(
    registry_node: LiveServer, registry: XdsClient, patient_id: str
) -> None:
    entries = [build.document_entry(f"Document0{n}", patient_id=patient_id) for n in range(1, 3)]
    registry.register(build.submission(*entries, patient_id=patient_id))
    client = RegistryClient(registry_url(registry_node))
    try:
        found = client.get_documents([e.unique_id for e in entries] + ["2.25.404"])
    finally:
        client.close()
    assert sorted(e.unique_id for e in found) == sorted(e.unique_id for e in entries)


def test_registry_client_get_documents_of_several_patients_asks_them_one_by_one(
    registry_node: LiveServer, registry: XdsClient
) -> None:
    entries = []
    for _ in range(2):
        patient = new_patient_id()
        feed_patient(registry, patient)
        entry = build.document_entry(patient_id=patient)
        registry.register(build.submission(entry, patient_id=patient))
        entries.append(entry)
    client = RegistryClient(registry_url(registry_node))
    try:
        found = client.get_documents([e.unique_id for e in entries])
    finally:
        client.close()
    assert sorted(e.unique_id for e in found) == sorted(e.unique_id for e in entries)


def test_registry_client_that_cannot_connect_is_not_in_doubt() -> None:
    client = RegistryClient(closed_url())
    try:
        with pytest.raises(RegistryNotAvailable, match="cannot reach") as refused:
            client.register(build.submission())
    finally:
        client.close()
    assert not refused.value.in_doubt


def stub(status: str, content_type: str, body: bytes, *, delay: float = 0.0) -> WsgiApp:
    """A WSGI app answering every request the same way."""

    def app(environ: dict[str, Any], start_response: Callable[..., Any]) -> list[bytes]:
        environ["wsgi.input"].read(int(environ.get("CONTENT_LENGTH") or 0))
        time.sleep(delay)
        start_response(status, [("Content-Type", content_type)])
        return [body]

    return app


def fault(code: FaultCode) -> bytes:
    return serialize(build_envelope(SoapFault("the registry says no", code=code).to_element()))


SOAP = "application/soap+xml; charset=UTF-8"


def register_at(url: str, *, timeout: httpx.Timeout | None = None) -> RegistryError:
    client = RegistryClient(url, timeout=timeout or httpx.Timeout(5.0))
    try:
        with pytest.raises(RegistryError) as raised:
            client.register(build.submission())
    finally:
        client.close()
    return raised.value


def test_registry_client_answer_that_is_not_soap_is_in_doubt(
    serve: Callable[[WsgiApp], str],
) -> None:
    url = serve(stub("502 Bad Gateway", "text/html", b"<html>proxy error</html>"))
    error = register_at(url)
    assert isinstance(error, RegistryNotAvailable) and error.in_doubt
    assert "not a SOAP 1.2 answer" in error.reason


def test_registry_client_receiver_fault_is_in_doubt(serve: Callable[[WsgiApp], str]) -> None:
    url = serve(stub("500 Internal Server Error", SOAP, fault(FaultCode.RECEIVER)))
    error = register_at(url)
    assert isinstance(error, RegistryNotAvailable) and error.in_doubt


def test_registry_client_sender_fault_is_a_refusal(serve: Callable[[WsgiApp], str]) -> None:
    url = serve(stub("400 Bad Request", SOAP, fault(FaultCode.SENDER)))
    error = register_at(url)
    assert not isinstance(error, RegistryNotAvailable)
    assert error.error_code is ErrorCode.REGISTRY_ERROR
    assert "the registry says no" in error.reason


def test_registry_client_other_answer_than_a_registry_response_is_in_doubt(
    serve: Callable[[WsgiApp], str],
) -> None:
    answer = serialize(build_envelope(etree.Element("{urn:carnet:test}Surprise")))
    error = register_at(serve(stub("200 OK", SOAP, answer)))
    assert isinstance(error, RegistryNotAvailable) and error.in_doubt


def test_registry_client_read_timeout_is_in_doubt(serve: Callable[[WsgiApp], str]) -> None:
    url = serve(stub("200 OK", SOAP, b"", delay=1.0))
    error = register_at(url, timeout=httpx.Timeout(0.2))
    assert isinstance(error, RegistryNotAvailable) and error.in_doubt
    assert "no answer" in error.reason
