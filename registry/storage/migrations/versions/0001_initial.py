"""ITI TF-2a 3.18.4.1.2.3.7 — the initial registry schema (see ``registry/storage/tables.py``).

Revision ID: 0001
Revises:
Create Date: 2026-11-23
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision: str | None = None
branch_labels: str | None = None
depends_on: str | None = None

_KEY = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def _key(name: str) -> sa.Column[int]:
    return sa.Column(name, _KEY, primary_key=True, autoincrement=True, nullable=False)


def _text(name: str, *, nullable: bool = False) -> sa.Column[str]:
    return sa.Column(name, sa.String(), nullable=nullable)


def _parent(name: str, table: str) -> sa.Column[int]:
    return sa.Column(
        name,
        _KEY,
        sa.ForeignKey(f"{table}.pk", ondelete="CASCADE"),
        primary_key=True,
        nullable=False,
    )


def _json(name: str) -> sa.Column[object]:
    return sa.Column(name, sa.JSON(), nullable=False)


def _latest() -> sa.Column[bool]:
    return sa.Column("latest", sa.Boolean(), server_default=sa.true(), nullable=False)


def upgrade() -> None:
    op.create_table(
        "document_entries",
        _key("pk"),
        _text("entry_uuid"),
        _text("logical_id"),
        _text("version", nullable=True),
        _latest(),
        _text("unique_id"),
        _text("patient_id"),
        _text("availability_status"),
        _text("object_type"),
        _text("document_availability", nullable=True),
        _text("class_code", nullable=True),
        _text("type_code", nullable=True),
        _text("format_code", nullable=True),
        _text("practice_setting_code", nullable=True),
        _text("healthcare_facility_type_code", nullable=True),
        _text("creation_time", nullable=True),
        _text("service_start_time", nullable=True),
        _text("service_stop_time", nullable=True),
        _text("hash", nullable=True),
        sa.Column("size", sa.BigInteger(), nullable=True),
        _text("repository_unique_id", nullable=True),
        _json("document"),
        sa.PrimaryKeyConstraint("pk", name="pk_document_entries"),
        sa.UniqueConstraint("entry_uuid", name="uq_document_entries_entry_uuid"),
    )
    op.create_index(
        "ix_document_entries_patient_status_creation",
        "document_entries",
        ["patient_id", "availability_status", "creation_time"],
    )
    op.create_index("ix_document_entries_unique_id", "document_entries", ["unique_id"])
    op.create_index("ix_document_entries_logical_id", "document_entries", ["logical_id"])

    op.create_table(
        "document_entry_codes",
        _parent("entry_pk", "document_entries"),
        sa.Column("kind", sa.String(), primary_key=True, nullable=False),
        sa.Column("value", sa.String(), primary_key=True, nullable=False),
        sa.PrimaryKeyConstraint("entry_pk", "kind", "value", name="pk_document_entry_codes"),
    )
    op.create_table(
        "document_entry_authors",
        _parent("entry_pk", "document_entries"),
        sa.Column("person", sa.String(), primary_key=True, nullable=False),
        sa.PrimaryKeyConstraint("entry_pk", "person", name="pk_document_entry_authors"),
    )
    op.create_table(
        "document_entry_reference_ids",
        _parent("entry_pk", "document_entries"),
        sa.Column("value", sa.String(), primary_key=True, nullable=False),
        sa.PrimaryKeyConstraint("entry_pk", "value", name="pk_document_entry_reference_ids"),
    )

    op.create_table(
        "submission_sets",
        _key("pk"),
        _text("entry_uuid"),
        _text("unique_id"),
        _text("patient_id"),
        _text("source_id"),
        _text("availability_status"),
        _text("submission_time", nullable=True),
        _text("content_type_code", nullable=True),
        _json("document"),
        sa.PrimaryKeyConstraint("pk", name="pk_submission_sets"),
        sa.UniqueConstraint("entry_uuid", name="uq_submission_sets_entry_uuid"),
    )
    op.create_index(
        "ix_submission_sets_patient_status_submission",
        "submission_sets",
        ["patient_id", "availability_status", "submission_time"],
    )
    op.create_index("ix_submission_sets_unique_id", "submission_sets", ["unique_id"])

    op.create_table(
        "folders",
        _key("pk"),
        _text("entry_uuid"),
        _text("logical_id"),
        _text("version", nullable=True),
        _latest(),
        _text("unique_id"),
        _text("patient_id"),
        _text("availability_status"),
        _text("last_update_time", nullable=True),
        _json("document"),
        sa.PrimaryKeyConstraint("pk", name="pk_folders"),
        sa.UniqueConstraint("entry_uuid", name="uq_folders_entry_uuid"),
    )
    op.create_index(
        "ix_folders_patient_status_last_update",
        "folders",
        ["patient_id", "availability_status", "last_update_time"],
    )
    op.create_index("ix_folders_unique_id", "folders", ["unique_id"])
    op.create_index("ix_folders_logical_id", "folders", ["logical_id"])
    op.create_table(
        "folder_codes",
        _parent("folder_pk", "folders"),
        sa.Column("value", sa.String(), primary_key=True, nullable=False),
        sa.PrimaryKeyConstraint("folder_pk", "value", name="pk_folder_codes"),
    )

    op.create_table(
        "associations",
        _key("pk"),
        _text("entry_uuid"),
        _text("association_type"),
        _text("source_uuid"),
        _text("target_uuid"),
        _text("availability_status"),
        _text("submission_set_status", nullable=True),
        _json("document"),
        sa.PrimaryKeyConstraint("pk", name="pk_associations"),
        sa.UniqueConstraint("entry_uuid", name="uq_associations_entry_uuid"),
    )
    op.create_index("ix_associations_source_uuid", "associations", ["source_uuid"])
    op.create_index("ix_associations_target_uuid", "associations", ["target_uuid"])

    op.create_table(
        "patients",
        _text("patient_id"),
        _text("status"),
        _text("merged_into", nullable=True),
        _json("demographics"),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("patient_id", name="pk_patients"),
    )
    op.create_index("ix_patients_merged_into", "patients", ["merged_into"])


def downgrade() -> None:
    for table in (
        "patients",
        "associations",
        "folder_codes",
        "folders",
        "submission_sets",
        "document_entry_reference_ids",
        "document_entry_authors",
        "document_entry_codes",
        "document_entries",
    ):
        op.drop_table(table)
