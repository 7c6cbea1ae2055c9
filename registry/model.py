"""ITI TF-3 4.2.3 — the XDS metadata objects, as frozen typed values.

These dataclasses carry every attribute of ITI TF-3 4.2.3 (SubmissionSet
4.2.3.3, DocumentEntry 4.2.3.2, Folder 4.2.3.4, Association 4.2.2) and any
extra (non-IHE) slot, so a submission round-trips. They hold the wire strings
of HL7 v2 data types (CX, XCN, XON, DTM) as they were sent: ``hl7_datatypes``
parses them when a rule needs their parts.

This module imports neither lxml nor SQLAlchemy: ``ebrim.py`` translates XML
and ``storage/`` maps rows around it.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import TypeAlias

from registry.vocabulary import (
    AssociationType,
    AvailabilityStatus,
    ObjectType,
    SubmissionSetStatus,
)


@dataclass(frozen=True, kw_only=True, slots=True)
class Slot:
    """An ebRIM slot: a name and its ordered values (ebRIM 3.0 §4.1.7)."""

    name: str
    values: tuple[str, ...]


@dataclass(frozen=True, kw_only=True, slots=True)
class Code:
    """A coded value carried by a classification (ITI TF-3 4.2.3.1.2).

    ``code`` is ``nodeRepresentation``, ``scheme`` the ``codingScheme`` slot,
    ``display_name`` the classification's ``rim:Name``.
    """

    code: str
    scheme: str
    display_name: str | None = None

    def __str__(self) -> str:
        """The stored-query form ``code^^scheme`` (ITI TF-2a 3.18.4.1.2.3.7)."""
        return f"{self.code}^^{self.scheme}"


@dataclass(frozen=True, kw_only=True, slots=True)
class Author:
    """ITI TF-3 4.2.3.1.4: the author classification and its slots.

    ``person`` is an XCN, ``institutions`` XONs, ``roles`` and
    ``specialties`` CWE or strings, ``telecoms`` XTN — as sent.
    """

    person: str | None = None
    institutions: tuple[str, ...] = ()
    roles: tuple[str, ...] = ()
    specialties: tuple[str, ...] = ()
    telecoms: tuple[str, ...] = ()
    extra_slots: tuple[Slot, ...] = ()


@dataclass(frozen=True, kw_only=True, slots=True)
class DocumentEntry:
    """ITI TF-3 4.2.3.2: an XDSDocumentEntry (``rim:ExtrinsicObject``)."""

    entry_uuid: str
    """The object's ``id``: a symbolic id on submission, ``urn:uuid:`` once registered."""
    unique_id: str
    """``XDSDocumentEntry.uniqueId``: OID, or OID^extension (ITI TF-3 4.2.3.2.26)."""
    patient_id: str
    """``XDSDocumentEntry.patientId``, a CX with an ISO assigning authority."""
    object_type: ObjectType = ObjectType.STABLE_DOCUMENT_ENTRY
    logical_id: str | None = None
    """``lid``: the logical id shared by all versions (ITI TF-3 4.2.3.2.13)."""
    version: str | None = None
    """``rim:VersionInfo/@versionName`` (ITI TF-3 4.2.3.2.29)."""
    availability_status: AvailabilityStatus | str = AvailabilityStatus.APPROVED
    mime_type: str = ""
    hash: str | None = None
    size: int | None = None
    repository_unique_id: str | None = None
    home_community_id: str | None = None
    creation_time: str | None = None
    service_start_time: str | None = None
    service_stop_time: str | None = None
    language_code: str | None = None
    legal_authenticator: str | None = None
    source_patient_id: str | None = None
    source_patient_info: tuple[str, ...] = ()
    title: str | None = None
    comments: str | None = None
    class_code: Code | None = None
    type_code: Code | None = None
    format_code: Code | None = None
    healthcare_facility_type_code: Code | None = None
    practice_setting_code: Code | None = None
    confidentiality_codes: tuple[Code, ...] = ()
    event_codes: tuple[Code, ...] = ()
    authors: tuple[Author, ...] = ()
    reference_ids: tuple[str, ...] = ()
    """``urn:ihe:iti:xds:2013:referenceIdList`` values, CXi strings (ITI TF-3 4.2.3.2.28)."""
    document_availability: str | None = None
    limited_metadata: bool = False
    extra_slots: tuple[Slot, ...] = ()
    """Slots the standard does not name; kept and returned as sent (ITI TF-3 4.1.14)."""

    @property
    def is_on_demand(self) -> bool:
        return self.object_type is ObjectType.ON_DEMAND_DOCUMENT_ENTRY

    def with_(self, **changes: object) -> DocumentEntry:
        return replace(self, **changes)  # type: ignore[arg-type]


