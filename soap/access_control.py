"""ITI TF-2a 3.18, ITI TF-2b 3.41-3.43, 3.57, 3.62 under an access policy — the guard's interface.

A plain XDS.b registry answers whoever asks. The DMP answers a caller only what the patient's
record lets them see (``../shared/DMP.md`` §6 item 5, issue 5 item 5): stored queries leave
out what the caller may not see, a retrieve of such a document answers it as unknown, feeding
needs the record open and the patient's consent. The rules live in ``carnet`` (the access
policy, the VIHF); ``soap`` may not import it (imports flow ``carnet`` → ``soap``), so the
registry and repository handlers ask an :class:`AccessGuard` built for each request from the
opaque ``SoapRequest.caller`` by the :data:`GuardFactory` the app gives them.

Each method takes the handler's :class:`~registry.storage.store.RegistryStore`, so the record's
state and the caller's authorisations are read in the same transaction as the documents.
Refusing the caller's identity (the VIHF names another patient) is raising
``soap.identity_errors.IdentityError``, answered as a Sender fault; refusing a submission is
raising a ``registry.errors.RegistryError``.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Sequence
from typing import Protocol

from registry.model import DocumentEntry, Submission
from registry.storage.store import RegistryStore

__all__ = ["AccessGuard", "GuardFactory"]


class AccessGuard(Protocol):
    """What one caller may read and feed (one request's view of the access policy)."""

    def check_patients(self, patient_ids: Collection[str]) -> None:
        """Refuse (``IdentityError``) a request naming a patient the caller's identity does not
        vouch for; ``patient_ids`` are XDS CX patient ids."""
        ...

    def may_read_record(self, store: RegistryStore, patient_id: str) -> bool:
        """Whether the caller may read the record of ``patient_id`` at all (its submission
        sets, folders: objects that are not documents)."""
        ...

    def may_see(self, store: RegistryStore, entry: DocumentEntry) -> bool:
        """Whether the caller may see this DocumentEntry; False: answer as if it did not exist."""
        ...

    def check_feed(self, store: RegistryStore, submission: Submission) -> None:
        """Refuse (``RegistryError``, or ``IdentityError`` for another patient) a submission the
        caller may not add to its patient's record."""
        ...

    def check_update(self, store: RegistryStore, submission: Submission) -> None:
        """Refuse an ITI-57 metadata update the caller may not make (a document it may not
        see is unknown; changing visibility codes or statuses follows the policy)."""
        ...

    def check_delete(self, store: RegistryStore, entries: Sequence[DocumentEntry]) -> None:
        """Refuse an ITI-62 removal of DocumentEntries the caller may not delete."""
        ...


GuardFactory = Callable[[object | None], AccessGuard]
"""Builds the guard of one request from ``SoapRequest.caller``."""
