"""ITI TF-2a 3.18.4.1.2.3.7 — stored-query criteria as WHERE clauses on indexed columns.

Each function returns the conditions of one ``SELECT``, or ``None`` when the
criteria cannot match anything (a filter given with no value the registry
knows), so that the store skips the query. Multi-valued filters become
``EXISTS`` lookups in the child tables, keyed by the parent row: the plan
stays one index search by patient plus primary-key probes.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

from sqlalchemy import ColumnElement, Table, exists, or_, true

from registry.storage.criteria import (
    DocumentCriteria,
    FolderCriteria,
    SubmissionSetCriteria,
    TimeRange,
)
from registry.storage.rows import (
    DOCUMENTS,
    ENTRY_AUTHORS,
    ENTRY_CODES,
    ENTRY_REFERENCE_IDS,
    FOLDER_CODES,
    FOLDERS,
    SUBMISSION_SETS,
    EntryCodeKind,
    padded,
)
from registry.vocabulary import DocumentAvailability

__all__ = ["document_conditions", "folder_conditions", "submission_set_conditions"]

Conditions = list[ColumnElement[bool]]

_LIKE_ESCAPE = "\\"


def _like_pattern(pattern: str) -> str:
    """A stored-query LIKE value (ITI TF-2a 3.18.4.1.2.3.4) with ``\\`` as escape character."""
    return pattern.replace(_LIKE_ESCAPE, _LIKE_ESCAPE * 2)


def _add_in(conditions: Conditions, column: Any, values: tuple[str, ...] | None) -> bool:
    """Add ``column IN values``; False when ``values`` is empty (nothing can match)."""
    if values is None:
        return True
    if not values:
        return False
    conditions.append(column.in_(values) if len(values) > 1 else column == values[0])
    return True


def _add_range(conditions: Conditions, column: Any, time_range: TimeRange) -> None:
    """From inclusive, To exclusive, padded as the column is (ITI TF-2a 3.18.4.1.2.3.7.1)."""
    if time_range.start is not None:
        conditions.append(column >= padded(time_range.start))
    if time_range.end is not None:
        conditions.append(column < padded(time_range.end))


def _common(
    table: Table,
    *,
    patient_id: str | None,
    entry_uuids: tuple[str, ...] | None,
    unique_ids: tuple[str, ...] | None,
    statuses: tuple[str, ...] | None,
) -> Conditions | None:
    conditions: Conditions = []
    if patient_id is not None:
        conditions.append(table.c.patient_id == patient_id)
    for column, values in (
        (table.c.availability_status, statuses),
        (table.c.entry_uuid, entry_uuids),
        (table.c.unique_id, unique_ids),
    ):
        if not _add_in(conditions, column, values):
            return None
    return conditions


def document_conditions(criteria: DocumentCriteria) -> Conditions | None:
    """The WHERE clause selecting DocumentEntries (FindDocuments and the Get* contents)."""
    d = DOCUMENTS
    conditions = _common(
        d,
        patient_id=criteria.patient_id,
        entry_uuids=criteria.entry_uuids,
        unique_ids=criteria.unique_ids,
        statuses=criteria.statuses,
    )
    if conditions is None:
        return None
    for column, values in (
        (d.c.logical_id, criteria.logical_ids),
        (d.c.object_type, criteria.object_types),
        (d.c.class_code, criteria.class_codes),
        (d.c.type_code, criteria.type_codes),
        (d.c.practice_setting_code, criteria.practice_setting_codes),
        (d.c.healthcare_facility_type_code, criteria.healthcare_facility_type_codes),
        (d.c.format_code, criteria.format_codes),
    ):
        if not _add_in(conditions, column, values):
            return None
    _add_range(conditions, d.c.creation_time, criteria.creation_time)
    _add_range(conditions, d.c.service_start_time, criteria.service_start_time)
    _add_range(conditions, d.c.service_stop_time, criteria.service_stop_time)
    if criteria.latest_only:
        conditions.append(d.c.latest == true())
    if criteria.online_only:
        conditions.append(
            or_(
                d.c.document_availability.is_(None),
                d.c.document_availability != DocumentAvailability.OFFLINE.value,
            )
        )
    for kind, groups in (
        (EntryCodeKind.EVENT, criteria.event_codes),
        (EntryCodeKind.CONFIDENTIALITY, criteria.confidentiality_codes),
    ):
        for group in groups:
            if not group:
                return None
            conditions.append(
                exists().where(
                    ENTRY_CODES.c.entry_pk == d.c.pk,
                    ENTRY_CODES.c.kind == kind.value,
                    ENTRY_CODES.c.value.in_(group),
                )
            )
    if criteria.author_persons is not None:
        if not criteria.author_persons:
            return None
        conditions.append(
            exists().where(
                ENTRY_AUTHORS.c.entry_pk == d.c.pk,
                or_(
                    *(
                        ENTRY_AUTHORS.c.person.like(_like_pattern(p), escape=_LIKE_ESCAPE)
                        for p in criteria.author_persons
                    )
                ),
            )
        )
    if criteria.reference_ids is not None:
        if not criteria.reference_ids:
            return None
        conditions.append(
            exists().where(
                ENTRY_REFERENCE_IDS.c.entry_pk == d.c.pk,
                ENTRY_REFERENCE_IDS.c.value.in_(criteria.reference_ids),
            )
        )
    return conditions


def submission_set_conditions(criteria: SubmissionSetCriteria) -> Conditions | None:
    """The WHERE clause selecting SubmissionSets (FindSubmissionSets, GetAll…)."""
    s = SUBMISSION_SETS
    conditions = _common(
        s,
        patient_id=criteria.patient_id,
        entry_uuids=criteria.entry_uuids,
        unique_ids=criteria.unique_ids,
        statuses=criteria.statuses,
    )
    if conditions is None:
        return None
    if not _add_in(conditions, s.c.source_id, criteria.source_ids):
        return None
    if not _add_in(conditions, s.c.content_type_code, criteria.content_type_codes):
        return None
    _add_range(conditions, s.c.submission_time, criteria.submission_time)
    return conditions


def folder_conditions(criteria: FolderCriteria) -> Conditions | None:
    """The WHERE clause selecting Folders (FindFolders, GetFolders, GetAll…)."""
    f = FOLDERS
    conditions = _common(
        f,
        patient_id=criteria.patient_id,
        entry_uuids=criteria.entry_uuids,
        unique_ids=criteria.unique_ids,
        statuses=criteria.statuses,
    )
    if conditions is None:
        return None
    if not _add_in(conditions, f.c.logical_id, criteria.logical_ids):
        return None
    if criteria.excluded_statuses:
        conditions.append(f.c.availability_status.not_in(criteria.excluded_statuses))
    if criteria.latest_only:
        conditions.append(f.c.latest == true())
    _add_range(conditions, f.c.last_update_time, criteria.last_update_time)
    for group in criteria.codes:
        if not group:
            return None
        conditions.append(
            exists().where(FOLDER_CODES.c.folder_pk == f.c.pk, FOLDER_CODES.c.value.in_(group))
        )
    return conditions


IN_LIST_SIZE = 500
"""Keys per ``IN (…)`` list: well under SQLite's and PostgreSQL's bind-parameter limits."""


def in_lists(keys: Iterable[str]) -> Iterator[list[str]]:
    """``keys``, without repeats, in lists of at most :data:`IN_LIST_SIZE` for ``IN (…)``."""
    unique = list(dict.fromkeys(keys))
    for start in range(0, len(unique), IN_LIST_SIZE):
        yield unique[start : start + IN_LIST_SIZE]