@dataclass(frozen=True, kw_only=True, slots=True)
class SubmissionSet:
    """ITI TF-3 4.2.3.3: an XDSSubmissionSet (``rim:RegistryPackage``)."""

    entry_uuid: str
    unique_id: str
    source_id: str
    patient_id: str
    submission_time: str | None = None
    content_type_code: Code | None = None
    availability_status: AvailabilityStatus | str = AvailabilityStatus.APPROVED
    logical_id: str | None = None
    version: str | None = None
    home_community_id: str | None = None
    title: str | None = None
    comments: str | None = None
    authors: tuple[Author, ...] = ()
    intended_recipients: tuple[str, ...] = ()
    limited_metadata: bool = False
    extra_slots: tuple[Slot, ...] = ()

    def with_(self, **changes: object) -> SubmissionSet:
        return replace(self, **changes)  # type: ignore[arg-type]


@dataclass(frozen=True, kw_only=True, slots=True)
class Folder:
    """ITI TF-3 4.2.3.4: an XDSFolder (``rim:RegistryPackage``)."""

    entry_uuid: str
    unique_id: str
    patient_id: str
    codes: tuple[Code, ...] = ()
    last_update_time: str | None = None
    availability_status: AvailabilityStatus | str = AvailabilityStatus.APPROVED
    logical_id: str | None = None
    version: str | None = None
    home_community_id: str | None = None
    title: str | None = None
    comments: str | None = None
    limited_metadata: bool = False
    extra_slots: tuple[Slot, ...] = ()

    def with_(self, **changes: object) -> Folder:
        return replace(self, **changes)  # type: ignore[arg-type]


@dataclass(frozen=True, kw_only=True, slots=True)
class Association:
    """ITI TF-3 4.2.2: a ``rim:Association`` between two registry objects."""

    entry_uuid: str
    association_type: str
    """The wire string; ``kind`` gives the standard's type when it is one."""
    source_id: str
    target_id: str
    availability_status: AvailabilityStatus | str = AvailabilityStatus.APPROVED
    home_community_id: str | None = None
    submission_set_status: SubmissionSetStatus | None = None
    """The ``SubmissionSetStatus`` slot on SubmissionSet HasMember (ITI TF-3 4.2.2.1.1)."""
    previous_version: str | None = None
    """The ``PreviousVersion`` slot of ITI-57 HasMember associations."""
    original_status: str | None = None
    """``OriginalStatus`` slot of ITI-57 UpdateAvailabilityStatus."""
    new_status: str | None = None
    """``NewStatus`` slot of ITI-57 UpdateAvailabilityStatus."""
    association_propagation: str | None = None
    """``AssociationPropagation`` slot of ITI-57 HasMember (``yes``/``no``)."""
    extra_slots: tuple[Slot, ...] = ()

    @property
    def kind(self) -> AssociationType | None:
        try:
            return AssociationType(self.association_type)
        except ValueError:
            return None

    def with_(self, **changes: object) -> Association:
        return replace(self, **changes)  # type: ignore[arg-type]


RegistryObject: TypeAlias = DocumentEntry | SubmissionSet | Folder | Association


@dataclass(frozen=True, kw_only=True, slots=True)
class ObjectRef:
    """ebRIM ``rim:ObjectRef``: an object named but not carried (ITI TF-2a 3.18.4.1.2.1)."""

    id: str
    home: str | None = None


@dataclass(frozen=True, kw_only=True, slots=True)
class Submission:
    """The content of an ``lcm:SubmitObjectsRequest`` (ITI TF-2b 3.42.4.1.2).

    Exactly one SubmissionSet; its DocumentEntries, Folders and Associations.
    ``object_refs`` are the ``rim:ObjectRef`` elements naming objects already
    in the registry (ITI TF-3 4.2.2).
    """

    submission_set: SubmissionSet
    documents: tuple[DocumentEntry, ...] = ()
    folders: tuple[Folder, ...] = ()
    associations: tuple[Association, ...] = ()
    object_refs: tuple[ObjectRef, ...] = ()
    request_slots: tuple[Slot, ...] = field(default=())

    def identified_objects(self) -> tuple[SubmissionSet | DocumentEntry | Folder, ...]:
        """The objects that carry a uniqueId and a patientId, SubmissionSet first."""
        return (self.submission_set, *self.documents, *self.folders)

    def objects(self) -> tuple[RegistryObject, ...]:
        """Every object of the submission, SubmissionSet first."""
        return (self.submission_set, *self.documents, *self.folders, *self.associations)
