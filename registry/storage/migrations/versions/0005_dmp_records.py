"""DMP profile — patient records, authorisations and blocks (``registry/dmp_records.py``).

* ``dmp_records``: one row per patient's DMP, keyed by the INS as a CX: status (open or
  closed, with date and reason), the consent recorded at creation and who collected it, the
  oppositions to break-the-glass and to centre 15, the administrative data;
* ``dmp_authorisations``: professionals authorised to consult (optionally as "médecin traitant
  DMP"), revoked ones kept with ``revoked_at``;
* ``dmp_blocks``: professionals the patient blocked.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-10
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision: str | None = "0004"
branch_labels: str | None = None
depends_on: str | None = None

_KEY = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def _time(name: str, *, nullable: bool = False) -> sa.Column[object]:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def _record_key() -> sa.Column[object]:
    return sa.Column(
        "patient_id",
        sa.String(),
        sa.ForeignKey("dmp_records.patient_id", ondelete="CASCADE"),
        nullable=False,
    )


def upgrade() -> None:
    op.create_table(
        "dmp_records",
        sa.Column("patient_id", sa.String(), nullable=False),
        sa.Column("status", sa.String(), nullable=False),
        _time("created_at"),
        _time("updated_at"),
        _time("consent_at"),
        sa.Column("consent_by", sa.String(), nullable=True),
        sa.Column("opposes_break_glass", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column("opposes_centre_15", sa.Boolean(), server_default=sa.false(), nullable=False),
        _time("closed_at", nullable=True),
        sa.Column("closure_reason", sa.String(), nullable=True),
        sa.Column("closure_text", sa.String(), nullable=True),
        sa.Column("family_name", sa.String(), nullable=True),
        sa.Column("birth_name", sa.String(), nullable=True),
        sa.Column("given_names", sa.String(), nullable=True),
        sa.Column("birth_date", sa.String(), nullable=True),
        sa.Column("gender", sa.String(), nullable=True),
        sa.Column("address", sa.String(), nullable=True),
        sa.PrimaryKeyConstraint("patient_id", name="pk_dmp_records"),
    )
    op.create_table(
        "dmp_authorisations",
        sa.Column("pk", _KEY, autoincrement=True, nullable=False),
        _record_key(),
        sa.Column("professional_id", sa.String(), nullable=False),
        sa.Column("treating_physician", sa.Boolean(), server_default=sa.false(), nullable=False),
        _time("granted_at"),
        _time("revoked_at", nullable=True),
        sa.PrimaryKeyConstraint("pk", name="pk_dmp_authorisations"),
    )
    op.create_index(
        "ix_dmp_authorisations_patient_professional",
        "dmp_authorisations",
        ["patient_id", "professional_id"],
    )
    op.create_table(
        "dmp_blocks",
        _record_key(),
        sa.Column("professional_id", sa.String(), nullable=False),
        _time("blocked_at"),
        sa.PrimaryKeyConstraint("patient_id", "professional_id", name="pk_dmp_blocks"),
    )


def downgrade() -> None:
    op.drop_table("dmp_blocks")
    op.drop_index("ix_dmp_authorisations_patient_professional", table_name="dmp_authorisations")
    op.drop_table("dmp_authorisations")
    op.drop_table("dmp_records")
