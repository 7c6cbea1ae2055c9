"""ITI TF-2b 3.41.4.1.3 and 3.42 — the repository forwarding metadata to the Document Registry.

After storing the documents of a Provide and Register, the repository registers
their metadata (Register Document Set-b, ITI-42). :class:`DocumentRegistry` is
what it needs from the registry for that to be atomic across both:

* :meth:`~DocumentRegistry.register` runs a callback at a point where no content
  of this repository can be removed until the submission is committed or
  refused — the repository re-stores there any content a concurrent failed
  submission removed;
* :meth:`~DocumentRegistry.release` removes, at such a point too, the contents no
  committed DocumentEntry of this repository references.

:class:`InProcessRegistry` also keeps, in the same unit of work as the
registration, the repository's ledger of the content each uniqueId was stored
with: ITI-62 may delete the DocumentEntry before ITI-86 names the document
(IHE RMD, ITI TF-2b 3.86.4.1.3; :mod:`repository.remove_documents`).

:class:`InProcessRegistry` gives both with the registry's own database: the
point is its unit of work, which holds the database's writer lock (SQLite
``flock`` and ``BEGIN IMMEDIATE``, a PostgreSQL advisory lock) until it commits.
A registry reached by URL would need the repository to keep its own ledger of
references; it is not written yet.
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from datetime import datetime
from typing import Protocol

from registry.model import Submission
from registry.register import register_validated
from registry.storage.database import Database
from registry.storage.store import RegistryStore

__all__ = ["DocumentRegistry", "InProcessRegistry"]


class DocumentRegistry(Protocol):
    """The Document Registry as the repository sees it (ITI TF-2b 3.42)."""

    def register(
        self,
        submission: Submission,
        *,
        before_commit: Callable[[], None],
        now: datetime | None = None,
    ) -> Submission:
        """Register a submission already validated; return it as registered.

        ``before_commit`` runs once no content can be released until this
        registration ends; if it raises, nothing is registered. Refusals raise
        ``registry.errors.RegistryError``.
        """
        ...

    def release(self, keys: Collection[str], *, remove: Callable[[str], object]) -> set[str]:
        """Call ``remove`` on each of ``keys`` no committed entry references; return those."""
        ...


class InProcessRegistry:
    """The registry of this node, in the same database (the default)."""

    def __init__(self, database: Database, *, repository_unique_id: str) -> None:
        self.database = database
        self.repository_unique_id = repository_unique_id

    def register(
        self,
        submission: Submission,
        *,
        before_commit: Callable[[], None],
        now: datetime | None = None,
    ) -> Submission:
        """Run ``before_commit`` then register, in one unit of work under the writer lock.

        The unit of work is group committed with concurrent ones (:meth:`Database.write`).
        """

        def work(store: RegistryStore) -> Submission:
            before_commit()
            registered = register_validated(store, submission, now=now)
            store.record_stored_documents(
                {
                    entry.unique_id: entry.hash.lower()
                    for entry in registered.documents
                    if entry.hash and entry.repository_unique_id == self.repository_unique_id
                },
                repository_unique_id=self.repository_unique_id,
            )
            return registered

        return self.database.write(work)

    def release(self, keys: Collection[str], *, remove: Callable[[str], object]) -> set[str]:
        """Under the writer lock: remove the keys no registered entry of this repository uses."""
        if not keys:
            return set()
        with self.database.unit_of_work() as store:
            in_use = store.hashes_in_use(keys, repository_unique_id=self.repository_unique_id)
            released = {key for key in keys if key not in in_use}
            for key in sorted(released):
                remove(key)
        return released
