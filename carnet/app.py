"""The application factory: one WSGI app serving every endpoint of a Carnet node.

``create_app`` builds everything from a :class:`~carnet.settings.Settings`;
nothing is opened at import time. Endpoints (the paths are a contract with
conformance harnesses):

* ``/xds/registry`` — ITI-18 Registry Stored Query, ITI-42 Register Document Set-b,
  ITI-57 Update Document Set, ITI-62 Delete Document Set
* ``/xds/patient-feed`` — ITI-44 Patient Identity Feed HL7 V3
* ``/xds/repository`` — ITI-41 Provide and Register Document Set-b, ITI-43 Retrieve Document
  Set, ITI-86 Remove Documents

Documents are stored under ``<data_dir>/documents``; :func:`sweep_documents` removes
what a crash left there and runs before the server accepts requests.
"""

from __future__ import annotations

from carnet.settings import Settings
from registry.storage.database import Database
from repository.folder_store import FolderDocumentStore
from repository.registration import InProcessRegistry
from repository.sweep import SweepReport, sweep
from soap.registry_endpoint import patient_feed_service, registry_service
from soap.repository_endpoint import repository_service
from soap.wsgi import SoapApplication

__all__ = [
    "create_app",
    "create_app_from_environment",
    "document_store",
    "open_database",
    "sweep_documents",
]


def open_database(settings: Settings) -> Database:
    """Open the registry database, creating ``data_dir`` and migrating the schema."""
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    database = Database(settings.effective_database_url)
    database.migrate()
    return database


def document_store(settings: Settings) -> FolderDocumentStore:
    """The repository's document store: content-addressed files in ``<data_dir>/documents``."""
    return FolderDocumentStore(settings.data_dir / "documents")


def sweep_documents(settings: Settings, database: Database) -> SweepReport:
    """Remove interrupted writes and unreferenced documents (before serving: ITI TF-2b 3.41)."""
    registry = InProcessRegistry(database, repository_unique_id=settings.repository_unique_id)
    return sweep(document_store(settings), registry)


def create_app(settings: Settings, *, database: Database | None = None) -> SoapApplication:
    """The WSGI application of one node (each server worker calls this once)."""
    if database is None:
        database = Database(settings.effective_database_url)
    services = [
        registry_service(database, max_query_results=settings.max_query_results),
        patient_feed_service(database),
        repository_service(
            database,
            store=document_store(settings),
            repository_unique_id=settings.repository_unique_id,
        ),
    ]
    return SoapApplication(
        services,
        max_request_bytes=settings.max_request_bytes,
        max_envelope_bytes=settings.max_metadata_bytes,
    )


def create_app_from_environment() -> SoapApplication:
    """The app with settings from ``CARNET_*`` variables (servers that take a factory name)."""
    return create_app(Settings.load())
