"""ITI TF-2b 3.41.4.1.3 and 3.42 — registering with a Document Registry on another node.

The Document Repository and the Document Registry are distinct actors (ITI TF-1
10.1): when the registry runs on another node, ITI-41 stores the documents here
and sends their metadata there with ITI-42. No transaction spans the two, yet a
submission must be kept whole or not at all, and no document the registry
references may be lost. :class:`RemoteRegistry` keeps the repository's own account
in its local database:

1. before ITI-42 it *claims* the submission's contents
   (``repository_pending_documents``) under a fresh registration id, in a unit of
   work that also runs ``before_commit`` — which stores again any content a
   concurrent refusal released. From then on no release removes them;
2. Success moves the claims to the ledger (``repository_documents``, with the
   mimeType and size ITI-43 answers with); a refusal — the registry's
   ``rs:RegistryErrorList``, raised as the same ``registry.errors`` classes — drops
   them, and the caller releases the contents nothing else claims;
3. when the request may have been delivered but the answer was lost (timeout,
   broken or non-SOAP answer), the registry may or may not have committed. It is
   asked at once (ITI-18 GetDocuments); when it cannot say, the claims stay, the
   documents are kept and the submission is refused with ``XDSRegistryNotAvailable``;
4. at start-up :meth:`RemoteRegistry.recover` settles every claim left — by a crash
   at any point, or by step 3 — the same way, before the sweep releases what
   nothing claims; while the registry is unreachable they stay claimed.

A registration counts as committed when GetDocuments finds each of its uniqueIds
with this repositoryUniqueId and the same hash: ITI-42 is atomic (ITI TF-2b
3.42.4.1.3), so finding only some of them means another submission's.

Claims are per attempt, not per uniqueId: two submissions sharing a content, or a
Document Source retrying after a lost answer, each hold their own, so one's refusal
never releases a content the other may have registered.

The wire is a :class:`RegistryConnection`'s job (``soap.registry_client`` speaks SOAP;
this package may not import it).
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable, Collection, Sequence
from datetime import UTC, datetime
from typing import Protocol

from registry.errors import RegistryError
from registry.model import DocumentEntry, Submission
from registry.storage.database import Database
from registry.storage.store import RegistryStore, StoredDocument
from repository.errors import RegistryNotAvailable
from repository.registration import Recovery

__all__ = ["RegistryConnection", "RemoteRegistry"]

_log = logging.getLogger(__name__)


class RegistryConnection(Protocol):
    """A Document Registry on another node, reached with ITI-42 and ITI-18."""

    def register(self, submission: Submission) -> None:
        """ITI-42 Register Document Set-b (ITI TF-2b 3.42); return on Success.

        Raises the registry's refusals as ``registry.errors.RegistryError`` classes,
        and :class:`~repository.errors.RegistryNotAvailable` when there is no usable
        answer (``in_doubt`` when the request may have been delivered).
        """
        ...

    def get_documents(self, unique_ids: Collection[str]) -> list[DocumentEntry]:
        """ITI-18 GetDocuments by uniqueId (ITI TF-2a 3.18.4.1.2.3.7.5), any status.

        Raises :class:`~repository.errors.RegistryNotAvailable` when the registry
        cannot be asked, a ``registry.errors.RegistryError`` when it refuses.
        """
        ...


class RemoteRegistry:
    """The Document Registry on another node, with the repository's ledger in ``database``."""

    def __init__(
        self, database: Database, connection: RegistryConnection, *, repository_unique_id: str
    ) -> None:
        self.database = database
        self.connection = connection
        self.repository_unique_id = repository_unique_id

    def register(
        self,
        submission: Submission,
        *,
        before_commit: Callable[[], None],
        now: datetime | None = None,
        in_transaction: Callable[[RegistryStore], None] | None = None,
    ) -> Submission:
        """Claim the contents (running ``before_commit``), send ITI-42, settle the claims.

        Returns ``submission`` as sent: the registry gives its objects their UUIDs, but
        the ITI-42 answer does not say them (ITI TF-2b 3.42.4.2). An exception other
        than a ``RegistryError`` leaves the claims for :meth:`recover`.
        """
        documents = self._documents(submission)
        registration_id = uuid.uuid4().hex
        with self.database.unit_of_work() as store:
            store.ledger.add_pending_registration(
                registration_id,
                documents,
                repository_unique_id=self.repository_unique_id,
                created_at=now or datetime.now(UTC),
            )
            before_commit()
        try:
            self.connection.register(submission)
        except RegistryNotAvailable as error:
            if not error.in_doubt:
                self._settle(registration_id, documents, committed=False)
                raise
            self._settle_lost_answer(registration_id, documents, error)
            return submission
        except RegistryError:
            self._settle(registration_id, documents, committed=False)
            raise
        self._settle(registration_id, documents, committed=True)
        if in_transaction is not None:
            # No transaction spans another node's registry: the ledger's, once it answered.
            with self.database.unit_of_work() as ledger:
                in_transaction(ledger)
        return submission

    def release(self, keys: Collection[str], *, remove: Callable[[str], object]) -> set[str]:
        """Under the writer lock: remove the keys neither the ledger nor a claim names."""
        if not keys:
            return set()
        with self.database.unit_of_work() as store:
            in_use = store.ledger.stored_hashes_in_use(
                keys, repository_unique_id=self.repository_unique_id
            )
            released = {key for key in keys if key not in in_use}
            for key in sorted(released):
                remove(key)
        return released

    def registered_documents(self, unique_ids: Collection[str]) -> dict[str, StoredDocument]:
        """The ledger's documents: those the registry answered Success for.

        Rows written while this node was its own registry carry no mimeType: their
        DocumentEntry, in this database, gives it.
        """
        if not unique_ids:
            return {}
        with self.database.snapshot() as store:
            found = store.ledger.stored_documents(
                unique_ids, repository_unique_id=self.repository_unique_id
            )
            bare = [key for key, document in found.items() if document.mime_type is None]
            local = store.documents_by_unique_id(bare) if bare else []
        for entry in local:
            if entry.repository_unique_id == self.repository_unique_id:
                found[entry.unique_id] = StoredDocument(
                    unique_id=entry.unique_id,
                    hash=found[entry.unique_id].hash,
                    mime_type=entry.mime_type,
                    size=entry.size,
                )
        return found

    def still_registered(self, unique_ids: Collection[str]) -> set[str]:
        """ITI-18 GetDocuments: the uniqueIds the registry has for this repository."""
        if not unique_ids:
            return set()
        return {
            entry.unique_id
            for entry in self.connection.get_documents(unique_ids)
            if entry.repository_unique_id == self.repository_unique_id
        }

    def recover(self) -> Recovery:
        """Ask the registry about every claimed registration; record or drop each.

        Runs before the server accepts requests (like the sweep it precedes): a
        registration in flight would look abandoned. Stops asking at the first
        ``XDSRegistryNotAvailable``; what is left stays claimed, its documents kept.
        """
        with self.database.snapshot() as store:
            pending = store.ledger.pending_registrations(
                repository_unique_id=self.repository_unique_id
            )
        confirmed = abandoned = in_doubt = 0
        for position, (registration_id, documents) in enumerate(pending.items()):
            try:
                committed = self._committed(documents)
            except RegistryNotAvailable as error:
                in_doubt += len(pending) - position
                _log.warning(
                    "cannot settle %d registration(s) in doubt, their documents are kept: %s",
                    len(pending) - position,
                    error.reason,
                )
                break
            except RegistryError as error:
                in_doubt += 1
                _log.warning("registration %s stays in doubt: %r", registration_id, error)
                continue
            self._settle(registration_id, documents, committed=committed)
            if committed:
                confirmed += 1
            else:
                abandoned += 1
        return Recovery(confirmed=confirmed, abandoned=abandoned, in_doubt=in_doubt)

    def _documents(self, submission: Submission) -> list[StoredDocument]:
        return [
            StoredDocument(
                unique_id=entry.unique_id,
                hash=entry.hash.lower(),
                mime_type=entry.mime_type,
                size=entry.size,
            )
            for entry in submission.documents
            if entry.hash and entry.repository_unique_id == self.repository_unique_id
        ]

    def _committed(self, documents: Sequence[StoredDocument]) -> bool:
        """Whether the registry has every one of ``documents``, here and with this content."""
        found = self.connection.get_documents([document.unique_id for document in documents])
        registered = {
            (entry.unique_id, (entry.hash or "").lower())
            for entry in found
            if entry.repository_unique_id == self.repository_unique_id
        }
        return all((document.unique_id, document.hash) in registered for document in documents)

    def _settle(
        self, registration_id: str, documents: Sequence[StoredDocument], *, committed: bool
    ) -> None:
        """Drop the claims; when the registry committed, record the documents first."""
        with self.database.unit_of_work() as store:
            if committed:
                store.ledger.record_registered_documents(
                    documents, repository_unique_id=self.repository_unique_id
                )
            store.ledger.forget_pending_registration(registration_id)

    def _settle_lost_answer(
        self,
        registration_id: str,
        documents: Sequence[StoredDocument],
        error: RegistryNotAvailable,
    ) -> None:
        """Ask whether a registration whose answer was lost was committed; settle it if known.

        Returns when it was (the submission succeeded); otherwise raises a
        :class:`RegistryNotAvailable` saying whether the documents were kept.
        """
        if not documents:
            raise error
        try:
            committed = self._committed(documents)
        except RegistryError as lookup:
            _log.warning(
                "registration %s in doubt, its documents kept until the registry says: %s; %s",
                registration_id,
                error.reason,
                lookup.reason,
            )
            raise RegistryNotAvailable(
                f"{error.reason}; whether the registry registered the submission is unknown: "
                "its documents are kept until it says",
                in_doubt=True,
            ) from error
        self._settle(registration_id, documents, committed=committed)
        if committed:
            _log.warning(
                "registration %s: the answer was lost (%s) but the registry has the documents",
                registration_id,
                error.reason,
            )
            return
        raise RegistryNotAvailable(
            f"{error.reason}; the registry did not register the submission"
        ) from error
