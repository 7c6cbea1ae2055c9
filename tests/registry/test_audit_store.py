"""registry/storage/audit_store.py: the audit trail in the database (SQLite, PostgreSQL)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import pytest

from registry.audit import AccessMode, Outcome, Transaction
from registry.patients import Patient
from registry.storage.database import Database
from registry.storage.store import RegistryStore
from tests.registry.audit_samples import OTHER_PATIENT, PATIENT, T0, retrieve


@pytest.fixture
def database(database_url: str) -> Iterator[Database]:
    db = Database(database_url)
    db.migrate()
    try:
        yield db
    finally:
        db.dispose()


class Boom(Exception):
    pass


def test_record_reads_back_every_field(database: Database) -> None:
    event = retrieve(outcome=Outcome.REFUSED, outcome_detail="XDSDocumentUniqueIdError")
    with database.unit_of_work() as store:
        store.audit.record(event)
    with database.snapshot() as store:
        assert store.audit.for_patient(PATIENT) == [event]


def test_record_rolled_back_with_its_unit_of_work_leaves_no_row(database: Database) -> None:
    with pytest.raises(Boom), database.unit_of_work() as store:
        store.save_patient(Patient(patient_id=PATIENT))
        store.audit.record(retrieve())
        raise Boom
    with database.snapshot() as store:
        assert store.audit.for_patient(PATIENT) == []
        assert store.audit.pending_export() == []


def test_record_commits_with_the_change_it_audits(database: Database) -> None:
    def work(store: RegistryStore) -> None:
        store.save_patient(Patient(patient_id=PATIENT))
        store.audit.record(retrieve())

    database.write(work)
    with database.snapshot() as store:
        assert store.patient(PATIENT) is not None
        assert len(store.audit.for_patient(PATIENT)) == 1


def test_for_patient_is_newest_first(database: Database) -> None:
    with database.unit_of_work() as store:
        for minutes in (5, 0, 10):
            store.audit.record(retrieve(minutes=minutes))
    with database.snapshot() as store:
        times = [event.time for event in store.audit.for_patient(PATIENT)]
    assert times == [T0 + timedelta(minutes=m) for m in (10, 5, 0)]


def test_for_patient_keeps_only_that_patient(database: Database) -> None:
    with database.unit_of_work() as store:
        store.audit.record(retrieve(patient_id=OTHER_PATIENT))
        store.audit.record(retrieve(transaction=Transaction.ITI_18, access_mode=None))
        store.audit.record(retrieve(patient_id=None))
    with database.snapshot() as store:
        events = store.audit.for_patient(PATIENT)
    assert [event.transaction for event in events] == [Transaction.ITI_18]


def test_for_patient_since_and_limit(database: Database) -> None:
    with database.unit_of_work() as store:
        for minutes in range(6):
            store.audit.record(retrieve(minutes=minutes))
    with database.snapshot() as store:
        since = store.audit.for_patient(PATIENT, since=T0 + timedelta(minutes=3))
        limited = store.audit.for_patient(PATIENT, limit=2)
    assert [e.time for e in since] == [T0 + timedelta(minutes=m) for m in (5, 4, 3)]
    assert [e.time for e in limited] == [T0 + timedelta(minutes=m) for m in (5, 4)]


def test_pending_export_until_marked(database: Database) -> None:
    with database.unit_of_work() as store:
        first = store.audit.record(retrieve(access_mode=AccessMode.BREAK_THE_GLASS))
        second = store.audit.record(retrieve(minutes=1))
    with database.unit_of_work() as store:
        assert [r.key for r in store.audit.pending_export()] == [first, second]
        store.audit.mark_exported([first], at=T0)
    with database.snapshot() as store:
        pending = store.audit.pending_export()
    assert [r.key for r in pending] == [second]
    assert pending[0].event == retrieve(minutes=1)
