"""IHE ITI TF-1 9 (ATNA) and DMP access history — what one audited transaction was, as a value.

Every transaction of the registry, the repository and the DMP services, allowed or refused,
becomes one :class:`AuditEvent`: who called (a professional's RPPS/ADELI national id, or the
patient), with which roles, from which structure, in which access mode, about which patient and
documents, with what outcome. ``registry/storage/audit_store.py`` writes it in the same database
transaction as the change it audits (issue 5 item 7: the database is the source of truth), and
the history a patient is shown is read back from there. ``carnet/atna.py`` turns an event into
the DICOM audit message of IHE ITI-20 Record Audit Event (DICOM PS3.15 A.5); its vocabulary —
EventID, EventActionCode, EventOutcomeIndicator — is that of DICOM PS3.15 A.5.1 and of the
"Security Considerations" section of each transaction in ITI TF-2.

Free of wire and storage: no lxml, no SQLAlchemy.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum

from registry.dmp_vocabulary import AccessMode

__all__ = [
    "AccessMode",
    "AuditCode",
    "AuditEvent",
    "AuditRecord",
    "Outcome",
    "SubjectKind",
    "Transaction",
]


class Transaction(StrEnum):
    """The audited transaction: the IHE transaction number, or the DMP service's name.

    ITI numbers are those of the ITI Technical Framework, written as ``EventTypeCode`` carries
    them (``codeSystemName="IHE Transactions"``, ITI TF-2a 3.20.7). DMP services are named as
    the DMP integration guide numbers them (TD0.2, TD1.x, see ``registry/dmp_vocabulary.py``);
    the habilitations requests are Carnet's own (``schemas/dmp/habilitations.xsd``).
    """

    ITI_18 = "ITI-18"
    ITI_41 = "ITI-41"
    ITI_42 = "ITI-42"
    ITI_43 = "ITI-43"
    ITI_44 = "ITI-44"
    ITI_57 = "ITI-57"
    ITI_62 = "ITI-62"
    ITI_86 = "ITI-86"
    TD0_2 = "TD0.2"
    TD1_1 = "TD1.1"
    TD1_2 = "TD1.2"
    TD1_3 = "TD1.3b"
    TD1_4 = "TD1.4"
    SET_AUTHORIZATION = "setAuthorization"
    SET_BLOCK = "setBlock"
    LIST_AUTHORIZATIONS = "listAuthorizationByPatient"

    @property
    def display_name(self) -> str:
        """The transaction's name in its specification (``EventTypeCode/@originalText``)."""
        return _TITLES[self]

    @property
    def is_ihe(self) -> bool:
        """Whether this is an IHE ITI transaction (else a DMP service)."""
        return self.value.startswith("ITI-")


_TITLES = {
    Transaction.ITI_18: "Registry Stored Query",
    Transaction.ITI_41: "Provide and Register Document Set-b",
    Transaction.ITI_42: "Register Document Set-b",
    Transaction.ITI_43: "Retrieve Document Set",
    Transaction.ITI_44: "Patient Identity Feed HL7 V3",
    Transaction.ITI_57: "Update Document Set",
    Transaction.ITI_62: "Delete Document Set",
    Transaction.ITI_86: "Remove Documents",
    Transaction.TD0_2: "Test d'existence du DMP",
    Transaction.TD1_1: "Création du DMP",
    Transaction.TD1_2: "Réactivation du DMP",
    Transaction.TD1_3: "Mise à jour des données administratives",
    Transaction.TD1_4: "Fermeture du DMP",
    Transaction.SET_AUTHORIZATION: "Gestion des autorisations",
    Transaction.SET_BLOCK: "Gestion des blocages",
    Transaction.LIST_AUTHORIZATIONS: "Liste des autorisations",
}


class Outcome(StrEnum):
    """``EventOutcomeIndicator`` (DICOM PS3.15 A.5.1, RFC 3881 5.1.5): how the transaction ended."""

    SUCCESS = "0"
    """Nominal success."""
    REFUSED = "4"
    """Minor failure: the request was refused (an IHE error code, access denied, bad VIHF)."""
    FAILURE = "8"
    """Serious failure: the transaction failed (an internal error; nothing was done)."""
    MAJOR_FAILURE = "12"
    """Major failure: the reporting application is now unavailable."""

    @property
    def label(self) -> str:
        """The word a patient's access history shows."""
        return self.name.lower().replace("_", " ")


class SubjectKind(StrEnum):
    """Who the caller is: a health professional, the patient, or a system (a feed, a script)."""

    PROFESSIONAL = "professional"
    PATIENT = "patient"
    SYSTEM = "system"


@dataclass(frozen=True, kw_only=True, slots=True)
class AuditCode:
    """A coded value: ``csd-code``, ``codeSystemName``, ``originalText`` (DICOM PS3.15 A.5.1)."""

    code: str
    system: str
    """The code system's OID or name (e.g. TRE_G15 ``1.2.250.1.71.1.2.7``)."""
    display_name: str | None = None


@dataclass(frozen=True, kw_only=True, slots=True)
class AuditEvent:
    """One audited transaction, allowed or refused (issue 5 item 7; ATNA ITI TF-1 9.1.1)."""

    time: datetime
    """When the transaction happened (``EventDateTime``), timezone-aware; stored in UTC."""
    transaction: Transaction
    """``EventTypeCode``: which transaction."""
    outcome: Outcome
    """``EventOutcomeIndicator``."""
    outcome_detail: str | None = None
    """The IHE error code or SOAP fault reason of a refusal (``EventOutcomeDescription``)."""
    subject_id: str | None = None
    """The caller's national id (IDNPS: RPPS or ADELI with its prefix), or the patient's INS;
    ``None`` when the caller could not be identified (a missing or forged VIHF)."""
    subject_name: str | None = None
    """The caller's name and service, when known (VIHF ``subject-id``)."""
    subject_kind: SubjectKind = SubjectKind.PROFESSIONAL
    roles: tuple[AuditCode, ...] = ()
    """Profession (TRE_G15), speciality (TRE_R01)… (VIHF ``role``; ``RoleIDCode``)."""
    structure_id: str | None = None
    """The caller's structure (VIHF ``Identifiant_Structure``)."""
    access_mode: AccessMode | None = None
    """Normal, break-the-glass or centre 15 (VIHF ``purposeofuse``)."""
    authentication_mode: str | None = None
    """VIHF ``Authentification_Mode`` (``DIRECTE``, ``INDIRECTE``, ``INDIRECTE_RENFORCEE``)."""
    software: str | None = None
    """The calling software: ``LPS_Nom`` and version, with its DMP approval number."""
    remote_address: str | None = None
    """The client's IP address (``NetworkAccessPointID`` of the source participant)."""
    patient_id: str | None = None
    """The patient concerned, as a CX (the INS for the DMP); ``None`` for none or many."""
    document_ids: tuple[str, ...] = ()
    """``XDSDocumentEntry.uniqueId`` of the documents read, written or refused."""
    query_id: str | None = None
    """The stored query's id (``urn:uuid:…``, ITI-18) or the request's message id."""

    def __post_init__(self) -> None:
        if self.time.tzinfo is None:
            raise TypeError("AuditEvent.time must be timezone-aware")
        object.__setattr__(self, "time", self.time.astimezone(UTC))


@dataclass(frozen=True, kw_only=True, slots=True)
class AuditRecord:
    """An event as the audit trail holds it: its key, and whether ATNA export sent it."""

    key: int
    event: AuditEvent
    exported_at: datetime | None = None
