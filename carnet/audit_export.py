"""IHE ITI TF-2a 3.20 — sending the stored audit trail to the Audit Record Repository.

The database is the source of truth (issue 5 item 7): a transaction writes its audit record in
its own database transaction and never waits for the network. Export is best effort and
after the fact: :func:`export_pending` reads the events not yet sent (``exported_at`` unset),
sends them as ATNA syslog messages (``carnet/atna.py``, ``carnet/syslog.py``) and only then
marks them, so that an event is sent at least once — again after a send failure, or after a
crash between the send and the mark (an Audit Record Repository may see it twice). The
network is never touched inside a write transaction. ``carnet audit export`` calls it once;
:class:`AuditExportThread` calls it periodically from the server.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from carnet.atna import AuditSource, audit_message_bytes
from carnet.syslog import SyslogTarget, send, syslog_message
from registry.storage.database import Database

__all__ = ["AuditExportThread", "ExportReport", "Sender", "export_pending"]

_LOG = logging.getLogger(__name__)

Sender = Callable[[Sequence[bytes], SyslogTarget], None]
"""Sends syslog messages to a target, raising ``OSError`` on failure (``carnet.syslog.send``)."""

BATCH_SIZE = 100
"""Events per read, send and mark: one TCP connection, one short write transaction."""


@dataclass(frozen=True, kw_only=True, slots=True)
class ExportReport:
    """What one export run did."""

    sent: int
    """Events sent and marked exported."""
    error: str | None = None
    """Why the run stopped before sending everything (the events stay pending), or ``None``."""


def export_pending(
    database: Database,
    *,
    target: SyslogTarget,
    source: AuditSource,
    sender: Sender = send,
    batch_size: int = BATCH_SIZE,
) -> ExportReport:
    """Send every unexported audit event to ``target``, oldest first, and mark it exported.

    A send failure (``OSError``) stops the run: that batch and the rest stay pending for the
    next one. Nothing here raises for the network.
    """
    sent = 0
    while True:
        with database.snapshot() as store:
            records = store.audit.pending_export(limit=batch_size)
        if not records:
            return ExportReport(sent=sent)
        messages = [
            syslog_message(audit_message_bytes(record.event, source=source)) for record in records
        ]
        try:
            sender(messages, target)
        except OSError as error:
            _LOG.warning("audit export to %s:%s failed: %s", target.host, target.port, error)
            return ExportReport(sent=sent, error=f"{type(error).__name__}: {error}")
        with database.unit_of_work() as store:
            store.audit.mark_exported([record.key for record in records], at=datetime.now(UTC))
        sent += len(records)


class AuditExportThread:
    """Runs :func:`export_pending` every ``interval`` seconds in a daemon thread.

    For the server: it never raises into its caller, and ``stop`` ends it promptly.
    """

    def __init__(
        self,
        database: Database,
        *,
        target: SyslogTarget,
        source: AuditSource,
        interval: float = 5.0,
        sender: Sender = send,
    ) -> None:
        self._database = database
        self._target = target
        self._source = source
        self._interval = interval
        self._sender = sender
        self._stopping = threading.Event()
        self._thread = threading.Thread(target=self._run, name="carnet-audit-export", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self, *, timeout: float | None = None) -> None:
        """Ask the thread to end after its current run, and wait for it."""
        self._stopping.set()
        self._thread.join(timeout)

    def _run(self) -> None:
        while not self._stopping.is_set():
            try:
                export_pending(
                    self._database, target=self._target, source=self._source, sender=self._sender
                )
            except Exception:  # best effort: a database hiccup must not end the thread
                _LOG.exception("audit export run failed")
            self._stopping.wait(self._interval)
