"""The Document Repository's ledger — its persistence, bound to one transaction of ``Database``.

The ledger notes the content (SHA-1) of every document the repository stored, and the claims
of an ITI-41 being registered on another node. It outlives the DocumentEntry, which ITI-62 may
delete before ITI-86 names the document (IHE RMD, ITI TF-2b 3.86.4.1.3), and it is what the
repository keeps a content for: a failed submission leaves nothing behind
(ITI TF-2b 3.41.4.1.3). ``RepositoryLedger`` shares the connection of the ``RegistryStore`` it
comes from (``RegistryStore.ledger``), so that registering a submission and noting its
documents commit or roll back together.
"""

from __future__ import annotations

import functools
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Insert, Table, bindparam, delete, insert, select
from sqlalchemy.engine import Connection

from registry.storage.direct_sql import DirectSql
from registry.storage.rows import PENDING_DOCUMENTS, STORED_DOCUMENTS
from registry.storage.selection import in_lists

__all__ = ["RepositoryLedger", "StoredDocument"]


@dataclass(frozen=True, kw_only=True, slots=True)
class StoredDocument:
    """A document the Document Repository stored, as its ledger keeps it.

    What ITI-43 needs to serve it (ITI TF-2b 3.43.4.2) and ITI-86 to remove it
    (IHE RMD 3.86.4.1.3) when its DocumentEntry is not in this database.
    """

    unique_id: str
    """``XDSDocumentEntry.uniqueId``."""
    hash: str
    """SHA-1 of the content, lower-case hex: its key in the document store."""
    mime_type: str | None = None
    """``XDSDocumentEntry.mimeType``; ``None`` in rows the in-process registry wrote."""
    size: int | None = None
    """``XDSDocumentEntry.size``."""


