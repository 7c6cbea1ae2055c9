"""registry/storage/dmp_store.py: DMP records, authorisations and blocks (SQLite, PostgreSQL)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from registry.dmp_records import (
    AdministrativeData,
    Authorisation,
    Block,
    Closure,
    Consent,
    DmpRecord,
    Oppositions,
)
from registry.dmp_vocabulary import DmpStatus
from registry.storage.database import Database

PATIENT = "279035121518989^^^&1.2.250.1.213.1.4.10&ISO"
T0 = datetime(2026, 12, 10, 9, 30, tzinfo=UTC)


@pytest.fixture
def database(database_url: str) -> Iterator[Database]:
    db = Database(database_url)
    db.migrate()
    try:
        yield db
    finally:
        db.dispose()


def record() -> DmpRecord:
    return DmpRecord(
        patient_id=PATIENT,
        created_at=T0,
        consent=Consent(given_at=T0 - timedelta(minutes=5), collected_by="810100000001"),
        oppositions=Oppositions(break_glass=True),
        administrative=AdministrativeData(
            family_name="DUPONT",
            birth_name="MARTIN",
            given_names="MARIE LOUISE",
            birth_date="19790312",
            gender="F",
            address="1 rue de la Paix, 75002, PARIS",
        ),
    )


def test_dmp_record_round_trips_every_field(database: Database) -> None:
    with database.unit_of_work() as store:
        store.dmp_records.save_record(record())
    with database.snapshot() as store:
        assert store.dmp_records.record(PATIENT) == record()
        assert store.dmp_records.record("other^^^&1.2.3&ISO") is None


def test_dmp_record_keeps_its_closure_until_reactivated(database: Database) -> None:
    closed = replace(
        record(),
        status=DmpStatus.CLOSED,
        closure=Closure(closed_at=T0 + timedelta(days=1), reason="FERMETURE_DEMANDE_PATIENT"),
    )
    with database.unit_of_work() as store:
        store.dmp_records.save_record(record())
        store.dmp_records.save_record(closed)
    with database.snapshot() as store:
        assert store.dmp_records.record(PATIENT) == closed
    with database.unit_of_work() as store:
        store.dmp_records.save_record(replace(closed, status=DmpStatus.OPEN, closure=None))
    with database.snapshot() as store:
        again = store.dmp_records.record(PATIENT)
    assert again is not None and again.is_open and again.closure is None


def test_dmp_authorisation_revoked_stays_as_history(database: Database) -> None:
    with database.unit_of_work() as store:
        store.dmp_records.save_record(record())
        store.dmp_records.grant(
            Authorisation(
                patient_id=PATIENT, professional_id="A", granted_at=T0, treating_physician=True
            )
        )
        store.dmp_records.grant(
            Authorisation(patient_id=PATIENT, professional_id="B", granted_at=T0)
        )
        assert store.dmp_records.revoke(PATIENT, "A", at=T0 + timedelta(hours=1)) == 1
        assert store.dmp_records.revoke(PATIENT, "A", at=T0 + timedelta(hours=2)) == 0
    with database.snapshot() as store:
        active = store.dmp_records.authorisations(PATIENT)
        history = store.dmp_records.authorisations(PATIENT, active_only=False)
        assert store.dmp_records.authorisation(PATIENT, "A") is None
    assert [a.professional_id for a in active] == ["B"]
    assert history[0].revoked_at == T0 + timedelta(hours=1) and history[0].treating_physician


def test_dmp_grant_replaces_the_professionals_previous_authorisation(database: Database) -> None:
    with database.unit_of_work() as store:
        store.dmp_records.save_record(record())
        store.dmp_records.grant(
            Authorisation(patient_id=PATIENT, professional_id="A", granted_at=T0)
        )
        store.dmp_records.grant(
            Authorisation(
                patient_id=PATIENT, professional_id="A", granted_at=T0, treating_physician=True
            )
        )
    with database.snapshot() as store:
        active = store.dmp_records.authorisations(PATIENT)
    assert len(active) == 1 and active[0].treating_physician


def test_dmp_block_and_unblock(database: Database) -> None:
    with database.unit_of_work() as store:
        store.dmp_records.save_record(record())
        store.dmp_records.block(Block(patient_id=PATIENT, professional_id="A", blocked_at=T0))
        store.dmp_records.block(Block(patient_id=PATIENT, professional_id="A", blocked_at=T0))
    with database.snapshot() as store:
        assert store.dmp_records.blocks(PATIENT) == [
            Block(patient_id=PATIENT, professional_id="A", blocked_at=T0)
        ]
        assert store.dmp_records.is_blocked(PATIENT, "A")
    with database.unit_of_work() as store:
        assert store.dmp_records.unblock(PATIENT, "A") == 1
        assert store.dmp_records.unblock(PATIENT, "A") == 0
        assert not store.dmp_records.is_blocked(PATIENT, "A")
