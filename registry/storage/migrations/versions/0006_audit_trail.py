"""Audit trail (``registry/audit.py``, ``registry/storage/audit_tables.py``).

* ``audit_events``: one row per audited transaction, allowed or refused — who, roles,
  structure, access mode, patient, documents, outcome, time — indexed by patient and time for
  the patient's access history, and by ``exported_at`` for ATNA export (ITI-20).

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-17
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision: str | None = "0005"
branch_labels: str | None = None
depends_on: str | None = None

_KEY = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def _text(name: str, *, nullable: bool = True) -> sa.Column[object]:
    return sa.Column(name, sa.String(), nullable=nullable)


def upgrade() -> None:
    op.create_table(
        "audit_events",
        sa.Column("pk", _KEY, autoincrement=True, nullable=False),
        sa.Column("event_time", sa.DateTime(timezone=True), nullable=False),
        _text("transaction", nullable=False),
        _text("outcome", nullable=False),
        _text("outcome_detail"),
        _text("subject_id"),
        _text("subject_name"),
        _text("subject_kind", nullable=False),
        sa.Column("roles", sa.JSON(), nullable=False),
        _text("structure_id"),
        _text("access_mode"),
        _text("authentication_mode"),
        _text("software"),
        _text("remote_address"),
        _text("patient_id"),
        sa.Column("document_ids", sa.JSON(), nullable=False),
        _text("query_id"),
        sa.Column("exported_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("pk", name="pk_audit_events"),
    )
    op.create_index(
        "ix_audit_events_patient_id_event_time", "audit_events", ["patient_id", "event_time"]
    )
    op.create_index("ix_audit_events_event_time", "audit_events", ["event_time"])
    op.create_index("ix_audit_events_exported_at", "audit_events", ["exported_at"])


def downgrade() -> None:
    op.drop_index("ix_audit_events_exported_at", table_name="audit_events")
    op.drop_index("ix_audit_events_event_time", table_name="audit_events")
    op.drop_index("ix_audit_events_patient_id_event_time", table_name="audit_events")
    op.drop_table("audit_events")