class RepositoryLedger:
    """The repository's stored documents and pending registrations in one database transaction."""

    def __init__(self, connection: Connection) -> None:
        self._connection = connection
        self._direct = DirectSql(connection)

    def record_stored_documents(
        self, hashes: Mapping[str, str], *, repository_unique_id: str
    ) -> None:
        """Note the content (SHA-1, lower case) of each uniqueId the repository stored.

        The Document Repository's ledger (IHE RMD, ITI TF-2b 3.86.4.1.3): it outlives
        the DocumentEntry, which ITI-62 may delete before ITI-86 names the document.
        A uniqueId already noted keeps its first content (ITI-57 versions share it).
        """
        rows = [
            {"repository_unique_id": repository_unique_id, "unique_id": unique_id, "hash": key}
            for unique_id, key in hashes.items()
        ]
        self._direct.insert(STORED_DOCUMENTS, rows, skip_existing=True)

    def stored_document_hashes(
        self, unique_ids: Collection[str], *, repository_unique_id: str
    ) -> dict[str, str]:
        """The content each of ``unique_ids`` was stored with in that repository."""
        found: dict[str, str] = {}
        for chunk in in_lists(unique_ids):
            rows = self._connection.execute(
                _STORED_HASHES, {"unique_ids": chunk, "repository": repository_unique_id}
            )
            found.update((row.unique_id, row.hash) for row in rows)
        return found

    def forget_stored_documents(
        self, unique_ids: Collection[str], *, repository_unique_id: str
    ) -> None:
        """Drop ``unique_ids`` from the repository's ledger (ITI-86 removed them)."""
        for chunk in in_lists(unique_ids):
            self._connection.execute(
                delete(STORED_DOCUMENTS).where(
                    STORED_DOCUMENTS.c.repository_unique_id == repository_unique_id,
                    STORED_DOCUMENTS.c.unique_id.in_(chunk),
                )
            )

    def stored_documents(
        self, unique_ids: Collection[str], *, repository_unique_id: str
    ) -> dict[str, StoredDocument]:
        """The ledger's rows for ``unique_ids`` in that repository, by uniqueId."""
        columns = STORED_DOCUMENTS.c
        found: dict[str, StoredDocument] = {}
        for chunk in in_lists(unique_ids):
            rows = self._connection.execute(
                select(columns.unique_id, columns.hash, columns.mime_type, columns.size).where(
                    columns.repository_unique_id == repository_unique_id,
                    columns.unique_id.in_(chunk),
                )
            )
            found.update((row.unique_id, _stored_document(row)) for row in rows)
        return found

    def record_registered_documents(
        self, documents: Sequence[StoredDocument], *, repository_unique_id: str
    ) -> None:
        """Note documents a Document Registry on another node answered Success for.

        That registry is the authority on what a uniqueId names (ITI TF-2b 3.42.4.1.3.3),
        so a row already noted for one of these uniqueIds is replaced.
        """
        self.forget_stored_documents(
            [document.unique_id for document in documents],
            repository_unique_id=repository_unique_id,
        )
        if documents:
            self._connection.execute(
                _insert(STORED_DOCUMENTS),
                [
                    {"repository_unique_id": repository_unique_id, **_document_values(document)}
                    for document in documents
                ],
            )

    def add_pending_registration(
        self,
        registration_id: str,
        documents: Sequence[StoredDocument],
        *,
        repository_unique_id: str,
        created_at: datetime,
    ) -> None:
        """Claim the contents of an ITI-41 about to be registered on another node.

        Claimed contents count as in use (:meth:`stored_hashes_in_use`) until
        :meth:`forget_pending_registration` (ITI TF-2b 3.41.4.1.3: nothing the
        registry may have committed is removed).
        """
        if documents:
            self._connection.execute(
                _insert(PENDING_DOCUMENTS),
                [
                    {
                        "registration_id": registration_id,
                        "repository_unique_id": repository_unique_id,
                        "created_at": created_at,
                        **_document_values(document),
                    }
                    for document in documents
                ],
            )

    def pending_registrations(
        self, *, repository_unique_id: str
    ) -> dict[str, tuple[StoredDocument, ...]]:
        """Every unsettled registration of that repository: its documents, oldest first."""
        columns = PENDING_DOCUMENTS.c
        rows = self._connection.execute(
            select(
                columns.registration_id,
                columns.unique_id,
                columns.hash,
                columns.mime_type,
                columns.size,
            )
            .where(columns.repository_unique_id == repository_unique_id)
            .order_by(columns.created_at, columns.registration_id, columns.unique_id)
        )
        found: dict[str, list[StoredDocument]] = {}
        for row in rows:
            found.setdefault(row.registration_id, []).append(_stored_document(row))
        return {key: tuple(documents) for key, documents in found.items()}

    def forget_pending_registration(self, registration_id: str) -> None:
        """Drop a registration's claims: the registry committed it, or never will."""
        self._connection.execute(
            delete(PENDING_DOCUMENTS).where(PENDING_DOCUMENTS.c.registration_id == registration_id)
        )

    def stored_hashes_in_use(
        self, hashes: Collection[str], *, repository_unique_id: str
    ) -> set[str]:
        """Which of ``hashes`` the repository's ledger references, registered or pending.

        With the registry on another node this is the repository's only account of
        what it must keep (ITI TF-2b 3.41.4.1.3): a content goes when neither a
        registered document nor an unsettled registration names it.
        """
        found: set[str] = set()
        for table in (STORED_DOCUMENTS, PENDING_DOCUMENTS):
            for chunk in in_lists(hashes):
                found.update(
                    self._connection.execute(
                        select(table.c.hash)
                        .where(
                            table.c.repository_unique_id == repository_unique_id,
                            table.c.hash.in_(chunk),
                        )
                        .distinct()
                    ).scalars()
                )
        return found


_STORED_HASHES = select(STORED_DOCUMENTS.c.unique_id, STORED_DOCUMENTS.c.hash).where(
    STORED_DOCUMENTS.c.repository_unique_id == bindparam("repository"),
    STORED_DOCUMENTS.c.unique_id.in_(bindparam("unique_ids", expanding=True)),
)
"""Built once: a statement built per call costs its cache key each time (~0.1 ms in ITI-41)."""


@functools.cache
def _stored_document(row: Any) -> StoredDocument:
    return StoredDocument(
        unique_id=row.unique_id, hash=row.hash, mime_type=row.mime_type, size=row.size
    )


def _document_values(document: StoredDocument) -> dict[str, Any]:
    return {
        "unique_id": document.unique_id,
        "hash": document.hash,
        "mime_type": document.mime_type,
        "size": document.size,
    }


def _insert(table: Table) -> Insert:
    return insert(table)
