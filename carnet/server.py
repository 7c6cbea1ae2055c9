"""The production HTTP server around the WSGI app: granian by default, gunicorn on request.

Both run a few worker processes with a pool of threads each (the registry's work
is short and synchronous; SQLite/PostgreSQL and lxml release the GIL). granian's
WSGI interface was chosen by measurement (README, "Benchmarks"): on ITI-42 it was
10 to 17 % faster than gunicorn's ``gthread`` worker in each of three runs, and level
or ahead on ITI-41/43; the whole suite passes on either. The database is migrated
and the document store swept once, before the workers start; each worker then
builds its own app (granian's rebuild their settings from ``CARNET_*``).
"""

from __future__ import annotations

import os
from typing import Any

from gunicorn.app.base import BaseApplication

from carnet.app import create_app, open_database, sweep_documents, vihf_check
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
    # A configuration the workers would refuse (a dmp node without trust store) stops here.
    vihf_check(settings)
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
        websockets=False,
        workers=settings.workers,
        blocking_threads=settings.threads,
    ).serve()
