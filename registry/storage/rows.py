"""ITI TF-3 4.2.3 — registry objects and patients as rows of ``tables.py``, and back.

Each row keeps the indexed columns stored queries filter on, in their query
form: codes as ``code^^scheme`` (ITI TF-2a 3.18.4.1.2.3.7), times padded to
14 digits so that they compare as strings, statuses and object types as
their wire strings; ``document`` holds the whole object (``codec.py``).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import Enum, StrEnum
from typing import Any, cast

from sqlalchemy import Table

from registry.hl7_datatypes import dtm_bound
from registry.model import Association, Code, DocumentEntry, Folder, Submission, SubmissionSet
from registry.patients import Patient, PatientStatus
from registry.storage import codec
from registry.storage.direct_sql import json_text
from registry.storage.tables import (
    AssociationRow,
    DocumentEntryAuthorRow,
    DocumentEntryCodeRow,
    DocumentEntryReferenceIdRow,
    DocumentEntryRow,
    FolderCodeRow,
    FolderRow,
    PatientRow,
    PendingDocumentRow,
    StoredDocumentRow,
    SubmissionSetRow,
)

__all__ = [
    "ASSOCIATIONS",
    "DOCUMENTS",
    "ENTRY_AUTHORS",
    "ENTRY_CODES",
    "ENTRY_REFERENCE_IDS",
    "FOLDERS",
    "FOLDER_CODES",
    "PATIENTS",
    "PENDING_DOCUMENTS",
    "STORED_DOCUMENTS",
    "SUBMISSION_SETS",
    "EncodedSubmission",
    "EntryCodeKind",
    "association_row",
    "document_child_rows",
    "document_row",
    "encode_submission",
    "folder_code_rows",
    "folder_row",
    "padded",
    "patient_from_row",
    "patient_values",
    "submission_set_row",
    "wire",
]

DOCUMENTS = cast(Table, DocumentEntryRow.__table__)
STORED_DOCUMENTS = cast(Table, StoredDocumentRow.__table__)
PENDING_DOCUMENTS = cast(Table, PendingDocumentRow.__table__)
ENTRY_CODES = cast(Table, DocumentEntryCodeRow.__table__)
ENTRY_AUTHORS = cast(Table, DocumentEntryAuthorRow.__table__)
ENTRY_REFERENCE_IDS = cast(Table, DocumentEntryReferenceIdRow.__table__)
SUBMISSION_SETS = cast(Table, SubmissionSetRow.__table__)
FOLDERS = cast(Table, FolderRow.__table__)
FOLDER_CODES = cast(Table, FolderCodeRow.__table__)
ASSOCIATIONS = cast(Table, AssociationRow.__table__)
PATIENTS = cast(Table, PatientRow.__table__)


class EntryCodeKind(StrEnum):
    """The multi-valued codes of a DocumentEntry kept in ``document_entry_codes``."""

    EVENT = "event"
    CONFIDENTIALITY = "confidentiality"


def wire(value: str | Enum) -> str:
    """The wire string of a vocabulary enum member or of a plain string."""
    return str(value.value) if isinstance(value, Enum) else value


def padded(dtm: str | None) -> str | None:
    """A DTM as stored: padded with zeros to 14 digits (``hl7_datatypes.dtm_bound``)."""
    return None if dtm is None else dtm_bound(dtm, upper=False)


def _code(code: Code | None) -> str | None:
    return None if code is None else str(code)


def document_row(entry: DocumentEntry) -> dict[str, Any]:
    """The ``document_entries`` row of a DocumentEntry; ``lid`` defaults to its id."""
    return {
        "entry_uuid": entry.entry_uuid,
        "logical_id": entry.logical_id or entry.entry_uuid,
        "version": entry.version,
        "latest": True,
        "unique_id": entry.unique_id,
        "patient_id": entry.patient_id,
        "availability_status": wire(entry.availability_status),
        "object_type": wire(entry.object_type),
        "document_availability": entry.document_availability,
        "class_code": _code(entry.class_code),
        "type_code": _code(entry.type_code),
        "format_code": _code(entry.format_code),
        "practice_setting_code": _code(entry.practice_setting_code),
        "healthcare_facility_type_code": _code(entry.healthcare_facility_type_code),
        "creation_time": padded(entry.creation_time),
        "service_start_time": padded(entry.service_start_time),
        "service_stop_time": padded(entry.service_stop_time),
        "hash": entry.hash,
        "size": entry.size,
        "repository_unique_id": entry.repository_unique_id,
        "document": codec.encode(entry),
    }


def document_child_rows(
    entry: DocumentEntry, key: int
) -> tuple[list[dict[str, Any]], list[dict[str, Any]], list[dict[str, Any]]]:
    """Rows of ``document_entry_codes``, ``…_authors`` and ``…_reference_ids``, deduplicated."""
    codes = [
        {"entry_pk": key, "kind": kind.value, "value": value}
        for kind, values in (
            (EntryCodeKind.EVENT, entry.event_codes),
            (EntryCodeKind.CONFIDENTIALITY, entry.confidentiality_codes),
        )
        for value in dict.fromkeys(str(code) for code in values)
    ]
    authors = [
        {"entry_pk": key, "person": person}
        for person in dict.fromkeys(a.person for a in entry.authors if a.person)
    ]
    reference_ids = [
        {"entry_pk": key, "value": value} for value in dict.fromkeys(entry.reference_ids)
    ]
    return codes, authors, reference_ids


def submission_set_row(item: SubmissionSet) -> dict[str, Any]:
    return {
        "entry_uuid": item.entry_uuid,
        "unique_id": item.unique_id,
        "patient_id": item.patient_id,
        "source_id": item.source_id,
        "availability_status": wire(item.availability_status),
        "submission_time": padded(item.submission_time),
        "content_type_code": _code(item.content_type_code),
        "document": codec.encode(item),
    }


def folder_row(folder: Folder) -> dict[str, Any]:
    return {
        "entry_uuid": folder.entry_uuid,
        "logical_id": folder.logical_id or folder.entry_uuid,
        "version": folder.version,
        "latest": True,
        "unique_id": folder.unique_id,
        "patient_id": folder.patient_id,
        "availability_status": wire(folder.availability_status),
        "last_update_time": padded(folder.last_update_time),
        "document": codec.encode(folder),
    }


@dataclass(frozen=True, slots=True)
class EncodedSubmission:
    """A submission's rows, JSON documents already serialised: made before the writer lock.

    Registration runs under the database's single writer lock (``database.py``);
    turning the model into rows (``codec``, ``json.dumps``) needs no database, so it
    is done before the lock is taken and only the INSERTs run under it
    (``RegistryStore.add_encoded``). Measured under concurrent ITI-41 (py-spy, GIL
    held), the encoding was a third of the Python time spent under the lock. The
    child rows of DocumentEntries and Folders need the parents' keys, known only
    once inserted: they are made then, from ``documents`` and ``folders``.
    """

    submission_sets: tuple[dict[str, Any], ...]
    documents: tuple[tuple[DocumentEntry, dict[str, Any]], ...]
    folders: tuple[tuple[Folder, dict[str, Any]], ...]
    associations: tuple[dict[str, Any], ...]


def encode_submission(submission: Submission) -> EncodedSubmission:
    """The rows of a submission whose ids and statuses are final (``register.py``)."""
    return EncodedSubmission(
        submission_sets=(_serialised(submission_set_row(submission.submission_set)),),
        documents=tuple(
            (entry, _serialised(document_row(entry))) for entry in submission.documents
        ),
        folders=tuple((folder, _serialised(folder_row(folder))) for folder in submission.folders),
        associations=tuple(_serialised(association_row(a)) for a in submission.associations),
    )


def _serialised(row: dict[str, Any]) -> dict[str, Any]:
    """``row`` with its ``document`` (the JSON column of every object table) as JSON text."""
    row["document"] = json_text(row["document"])
    return row


def folder_code_rows(folder: Folder, key: int) -> list[dict[str, Any]]:
    return [
        {"folder_pk": key, "value": value}
        for value in dict.fromkeys(str(code) for code in folder.codes)
    ]


def association_row(item: Association) -> dict[str, Any]:
    return {
        "entry_uuid": item.entry_uuid,
        "association_type": item.association_type,
        "source_uuid": item.source_id,
        "target_uuid": item.target_id,
        "availability_status": wire(item.availability_status),
        "submission_set_status": None
        if item.submission_set_status is None
        else wire(item.submission_set_status),
        "document": codec.encode(item),
    }


def patient_values(patient: Patient) -> dict[str, Any]:
    """The ``patients`` columns of a patient, but its key and timestamps."""
    return {
        "status": patient.status.value,
        "merged_into": patient.merged_into,
        "demographics": {
            "given_name": patient.given_name,
            "family_name": patient.family_name,
            "birth_time": patient.birth_time,
            "gender": patient.gender,
            "extra": [list(pair) for pair in patient.demographics],
        },
    }


def patient_from_row(row: Mapping[Any, Any]) -> Patient:
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
