"""Audit trail — its persistence, bound to one transaction of ``Database``.

``AuditStore`` shares the connection of the ``RegistryStore`` it comes from
(``RegistryStore.audit``): an audit record written in a unit of work commits with the change it
audits, or rolls back with it (issue 5 item 7), so that the trail never shows a change that did
not happen, nor misses one that did. Export as ATNA (``carnet/audit_export.py``) reads the
rows not yet sent and marks them, in transactions of its own.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from datetime import UTC, datetime
from typing import Any, cast

from sqlalchemy import Table, insert, select, update
from sqlalchemy.engine import Connection

from registry.audit import (
    AccessMode,
    AuditCode,
    AuditEvent,
    AuditRecord,
    Outcome,
    SubjectKind,
    Transaction,
)
from registry.storage.audit_tables import AuditEventRow

__all__ = ["AuditStore"]

_EVENTS = cast(Table, AuditEventRow.__table__)

DEFAULT_LIMIT = 100
"""Events ``for_patient`` returns unless told otherwise: one screen of history."""


class AuditStore:
    """Audit records in one database transaction."""

    def __init__(self, connection: Connection) -> None:
        self._connection = connection

    def record(self, event: AuditEvent) -> int:
        """Write ``event`` in this transaction; returns its key."""
        result = self._connection.execute(insert(_EVENTS).values(_values(event)))
        key = result.inserted_primary_key
        assert key is not None
        return int(key[0])

    def for_patient(
        self, patient_id: str, *, since: datetime | None = None, limit: int = DEFAULT_LIMIT
    ) -> list[AuditEvent]:
        """The patient's audited transactions, newest first: the history a patient is shown.

        ``since`` keeps the events at or after that moment; ``limit`` caps their number.
        """
        statement = select(_EVENTS).where(_EVENTS.c.patient_id == patient_id)
        if since is not None:
            statement = statement.where(_EVENTS.c.event_time >= since.astimezone(UTC))
        statement = statement.order_by(_EVENTS.c.event_time.desc(), _EVENTS.c.pk.desc())
        rows = self._connection.execute(statement.limit(limit)).mappings()
        return [_event(row) for row in rows]

    def pending_export(self, *, limit: int = DEFAULT_LIMIT) -> list[AuditRecord]:
        """Events ATNA export has not sent yet, oldest first."""
        rows = self._connection.execute(
            select(_EVENTS)
            .where(_EVENTS.c.exported_at.is_(None))
            .order_by(_EVENTS.c.pk)
            .limit(limit)
        ).mappings()
        return [AuditRecord(key=row["pk"], event=_event(row)) for row in rows]

    def mark_exported(self, keys: Collection[int], *, at: datetime) -> None:
        """Note that the events of ``keys`` reached the audit repository at ``at``."""
        if keys:
            self._connection.execute(
                update(_EVENTS).where(_EVENTS.c.pk.in_(list(keys))).values(exported_at=at)
            )


def _values(event: AuditEvent) -> dict[str, Any]:
    return {
        "event_time": event.time,
        "transaction": event.transaction.value,
        "outcome": event.outcome.value,
        "outcome_detail": event.outcome_detail,
        "subject_id": event.subject_id,
        "subject_name": event.subject_name,
        "subject_kind": event.subject_kind.value,
        "roles": [
            {"code": role.code, "system": role.system, "display_name": role.display_name}
            for role in event.roles
        ],
        "structure_id": event.structure_id,
        "access_mode": event.access_mode.value if event.access_mode else None,
        "authentication_mode": event.authentication_mode,
        "software": event.software,
        "remote_address": event.remote_address,
        "patient_id": event.patient_id,
        "document_ids": list(event.document_ids),
        "query_id": event.query_id,
    }


def _aware(moment: datetime) -> datetime:
    """SQLite gives back naive datetimes: they were written in UTC."""
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def _event(row: Mapping[Any, Any]) -> AuditEvent:
    return AuditEvent(
        time=_aware(row["event_time"]),
        transaction=Transaction(row["transaction"]),
        outcome=Outcome(row["outcome"]),
        outcome_detail=row["outcome_detail"],
        subject_id=row["subject_id"],
        subject_name=row["subject_name"],
        subject_kind=SubjectKind(row["subject_kind"]),
        roles=tuple(
            AuditCode(code=role["code"], system=role["system"], display_name=role["display_name"])
            for role in row["roles"]
        ),
        structure_id=row["structure_id"],
        access_mode=AccessMode(row["access_mode"]) if row["access_mode"] else None,
        authentication_mode=row["authentication_mode"],
        software=row["software"],
        remote_address=row["remote_address"],
        patient_id=row["patient_id"],
        document_ids=tuple(row["document_ids"]),
        query_id=row["query_id"],
    )
