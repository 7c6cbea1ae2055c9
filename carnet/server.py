"""The production HTTP server: gunicorn with threaded workers around the WSGI app.

gunicorn's ``gthread`` worker was chosen by measurement (README, "Benchmarks"):
the registry's work is short, synchronous and shared between SQLite/PostgreSQL
and lxml, both of which release the GIL, so a few processes with a pool of
threads each keep both cores busy. The database is migrated once, before the
workers fork; each worker then opens its own connection pool.
"""

from __future__ import annotations

import os
from typing import Any

from gunicorn.app.base import BaseApplication

from carnet.app import create_app, open_database, sweep_documents
from carnet.settings import Settings

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
        for key, value in options.items():
            if key in self.cfg.settings:
                self.cfg.set(key, value)

    def load(self) -> Any:
        return create_app(self.settings)


def serve(settings: Settings) -> None:
    """Migrate the database, sweep the document store, then serve until stopped (SIGTERM/SIGINT).

    The sweep runs here, once, before the workers start: nothing writes to the store
    while it removes the temporary files of interrupted writes.
    """
    database = open_database(settings)
    try:
        sweep_documents(settings, database)
    finally:
        database.dispose()
    if settings.server == "granian":
        _serve_granian(settings)
    else:
        _Gunicorn(settings).run()


def _serve_granian(settings: Settings) -> None:
    """granian's WSGI interface; its workers rebuild the settings from ``CARNET_*``."""
    from granian import Granian
    from granian.constants import Interfaces

    os.environ.update(settings.to_environ())
    Granian(
        target="carnet.app:create_app_from_environment",
        factory=True,
        address=settings.host,
        port=settings.port,
        interface=Interfaces.WSGI,
        workers=settings.workers,
        blocking_threads=settings.threads,
    ).serve()
