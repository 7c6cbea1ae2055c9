"""Audit trail — the table of audited transactions (``registry/audit.py``, issue 5 item 7).

One row per :class:`~registry.audit.AuditEvent`, written in the transaction it audits. The
patient's access history reads it by ``(patient_id, event_time)``; ATNA export (ITI-20) finds
the rows not yet sent by ``exported_at``. Roles and document uniqueIds are JSON arrays: they are
shown and exported, never filtered on. Migration ``0006_audit_trail`` creates it; a test
compares the two.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, DateTime, Index
from sqlalchemy.orm import Mapped, mapped_column

from registry.storage.tables import Base, KeyType

__all__ = ["AuditEventRow"]

_TIME = DateTime(timezone=True)


class AuditEventRow(Base):
    """One audited transaction: who, how, about whom, with what outcome."""

    __tablename__ = "audit_events"
    __table_args__ = (
        Index("ix_audit_events_patient_id_event_time", "patient_id", "event_time"),
        Index("ix_audit_events_event_time", "event_time"),
        Index("ix_audit_events_exported_at", "exported_at"),
    )

    pk: Mapped[int] = mapped_column(KeyType, primary_key=True, autoincrement=True)
    event_time: Mapped[datetime] = mapped_column(_TIME)
    transaction: Mapped[str]
    outcome: Mapped[str]
    outcome_detail: Mapped[str | None]
    subject_id: Mapped[str | None]
    subject_name: Mapped[str | None]
    subject_kind: Mapped[str]
    roles: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    structure_id: Mapped[str | None]
    access_mode: Mapped[str | None]
    authentication_mode: Mapped[str | None]
    software: Mapped[str | None]
    remote_address: Mapped[str | None]
    patient_id: Mapped[str | None]
    document_ids: Mapped[list[str]] = mapped_column(JSON)
    query_id: Mapped[str | None]
    exported_at: Mapped[datetime | None] = mapped_column(_TIME)
