"""carnet/audit_export.py: best-effort ATNA export of the stored audit trail."""

from __future__ import annotations

import socket
import time
from collections.abc import Iterator, Sequence

import pytest
from lxml import etree

from carnet.atna import AuditSource
from carnet.audit_export import AuditExportThread, export_pending
from carnet.syslog import SyslogTarget, SyslogTransport
from registry.storage.database import Database
from tests.registry.audit_samples import retrieve

SOURCE = AuditSource(source_id="carnet@node1", endpoint="http://node1:8080/xds", host="node1")
TARGET = SyslogTarget(transport=SyslogTransport.TCP, host="127.0.0.1", port=9)


@pytest.fixture
def database(tmp_path: object) -> Iterator[Database]:
    db = Database(f"sqlite:///{tmp_path}/registry.sqlite3")
    db.migrate()
    try:
        yield db
    finally:
        db.dispose()


class Recorder:
    def __init__(self, *, fail: bool = False) -> None:
        self.fail = fail
        self.batches: list[list[bytes]] = []

    def __call__(self, messages: Sequence[bytes], target: SyslogTarget) -> None:
        if self.fail:
            raise ConnectionRefusedError("audit repository down")
        self.batches.append(list(messages))


def _record(database: Database, count: int) -> None:
    with database.unit_of_work() as store:
        for minutes in range(count):
            store.audit.record(retrieve(minutes=minutes))


def _audit_message(syslog: bytes) -> etree._Element:
    return etree.fromstring(syslog.partition(b"\xef\xbb\xbf")[2])


def test_export_sends_pending_events_and_marks_them(database: Database) -> None:
    _record(database, 3)
    sender = Recorder()
    report = export_pending(database, target=TARGET, source=SOURCE, sender=sender, batch_size=2)
    assert report.sent == 3 and report.error is None
    assert [len(batch) for batch in sender.batches] == [2, 1]
    assert all(_audit_message(m).tag == "AuditMessage" for b in sender.batches for m in b)
    with database.snapshot() as store:
        assert store.audit.pending_export() == []
    assert export_pending(database, target=TARGET, source=SOURCE, sender=sender).sent == 0


def test_export_retries_after_a_send_failure(database: Database) -> None:
    _record(database, 2)
    report = export_pending(database, target=TARGET, source=SOURCE, sender=Recorder(fail=True))
    assert report.sent == 0
    assert report.error is not None and "audit repository down" in report.error
    with database.snapshot() as store:
        assert len(store.audit.pending_export()) == 2
    sender = Recorder()
    assert export_pending(database, target=TARGET, source=SOURCE, sender=sender).sent == 2
    assert len(sender.batches[0]) == 2


def test_export_to_an_unreachable_target_keeps_events_pending(database: Database) -> None:
    _record(database, 1)
    with socket.create_server(("127.0.0.1", 0)) as probe:
        port = probe.getsockname()[1]
    target = SyslogTarget(transport=SyslogTransport.TCP, host="127.0.0.1", port=port)
    report = export_pending(database, target=target, source=SOURCE)
    assert report.sent == 0 and report.error is not None
    with database.snapshot() as store:
        assert len(store.audit.pending_export()) == 1


def test_export_thread_sends_in_the_background_and_stops(database: Database) -> None:
    _record(database, 2)
    sender = Recorder()
    thread = AuditExportThread(database, target=TARGET, source=SOURCE, interval=0.05, sender=sender)
    thread.start()
    try:
        deadline = time.monotonic() + 5
        while not sender.batches and time.monotonic() < deadline:
            time.sleep(0.02)
    finally:
        thread.stop(timeout=5)
    assert sum(len(batch) for batch in sender.batches) == 2
