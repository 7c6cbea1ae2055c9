"""soap/audit_trail.py: a change and its audit record commit together; ATNA export from serve."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from carnet.app import open_database
from carnet.atna import AuditSource
from carnet.audit_export import AuditExportThread
from carnet.settings import Settings
from carnet.syslog import SyslogTarget
from registry.audit import AuditEvent, Outcome, Transaction
from registry.model import Submission
from registry.patients import Patient
from registry.storage.database import Database
from registry.storage.store import RegistryStore
from repository.registration import InProcessRegistry
from tests import submissions as build

PATIENT = "P-AUDIT^^^&1.3.6.1.4.1.21367.2005.3.7&ISO"


@pytest.fixture
def database(tmp_path: Path) -> Iterator[Database]:
    opened = open_database(Settings(data_dir=tmp_path))
    with opened.unit_of_work() as store:
        store.save_patient(Patient(patient_id=PATIENT))
    yield opened
    opened.dispose()


def event(outcome: Outcome = Outcome.SUCCESS) -> AuditEvent:
    return AuditEvent(
        time=datetime.now(UTC),
        transaction=Transaction.ITI_41,
        outcome=outcome,
        subject_id="810100000002",
        patient_id=PATIENT,
    )


def submission() -> Submission:
    entry = build.document_entry("Document01", patient_id=PATIENT)
    ss = build.submission_set(patient_id=PATIENT)
    member = build.has_member("member", ss.entry_uuid, entry.entry_uuid)
    return Submission(submission_set=ss, documents=(entry,), associations=(member,))


def test_iti41_audit_record_commits_with_its_registration(database: Database) -> None:
    registry = InProcessRegistry(database, repository_unique_id="1.2.3")
    registered = registry.register(
        submission(),
        before_commit=lambda: None,
        in_transaction=lambda store: store.audit.record(event()),
    )
    with database.snapshot() as store:
        assert len(store.audit.for_patient(PATIENT)) == 1
        assert len(store.documents_by_unique_id({registered.documents[0].unique_id})) == 1


def test_iti41_audit_record_rolls_back_with_a_failure_after_it(database: Database) -> None:
    registry = InProcessRegistry(database, repository_unique_id="1.2.3")
    refused = submission()
    entry = refused.documents[0]

    def record_then_fail(store: RegistryStore) -> None:
        store.audit.record(event())
        raise RuntimeError("the disk is full")

    with pytest.raises(RuntimeError):
        registry.register(refused, before_commit=lambda: None, in_transaction=record_then_fail)
    with database.snapshot() as store:
        assert store.audit.for_patient(PATIENT) == []  # no row survives the rollback
        assert store.documents_by_unique_id({entry.unique_id}) == []  # nor the registration


def test_serve_exports_the_trail_to_a_loopback_udp_receiver(database: Database) -> None:
    with database.unit_of_work() as store:
        store.audit.record(event(Outcome.REFUSED))
    receiver = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    receiver.bind(("127.0.0.1", 0))
    receiver.settimeout(10)
    port = receiver.getsockname()[1]
    exporter = AuditExportThread(
        database,
        target=SyslogTarget.parse(f"udp://127.0.0.1:{port}"),
        source=AuditSource(source_id="carnet@test", endpoint="http://127.0.0.1/xds", host="test"),
        interval=0.1,
    )
    exporter.start()
    try:
        message = receiver.recv(65_536)
    finally:
        exporter.stop(timeout=10)
        receiver.close()
    assert b"ITI-41" in message and b'EventOutcomeIndicator="4"' in message
    with database.snapshot() as store:
        assert store.audit.pending_export() == []
