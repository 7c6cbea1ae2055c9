"""ITI TF-2b 3.41.4.1.3 — index DocumentEntries by hash for the repository's clean-up.

The Document Repository stores each document under its SHA-1 ``hash`` and, when a
Provide and Register fails or at start-up, removes contents that no committed
DocumentEntry of its ``repositoryUniqueId`` references (``RegistryStore.hashes_in_use``).

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-30
"""

from __future__ import annotations

from alembic import op

revision = "0002"
down_revision: str | None = "0001"
branch_labels: str | None = None
depends_on: str | None = None


def upgrade() -> None:
    op.create_index(
        "ix_document_entries_hash_repository",
        "document_entries",
        ["hash", "repository_unique_id"],
    )


def downgrade() -> None:
    op.drop_index("ix_document_entries_hash_repository", table_name="document_entries")
