"""ITI TF-2b 3.57.4.1.3 — what an Update Document Set request will write, gathered while checked.

The request is applied whole or not at all (ITI TF-2b 3.57.4.1.3.1): its
operations are first checked against the registry and recorded here, then
written in one go if no error was found.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TypeAlias

from registry.dmp_vocabulary import DmpAvailabilityStatus
from registry.errors import RegistryError
from registry.model import Association, DocumentEntry, Folder, SubmissionSet
from registry.vocabulary import AvailabilityStatus

__all__ = [
    "APPROVED",
    "DEPRECATED",
    "DMP_STATUSES",
    "FINAL_STATUSES",
    "STATUSES",
    "UpdatePlan",
    "Version",
]

APPROVED = AvailabilityStatus.APPROVED.value
DEPRECATED = AvailabilityStatus.DEPRECATED.value
STATUSES = frozenset({APPROVED, DEPRECATED})
"""The statuses an update may set (ITI TF-2b 3.57.4.1.3.3.2.1): the default, profile ``ihe``."""
DMP_STATUSES = STATUSES | frozenset(status.value for status in DmpAvailabilityStatus)
"""Profile ``dmp``: IHE's, plus TD3.3d Archived and TD3.3c Deleted (DMP.md §1.2, §6 item 2)."""
FINAL_STATUSES = frozenset({DmpAvailabilityStatus.DELETED.value})
"""Statuses no update leaves: a logical delete (TD3.3c, "dépublication") is not undone."""

Version: TypeAlias = DocumentEntry | Folder
"""An object that has versions (ITI TF-3 4.1.5)."""


@dataclass(kw_only=True)
class UpdatePlan:
    """The writes of one request, built while its operations are checked."""

    ids: Mapping[str, str]
    """Every object's id in the request → its ``urn:uuid:`` id."""
    now: str
    """The DTM of the request (folders' lastUpdateTime)."""
    submission_set: SubmissionSet
    """The request's SubmissionSet, with its ``urn:uuid:`` id and status."""
    versions: dict[str, Version] = field(default_factory=dict)
    """New versions by their new entryUUID."""
    previous: dict[str, Version] = field(default_factory=dict)
    """New entryUUID → the version it replaces."""
    propagate: dict[str, bool] = field(default_factory=dict)
    """New entryUUID → whether the previous version's associations are propagated."""
    associations: list[Association] = field(default_factory=list)
    """Associations to insert: the request's, then those propagation adds."""
    status_changes: dict[str, str] = field(default_factory=dict)
    """Registered objects whose availabilityStatus changes → their new status."""
    folders_touched: set[str] = field(default_factory=set)
    """Folders whose content changes (their lastUpdateTime is set)."""
    errors: list[RegistryError] = field(default_factory=list)
    """What the checks found; nothing is written unless it stays empty."""

    def uuid(self, obj_id: str) -> str:
        """The ``urn:uuid:`` id of an object of the request, or ``obj_id`` itself."""
        return self.ids.get(obj_id, obj_id)

    def replaced(self) -> set[str]:
        """The entryUUIDs of the versions this request replaces."""
        return {version.entry_uuid for version in self.previous.values()}
