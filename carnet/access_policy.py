"""DMP access rules (../shared/DMP.md §2.5, issue 5 item 5) — who may read, feed, delete, hide.

Every read of a DMP record goes through one :class:`AccessPolicy`, and every answer is a
:class:`Decision` value (allowed, a :class:`Reason` code, a sentence, and whether to audit it
as emergency access), so the transactions stay free of rules and the audit trail can say why.
The policy is pure: the caller (from the VIHF), the record's state, the caller's relationship
to the patient (from the authorisations) and a document's metadata come in as values.

The rules, with their source or, where the DMP's own rule is not public (DMPi, DMP-MDRF and the
"matrice d'habilitations" are not published), the choice Carnet makes:

Reading the record (:meth:`AccessPolicy.may_query`), first rule that applies:

1. A closed record answers nothing but the existence test (TD1.4, issue 5 item 2): refused to
   everyone.
2. The patient and their legal representatives read their own record, in mode ``normal``
   only (the emergency modes are for professionals, TRE_R248). The record's consent concerns
   professionals' access (DMP.md §2.5), so it does not gate them.
3. An automated system (VIHF role ``AUTOMATE``) feeds but never reads. *Choice.*
4. A professional needs the patient's consent to professionals' access (art. R1111-46 CSP).
5. A professional the patient blocked is refused in every mode, emergency ones included.
   *Choice*: the DMP lets a patient block a professional; that an emergency mode does not
   override the block is our reading. The professional who creates the record (TD1.1, with
   the patient's consent) is authorised on it (``registry/dmp_patients.py``; the DMP's
   practice, not stated by a public source: *choice*).
6. ``normal``: authorised professionals, the médecin traitant and the care team (consent
   deemed given to the whole team, art. L1110-12, R1111-46 CSP) read; others are refused.
7. ``bris_de_glace``: any professional reads unless the patient opposed it
   (``OPPOSITION_BRIS_DE_GLACE``, TD1.1). ``centre_15``: physicians (TRE_G15 ``10``, the
   SAMU's médecins régulateurs; *choice*) read unless the patient opposed it
   (``OPPOSITION_ACCES_URGENCE``). Both are flagged ``emergency`` for the audit trail — every
   decision taken for a caller in an emergency mode is, allowed or not.

Seeing one document (:meth:`AccessPolicy.may_see`; a refusal means "answer as unknown": left
out of stored queries, retrieve answers that the document does not exist), after the record —
except that a professional who authored the document keeps seeing it without the record's
rules 6 and 7 (no authorisation needed, any access mode, opposition or not), but never when
the record is closed, without consent, or when the patient blocked them. *Choice*: DMP.md
and the public TD pages are silent; an author already holds the document and may delete it
"authorised or not" (rule 15, ``transaction_td3.3c.md`` NB1), so hiding it from them
protects nothing, while a block is the patient's explicit will:

8. ``Deleted`` (``urn:asip:ci-sis:2010:StatusType:Deleted``, TD3.3c) documents are seen by
   nobody, their author included; ``Submitted`` ones are not registered yet. ``Archived``
   ("version archivée et à jour", TD3.3d), ``Approved`` and ``Deprecated`` documents are seen
   by whoever may see them otherwise: the stored query's status parameter chooses which
   statuses it lists.
9. ``INVISIBLE_PATIENT`` hides the document from the patient and, *choice*, from their legal
   representatives too (they act for the patient; and the submission signature, coded
   ``MASQUE_PS`` + ``INVISIBLE_PATIENT`` only, "never appears in listings", DMP.md §2.3).
   ``INVISIBLE_REPRESENTANTS_LEGAUX`` hides it from legal representatives only.
10. A document's author sees it whatever its codes and the matrix.
11. ``MASQUE_PS`` hides it from professionals except its author, the médecin traitant
    (DmpConnect: "hidden to HP that are not treating physician") and emergency access
    (issue 5's scenario: break-the-glass sees a hidden document; ``centre_15`` likewise,
    *choice*).
12. Confidentiality ``N`` and ``R`` add nothing to the matrix; ``V`` (very restricted)
    limits the document to physicians (TRE_G15 ``10``) and its author. *Choice.*
13. Other professionals read the document only if the profession x document-type matrix
    (:mod:`carnet.access_matrix`) allows their profession and speciality its classCode or
    typeCode; emergency modes included.

Writing:

14. Feeding (:meth:`AccessPolicy.may_feed`, TD2.1) needs no authorisation, only an open record
    whose patient consented (did not oppose it, DMP.md §2.5); blocks gate consultation only.
15. Deleting (:meth:`AccessPolicy.may_delete`, TD3.3c, logical: ITI-57 to ``…:Deleted``) is
    for the document's author only (``transaction_td3.3c.md`` NB2), authorised or not
    (NB1), on an open record. Carnet applies the same rule to IHE's Deprecated.
16. Hiding and showing again (:meth:`AccessPolicy.may_change_visibility`, TD3.3a/b, symmetric,
    *choice*): ``MASQUE_PS`` by the patient, their legal representatives or the author;
    ``INVISIBLE_PATIENT`` by the author or the médecin traitant;
    ``INVISIBLE_REPRESENTANTS_LEGAUX`` by the author, the médecin traitant or the patient.
    Whoever is not the author must be able to see the document.
17. Archiving and unarchiving (:meth:`AccessPolicy.may_archive`, TD3.3d: ITI-57 to
    ``…:Archived`` and back to Approved) are for whoever sees the document in mode ``normal``
    — its author, the patient, their legal representatives, an authorised professional
    (``transaction_td3.3d.md`` asks for a valid authorisation, "sauf profil Alimentation",
    i.e. the author). *Choice*: emergency modes read, they do not reorganise a record.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

from carnet.access_matrix import AccessMatrix, load_access_matrix
from registry.dmp_vocabulary import AccessMode, DmpAvailabilityStatus
from registry.model import DocumentEntry
from registry.vocabulary import AvailabilityStatus

__all__ = [
    "ACCESS_MODE_CODE_SYSTEM",
    "HL7_CONFIDENTIALITY_CODE_SYSTEM",
    "PHYSICIAN",
    "VISIBILITY_CODE_SYSTEM",
    "AccessMode",
    "AccessPolicy",
    "Caller",
    "CallerKind",
    "ConfidentialityCode",
    "Decision",
    "DmpAvailabilityStatus",
    "DocumentFacts",
    "Reason",
    "RecordState",
    "RecordStatus",
    "Relationship",
]

ACCESS_MODE_CODE_SYSTEM = "1.2.250.1.213.1.1.4.248"
"""TRE_R248-ModeAcces: the VIHF ``purposeofuse`` code system."""

HL7_CONFIDENTIALITY_CODE_SYSTEM = "2.16.840.1.113883.5.25"
"""HL7 Confidentiality (TRE_A08): ``N``, ``R``, ``V``."""

VISIBILITY_CODE_SYSTEM = "1.2.250.1.213.1.1.4.13"
"""TRE_A07-StatutVisibiliteDocument: ``MASQUE_PS``, ``INVISIBLE_PATIENT``, …"""

PHYSICIAN = "10"
"""TRE_G15 (``1.2.250.1.71.1.2.7``) Médecin."""


class CallerKind(StrEnum):
    """Who is calling, as Carnet reads the VIHF roles (Carnet's own vocabulary)."""

    PROFESSIONAL = "professional"
    """A health professional (role TRE_G15/G16 profession)."""
    PATIENT = "patient"
    """The record's holder."""
    LEGAL_REPRESENTATIVE = "legal_representative"
    """A legal representative of the holder (a minor's parent, a guardian)."""
    SYSTEM = "system"
    """An automated processing (role ``AUTOMATE``, TRE_R94/R95): a lab automaton feeding."""


class RecordStatus(StrEnum):
    """Whether the DMP is open or closed (TD1.4 ``FERM``; TD0.2 answers it)."""

    OPEN = "open"
    CLOSED = "closed"


class Relationship(StrEnum):
    """The caller's standing on the patient's record (``habilitations`` service, TD0.3)."""

    NONE = "none"
    AUTHORISED = "authorised"
    """Authorised by the patient (``setAuthorization`` ``AJOUT``)."""
    MEDECIN_TRAITANT = "medecin_traitant"
    """Authorised, and the patient's "médecin traitant DMP"."""
    CARE_TEAM = "care_team"
    """A member of the patient's care team (art. L1110-12 CSP): consent deemed given."""
    BLOCKED = "blocked"
    """Blocked by the patient: refused in every mode."""


class ConfidentialityCode(StrEnum):
    """JDV_J58-ConfidentialityCode-DMP (``1.2.250.1.213.1.1.5.9``), the six codes."""

    N = "N"
    R = "R"
    V = "V"
    MASQUE_PS = "MASQUE_PS"
    INVISIBLE_PATIENT = "INVISIBLE_PATIENT"
    INVISIBLE_REPRESENTANTS_LEGAUX = "INVISIBLE_REPRESENTANTS_LEGAUX"

    @property
    def scheme(self) -> str:
        """The code system: HL7 Confidentiality for N/R/V, TRE_A07 for the others."""
        if self in (ConfidentialityCode.N, ConfidentialityCode.R, ConfidentialityCode.V):
            return HL7_CONFIDENTIALITY_CODE_SYSTEM
        return VISIBILITY_CODE_SYSTEM

    @property
    def is_visibility(self) -> bool:
        """A TRE_A07 visibility status, set and cleared by TD3.3a/b."""
        return self.scheme == VISIBILITY_CODE_SYSTEM


class Reason(StrEnum):
    """Why a :class:`Decision` went the way it did; kept in the audit trail."""

    # allowed
    PATIENT = "patient"
    LEGAL_REPRESENTATIVE = "legal_representative"
    AUTHORISED = "authorised"
    BRIS_DE_GLACE = "bris_de_glace"
    CENTRE_15 = "centre_15"
    AUTHOR = "author"
    FEEDING = "feeding"
    MEDECIN_TRAITANT = "medecin_traitant"
    # refused
    RECORD_CLOSED = "record_closed"
    NO_CONSENT = "no_consent"
    CALLER_KIND_NOT_PERMITTED = "caller_kind_not_permitted"
    ACCESS_MODE_NOT_PERMITTED = "access_mode_not_permitted"
    NOT_AUTHORISED = "not_authorised"
    BLOCKED = "blocked"
    OPPOSED_BRIS_DE_GLACE = "opposed_bris_de_glace"
    OPPOSED_CENTRE_15 = "opposed_centre_15"
    DOCUMENT_DELETED = "document_deleted"
    DOCUMENT_NOT_AVAILABLE = "document_not_available"
    INVISIBLE_TO_PATIENT = "invisible_to_patient"
    INVISIBLE_TO_LEGAL_REPRESENTATIVES = "invisible_to_legal_representatives"
    MASKED_FROM_PROFESSIONALS = "masked_from_professionals"
    VERY_RESTRICTED = "very_restricted"
    PROFESSION_NOT_PERMITTED = "profession_not_permitted"
    NOT_AUTHOR = "not_author"
    NOT_A_VISIBILITY_CODE = "not_a_visibility_code"
    VISIBILITY_NOT_PERMITTED = "visibility_not_permitted"

    @property
    def message(self) -> str:
        return _MESSAGES[self]


_MESSAGES = {
    Reason.PATIENT: "the patient reads their own record",
    Reason.LEGAL_REPRESENTATIVE: "a legal representative reads the patient's record",
    Reason.AUTHORISED: "the professional is authorised on the record",
    Reason.BRIS_DE_GLACE: "emergency access (bris de glace)",
    Reason.CENTRE_15: "emergency access by a medical regulation centre (centre 15)",
    Reason.AUTHOR: "the caller is the document's author",
    Reason.FEEDING: "feeding an open record needs no authorisation",
    Reason.MEDECIN_TRAITANT: "the caller is the patient's médecin traitant",
    Reason.RECORD_CLOSED: "the record is closed",
    Reason.NO_CONSENT: "the patient has not consented to professionals' access",
    Reason.CALLER_KIND_NOT_PERMITTED: "this kind of caller may not do this",
    Reason.ACCESS_MODE_NOT_PERMITTED: "this access mode is not open to this caller",
    Reason.NOT_AUTHORISED: "the professional is not authorised on the record",
    Reason.BLOCKED: "the patient blocked this professional",
    Reason.OPPOSED_BRIS_DE_GLACE: "the patient opposed emergency access (bris de glace)",
    Reason.OPPOSED_CENTRE_15: "the patient opposed access by medical regulation (centre 15)",
    Reason.DOCUMENT_DELETED: "the document was deleted",
    Reason.DOCUMENT_NOT_AVAILABLE: "the document is not registered",
    Reason.INVISIBLE_TO_PATIENT: "the document is not visible to the patient",
    Reason.INVISIBLE_TO_LEGAL_REPRESENTATIVES: "the document is not visible to legal "
    "representatives",
    Reason.MASKED_FROM_PROFESSIONALS: "the document is hidden from professionals",
    Reason.VERY_RESTRICTED: "the document is very restricted (V): physicians only",
    Reason.PROFESSION_NOT_PERMITTED: "the access matrix does not open this document type to "
    "this profession",
    Reason.NOT_AUTHOR: "only the document's author may do this",
    Reason.NOT_A_VISIBILITY_CODE: "only MASQUE_PS, INVISIBLE_PATIENT and "
    "INVISIBLE_REPRESENTANTS_LEGAUX are set and cleared",
    Reason.VISIBILITY_NOT_PERMITTED: "this caller may not change this visibility",
}


@dataclass(frozen=True, kw_only=True, slots=True)
class Caller:
    """Who is calling, as the verified VIHF says (DMP.md §2.2)."""

    kind: CallerKind
    subject_id: str
    """``Subject/NameID``: a professional's IDNPS (RPPS/ADELI), the patient's INS…"""
    profession: str | None = None
    """First VIHF ``role``: TRE_G15 profession code (``10`` Médecin), or TRE_R94… for others."""
    specialty: str | None = None
    """Second VIHF ``role`` (physicians, pharmacists): TRE_R01 speciality, e.g. ``SM26``."""
    structure_id: str | None = None
    """``Identifiant_Structure``: kept for the audit trail; the rules do not use it."""
    access_mode: AccessMode = AccessMode.NORMAL
    """``purposeofuse`` (TRE_R248)."""


@dataclass(frozen=True, kw_only=True, slots=True)
class RecordState:
    """The DMP's management data (TD1.1 ``administrativeObservation``s, TD1.4)."""

    status: RecordStatus = RecordStatus.OPEN
    consent: bool = True
    """``CONSENTEMENT_OUVERTURE_DMP``: professionals may access the record."""
    opposes_bris_de_glace: bool = False
    """``OPPOSITION_BRIS_DE_GLACE``."""
    opposes_centre_15: bool = False
    """``OPPOSITION_ACCES_URGENCE``."""


@dataclass(frozen=True, kw_only=True, slots=True)
class DocumentFacts:
    """What the rules read of a DocumentEntry (ITI TF-3 4.2.3.2)."""

    class_code: str | None = None
    """classCode (TRE_A03), e.g. ``10`` Compte rendu."""
    type_code: str | None = None
    """typeCode (LOINC, TRE_A05), e.g. ``11502-2`` Laboratory report."""
    confidentiality: frozenset[ConfidentialityCode] = frozenset()
    author_ids: frozenset[str] = frozenset()
    """Id (XCN component 1) of each author person."""
    availability_status: str = AvailabilityStatus.APPROVED
    """ITI TF-3 4.2.3.2.2 status, or a :class:`DmpAvailabilityStatus`."""

    @classmethod
    def from_entry(cls, entry: DocumentEntry) -> DocumentFacts:
        """The facts of a registered DocumentEntry; codes outside J58 are ignored."""
        return cls(
            class_code=entry.class_code.code if entry.class_code else None,
            type_code=entry.type_code.code if entry.type_code else None,
            confidentiality=frozenset(
                ConfidentialityCode(code.code)
                for code in entry.confidentiality_codes
                if code.code in _CONFIDENTIALITY_VALUES
                and code.scheme == ConfidentialityCode(code.code).scheme
            ),
            author_ids=_author_ids(entry),
            availability_status=str(entry.availability_status),
        )

    def is_authored_by(self, caller: Caller) -> bool:
        return caller.subject_id in self.author_ids


_CONFIDENTIALITY_VALUES = frozenset(code.value for code in ConfidentialityCode)
_UNSEEN_STATUSES = {
    str(DmpAvailabilityStatus.DELETED): Reason.DOCUMENT_DELETED,
    str(AvailabilityStatus.SUBMITTED): Reason.DOCUMENT_NOT_AVAILABLE,
}


def _author_ids(entry: DocumentEntry) -> frozenset[str]:
    return frozenset(
        identifier
        for author in entry.authors
        if author.person and (identifier := author.person.split("^", 1)[0])
    )


@dataclass(frozen=True, kw_only=True, slots=True)
class Decision:
    """The policy's answer: allowed or not, why, and how to audit it."""

    allowed: bool
    reason: Reason
    message: str
    """``reason`` in a sentence, for the audit trail and logs (never sent to the caller)."""
    emergency: bool = False
    """The caller used ``bris_de_glace`` or ``centre_15``: audit as emergency access."""


@dataclass(frozen=True, kw_only=True, slots=True)
class AccessPolicy:
    """The DMP's access rules (module docstring), over a profession x document-type matrix."""

    matrix: AccessMatrix

    @classmethod
    def load(cls, matrix_path: Path | None = None) -> AccessPolicy:
        """The policy with the matrix in ``matrix_path`` (setting ``access_matrix``)."""
        return cls(matrix=load_access_matrix(matrix_path))

    def may_query(
        self, *, caller: Caller, record: RecordState, relationship: Relationship
    ) -> Decision:
        """Whether the caller may read the record at all (rules 1 to 7)."""
        if record.status is RecordStatus.CLOSED:
            return _refuse(Reason.RECORD_CLOSED, caller)
        if caller.kind in (CallerKind.PATIENT, CallerKind.LEGAL_REPRESENTATIVE):
            if caller.access_mode is not AccessMode.NORMAL:
                return _refuse(Reason.ACCESS_MODE_NOT_PERMITTED, caller)
            if caller.kind is CallerKind.PATIENT:
                return _allow(Reason.PATIENT, caller)
            return _allow(Reason.LEGAL_REPRESENTATIVE, caller)
        if caller.kind is not CallerKind.PROFESSIONAL:
            return _refuse(Reason.CALLER_KIND_NOT_PERMITTED, caller)
        if not record.consent:
            return _refuse(Reason.NO_CONSENT, caller)
        if relationship is Relationship.BLOCKED:
            return _refuse(Reason.BLOCKED, caller)
        match caller.access_mode:
            case AccessMode.NORMAL:
                if relationship is Relationship.NONE:
                    return _refuse(Reason.NOT_AUTHORISED, caller)
                return _allow(Reason.AUTHORISED, caller)
            case AccessMode.BREAK_THE_GLASS:
                if record.opposes_bris_de_glace:
                    return _refuse(Reason.OPPOSED_BRIS_DE_GLACE, caller)
                return _allow(Reason.BRIS_DE_GLACE, caller)
            case AccessMode.CENTRE_15:
                if caller.profession != PHYSICIAN:
                    return _refuse(Reason.ACCESS_MODE_NOT_PERMITTED, caller)
                if record.opposes_centre_15:
                    return _refuse(Reason.OPPOSED_CENTRE_15, caller)
                return _allow(Reason.CENTRE_15, caller)

    def may_see(
        self,
        *,
        caller: Caller,
        record: RecordState,
        relationship: Relationship,
        document: DocumentFacts,
    ) -> Decision:
        """Whether the caller may see this document (rules 1 to 13); refused: answer unknown."""
        on_record = self.may_query(caller=caller, record=record, relationship=relationship)
        authors_own = caller.kind is CallerKind.PROFESSIONAL and document.is_authored_by(caller)
        if not on_record.allowed and not (authors_own and on_record.reason in _AUTHOR_PASSES):
            return on_record
        if unseen := _UNSEEN_STATUSES.get(document.availability_status):
            return _refuse(unseen, caller)
        codes = document.confidentiality
        if caller.kind is CallerKind.PATIENT:
            if ConfidentialityCode.INVISIBLE_PATIENT in codes:
                return _refuse(Reason.INVISIBLE_TO_PATIENT, caller)
            return on_record
        if caller.kind is CallerKind.LEGAL_REPRESENTATIVE:
            if ConfidentialityCode.INVISIBLE_PATIENT in codes:
                return _refuse(Reason.INVISIBLE_TO_PATIENT, caller)
            if ConfidentialityCode.INVISIBLE_REPRESENTANTS_LEGAUX in codes:
                return _refuse(Reason.INVISIBLE_TO_LEGAL_REPRESENTATIVES, caller)
            return on_record
        if authors_own:
            return _allow(Reason.AUTHOR, caller)
        if (
            ConfidentialityCode.MASQUE_PS in codes
            and relationship is not Relationship.MEDECIN_TRAITANT
            and not caller.access_mode.is_emergency
        ):
            return _refuse(Reason.MASKED_FROM_PROFESSIONALS, caller)
        if ConfidentialityCode.V in codes and caller.profession != PHYSICIAN:
            return _refuse(Reason.VERY_RESTRICTED, caller)
        if not self.matrix.permits(
            profession=caller.profession,
            specialty=caller.specialty,
            class_code=document.class_code,
            type_code=document.type_code,
        ):
            return _refuse(Reason.PROFESSION_NOT_PERMITTED, caller)
        return on_record

    def visible(
        self,
        *,
        caller: Caller,
        record: RecordState,
        relationship: Relationship,
        documents: Iterable[DocumentFacts],
    ) -> list[DocumentFacts]:
        """The documents the caller may see, in order: a stored query's filter."""
        return [
            document
            for document in documents
            if self.may_see(
                caller=caller, record=record, relationship=relationship, document=document
            ).allowed
        ]

    def may_feed(self, *, caller: Caller, record: RecordState) -> Decision:
        """Whether the caller may add documents to the record (rule 14, TD2.1)."""
        if record.status is RecordStatus.CLOSED:
            return _refuse(Reason.RECORD_CLOSED, caller)
        if not record.consent:
            return _refuse(Reason.NO_CONSENT, caller)
        return _allow(Reason.FEEDING, caller)

    def may_delete(
        self, *, caller: Caller, record: RecordState, document: DocumentFacts
    ) -> Decision:
        """Whether the caller may delete the document, logically (rule 15, TD3.3c)."""
        if record.status is RecordStatus.CLOSED:
            return _refuse(Reason.RECORD_CLOSED, caller)
        if unseen := _UNSEEN_STATUSES.get(document.availability_status):
            return _refuse(unseen, caller)
        if not document.is_authored_by(caller):
            return _refuse(Reason.NOT_AUTHOR, caller)
        return _allow(Reason.AUTHOR, caller)

    def may_change_visibility(
        self,
        *,
        caller: Caller,
        record: RecordState,
        relationship: Relationship,
        document: DocumentFacts,
        code: ConfidentialityCode,
    ) -> Decision:
        """Whether the caller may set or clear visibility ``code`` (rule 16, TD3.3a/b)."""
        if record.status is RecordStatus.CLOSED:
            return _refuse(Reason.RECORD_CLOSED, caller)
        if unseen := _UNSEEN_STATUSES.get(document.availability_status):
            return _refuse(unseen, caller)
        if not code.is_visibility:
            return _refuse(Reason.NOT_A_VISIBILITY_CODE, caller)
        if document.is_authored_by(caller):
            return _allow(Reason.AUTHOR, caller)
        seen = self.may_see(
            caller=caller, record=record, relationship=relationship, document=document
        )
        if not seen.allowed:
            return seen
        if caller.kind in _VISIBILITY_SETTERS[code]:
            return seen
        if (
            code in _MEDECIN_TRAITANT_SETS
            and caller.kind is CallerKind.PROFESSIONAL
            and relationship is Relationship.MEDECIN_TRAITANT
        ):
            return _allow(Reason.MEDECIN_TRAITANT, caller)
        return _refuse(Reason.VISIBILITY_NOT_PERMITTED, caller)

    def may_archive(
        self,
        *,
        caller: Caller,
        record: RecordState,
        relationship: Relationship,
        document: DocumentFacts,
    ) -> Decision:
        """Whether the caller may archive or unarchive the document (rule 17, TD3.3d)."""
        if caller.access_mode.is_emergency:
            return _refuse(Reason.ACCESS_MODE_NOT_PERMITTED, caller)
        return self.may_see(
            caller=caller, record=record, relationship=relationship, document=document
        )


# The record-level refusals a document's author passes (module docstring, before rule 8): not
# the closed record, the missing consent or the patient's block.
_AUTHOR_PASSES = frozenset(
    {
        Reason.NOT_AUTHORISED,
        Reason.OPPOSED_BRIS_DE_GLACE,
        Reason.OPPOSED_CENTRE_15,
        Reason.ACCESS_MODE_NOT_PERMITTED,
    }
)

# Rule 16: which callers, besides the author, set and clear each visibility code…
_VISIBILITY_SETTERS: dict[ConfidentialityCode, frozenset[CallerKind]] = {
    ConfidentialityCode.MASQUE_PS: frozenset({CallerKind.PATIENT, CallerKind.LEGAL_REPRESENTATIVE}),
    ConfidentialityCode.INVISIBLE_PATIENT: frozenset(),
    ConfidentialityCode.INVISIBLE_REPRESENTANTS_LEGAUX: frozenset({CallerKind.PATIENT}),
}
# … and which ones the médecin traitant sets and clears.
_MEDECIN_TRAITANT_SETS = frozenset(
    {ConfidentialityCode.INVISIBLE_PATIENT, ConfidentialityCode.INVISIBLE_REPRESENTANTS_LEGAUX}
)


def _allow(reason: Reason, caller: Caller) -> Decision:
    return Decision(
        allowed=True,
        reason=reason,
        message=reason.message,
        emergency=caller.access_mode.is_emergency,
    )


def _refuse(reason: Reason, caller: Caller) -> Decision:
    return Decision(
        allowed=False,
        reason=reason,
        message=reason.message,
        emergency=caller.access_mode.is_emergency,
    )
