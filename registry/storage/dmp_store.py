"""DMP records — their persistence, bound to one transaction of ``Database``.

``DmpStore`` speaks the model of ``registry/dmp_records.py`` and shares the connection of the
``RegistryStore`` it comes from (``RegistryStore.dmp_records``), so that creating a record and
making its patient id known to the registry (ITI TF-2b 3.44.4.1.4, as an ITI-44 add would)
commit or roll back together.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any, cast

from sqlalchemy import Table, delete, insert, select, update
from sqlalchemy.engine import Connection

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
from registry.storage.dmp_tables import DmpAuthorisationRow, DmpBlockRow, DmpRecordRow

__all__ = ["DmpStore"]

_RECORDS = cast(Table, DmpRecordRow.__table__)
_AUTHORISATIONS = cast(Table, DmpAuthorisationRow.__table__)
_BLOCKS = cast(Table, DmpBlockRow.__table__)


class DmpStore:
    """Records, authorisations and blocks in one database transaction."""

    def __init__(self, connection: Connection) -> None:
        self._connection = connection

    # ------------------------------------------------------------------ records

    def record(self, patient_id: str) -> DmpRecord | None:
        """The patient's record, or ``None`` when there is none."""
        row = (
            self._connection.execute(select(_RECORDS).where(_RECORDS.c.patient_id == patient_id))
            .mappings()
            .first()
        )
        return _record(row) if row is not None else None

    def save_record(self, record: DmpRecord) -> None:
        """Insert the record, or replace every column of the existing one."""
        values = _record_values(record)
        result = self._connection.execute(
            update(_RECORDS).where(_RECORDS.c.patient_id == record.patient_id), values
        )
        if result.rowcount == 0:
            self._connection.execute(
                insert(_RECORDS),
                {**values, "patient_id": record.patient_id, "created_at": record.created_at},
            )

    # ------------------------------------------------------------------ authorisations

    def authorisations(self, patient_id: str, *, active_only: bool = True) -> list[Authorisation]:
        """The patient's authorisations, oldest first; revoked ones too unless ``active_only``."""
        statement = select(_AUTHORISATIONS).where(_AUTHORISATIONS.c.patient_id == patient_id)
        if active_only:
            statement = statement.where(_AUTHORISATIONS.c.revoked_at.is_(None))
        rows = self._connection.execute(statement.order_by(_AUTHORISATIONS.c.pk)).mappings()
        return [_authorisation(row) for row in rows]

    def authorisation(self, patient_id: str, professional_id: str) -> Authorisation | None:
        """The professional's active authorisation on the patient's record, if any."""
        for authorisation in self.authorisations(patient_id):
            if authorisation.professional_id == professional_id:
                return authorisation
        return None

    def grant(self, authorisation: Authorisation) -> None:
        """Record ``authorisation``, ending the professional's previous one (if any) at once."""
        self.revoke(
            authorisation.patient_id, authorisation.professional_id, at=authorisation.granted_at
        )
        self._connection.execute(
            insert(_AUTHORISATIONS),
            {
                "patient_id": authorisation.patient_id,
                "professional_id": authorisation.professional_id,
                "treating_physician": authorisation.treating_physician,
                "granted_at": authorisation.granted_at,
                "revoked_at": authorisation.revoked_at,
            },
        )

    def revoke(self, patient_id: str, professional_id: str, *, at: datetime) -> int:
        """End the professional's active authorisation; returns how many were active (0 or 1)."""
        result = self._connection.execute(
            update(_AUTHORISATIONS)
            .where(
                _AUTHORISATIONS.c.patient_id == patient_id,
                _AUTHORISATIONS.c.professional_id == professional_id,
                _AUTHORISATIONS.c.revoked_at.is_(None),
            )
            .values(revoked_at=at)
        )
        return result.rowcount

    # ------------------------------------------------------------------ blocks

    def blocks(self, patient_id: str) -> list[Block]:
        """The professionals the patient blocked, in the order they were blocked."""
        rows = self._connection.execute(
            select(_BLOCKS)
            .where(_BLOCKS.c.patient_id == patient_id)
            .order_by(_BLOCKS.c.blocked_at, _BLOCKS.c.professional_id)
        ).mappings()
        return [
            Block(
                patient_id=row["patient_id"],
                professional_id=row["professional_id"],
                blocked_at=_aware(row["blocked_at"]),
            )
            for row in rows
        ]

    def is_blocked(self, patient_id: str, professional_id: str) -> bool:
        return any(block.professional_id == professional_id for block in self.blocks(patient_id))

    def block(self, block: Block) -> None:
        """Block the professional (a second block of the same one changes nothing)."""
        if not self.is_blocked(block.patient_id, block.professional_id):
            self._connection.execute(
                insert(_BLOCKS),
                {
                    "patient_id": block.patient_id,
                    "professional_id": block.professional_id,
                    "blocked_at": block.blocked_at,
                },
            )

    def unblock(self, patient_id: str, professional_id: str) -> int:
        """Lift the block; returns how many there were (0 or 1)."""
        result = self._connection.execute(
            delete(_BLOCKS).where(
                _BLOCKS.c.patient_id == patient_id, _BLOCKS.c.professional_id == professional_id
            )
        )
        return result.rowcount


def _aware(moment: datetime) -> datetime:
    """SQLite gives back naive datetimes: they were written in UTC."""
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def _record_values(record: DmpRecord) -> dict[str, Any]:
    closure = record.closure
    data = record.administrative
    return {
        "status": record.status.value,
        "updated_at": datetime.now(UTC),
        "consent_at": record.consent.given_at,
        "consent_by": record.consent.collected_by,
        "opposes_break_glass": record.oppositions.break_glass,
        "opposes_centre_15": record.oppositions.centre_15,
        "closed_at": closure.closed_at if closure else None,
        "closure_reason": closure.reason if closure else None,
        "closure_text": closure.text if closure else None,
        "family_name": data.family_name,
        "birth_name": data.birth_name,
        "given_names": data.given_names,
        "birth_date": data.birth_date,
        "gender": data.gender,
        "address": data.address,
    }


def _record(row: Mapping[Any, Any]) -> DmpRecord:
    closure = None
    if row["closed_at"] is not None:
        closure = Closure(
            closed_at=_aware(row["closed_at"]),
            reason=row["closure_reason"] or "",
            text=row["closure_text"],
        )
    return DmpRecord(
        patient_id=row["patient_id"],
        status=DmpStatus(row["status"]),
        created_at=_aware(row["created_at"]),
        consent=Consent(given_at=_aware(row["consent_at"]), collected_by=row["consent_by"]),
        closure=closure,
        oppositions=Oppositions(
            break_glass=bool(row["opposes_break_glass"]),
            centre_15=bool(row["opposes_centre_15"]),
        ),
        administrative=AdministrativeData(
            family_name=row["family_name"],
            birth_name=row["birth_name"],
            given_names=row["given_names"],
            birth_date=row["birth_date"],
            gender=row["gender"],
            address=row["address"],
        ),
    )


def _authorisation(row: Mapping[Any, Any]) -> Authorisation:
    revoked = row["revoked_at"]
    return Authorisation(
        patient_id=row["patient_id"],
        professional_id=row["professional_id"],
        treating_physician=bool(row["treating_physician"]),
        granted_at=_aware(row["granted_at"]),
        revoked_at=_aware(revoked) if revoked is not None else None,
    )
