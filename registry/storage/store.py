"""ITI TF-2b 3.42 and ITI TF-2a 3.18 — the registry's only door to its database.

``RegistryStore`` is bound to one transaction of ``Database`` and speaks the
model (``registry/model.py``, ``registry/patients.py``): nothing outside
``registry/storage`` sees SQLAlchemy. Writes use Core ``INSERT`` with
executemany (a submission is a handful of statements: ``rows.py`` shapes
them); reads select on indexed columns (``selection.py``) and decode the JSON
document of each row.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any, TypeVar

from sqlalchemy import (
    Select,
    Table,
    bindparam,
    delete,
    func,
    insert,
    or_,
    select,
    true,
    update,
)
from sqlalchemy.engine import Connection

from registry.model import Association, DocumentEntry, Folder, Submission, SubmissionSet
from registry.patients import Patient, PatientStatus
from registry.storage import codec
from registry.storage.audit_store import AuditStore
from registry.storage.criteria import DocumentCriteria, FolderCriteria, SubmissionSetCriteria
from registry.storage.direct_sql import DirectSql, json_value
from registry.storage.dmp_store import DmpStore
from registry.storage.ledger_store import RepositoryLedger, StoredDocument
from registry.storage.rows import (
    ASSOCIATIONS,
    DOCUMENTS,
    ENTRY_AUTHORS,
    ENTRY_CODES,
    ENTRY_REFERENCE_IDS,
    FOLDER_CODES,
    FOLDERS,
    PATIENTS,
    SUBMISSION_SETS,
    EncodedSubmission,
    association_row,
    document_child_rows,
    document_row,
    encode_submission,
    folder_code_rows,
    padded,
    patient_from_row,
    patient_values,
    wire,
)
from registry.storage.selection import (
    document_conditions,
    folder_conditions,
    in_lists,
    submission_set_conditions,
)

__all__ = ["ObjectKind", "RegistryStore", "StoredDocument", "StoredRef"]

_Model = TypeVar("_Model", DocumentEntry, SubmissionSet, Folder, Association)


class ObjectKind(StrEnum):
    """Which kind of registry object a ``StoredRef`` names."""

    DOCUMENT = "DocumentEntry"
    SUBMISSION_SET = "SubmissionSet"
    FOLDER = "Folder"
    ASSOCIATION = "Association"


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


class RegistryStore:
    """Reads and writes registry objects inside one transaction (see ``Database``)."""

    def __init__(self, connection: Connection) -> None:
        self._connection = connection
        self._direct = DirectSql(connection)

    @property
    def dmp_records(self) -> DmpStore:
        """The DMP records, authorisations and blocks, in this same transaction."""
        return DmpStore(self._connection)

    @property
    def audit(self) -> AuditStore:
        """The audit trail, in this same transaction: a change and its record commit together."""
        return AuditStore(self._connection)

    @property
    def ledger(self) -> RepositoryLedger:
        """The Document Repository's ledger, in this same transaction (IHE RMD, ITI-41)."""
        return RepositoryLedger(self._connection)

    # ------------------------------------------------------------------ writes

    def add_submission(self, submission: Submission) -> None:
        """Insert a submission's SubmissionSet, DocumentEntries, Folders and Associations.

        The ids are already ``urn:uuid:`` (symbolic ids were resolved by
        ``register.py``) and the rules of ITI TF-2b 3.42.4.1.3 were checked.
        ``object_refs`` name objects already stored and insert nothing.
        """
        self.add_encoded(encode_submission(submission))

    def add_encoded(self, encoded: EncodedSubmission) -> None:
        """Insert a submission encoded beforehand, outside the writer lock (``rows.py``)."""
        self._direct.insert(SUBMISSION_SETS, encoded.submission_sets, json_serialised=True)
        keys = self._direct.insert_keyed(
            DOCUMENTS, [row for _, row in encoded.documents], json_serialised=True
        )
        self._add_document_children([entry for entry, _ in encoded.documents], keys)
        keys = self._direct.insert_keyed(
            FOLDERS, [row for _, row in encoded.folders], json_serialised=True
        )
        self._add_folder_codes([folder for folder, _ in encoded.folders], keys)
        self._direct.insert(ASSOCIATIONS, encoded.associations, json_serialised=True)

    def add_documents(self, documents: Sequence[DocumentEntry]) -> None:
        """Insert DocumentEntries (ITI TF-3 4.2.3.2) and their multi-valued filter rows."""
        keys = self._direct.insert_keyed(DOCUMENTS, [document_row(entry) for entry in documents])
        self._add_document_children(documents, keys)

    def _add_document_children(
        self, documents: Sequence[DocumentEntry], keys: Mapping[str, int]
    ) -> None:
        codes: list[dict[str, Any]] = []
        authors: list[dict[str, Any]] = []
        reference_ids: list[dict[str, Any]] = []
        for entry in documents:
            entry_codes, entry_authors, entry_reference_ids = document_child_rows(
                entry, keys[entry.entry_uuid]
            )
            codes += entry_codes
            authors += entry_authors
            reference_ids += entry_reference_ids
        for table, rows in (
            (ENTRY_CODES, codes),
            (ENTRY_AUTHORS, authors),
            (ENTRY_REFERENCE_IDS, reference_ids),
        ):
            self._direct.insert(table, rows)

    def _add_folder_codes(self, folders: Sequence[Folder], keys: Mapping[str, int]) -> None:
        codes = [row for f in folders for row in folder_code_rows(f, keys[f.entry_uuid])]
        self._direct.insert(FOLDER_CODES, codes)

    def add_associations(self, associations: Sequence[Association]) -> None:
        """Insert Associations (ITI TF-3 4.2.2)."""
        self._direct.insert(ASSOCIATIONS, [association_row(item) for item in associations])

    def set_status(self, uuids: Collection[str], status: str) -> None:
        """Set the availabilityStatus of objects of any kind (ITI TF-3 4.2.2.2.2, ITI-57).

        The column changes and so does the JSON document, so that LeafClass
        responses carry the new status.
        """
        value = wire(status)
        for table, decode in _DECODERS:
            self._rewrite(
                table,
                uuids,
                decode,
                lambda obj: replace(obj, availability_status=value),
                {"availability_status": value},
            )

    def set_folder_last_update_time(self, uuids: Collection[str], dtm: str) -> None:
        """Set ``lastUpdateTime`` of Folders whose content changed (ITI TF-3 4.2.3.4.3)."""
        self._rewrite(
            FOLDERS,
            uuids,
            codec.decode_folder,
            lambda folder: replace(folder, last_update_time=dtm),
            {"last_update_time": padded(dtm)},
        )

    # ------------------------------------------------------------------ versions and removal

    def latest_documents(self, logical_ids: Collection[str]) -> dict[str, DocumentEntry]:
        """The latest version of each logical id that names DocumentEntries (ITI-57)."""
        return {
            entry.logical_id or entry.entry_uuid: entry
            for entry in self._latest(DOCUMENTS, logical_ids, codec.decode_document)
        }

    def latest_folders(self, logical_ids: Collection[str]) -> dict[str, Folder]:
        """The latest version of each logical id that names Folders (ITI-57)."""
        return {
            folder.logical_id or folder.entry_uuid: folder
            for folder in self._latest(FOLDERS, logical_ids, codec.decode_folder)
        }

    def supersede(self, uuids: Collection[str]) -> None:
        """Mark DocumentEntry and Folder versions as no longer the latest of their logical id.

        ITI TF-2b 3.57.4.1.3.3.1: a new version replaces its predecessor as the one
        stored queries return at ``$MetadataLevel`` 1.
        """
        for table in (DOCUMENTS, FOLDERS):
            for chunk in in_lists(uuids):
                self._connection.execute(
                    update(table).where(table.c.entry_uuid.in_(chunk)).values(latest=False)
                )

    def remove(self, uuids: Collection[str]) -> None:
        """Delete objects of any kind by entryUUID (ITI-62 Delete Document Set).

        Their multi-valued filter rows go with them (``ON DELETE CASCADE``). When a
        removed version was the latest of its logical id, the newest version left
        becomes the latest again.
        """
        orphaned: dict[Table, set[str]] = {DOCUMENTS: set(), FOLDERS: set()}
        for chunk in in_lists(uuids):
            for table, lids in orphaned.items():
                lids.update(
                    self._connection.execute(
                        select(table.c.logical_id).where(
                            table.c.entry_uuid.in_(chunk), table.c.latest == true()
                        )
                    ).scalars()
                )
            for table, _decode in _DECODERS:
                self._connection.execute(delete(table).where(table.c.entry_uuid.in_(chunk)))
        for table, lids in orphaned.items():
            for chunk in in_lists(lids):
                newest = (
                    select(func.max(table.c.pk))
                    .where(table.c.logical_id.in_(chunk))
                    .group_by(table.c.logical_id)
                )
                self._connection.execute(
                    update(table).where(table.c.pk.in_(newest)).values(latest=True)
                )

    # ------------------------------------------------------------------ references

    def objects_by_uuid(self, uuids: Collection[str]) -> dict[str, StoredRef]:
        """Registered objects of any kind by entryUUID; unknown ids are absent."""
        found: dict[str, StoredRef] = {}
        for chunk in in_lists(uuids):
            for ref in self._refs("entry_uuid", chunk, kinds=tuple(ObjectKind)):
                found.setdefault(ref.entry_uuid, ref)
        return found

    def objects_by_unique_id(self, unique_ids: Collection[str]) -> dict[str, StoredRef]:
        """Registered DocumentEntries, SubmissionSets and Folders by uniqueId.

        When versions share a uniqueId (ITI-57), the latest version is given;
        when kinds share one, the DocumentEntry, then the SubmissionSet.
        """
        kinds = (ObjectKind.DOCUMENT, ObjectKind.SUBMISSION_SET, ObjectKind.FOLDER)
        found: dict[str, StoredRef] = {}
        for chunk in in_lists(unique_ids):
            for ref in self._refs("unique_id", chunk, kinds=kinds):
                assert ref.unique_id is not None
                known = found.get(ref.unique_id)
                if known is None or (known.kind is ref.kind and ref.latest and not known.latest):
                    found[ref.unique_id] = ref
        return found

    def hashes_in_use(self, hashes: Collection[str], *, repository_unique_id: str) -> set[str]:
        """Which of ``hashes`` a registered DocumentEntry of that repository carries.

        Any row counts, whatever its status or version: a Deprecated document is
        still retrievable (ITI TF-2b 3.43). The Document Repository keeps a stored
        content while this says it is in use, and may remove it otherwise
        (ITI TF-2b 3.41.4.1.3: a failed submission leaves nothing behind). Hashes are
        compared as given; the repository writes them in lower case.
        """
        found: set[str] = set()
        for chunk in in_lists(hashes):
            found.update(
                self._connection.execute(
                    _HASHES_IN_USE, {"hashes": chunk, "repository": repository_unique_id}
                ).scalars()
            )
        return found

    # ------------------------------------------------------------------ objects by id

    def documents_by_unique_id(self, unique_ids: Collection[str]) -> list[DocumentEntry]:
        """DocumentEntries by uniqueId, in registration order (every version: ITI-57).

        The Document Repository looks up what it serves on ITI-43 this way
        (ITI TF-2b 3.43.4.1.3): the mimeType, hash and repositoryUniqueId.
        """
        rows: dict[int, Any] = {}
        for chunk in in_lists(unique_ids):
            statement = select(DOCUMENTS.c.pk, DOCUMENTS.c.document).where(
                DOCUMENTS.c.unique_id.in_(chunk)
            )
            rows.update((row.pk, row.document) for row in self._connection.execute(statement))
        return [codec.decode_document(rows[key]) for key in sorted(rows)]

    def documents(self, uuids: Collection[str]) -> list[DocumentEntry]:
        """DocumentEntries by entryUUID, in registration order; unknown ids are skipped."""
        return self._by_uuid(DOCUMENTS, uuids, codec.decode_document)

    def submission_sets(self, uuids: Collection[str]) -> list[SubmissionSet]:
        """SubmissionSets by entryUUID, in registration order."""
        return self._by_uuid(SUBMISSION_SETS, uuids, codec.decode_submission_set)

    def folders(self, uuids: Collection[str]) -> list[Folder]:
        """Folders by entryUUID, in registration order."""
        return self._by_uuid(FOLDERS, uuids, codec.decode_folder)

    def associations(self, uuids: Collection[str]) -> list[Association]:
        """Associations by their own entryUUID, in registration order."""
        return self._by_uuid(ASSOCIATIONS, uuids, codec.decode_association)

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

        One indexed query on ``document_entries`` (by patient through
        ``(patient_id, availability_status, creation_time)``) with ``EXISTS``
        lookups in the child tables for multi-valued filters. ``limit`` caps
        the rows read (the caller asks one more than it may return).
        """
        return self._find(DOCUMENTS, document_conditions(criteria), codec.decode_document, limit)

    def find_submission_sets(
        self, criteria: SubmissionSetCriteria, *, limit: int | None = None
    ) -> list[SubmissionSet]:
        """SubmissionSets matching ``criteria`` (ITI TF-2a 3.18.4.1.2.3.7.2), oldest first."""
        conditions = submission_set_conditions(criteria)
        return self._find(SUBMISSION_SETS, conditions, codec.decode_submission_set, limit)

    def find_folders(self, criteria: FolderCriteria, *, limit: int | None = None) -> list[Folder]:
        """Folders matching ``criteria`` (ITI TF-2a 3.18.4.1.2.3.7.3), oldest first."""
        return self._find(FOLDERS, folder_conditions(criteria), codec.decode_folder, limit)

    def explain_find_documents(self, criteria: DocumentCriteria) -> list[str]:
        """The SQLite query plan of ``find_documents`` (``EXPLAIN QUERY PLAN``), for tests."""
        statement = _select_documents(DOCUMENTS, document_conditions(criteria) or [])
        compiled = statement.compile(
            dialect=self._connection.dialect, compile_kwargs={"literal_binds": True}
        )
        rows = self._connection.exec_driver_sql(f"EXPLAIN QUERY PLAN {compiled}")
        return [str(row[-1]) for row in rows]

    # ------------------------------------------------------------------ patients

    def patient(self, patient_id: str) -> Patient | None:
        """The patient fed with this id (ITI TF-2b 3.44), or ``None``."""
        rows = self._direct.fetch(_PATIENT_SQL.format(self._direct.placeholders(1)), [patient_id])
        if not rows:
            return None
        row = dict(zip(_PATIENT_COLUMNS, rows[0], strict=True))
        return patient_from_row({**row, "demographics": json_value(row["demographics"])})

    def save_patient(self, patient: Patient) -> None:
        """Insert the patient, or replace the record of an id already known."""
        now = datetime.now(UTC)
        values = {**patient_values(patient), "updated_at": now}
        result = self._connection.execute(
            update(PATIENTS).where(PATIENTS.c.patient_id == patient.patient_id).values(values)
        )
        if result.rowcount == 0:
            self._connection.execute(
                insert(PATIENTS).values(patient_id=patient.patient_id, created_at=now, **values)
            )

    def merge_patients(self, *, subsumed: str, surviving: str) -> int:
        """Merge ``subsumed`` into ``surviving`` (ITI TF-2b 3.44.4.1.3).

        The subsumed id is marked merged (and so are ids merged into it
        before); its DocumentEntries, SubmissionSets and Folders now name the
        surviving id, in their column and JSON document. Returns how many
        objects moved.
        """
        known = self.patient(subsumed) or Patient(patient_id=subsumed)
        self.save_patient(replace(known, status=PatientStatus.MERGED, merged_into=surviving))
        self._connection.execute(
            update(PATIENTS)
            .where(PATIENTS.c.merged_into == subsumed)
            .values(merged_into=surviving, updated_at=datetime.now(UTC))
        )
        moved = 0
        for table, decode in _DECODERS[:3]:
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

    def _update_rows(self, table: Table, rows: list[dict[str, Any]]) -> None:
        if not rows:
            return
        columns: dict[str, Any] = {name: bindparam(name) for name in rows[0] if name != "key"}
        self._connection.execute(
            update(table).where(table.c.pk == bindparam("key")).values(columns), rows
        )

    def _rewrite(
        self,
        table: Table,
        uuids: Collection[str],
        decode: Callable[[Any], _Model],
        change: Callable[[_Model], _Model],
        columns: Mapping[str, Any],
    ) -> None:
        """Change columns and the JSON document of the rows of ``uuids`` in ``table``."""
        for chunk in in_lists(uuids):
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

    def _latest(
        self, table: Table, logical_ids: Collection[str], decode: Callable[[Any], _Model]
    ) -> list[_Model]:
        found: list[_Model] = []
        for chunk in in_lists(logical_ids):
            statement = select(table.c.document).where(
                table.c.logical_id.in_(chunk), table.c.latest == true()
            )
            found.extend(
                decode(document) for document in self._connection.execute(statement).scalars()
            )
        return found

    def _by_uuid(
        self, table: Table, uuids: Collection[str], decode: Callable[[Any], _Model]
    ) -> list[_Model]:
        rows: dict[int, Any] = {}
        for chunk in in_lists(uuids):
            statement = select(table.c.pk, table.c.document).where(table.c.entry_uuid.in_(chunk))
            rows.update((row.pk, row.document) for row in self._connection.execute(statement))
        return [decode(rows[key]) for key in sorted(rows)]

    def _associations(
        self, uuids: Collection[str], *, ends: Sequence[str], types: Collection[str] | None
    ) -> list[Association]:
        if types is not None and not types:
            return []
        table = ASSOCIATIONS
        rows: dict[int, Any] = {}
        for chunk in in_lists(uuids):
            statement = select(table.c.pk, table.c.document).where(
                or_(*(table.c[end].in_(chunk) for end in ends))
            )
            if types is not None:
                statement = statement.where(table.c.association_type.in_(list(types)))
            rows.update((row.pk, row.document) for row in self._connection.execute(statement))
        return [codec.decode_association(rows[key]) for key in sorted(rows)]

    def _find(
        self,
        table: Table,
        conditions: list[Any] | None,
        decode: Callable[[Any], _Model],
        limit: int | None,
    ) -> list[_Model]:
        if conditions is None:
            return []
        statement = _select_documents(table, conditions)
        if limit is not None:
            statement = statement.limit(limit)
        return [decode(document) for document in self._connection.execute(statement).scalars()]

    def _refs(
        self, column: str, keys: list[str], *, kinds: Sequence[ObjectKind]
    ) -> list[StoredRef]:
        """References to the objects of ``kinds`` whose ``column`` is one of ``keys``.

        One statement for all kinds (a UNION ALL) on the DB-API cursor: registration
        runs it under the writer lock, where every statement counts (``direct_sql``).
        """
        markers = self._direct.placeholders(len(keys))
        sql = _refs_sql(tuple(kinds), column, markers)
        rows = self._direct.fetch(sql, keys * len(kinds))
        return [
            StoredRef(
                kind=ObjectKind(kind),
                entry_uuid=entry_uuid,
                unique_id=unique_id,
                logical_id=logical_id,
                version=version,
                patient_id=patient_id,
                availability_status=availability_status,
                hash=hash_,
                size=size,
                latest=True if latest is None else bool(latest),
            )
            for (
                kind,
                entry_uuid,
                unique_id,
                logical_id,
                version,
                patient_id,
                availability_status,
                hash_,
                size,
                latest,
                _pk,
            ) in rows
        ]


_DECODERS: tuple[tuple[Table, Callable[[Any], Any]], ...] = (
    (DOCUMENTS, codec.decode_document),
    (SUBMISSION_SETS, codec.decode_submission_set),
    (FOLDERS, codec.decode_folder),
    (ASSOCIATIONS, codec.decode_association),
)
_TABLE_OF: Mapping[ObjectKind, Table] = {
    ObjectKind.DOCUMENT: DOCUMENTS,
    ObjectKind.SUBMISSION_SET: SUBMISSION_SETS,
    ObjectKind.FOLDER: FOLDERS,
    ObjectKind.ASSOCIATION: ASSOCIATIONS,
}
_REF_COLUMNS = (
    "entry_uuid",
    "unique_id",
    "logical_id",
    "version",
    "patient_id",
    "availability_status",
    "hash",
    "size",
    "latest",
)


def _select_documents(table: Table, conditions: list[Any]) -> Select[Any]:
    """The JSON documents of the rows matching ``conditions``, oldest first."""
    return select(table.c.document).where(*conditions).order_by(table.c.pk)


# Statements of the registration hot path, built once: constructing a
# SQLAlchemy statement costs more than running it on SQLite.
_PATIENT_COLUMNS = ("patient_id", "status", "merged_into", "demographics")
_PATIENT_SQL = (
    "SELECT " + ", ".join(f'"{name}"' for name in _PATIENT_COLUMNS) + ' FROM "patients" '
    'WHERE "patient_id" = {}'
)
"""Registration checks the patient under the writer lock: on the DB-API cursor (``direct_sql``)."""
_HASHES_IN_USE = (
    select(DOCUMENTS.c.hash)
    .where(
        DOCUMENTS.c.hash.in_(bindparam("hashes", expanding=True)),
        DOCUMENTS.c.repository_unique_id == bindparam("repository"),
    )
    .distinct()
)


@functools.cache
def _refs_sql(kinds: tuple[ObjectKind, ...], column: str, markers: str) -> str:
    """The StoredRef columns of ``kinds`` whose ``column`` is in (``markers``), oldest first.

    The parameters are the keys once per kind. Columns a kind's table lacks are NULL.
    """
    selects = []
    for kind in kinds:
        table = _TABLE_OF[kind]
        columns = ", ".join(f'"{name}"' if name in table.c else "NULL" for name in _REF_COLUMNS)
        selects.append(
            f"SELECT '{kind.value}' AS kind, {columns}, pk "
            f'FROM "{table.name}" WHERE "{column}" IN ({markers})'
        )
    return " UNION ALL ".join(selects) + " ORDER BY kind, pk"
