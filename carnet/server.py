"""The production HTTP server around the WSGI app: granian by default, gunicorn on request.

Both run a few worker processes with a pool of threads each (the registry's work
is short and synchronous; SQLite/PostgreSQL and lxml release the GIL). granian's
WSGI interface was chosen by measurement (README, "Benchmarks"): on ITI-42 it was
10 to 17 % faster than gunicorn's ``gthread`` worker in each of three runs, and level
or ahead on ITI-41/43; the whole suite passes on either. The database is migrated
and the document store swept once, before the workers start; each worker then
builds its own app (granian's rebuild their settings from ``CARNET_*``).

With ``tls_certificate`` the server speaks HTTPS itself, TLS 1.2 at least (DMP clients such
as ANS DRIMbox speak TLS 1.2, DMP.md §1.1); with ``tls_client_ca`` too, the handshake refuses
a client without a certificate chaining to it (mutual TLS, RFC 8446 §4.3.2). Neither server
hands the verified client certificate to the WSGI app: matching it with the VIHF signer goes
through a trusted proxy's header (``carnet/client_certificate.py``).
"""

from __future__ import annotations

import os
import ssl
from typing import Any

from gunicorn.app.base import BaseApplication

from carnet.app import create_app, open_database, sweep_documents, vihf_check
from carnet.audit_export import AuditExportThread
from carnet.cli_audit import audit_source
from carnet.settings import Settings
from carnet.syslog import SyslogTarget
from registry.storage.database import Database

__all__ = ["serve"]


class _Gunicorn(BaseApplication):  # type: ignore[misc]
    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        super().__init__()

    def load_config(self) -> None:
        options: dict[str, Any] = {
            "bind": f"{self.settings.host}:{self.settings.port}",
            "workers": self.settings.workers,
            "worker_class": "gthread",
            "threads": self.settings.threads,
            # Uploads of large documents may take long on slow links.
            "timeout": 300,
            "graceful_timeout": 10,
            "keepalive": 30,
            "accesslog": None,
            "errorlog": "-",
            "loglevel": "info",
            "proc_name": "carnet",
            # Newer gunicorns' control socket lives at one fixed path per user:
            # two nodes on one host would fight over it, and we do not use it.
            "control_socket_disable": True,
        }
        if self.settings.tls_certificate is not None:
            options |= {
                "certfile": str(self.settings.tls_certificate),
                "keyfile": str(self.settings.tls_key),
            }
        if self.settings.tls_client_ca is not None:
            options |= {
                "ca_certs": str(self.settings.tls_client_ca),
                "cert_reqs": ssl.CERT_REQUIRED,
            }
        for key, value in options.items():
            if key in self.cfg.settings:
                self.cfg.set(key, value)

    def load(self) -> Any:
        return create_app(self.settings)


def serve(settings: Settings) -> None:
    """Migrate the database, sweep the document store, then serve until stopped (SIGTERM/SIGINT).

    The sweep runs here, once, before the workers start: nothing writes to the store
    while it removes the temporary files of interrupted writes. ATNA export
    (``audit_syslog``) runs here too, in this master process, for as long as the server:
    one exporter per node, since workers each exporting would read the same pending events
    and send them twice (``carnet/audit_export.py`` marks them only after sending).
    """
    # A configuration the workers would refuse (a dmp node without trust store) stops here.
    vihf_check(settings)
    database = open_database(settings)
    try:
        sweep_documents(settings, database)
    finally:
        database.dispose()
    exporter = _audit_exporter(settings)
    try:
        if settings.server == "granian":
            _serve_granian(settings)
        else:
            _Gunicorn(settings).run()
    finally:
        if exporter is not None:
            exporter.stop(timeout=10)


def _audit_exporter(settings: Settings) -> AuditExportThread | None:
    """Start sending the audit trail to ``audit_syslog`` (IHE ITI-20), if set.

    A daemon thread of the master with its own database engine: workers forked (gunicorn) or
    spawned (granian) after it neither run it nor use its connections (``create_app`` opens
    theirs).
    """
    if settings.audit_syslog is None:
        return None
    exporter = AuditExportThread(
        Database(settings.effective_database_url),
        target=SyslogTarget.parse(settings.audit_syslog),
        source=audit_source(settings),
    )
    exporter.start()
    return exporter


def _serve_granian(settings: Settings) -> None:
    """granian's WSGI interface; its workers rebuild the settings from ``CARNET_*``."""
    from granian import Granian
    from granian.constants import Interfaces, SSLProtocols

    os.environ.update(settings.to_environ())
    tls: dict[str, Any] = {}
    if settings.tls_certificate is not None:
        tls = {
            "ssl_cert": settings.tls_certificate,
            "ssl_key": settings.tls_key,
            "ssl_protocol_min": SSLProtocols.tls12,
            "ssl_ca": settings.tls_client_ca,
            "ssl_client_verify": settings.tls_client_ca is not None,
        }
    Granian(
        target="carnet.app:create_app_from_environment",
        factory=True,
        address=settings.host,
        port=settings.port,
        interface=Interfaces.WSGI,
        websockets=False,
        workers=settings.workers,
        blocking_threads=settings.threads,
        **tls,
    ).serve()
