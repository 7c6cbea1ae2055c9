"""ITI TF-2a 3.18.4.1.2.3.7 — what a stored query asks of the store, free of SQL.

``stored_queries.py`` turns request parameters into these criteria and
``store.py`` into indexed SQL. In every criterion ``None`` means "no filter"
and an empty tuple "matches nothing" (a parameter whose values were all
unknown). Codes are ``code^^scheme`` strings; times are DTMs at any precision,
compared From inclusive and To exclusive.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = [
    "DocumentCriteria",
    "FolderCriteria",
    "SubmissionSetCriteria",
    "TimeRange",
]


@dataclass(frozen=True, kw_only=True, slots=True)
class TimeRange:
    """A half-open time range of stored-query parameters (ITI TF-2a 3.18.4.1.2.3.7.1)."""

    start: str | None = None
    """``…From``: the attribute is at or after this DTM."""
    end: str | None = None
    """``…To``: the attribute is strictly before this DTM."""

    @property
    def is_open(self) -> bool:
        """True when neither bound is given (no filter)."""
        return self.start is None and self.end is None


_ANY_TIME = TimeRange()


@dataclass(frozen=True, kw_only=True, slots=True)
class DocumentCriteria:
    """DocumentEntries to select (FindDocuments, GetDocuments, the contents of Get* queries)."""

    patient_id: str | None = None
    entry_uuids: tuple[str, ...] | None = None
    unique_ids: tuple[str, ...] | None = None
    logical_ids: tuple[str, ...] | None = None
    statuses: tuple[str, ...] | None = None
    object_types: tuple[str, ...] | None = None
    class_codes: tuple[str, ...] | None = None
    type_codes: tuple[str, ...] | None = None
    practice_setting_codes: tuple[str, ...] | None = None
    healthcare_facility_type_codes: tuple[str, ...] | None = None
    format_codes: tuple[str, ...] | None = None
    creation_time: TimeRange = _ANY_TIME
    service_start_time: TimeRange = _ANY_TIME
    service_stop_time: TimeRange = _ANY_TIME
    event_codes: tuple[tuple[str, ...], ...] = ()
    """OR within a group, AND across groups (ITI TF-2a 3.18.4.1.2.3.5)."""
    confidentiality_codes: tuple[tuple[str, ...], ...] = ()
    """OR within a group, AND across groups (ITI TF-2a 3.18.4.1.2.3.5)."""
    author_persons: tuple[str, ...] | None = None
    """LIKE patterns (``%`` and ``_`` wildcards), any of which an author matches."""
    reference_ids: tuple[str, ...] | None = None
    """Any of these ``referenceIdList`` values (ITI TF-2a 3.18.4.1.2.3.7.14)."""
    latest_only: bool = False
    """Only the latest version of each logical id ($MetadataLevel 1, ITI TF-2a 3.18.4.1.2.3.5.1)."""
    online_only: bool = False
    """Leave out entries whose documentAvailability is Offline ($MetadataLevel 1)."""


@dataclass(frozen=True, kw_only=True, slots=True)
class SubmissionSetCriteria:
    """SubmissionSets to select (FindSubmissionSets, GetAll, GetSubmissionSetAndContents)."""

    patient_id: str | None = None
    entry_uuids: tuple[str, ...] | None = None
    unique_ids: tuple[str, ...] | None = None
    statuses: tuple[str, ...] | None = None
    source_ids: tuple[str, ...] | None = None
    content_type_codes: tuple[str, ...] | None = None
    submission_time: TimeRange = _ANY_TIME


@dataclass(frozen=True, kw_only=True, slots=True)
class FolderCriteria:
    """Folders to select (FindFolders, GetFolders, GetAll, GetFolderAndContents)."""

    patient_id: str | None = None
    entry_uuids: tuple[str, ...] | None = None
    unique_ids: tuple[str, ...] | None = None
    logical_ids: tuple[str, ...] | None = None
    statuses: tuple[str, ...] | None = None
    excluded_statuses: tuple[str, ...] = ()
    """Statuses never returned (Deprecated folders at $MetadataLevel 1)."""
    last_update_time: TimeRange = _ANY_TIME
    codes: tuple[tuple[str, ...], ...] = ()
    """OR within a group, AND across groups (ITI TF-2a 3.18.4.1.2.3.5)."""
    latest_only: bool = False
