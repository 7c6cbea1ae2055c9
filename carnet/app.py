"""The application factory: one WSGI app serving every endpoint of a Carnet node.

``create_app`` builds everything from a :class:`~carnet.settings.Settings`;
nothing is opened at import time. Endpoints (the paths are a contract with
conformance harnesses):

* ``/xds/registry`` — ITI-18 Registry Stored Query, ITI-42 Register Document Set-b
* ``/xds/patient-feed`` — ITI-44 Patient Identity Feed HL7 V3
"""

from __future__ import annotations

from carnet.settings import Settings
from registry.storage.database import Database
from soap.registry_endpoint import patient_feed_service, registry_service
from soap.wsgi import SoapApplication

__all__ = ["create_app", "create_app_from_environment", "open_database"]


def open_database(settings: Settings) -> Database:
    """Open the registry database, creating ``data_dir`` and migrating the schema."""
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    database = Database(settings.effective_database_url)
    database.migrate()
    return database


def create_app(settings: Settings, *, database: Database | None = None) -> SoapApplication:
    """The WSGI application of one node (each server worker calls this once)."""
    if database is None:
        database = Database(settings.effective_database_url)
    services = [
        registry_service(database, max_query_results=settings.max_query_results),
        patient_feed_service(database),
    ]
    return SoapApplication(
        services,
        max_request_bytes=settings.max_request_bytes,
        max_envelope_bytes=settings.max_metadata_bytes,
    )


def create_app_from_environment() -> SoapApplication:
    """The app with settings from ``CARNET_*`` variables (servers that take a factory name)."""
    return create_app(Settings.load())
