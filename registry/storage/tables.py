"""ITI TF-2a 3.18.4.1.2.3.7 — the registry schema, shaped by the stored queries it answers.

One flattened row per registry object: the attributes a stored query filters
on are indexed columns, the whole model object is a JSON document
(``codec.py``). Multi-valued filters of FindDocuments and FindFolders (event
codes, confidentiality codes, author persons, reference ids, folder codes)
live in narrow child tables keyed by the parent's integer key. Measured on
PostgreSQL 15 with 510 k entries, this shape costs 1.4 KB per DocumentEntry
and answers FindDocuments in 1 to 2 ms, where generic ebRIM Slot/Classification
tables cost ten times as much.

Codes are stored in the stored-query form ``code^^scheme``; times padded to 14
digits with zeros (``hl7_datatypes.dtm_bound``) so that string comparison is
time comparison at any DTM precision. ``latest`` marks the newest version of a
logical id (ITI TF-3 4.1.5, Metadata Update): ITI-57 clears it on the version a
new one replaces (``RegistryStore.supersede``).

``migrations/versions`` creates exactly these tables; a test compares them.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, ClassVar

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    true,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

__all__ = [
    "AssociationRow",
    "Base",
    "DocumentEntryAuthorRow",
    "DocumentEntryCodeRow",
    "DocumentEntryReferenceIdRow",
    "DocumentEntryRow",
    "FolderCodeRow",
    "FolderRow",
    "PatientRow",
    "PendingDocumentRow",
    "StoredDocumentRow",
    "SubmissionSetRow",
]

NAMING_CONVENTION = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
}

KeyType = BigInteger().with_variant(Integer(), "sqlite")
"""64-bit keys on PostgreSQL; ``INTEGER PRIMARY KEY`` (the rowid) on SQLite."""


class Base(DeclarativeBase):
    """Declarative base of the registry tables."""

    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map: ClassVar[dict[Any, Any]] = {dict[str, Any]: JSON, str: String()}


class DocumentEntryRow(Base):
    """One row per DocumentEntry version (ITI TF-3 4.2.3.2)."""

    __tablename__ = "document_entries"

    pk: Mapped[int] = mapped_column(KeyType, primary_key=True, autoincrement=True)
    entry_uuid: Mapped[str] = mapped_column(unique=True)
    logical_id: Mapped[str] = mapped_column(index=True)
    version: Mapped[str | None]
    latest: Mapped[bool] = mapped_column(Boolean, server_default=true())
    unique_id: Mapped[str] = mapped_column(index=True)
    patient_id: Mapped[str]
    availability_status: Mapped[str]
    object_type: Mapped[str]
    document_availability: Mapped[str | None]
    class_code: Mapped[str | None]
    type_code: Mapped[str | None]
    format_code: Mapped[str | None]
    practice_setting_code: Mapped[str | None]
    healthcare_facility_type_code: Mapped[str | None]
    creation_time: Mapped[str | None]
    service_start_time: Mapped[str | None]
    service_stop_time: Mapped[str | None]
    hash: Mapped[str | None]
    size: Mapped[int | None] = mapped_column(BigInteger)
    repository_unique_id: Mapped[str | None]
    document: Mapped[dict[str, Any]]

    __table_args__ = (
        Index(
            "ix_document_entries_patient_status_creation",
            "patient_id",
            "availability_status",
            "creation_time",
        ),
        # ITI-41 and the repository's sweep ask which stored contents a committed entry of
        # this repository still references (``RegistryStore.hashes_in_use``).
        Index("ix_document_entries_hash_repository", "hash", "repository_unique_id"),
    )


class DocumentEntryCodeRow(Base):
    """Event and confidentiality codes of a DocumentEntry, ``kind`` telling which."""

    __tablename__ = "document_entry_codes"

    entry_pk: Mapped[int] = mapped_column(
        KeyType, ForeignKey("document_entries.pk", ondelete="CASCADE"), primary_key=True
    )
    kind: Mapped[str] = mapped_column(primary_key=True)
    value: Mapped[str] = mapped_column(primary_key=True)


class DocumentEntryAuthorRow(Base):
    """``authorPerson`` values of a DocumentEntry, for LIKE matching (ITI TF-2a 3.18.4.1.2.3.4)."""

    __tablename__ = "document_entry_authors"

    entry_pk: Mapped[int] = mapped_column(
        KeyType, ForeignKey("document_entries.pk", ondelete="CASCADE"), primary_key=True
    )
    person: Mapped[str] = mapped_column(primary_key=True)


class DocumentEntryReferenceIdRow(Base):
    """``referenceIdList`` values of a DocumentEntry (ITI TF-3 4.2.3.2.28)."""

    __tablename__ = "document_entry_reference_ids"

    entry_pk: Mapped[int] = mapped_column(
        KeyType, ForeignKey("document_entries.pk", ondelete="CASCADE"), primary_key=True
    )
    value: Mapped[str] = mapped_column(primary_key=True)


class SubmissionSetRow(Base):
    """One row per SubmissionSet (ITI TF-3 4.2.3.3)."""

    __tablename__ = "submission_sets"

    pk: Mapped[int] = mapped_column(KeyType, primary_key=True, autoincrement=True)
    entry_uuid: Mapped[str] = mapped_column(unique=True)
    unique_id: Mapped[str] = mapped_column(index=True)
    patient_id: Mapped[str]
    source_id: Mapped[str]
    availability_status: Mapped[str]
    submission_time: Mapped[str | None]
    content_type_code: Mapped[str | None]
    document: Mapped[dict[str, Any]]

    __table_args__ = (
        Index(
            "ix_submission_sets_patient_status_submission",
            "patient_id",
            "availability_status",
            "submission_time",
        ),
    )


class FolderRow(Base):
    """One row per Folder version (ITI TF-3 4.2.3.4)."""

    __tablename__ = "folders"

    pk: Mapped[int] = mapped_column(KeyType, primary_key=True, autoincrement=True)
    entry_uuid: Mapped[str] = mapped_column(unique=True)
    logical_id: Mapped[str] = mapped_column(index=True)
    version: Mapped[str | None]
    latest: Mapped[bool] = mapped_column(Boolean, server_default=true())
    unique_id: Mapped[str] = mapped_column(index=True)
    patient_id: Mapped[str]
    availability_status: Mapped[str]
    last_update_time: Mapped[str | None]
    document: Mapped[dict[str, Any]]

    __table_args__ = (
        Index(
            "ix_folders_patient_status_last_update",
            "patient_id",
            "availability_status",
            "last_update_time",
        ),
    )


class FolderCodeRow(Base):
    """``codeList`` values of a Folder, ``code^^scheme`` (ITI TF-3 4.2.3.4.1)."""

    __tablename__ = "folder_codes"

    folder_pk: Mapped[int] = mapped_column(
        KeyType, ForeignKey("folders.pk", ondelete="CASCADE"), primary_key=True
    )
    value: Mapped[str] = mapped_column(primary_key=True)


class AssociationRow(Base):
    """One row per Association (ITI TF-3 4.2.2)."""

    __tablename__ = "associations"

    pk: Mapped[int] = mapped_column(KeyType, primary_key=True, autoincrement=True)
    entry_uuid: Mapped[str] = mapped_column(unique=True)
    association_type: Mapped[str]
    source_uuid: Mapped[str] = mapped_column(index=True)
    target_uuid: Mapped[str] = mapped_column(index=True)
    availability_status: Mapped[str]
    submission_set_status: Mapped[str | None]
    document: Mapped[dict[str, Any]]


class PatientRow(Base):
    """Patient ids fed by ITI-44 (ITI TF-2b 3.44), and where merged ones went."""

    __tablename__ = "patients"

    patient_id: Mapped[str] = mapped_column(primary_key=True)
    status: Mapped[str]
    merged_into: Mapped[str | None] = mapped_column(index=True)
    demographics: Mapped[dict[str, Any]]
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class StoredDocumentRow(Base):
    """The Document Repository's ledger: which content each document it stored has.

    ITI-62 (Remove Metadata) deletes the DocumentEntry rows, after which the
    repository could no longer tell which stored content an ITI-86 Remove Documents
    names (IHE RMD, ITI TF-2b 3.86.4.1.3). The row is written with the registration
    (ITI-41) and deleted by ITI-86.

    When the registry is on another node (``repository.remote_registration``) this
    ledger is all the repository knows of what is registered: the row is written once
    that registry answered Success, with the ``mimeType`` and ``size`` ITI-43 answers
    with (ITI TF-2b 3.43.4.2). Rows the in-process registry writes leave them empty:
    the DocumentEntry in the same database has them.
    """

    __tablename__ = "repository_documents"
    __table_args__ = (
        Index("ix_repository_documents_repository_hash", "repository_unique_id", "hash"),
    )

    repository_unique_id: Mapped[str] = mapped_column(primary_key=True)
    unique_id: Mapped[str] = mapped_column(primary_key=True)
    hash: Mapped[str]
    mime_type: Mapped[str | None]
    size: Mapped[int | None] = mapped_column(BigInteger)


class PendingDocumentRow(Base):
    """A document stored by an ITI-41 whose registration on another node is not settled.

    ITI TF-2b 3.41.4.1.3: a Provide and Register is stored whole or not at all. With
    the registry on another node no transaction spans both, so the repository claims
    its contents here before it sends ITI-42, one ``registration_id`` per attempt: a
    claimed content is never released. Success moves the rows to the ledger
    (``repository_documents``), a refusal deletes them, and a crash or a lost answer
    leaves them for the start-up sweep to settle by asking the registry (ITI-18).
    """

    __tablename__ = "repository_pending_documents"
    __table_args__ = (
        Index("ix_repository_pending_documents_repository_hash", "repository_unique_id", "hash"),
    )

    registration_id: Mapped[str] = mapped_column(primary_key=True)
    unique_id: Mapped[str] = mapped_column(primary_key=True)
    repository_unique_id: Mapped[str]
    hash: Mapped[str]
    mime_type: Mapped[str]
    size: Mapped[int | None] = mapped_column(BigInteger)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
