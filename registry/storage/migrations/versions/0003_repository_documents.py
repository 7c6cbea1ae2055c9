"""IHE RMD, ITI TF-2b 3.86.4.1.3 — the Document Repository's ledger of stored documents.

ITI-62 deletes DocumentEntry rows; ITI-86 then names the document by its
uniqueId alone, so the repository keeps, per repositoryUniqueId and uniqueId,
the SHA-1 of the content it stored (``tables.StoredDocumentRow``). Filled here
from the DocumentEntries already registered.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision: str | None = "0002"
branch_labels: str | None = None
depends_on: str | None = None


def upgrade() -> None:
    op.create_table(
        "repository_documents",
        sa.Column("repository_unique_id", sa.String(), nullable=False),
        sa.Column("unique_id", sa.String(), nullable=False),
        sa.Column("hash", sa.String(), nullable=False),
        sa.PrimaryKeyConstraint(
            "repository_unique_id", "unique_id", name="pk_repository_documents"
        ),
    )
    op.execute(
        "INSERT INTO repository_documents (repository_unique_id, unique_id, hash) "
        "SELECT repository_unique_id, unique_id, MIN(LOWER(hash)) FROM document_entries "
        "WHERE hash IS NOT NULL AND repository_unique_id IS NOT NULL "
        "GROUP BY repository_unique_id, unique_id"
    )


def downgrade() -> None:
    op.drop_table("repository_documents")
