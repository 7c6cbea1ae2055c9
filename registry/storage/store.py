"""ITI TF-2b 3.42 and ITI TF-2a 3.18 — the registry's only door to its database.

``RegistryStore`` is bound to one transaction of ``Database`` and speaks the
model (``registry/model.py``, ``registry/patients.py``): nothing outside
``registry/storage`` sees SQLAlchemy. Writes use Core ``INSERT`` with
executemany (a submission is a handful of statements), reads select the
indexed columns of ``tables.py`` and decode the JSON document of each row.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from enum import Enum, StrEnum
from typing import Any, cast

from sqlalchemy import (
    ColumnElement,
    Select,
    Table,
    bindparam,
    exists,
    insert,
    or_,
    select,
    true,
    update,
)
from sqlalchemy.engine import Connection

from registry.hl7_datatypes import dtm_bound
from registry.model import Association, DocumentEntry, Folder, Submission, SubmissionSet
from registry.patients import Patient, PatientStatus
from registry.storage import codec
from registry.storage.criteria import (
    DocumentCriteria,
    FolderCriteria,
    SubmissionSetCriteria,
    TimeRange,
)
from registry.storage.tables import (
    AssociationRow,
    DocumentEntryAuthorRow,
    DocumentEntryCodeRow,
    DocumentEntryReferenceIdRow,
    DocumentEntryRow,
    FolderCodeRow,
    FolderRow,
    PatientRow,
    SubmissionSetRow,
)
from registry.vocabulary import DocumentAvailability

__all__ = ["EntryCodeKind", "ObjectKind", "RegistryStore", "StoredRef"]

_DOCUMENTS = cast(Table, DocumentEntryRow.__table__)
_ENTRY_CODES = cast(Table, DocumentEntryCodeRow.__table__)
_ENTRY_AUTHORS = cast(Table, DocumentEntryAuthorRow.__table__)
_ENTRY_REFERENCE_IDS = cast(Table, DocumentEntryReferenceIdRow.__table__)
_SUBMISSION_SETS = cast(Table, SubmissionSetRow.__table__)
_FOLDERS = cast(Table, FolderRow.__table__)
_FOLDER_CODES = cast(Table, FolderCodeRow.__table__)
_ASSOCIATIONS = cast(Table, AssociationRow.__table__)
_PATIENTS = cast(Table, PatientRow.__table__)

_CHUNK = 500
"""Keys per ``IN (…)`` list: well under SQLite's and PostgreSQL's bind-parameter limits."""

_LIKE_ESCAPE = "\\"


class ObjectKind(StrEnum):
    """Which kind of registry object a ``StoredRef`` names."""

    DOCUMENT = "DocumentEntry"
    SUBMISSION_SET = "SubmissionSet"
    FOLDER = "Folder"
    ASSOCIATION = "Association"


class EntryCodeKind(StrEnum):
    """The multi-valued codes of a DocumentEntry kept in ``document_entry_codes``."""

    EVENT = "event"
    CONFIDENTIALITY = "confidentiality"


@dataclass(frozen=True, kw_only=True, slots=True)
class StoredRef:
    """What the registry rules need to know of an object already registered.

    Used to resolve references of a submission (ITI TF-3 4.2.2) and to detect
    uniqueIds already in use (ITI TF-2b 3.42.4.1.3.3).
    """

    kind: ObjectKind
    entry_uuid: str
    unique_id: str | None
    """``None`` for associations, which have none."""
    logical_id: str | None
    version: str | None
    patient_id: str | None
    """``None`` for associations."""
    availability_status: str
    hash: str | None = None
    """DocumentEntries only."""
    size: int | None = None
    """DocumentEntries only."""
    latest: bool = True
    """Whether this is the newest version of its logical id (ITI TF-3 4.1.5)."""


def _wire(value: str | Enum) -> str:
    """The wire string of a vocabulary enum member or of a plain string."""
    return str(value.value) if isinstance(value, Enum) else value


def _padded(dtm: str | None) -> str | None:
    return None if dtm is None else dtm_bound(dtm, upper=False)


def _chunks(keys: Iterable[str]) -> Iterator[list[str]]:
    unique = list(dict.fromkeys(keys))
    for start in range(0, len(unique), _CHUNK):
        yield unique[start : start + _CHUNK]


def _like_pattern(pattern: str) -> str:
    """A stored-query LIKE value as an SQL pattern with ``\\`` as the escape character."""
    return pattern.replace(_LIKE_ESCAPE, _LIKE_ESCAPE * 2)


class RegistryStore:
    """Reads and writes registry objects inside one transaction (see ``Database``)."""

    def __init__(self, connection: Connection) -> None:
        self._connection = connection

    # ------------------------------------------------------------------ writes

    def add_submission(self, submission: Submission) -> None:
        """Insert a submission's SubmissionSet, DocumentEntries, Folders and Associations.

        The ids are already ``urn:uuid:`` (symbolic ids were resolved by
        ``register.py``); the rules of ITI TF-2b 3.42.4.1.3 were checked.
        ``object_refs`` name objects already stored and insert nothing.
        """
        self.add_submission_sets((submission.submission_set,))
        self.add_documents(submission.documents)
        self.add_folders(submission.folders)
        self.add_associations(submission.associations)

    def add_submission_sets(self, submission_sets: Sequence[SubmissionSet]) -> None:
        """Insert SubmissionSets (ITI TF-3 4.2.3.3)."""
        if not submission_sets:
            return
        rows = [
            {
                "entry_uuid": item.entry_uuid,
                "unique_id": item.unique_id,
                "patient_id": item.patient_id,
                "source_id": item.source_id,
                "availability_status": _wire(item.availability_status),
                "submission_time": _padded(item.submission_time),
                "content_type_code": None
                if item.content_type_code is None
                else str(item.content_type_code),
                "document": codec.encode(item),
            }
            for item in submission_sets
        ]
        self._connection.execute(insert(_SUBMISSION_SETS), rows)

    def add_documents(self, documents: Sequence[DocumentEntry]) -> None:
        """Insert DocumentEntries (ITI TF-3 4.2.3.2) and their multi-valued filter rows."""
        if not documents:
            return
        rows = [self._document_row(entry) for entry in documents]
        if len(rows) == 1:
            keys = {documents[0].entry_uuid: self._insert_returning_key(_DOCUMENTS, rows[0])}
        else:
            keys = self._insert_returning_keys(_DOCUMENTS, rows)
        codes: list[dict[str, Any]] = []
        authors: list[dict[str, Any]] = []
        reference_ids: list[dict[str, Any]] = []
        for entry in documents:
            key = keys[entry.entry_uuid]
            for kind, values in (
                (EntryCodeKind.EVENT, entry.event_codes),
                (EntryCodeKind.CONFIDENTIALITY, entry.confidentiality_codes),
            ):
                codes.extend(
                    {"entry_pk": key, "kind": kind.value, "value": value}
                    for value in dict.fromkeys(str(code) for code in values)
                )
            authors.extend(
                {"entry_pk": key, "person": person}
                for person in dict.fromkeys(a.person for a in entry.authors if a.person)
            )
            reference_ids.extend(
                {"entry_pk": key, "value": value} for value in dict.fromkeys(entry.reference_ids)
            )
        for table, child_rows in (
            (_ENTRY_CODES, codes),
            (_ENTRY_AUTHORS, authors),
            (_ENTRY_REFERENCE_IDS, reference_ids),
        ):
            if child_rows:
                self._connection.execute(insert(table), child_rows)

    def add_folders(self, folders: Sequence[Folder]) -> None:
        """Insert Folders (ITI TF-3 4.2.3.4) and their codes."""
        if not folders:
            return
        rows = [
            {
                "entry_uuid": folder.entry_uuid,
                "logical_id": folder.logical_id or folder.entry_uuid,
                "version": folder.version,
                "latest": True,
                "unique_id": folder.unique_id,
                "patient_id": folder.patient_id,
                "availability_status": _wire(folder.availability_status),
                "last_update_time": _padded(folder.last_update_time),
                "document": codec.encode(folder),
            }
            for folder in folders
        ]
        if len(rows) == 1:
            keys = {folders[0].entry_uuid: self._insert_returning_key(_FOLDERS, rows[0])}
        else:
            keys = self._insert_returning_keys(_FOLDERS, rows)
        codes = [
            {"folder_pk": keys[folder.entry_uuid], "value": value}
            for folder in folders
            for value in dict.fromkeys(str(code) for code in folder.codes)
        ]
        if codes:
            self._connection.execute(insert(_FOLDER_CODES), codes)

    def add_associations(self, associations: Sequence[Association]) -> None:
        """Insert Associations (ITI TF-3 4.2.2)."""
        if not associations:
            return
        rows = [
            {
                "entry_uuid": item.entry_uuid,
                "association_type": item.association_type,
                "source_uuid": item.source_id,
                "target_uuid": item.target_id,
                "availability_status": _wire(item.availability_status),
                "submission_set_status": None
                if item.submission_set_status is None
                else _wire(item.submission_set_status),
                "document": codec.encode(item),
            }
            for item in associations
        ]
        self._connection.execute(insert(_ASSOCIATIONS), rows)

    def set_status(self, uuids: Collection[str], status: str) -> None:
        """Set the availabilityStatus of objects of any kind (ITI TF-3 4.2.2.2.2, ITI-57).

        The column changes and so does the JSON document, so that LeafClass
        responses carry the new status.
        """
        wire = _wire(status)
        for table, decode in (
            (_DOCUMENTS, codec.decode_document),
            (_SUBMISSION_SETS, codec.decode_submission_set),
            (_FOLDERS, codec.decode_folder),
            (_ASSOCIATIONS, codec.decode_association),
        ):
            self._rewrite(
                table,
                uuids,
                decode,
                lambda obj: replace(obj, availability_status=wire),
                {"availability_status": wire},
            )

    def set_folder_last_update_time(self, uuids: Collection[str], dtm: str) -> None:
        """Set ``lastUpdateTime`` of Folders whose content changed (ITI TF-3 4.2.3.4.3)."""
        self._rewrite(
            _FOLDERS,
            uuids,
            codec.decode_folder,
            lambda folder: replace(folder, last_update_time=dtm),
            {"last_update_time": _padded(dtm)},
        )

    # ------------------------------------------------------------------ references

    def objects_by_uuid(self, uuids: Collection[str]) -> dict[str, StoredRef]:
        """Registered objects of any kind by entryUUID; unknown ids are absent."""
        found: dict[str, StoredRef] = {}
        for chunk in _chunks(uuids):
            for ref in self._refs("entry_uuid", chunk, with_associations=True):
                found.setdefault(ref.entry_uuid, ref)
        return found

    def objects_by_unique_id(self, unique_ids: Collection[str]) -> dict[str, StoredRef]:
        """Registered DocumentEntries, SubmissionSets and Folders by uniqueId.

        When versions share a uniqueId (ITI-57), the latest version is given;
        when kinds share one, the DocumentEntry, then the SubmissionSet.
        """
        found: dict[str, StoredRef] = {}
        for chunk in _chunks(unique_ids):
            for ref in self._refs("unique_id", chunk, with_associations=False):
                assert ref.unique_id is not None
                known = found.get(ref.unique_id)
                if known is None or (known.kind is ref.kind and ref.latest and not known.latest):
                    found[ref.unique_id] = ref
        return found

    # ------------------------------------------------------------------ objects by id

    def documents(self, uuids: Collection[str]) -> list[DocumentEntry]:
        """DocumentEntries by entryUUID, in registration order; unknown ids are skipped."""
        return self._by_uuid(_DOCUMENTS, uuids, codec.decode_document)

    def submission_sets(self, uuids: Collection[str]) -> list[SubmissionSet]:
        """SubmissionSets by entryUUID, in registration order."""
        return self._by_uuid(_SUBMISSION_SETS, uuids, codec.decode_submission_set)

    def folders(self, uuids: Collection[str]) -> list[Folder]:
        """Folders by entryUUID, in registration order."""
        return self._by_uuid(_FOLDERS, uuids, codec.decode_folder)

    def associations(self, uuids: Collection[str]) -> list[Association]:
        """Associations by their own entryUUID, in registration order."""
        return self._by_uuid(_ASSOCIATIONS, uuids, codec.decode_association)

    def associations_touching(
        self, uuids: Collection[str], *, types: Collection[str] | None = None
    ) -> list[Association]:
        """Associations whose source or target is one of ``uuids`` (ITI TF-2a 3.18.4.1.2.3.7.7)."""
        return self._associations(uuids, ends=("source_uuid", "target_uuid"), types=types)

    def associations_from(
        self, sources: Collection[str], *, types: Collection[str] | None = None
    ) -> list[Association]:
        """Associations whose sourceObject is one of ``sources`` (e.g. HasMember of a folder)."""
        return self._associations(sources, ends=("source_uuid",), types=types)

    def associations_to(
        self, targets: Collection[str], *, types: Collection[str] | None = None
    ) -> list[Association]:
        """Associations whose targetObject is one of ``targets``."""
        return self._associations(targets, ends=("target_uuid",), types=types)

    # ------------------------------------------------------------------ stored queries

    def find_documents(
        self, criteria: DocumentCriteria, *, limit: int | None = None
    ) -> list[DocumentEntry]:
        """DocumentEntries matching ``criteria`` (ITI TF-2a 3.18.4.1.2.3.7.1), oldest first.

        One indexed query on ``document_entries`` — by patient through
        ``(patient_id, availability_status, creation_time)`` — with ``EXISTS``
        lookups in the child tables for multi-valued filters. ``limit`` caps
        the rows read (the caller asks one more than it may return).
        """
        conditions = _document_conditions(criteria)
        if conditions is None:
            return []
        statement = select(_DOCUMENTS.c.document).where(*conditions).order_by(_DOCUMENTS.c.pk)
        return self._decode_all(statement, codec.decode_document, limit)

    def find_submission_sets(
        self, criteria: SubmissionSetCriteria, *, limit: int | None = None
    ) -> list[SubmissionSet]:
        """SubmissionSets matching ``criteria`` (ITI TF-2a 3.18.4.1.2.3.7.2), oldest first."""
        table = _SUBMISSION_SETS
        conditions = _common_conditions(
            table,
            patient_id=criteria.patient_id,
            entry_uuids=criteria.entry_uuids,
            unique_ids=criteria.unique_ids,
            statuses=criteria.statuses,
        )
        if conditions is None:
            return []
        if not _add_in(conditions, table.c.source_id, criteria.source_ids):
            return []
        if not _add_in(conditions, table.c.content_type_code, criteria.content_type_codes):
            return []
        _add_range(conditions, table.c.submission_time, criteria.submission_time)
        statement = select(table.c.document).where(*conditions).order_by(table.c.pk)
        return self._decode_all(statement, codec.decode_submission_set, limit)

    def find_folders(self, criteria: FolderCriteria, *, limit: int | None = None) -> list[Folder]:
        """Folders matching ``criteria`` (ITI TF-2a 3.18.4.1.2.3.7.3), oldest first."""
        table = _FOLDERS
        conditions = _common_conditions(
            table,
            patient_id=criteria.patient_id,
            entry_uuids=criteria.entry_uuids,
            unique_ids=criteria.unique_ids,
            statuses=criteria.statuses,
        )
        if conditions is None:
            return []
        if not _add_in(conditions, table.c.logical_id, criteria.logical_ids):
            return []
        if criteria.excluded_statuses:
            conditions.append(table.c.availability_status.not_in(criteria.excluded_statuses))
        if criteria.latest_only:
            conditions.append(table.c.latest == true())
        _add_range(conditions, table.c.last_update_time, criteria.last_update_time)
        for group in criteria.codes:
            if not group:
                return []
            conditions.append(
                exists().where(
                    _FOLDER_CODES.c.folder_pk == table.c.pk, _FOLDER_CODES.c.value.in_(group)
                )
            )
        statement = select(table.c.document).where(*conditions).order_by(table.c.pk)
        return self._decode_all(statement, codec.decode_folder, limit)

    def explain_find_documents(self, criteria: DocumentCriteria) -> list[str]:
        """The SQLite query plan of ``find_documents`` (``EXPLAIN QUERY PLAN``), for tests."""
        conditions = _document_conditions(criteria) or []
        statement = select(_DOCUMENTS.c.document).where(*conditions).order_by(_DOCUMENTS.c.pk)
        compiled = statement.compile(
            dialect=self._connection.dialect, compile_kwargs={"literal_binds": True}
        )
        rows = self._connection.exec_driver_sql(f"EXPLAIN QUERY PLAN {compiled}")
        return [str(row[-1]) for row in rows]

    # ------------------------------------------------------------------ patients

    def patient(self, patient_id: str) -> Patient | None:
        """The patient fed with this id (ITI TF-2b 3.44), or ``None``."""
        row = (
            self._connection.execute(select(_PATIENTS).where(_PATIENTS.c.patient_id == patient_id))
            .mappings()
            .first()
        )
        return None if row is None else _patient_from_row(dict(row))

    def save_patient(self, patient: Patient) -> None:
        """Insert the patient, or replace the record of an id already known."""
        now = datetime.now(UTC)
        values = {
            "status": patient.status.value,
            "merged_into": patient.merged_into,
            "demographics": _demographics(patient),
            "updated_at": now,
        }
        result = self._connection.execute(
            update(_PATIENTS).where(_PATIENTS.c.patient_id == patient.patient_id).values(values)
        )
        if result.rowcount == 0:
            self._connection.execute(
                insert(_PATIENTS).values(patient_id=patient.patient_id, created_at=now, **values)
            )

    def merge_patients(self, *, subsumed: str, surviving: str) -> int:
        """Merge ``subsumed`` into ``surviving`` (ITI TF-2b 3.44.4.1.3).

        The subsumed id is marked merged (and so are ids merged into it
        before); its DocumentEntries, SubmissionSets and Folders now name the
        surviving id, in their column and JSON document. Returns how many
        objects moved.
        """
        now = datetime.now(UTC)
        known = self.patient(subsumed)
        self.save_patient(
            replace(known, status=PatientStatus.MERGED, merged_into=surviving)
            if known is not None
            else Patient(patient_id=subsumed, status=PatientStatus.MERGED, merged_into=surviving)
        )
        self._connection.execute(
            update(_PATIENTS)
            .where(_PATIENTS.c.merged_into == subsumed)
            .values(merged_into=surviving, updated_at=now)
        )
        moved = 0
        for table, decode in (
            (_DOCUMENTS, codec.decode_document),
            (_SUBMISSION_SETS, codec.decode_submission_set),
            (_FOLDERS, codec.decode_folder),
        ):
            rows = self._connection.execute(
                select(table.c.pk, table.c.document).where(table.c.patient_id == subsumed)
            ).all()
            self._update_rows(
                table,
                [
                    {
                        "key": row.pk,
                        "patient_id": surviving,
                        "document": codec.encode(
                            replace(decode(row.document), patient_id=surviving)
                        ),
                    }
                    for row in rows
                ],
            )
            moved += len(rows)
        return moved

    # ------------------------------------------------------------------ internals

    def _document_row(self, entry: DocumentEntry) -> dict[str, Any]:
        return {
            "entry_uuid": entry.entry_uuid,
            "logical_id": entry.logical_id or entry.entry_uuid,
            "version": entry.version,
            "latest": True,
            "unique_id": entry.unique_id,
            "patient_id": entry.patient_id,
            "availability_status": _wire(entry.availability_status),
            "object_type": _wire(entry.object_type),
            "document_availability": entry.document_availability,
            "class_code": _code(entry.class_code),
            "type_code": _code(entry.type_code),
            "format_code": _code(entry.format_code),
            "practice_setting_code": _code(entry.practice_setting_code),
            "healthcare_facility_type_code": _code(entry.healthcare_facility_type_code),
            "creation_time": _padded(entry.creation_time),
            "service_start_time": _padded(entry.service_start_time),
            "service_stop_time": _padded(entry.service_stop_time),
            "hash": entry.hash,
            "size": entry.size,
            "repository_unique_id": entry.repository_unique_id,
            "document": codec.encode(entry),
        }

    def _insert_returning_key(self, table: Table, row: Mapping[str, Any]) -> int:
        result = self._connection.execute(insert(table).returning(table.c.pk), row)
        return int(result.scalar_one())

    def _insert_returning_keys(self, table: Table, rows: list[dict[str, Any]]) -> dict[str, int]:
        result = self._connection.execute(
            insert(table).returning(table.c.entry_uuid, table.c.pk, sort_by_parameter_order=True),
            rows,
        )
        return {row.entry_uuid: int(row.pk) for row in result}

    def _update_rows(self, table: Table, rows: list[dict[str, Any]]) -> None:
        if not rows:
            return
        columns: dict[str, Any] = {name: bindparam(name) for name in rows[0] if name != "key"}
        self._connection.execute(
            update(table).where(table.c.pk == bindparam("key")).values(columns),
            rows,
        )

    def _rewrite(
        self,
        table: Table,
        uuids: Collection[str],
        decode: Any,
        change: Any,
        columns: Mapping[str, Any],
    ) -> None:
        """Change columns and the JSON document of the rows of ``uuids`` in ``table``."""
        for chunk in _chunks(uuids):
            rows = self._connection.execute(
                select(table.c.pk, table.c.document).where(table.c.entry_uuid.in_(chunk))
            ).all()
            self._update_rows(
                table,
                [
                    {
                        "key": row.pk,
                        **columns,
                        "document": codec.encode(change(decode(row.document))),
                    }
                    for row in rows
                ],
            )

    def _by_uuid(self, table: Table, uuids: Collection[str], decode: Any) -> list[Any]:
        rows: list[tuple[int, Any]] = []
        for chunk in _chunks(uuids):
            rows.extend(
                (row.pk, row.document)
                for row in self._connection.execute(
                    select(table.c.pk, table.c.document).where(table.c.entry_uuid.in_(chunk))
                )
            )
        rows.sort(key=lambda row: row[0])
        return [decode(document) for _, document in rows]

    def _associations(
        self, uuids: Collection[str], *, ends: Sequence[str], types: Collection[str] | None
    ) -> list[Association]:
        if types is not None and not types:
            return []
        table = _ASSOCIATIONS
        rows: dict[int, Any] = {}
        for chunk in _chunks(uuids):
            statement = select(table.c.pk, table.c.document).where(
                or_(*(table.c[end].in_(chunk) for end in ends))
            )
            if types is not None:
                statement = statement.where(table.c.association_type.in_(list(types)))
            rows.update((row.pk, row.document) for row in self._connection.execute(statement))
        return [codec.decode_association(rows[key]) for key in sorted(rows)]

    def _decode_all(self, statement: Select[Any], decode: Any, limit: int | None) -> list[Any]:
        if limit is not None:
            statement = statement.limit(limit)
        return [decode(document) for document in self._connection.execute(statement).scalars()]

    def _refs(self, column: str, keys: list[str], *, with_associations: bool) -> list[StoredRef]:
        """References to the objects whose ``column`` is one of ``keys``, kind by kind."""
        d, s, f, a = _DOCUMENTS, _SUBMISSION_SETS, _FOLDERS, _ASSOCIATIONS
        execute = self._connection.execute
        refs = [
            StoredRef(
                kind=ObjectKind.DOCUMENT,
                entry_uuid=row["entry_uuid"],
                unique_id=row["unique_id"],
                logical_id=row["logical_id"],
                version=row["version"],
                patient_id=row["patient_id"],
                availability_status=row["availability_status"],
                hash=row["hash"],
                size=row["size"],
                latest=bool(row["latest"]),
            )
            for row in execute(
                select(
                    d.c.entry_uuid,
                    d.c.unique_id,
                    d.c.logical_id,
                    d.c.version,
                    d.c.patient_id,
                    d.c.availability_status,
                    d.c.hash,
                    d.c.size,
                    d.c.latest,
                )
                .where(d.c[column].in_(keys))
                .order_by(d.c.pk)
            ).mappings()
        ]
        refs.extend(
            StoredRef(
                kind=ObjectKind.SUBMISSION_SET,
                entry_uuid=row["entry_uuid"],
                unique_id=row["unique_id"],
                logical_id=row["entry_uuid"],
                version=None,
                patient_id=row["patient_id"],
                availability_status=row["availability_status"],
            )
            for row in execute(
                select(s.c.entry_uuid, s.c.unique_id, s.c.patient_id, s.c.availability_status)
                .where(s.c[column].in_(keys))
                .order_by(s.c.pk)
            ).mappings()
        )
        refs.extend(
            StoredRef(
                kind=ObjectKind.FOLDER,
                entry_uuid=row["entry_uuid"],
                unique_id=row["unique_id"],
                logical_id=row["logical_id"],
                version=row["version"],
                patient_id=row["patient_id"],
                availability_status=row["availability_status"],
                latest=bool(row["latest"]),
            )
            for row in execute(
                select(
                    f.c.entry_uuid,
                    f.c.unique_id,
                    f.c.logical_id,
                    f.c.version,
                    f.c.patient_id,
                    f.c.availability_status,
                    f.c.latest,
                )
                .where(f.c[column].in_(keys))
                .order_by(f.c.pk)
            ).mappings()
        )
        if with_associations:
            refs.extend(
                StoredRef(
                    kind=ObjectKind.ASSOCIATION,
                    entry_uuid=row["entry_uuid"],
                    unique_id=None,
                    logical_id=None,
                    version=None,
                    patient_id=None,
                    availability_status=row["availability_status"],
                )
                for row in execute(
                    select(a.c.entry_uuid, a.c.availability_status)
                    .where(a.c[column].in_(keys))
                    .order_by(a.c.pk)
                ).mappings()
            )
        return refs


def _code(code: object | None) -> str | None:
    return None if code is None else str(code)


def _add_in(
    conditions: list[ColumnElement[bool]], column: Any, values: tuple[str, ...] | None
) -> bool:
    """Add ``column IN values``; False when ``values`` is empty (nothing can match)."""
    if values is None:
        return True
    if not values:
        return False
    conditions.append(column.in_(values) if len(values) > 1 else column == values[0])
    return True


def _add_range(conditions: list[ColumnElement[bool]], column: Any, time_range: TimeRange) -> None:
    """From inclusive, To exclusive, padded as the column is (ITI TF-2a 3.18.4.1.2.3.7.1)."""
    if time_range.start is not None:
        conditions.append(column >= dtm_bound(time_range.start, upper=False))
    if time_range.end is not None:
        conditions.append(column < dtm_bound(time_range.end, upper=False))


def _common_conditions(
    table: Table,
    *,
    patient_id: str | None,
    entry_uuids: tuple[str, ...] | None,
    unique_ids: tuple[str, ...] | None,
    statuses: tuple[str, ...] | None,
) -> list[ColumnElement[bool]] | None:
    conditions: list[ColumnElement[bool]] = []
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


def _document_conditions(criteria: DocumentCriteria) -> list[ColumnElement[bool]] | None:
    """The WHERE clause of ``find_documents``; ``None`` when nothing can match."""
    d = _DOCUMENTS
    conditions = _common_conditions(
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
                    _ENTRY_CODES.c.entry_pk == d.c.pk,
                    _ENTRY_CODES.c.kind == kind.value,
                    _ENTRY_CODES.c.value.in_(group),
                )
            )
    if criteria.author_persons is not None:
        if not criteria.author_persons:
            return None
        conditions.append(
            exists().where(
                _ENTRY_AUTHORS.c.entry_pk == d.c.pk,
                or_(
                    *(
                        _ENTRY_AUTHORS.c.person.like(_like_pattern(p), escape=_LIKE_ESCAPE)
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
                _ENTRY_REFERENCE_IDS.c.entry_pk == d.c.pk,
                _ENTRY_REFERENCE_IDS.c.value.in_(criteria.reference_ids),
            )
        )
    return conditions


def _demographics(patient: Patient) -> dict[str, Any]:
    return {
        "given_name": patient.given_name,
        "family_name": patient.family_name,
        "birth_time": patient.birth_time,
        "gender": patient.gender,
        "extra": [list(pair) for pair in patient.demographics],
    }


def _patient_from_row(row: Mapping[str, Any]) -> Patient:
    demographics = row["demographics"]
    return Patient(
        patient_id=row["patient_id"],
        status=PatientStatus(row["status"]),
        merged_into=row["merged_into"],
        given_name=demographics.get("given_name"),
        family_name=demographics.get("family_name"),
        birth_time=demographics.get("birth_time"),
        gender=demographics.get("gender"),
        demographics=tuple((str(k), str(v)) for k, v in demographics.get("extra", ())),
    )
