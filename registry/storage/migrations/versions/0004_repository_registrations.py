"""ITI TF-2b 3.41.4.1.3 and 3.43.4.2 — the repository's ledger when the registry is elsewhere.

A Document Repository registering with a Document Registry on another node
(``repository.remote_registration``) shares no transaction with it, so it keeps
its own account of what is registered:

* ``repository_documents`` gains ``mime_type`` and ``size``, what ITI-43 answers
  with, since the DocumentEntry is not in this database; rows written before stay
  empty there (their DocumentEntry is in this database), as do the in-process
  registry's;
* ``repository_pending_documents`` holds the contents of each ITI-41 whose ITI-42 is
  in flight or whose outcome was lost, until the registry's answer (or, after a
  crash, an ITI-18 query at start-up) settles it;
* both are indexed by content hash, which the clean-up of refused submissions and
  the start-up sweep look up.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-08
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision: str | None = "0003"
branch_labels: str | None = None
depends_on: str | None = None


def upgrade() -> None:
    op.add_column("repository_documents", sa.Column("mime_type", sa.String(), nullable=True))
    op.add_column("repository_documents", sa.Column("size", sa.BigInteger(), nullable=True))
    op.create_index(
        "ix_repository_documents_repository_hash",
        "repository_documents",
        ["repository_unique_id", "hash"],
    )
    op.create_table(
        "repository_pending_documents",
        sa.Column("registration_id", sa.String(), nullable=False),
        sa.Column("unique_id", sa.String(), nullable=False),
        sa.Column("repository_unique_id", sa.String(), nullable=False),
        sa.Column("hash", sa.String(), nullable=False),
        sa.Column("mime_type", sa.String(), nullable=False),
        sa.Column("size", sa.BigInteger(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint(
            "registration_id", "unique_id", name="pk_repository_pending_documents"
        ),
    )
    op.create_index(
        "ix_repository_pending_documents_repository_hash",
        "repository_pending_documents",
        ["repository_unique_id", "hash"],
    )


def downgrade() -> None:
    op.drop_index(
        "ix_repository_pending_documents_repository_hash",
        table_name="repository_pending_documents",
    )
    op.drop_table("repository_pending_documents")
    op.drop_index("ix_repository_documents_repository_hash", table_name="repository_documents")
    with op.batch_alter_table("repository_documents") as batch:
        batch.drop_column("size")
        batch.drop_column("mime_type")
