"""ITI TF-2b 3.41.4.1.3 and 3.42 — the repository forwarding metadata to the Document Registry.

After storing the documents of a Provide and Register, the repository registers
their metadata (Register Document Set-b, ITI-42). :class:`DocumentRegistry` is
what it needs from the registry for that to be atomic across both:

* :meth:`~DocumentRegistry.register` runs a callback at a point where no content
  of this repository can be removed until the submission is committed or
  refused — the repository re-stores there any content a concurrent failed
  submission removed;
* :meth:`~DocumentRegistry.release` removes, at such a point too, the contents no
  committed DocumentEntry of this repository references;
* :meth:`~DocumentRegistry.registered_documents` (ITI-43) and
  :meth:`~DocumentRegistry.still_registered` (ITI-86) say what is registered, and
  :meth:`~DocumentRegistry.recover` settles at start-up what a crash left in doubt.

:class:`InProcessRegistry` also keeps, in the same unit of work as the
registration, the repository's ledger of the content each uniqueId was stored
with: ITI-62 may delete the DocumentEntry before ITI-86 names the document
(IHE RMD, ITI TF-2b 3.86.4.1.3; :mod:`repository.remove_documents`).

:class:`InProcessRegistry` gives both with the registry's own database: the
point is its unit of work, which holds the database's writer lock (SQLite
``flock`` and ``BEGIN IMMEDIATE``, a PostgreSQL advisory lock) until it commits.
A registry reached by URL keeps no transaction with the repository; the
repository then keeps its own ledger (:mod:`repository.remote_registration`).
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from registry.model import Submission
from registry.register import prepare_registration, register_prepared
from registry.storage.database import Database
from registry.storage.store import RegistryStore, StoredDocument

__all__ = ["DocumentRegistry", "InProcessRegistry", "Recovery"]


@dataclass(frozen=True, kw_only=True, slots=True)
class Recovery:
    """What :meth:`DocumentRegistry.recover` found of the registrations a crash left in doubt."""

    confirmed: int = 0
    """Registrations the registry had committed: their documents are now in the ledger."""
    abandoned: int = 0
    """Registrations the registry never committed: their contents may be released."""
    in_doubt: int = 0
    """Registrations the registry could not be asked about: their contents are kept."""


class DocumentRegistry(Protocol):
    """The Document Registry as the repository sees it (ITI TF-2b 3.42)."""

    def register(
        self,
        submission: Submission,
        *,
        before_commit: Callable[[], None],
        now: datetime | None = None,
        in_transaction: Callable[[RegistryStore], None] | None = None,
    ) -> Submission:
        """Register a submission already validated; return it as registered.

        ``before_commit`` runs once no content can be released until this
        registration ends; if it raises, nothing is registered. Refusals raise
        ``registry.errors.RegistryError``. ``in_transaction`` runs once registered, in
        the transaction that commits the registration where there is one (the audit
        record of the ITI-41, issue 5 item 7), else in one of the ledger's after it.
        """
        ...

    def release(self, keys: Collection[str], *, remove: Callable[[str], object]) -> set[str]:
        """Call ``remove`` on each of ``keys`` no committed entry references; return those."""
        ...

    def registered_documents(self, unique_ids: Collection[str]) -> dict[str, StoredDocument]:
        """ITI-43: the documents of this repository among ``unique_ids`` it may serve.

        By uniqueId, each with its content key (``hash``), ``mimeType`` and ``size``
        (ITI TF-2b 3.43.4.1.3); unknown ones are absent.
        """
        ...

    def still_registered(self, unique_ids: Collection[str]) -> set[str]:
        """ITI-86: which of ``unique_ids`` a DocumentEntry of this repository still names.

        IHE RMD 3.86.4.1.3; raises ``registry.errors.RegistryError`` when the registry
        cannot tell.
        """
        ...

    def recover(self) -> Recovery:
        """Settle the registrations a crash left in doubt (start-up, before the sweep)."""
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
        in_transaction: Callable[[RegistryStore], None] | None = None,
    ) -> Submission:
        """Run ``before_commit`` then register, in one unit of work under the writer lock.

        The unit of work is group committed with concurrent ones (:meth:`Database.write`).
        """

        prepared = prepare_registration(submission, now=now)  # before the writer lock

        def work(store: RegistryStore) -> Submission:
            before_commit()
            registered = register_prepared(store, prepared)
            store.ledger.record_stored_documents(
                {
                    entry.unique_id: entry.hash.lower()
                    for entry in registered.documents
                    if entry.hash and entry.repository_unique_id == self.repository_unique_id
                },
                repository_unique_id=self.repository_unique_id,
            )
            if in_transaction is not None:
                in_transaction(store)
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

    def registered_documents(self, unique_ids: Collection[str]) -> dict[str, StoredDocument]:
        """This repository's DocumentEntries by uniqueId (the latest version of each)."""
        if not unique_ids:
            return {}
        with self.database.snapshot() as store:
            found = store.documents_by_unique_id(unique_ids)
        entries = {
            entry.unique_id: entry
            for entry in found
            if entry.repository_unique_id == self.repository_unique_id
        }
        return {
            unique_id: StoredDocument(
                unique_id=unique_id, hash=entry.hash, mime_type=entry.mime_type, size=entry.size
            )
            for unique_id, entry in entries.items()
            if entry.hash
        }

    def still_registered(self, unique_ids: Collection[str]) -> set[str]:
        """Which of ``unique_ids`` an entry of this repository carries, whatever its status."""
        if not unique_ids:
            return set()
        with self.database.snapshot() as store:
            found = store.documents_by_unique_id(unique_ids)
        return {
            entry.unique_id
            for entry in found
            if entry.repository_unique_id == self.repository_unique_id
        }

    def recover(self) -> Recovery:
        """Nothing to settle: registration and ledger commit in one unit of work."""
        return Recovery()
