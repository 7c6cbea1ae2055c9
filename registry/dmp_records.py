"""DMP records — the patient's record, its consent, oppositions, authorisations and blocks.

What a DMP keeps about a patient besides documents (``../shared/DMP.md`` §1.2, §2.5; PDSm4DMP
``transaction_td02.md``): the record exists only with the patient's consent, recorded at
creation (TD1.1, ``CONSENTEMENT_OUVERTURE_DMP``) with who collected it; it is open or closed
(TD1.4, with a date and a reason) and may be reopened (TD1.2); the patient may oppose
break-the-glass access and access by the SAMU regulation (centre 15); the administrative data
are the patient's identity traits (TD1.3b updates them). Professionals are authorised to
consult (TD0.3, optionally as "médecin traitant DMP") or blocked by the patient; a block wins
over an authorisation (PDSm4DMP TD0.2 NB1).

Values only: ``storage/dmp_store.py`` persists them, ``dmp_patients.py`` and
``dmp_habilitations.py`` read and write the wire. No lxml, no SQLAlchemy.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from registry.dmp_vocabulary import DmpStatus

__all__ = [
    "AdministrativeData",
    "Authorisation",
    "Block",
    "Closure",
    "Consent",
    "DmpRecord",
    "Oppositions",
]


@dataclass(frozen=True, kw_only=True, slots=True)
class AdministrativeData:
    """The patient's identity traits as the record keeps them (TD0.2 output, TD1.3b input)."""

    family_name: str | None = None
    """Nom d'usage (HL7 ``name/family``)."""
    birth_name: str | None = None
    """Nom de naissance (``name/family[@qualifier='BR']``)."""
    given_names: str | None = None
    """Prénoms, space-separated (every ``name/given``)."""
    birth_date: str | None = None
    """``birthTime/@value``, an HL7 TS (``YYYYMMDD``)."""
    gender: str | None = None
    """HL7 AdministrativeGender: ``M``, ``F``, ``UN``."""
    address: str | None = None
    """The postal address, its parts joined by ``", "`` (``addr``)."""


@dataclass(frozen=True, kw_only=True, slots=True)
class Consent:
    """The patient's consent to the record, as TD1.1 (or TD1.2) recorded it."""

    given_at: datetime
    """When it was collected (``administrativeObservation/effectiveTime``, else the request's)."""
    collected_by: str | None = None
    """The national id (IDNPS) of the professional who collected it: the message's author."""


@dataclass(frozen=True, kw_only=True, slots=True)
class Oppositions:
    """What the patient opposes (TD1.1, TD1.3b ``administrativeObservation``)."""

    break_glass: bool = False
    """``OPPOSITION_BRIS_DE_GLACE``: no ``bris_de_glace`` access."""
    centre_15: bool = False
    """``OPPOSITION_ACCES_URGENCE``: no ``centre_15`` access."""


@dataclass(frozen=True, kw_only=True, slots=True)
class Closure:
    """Why and when a record was closed (TD1.4)."""

    closed_at: datetime
    reason: str
    """The ``detectedIssueEvent`` code, e.g. ``FERMETURE_DEMANDE_PATIENT``."""
    text: str | None = None
    """The free-text reason, when the message gave one."""


@dataclass(frozen=True, kw_only=True, slots=True)
class DmpRecord:
    """One patient's DMP."""

    patient_id: str
    """The INS as an XDS CX ``matricule^^^&OID&ISO`` (:class:`registry.ins.Ins`)."""
    created_at: datetime
    consent: Consent
    status: DmpStatus = DmpStatus.OPEN
    closure: Closure | None = None
    """Set while closed; a reactivation clears it."""
    oppositions: Oppositions = Oppositions()
    administrative: AdministrativeData = AdministrativeData()

    @property
    def is_open(self) -> bool:
        return self.status is DmpStatus.OPEN


@dataclass(frozen=True, kw_only=True, slots=True)
class Authorisation:
    """A professional's authorisation to consult the patient's record (TD0.3)."""

    patient_id: str
    professional_id: str
    """RPPS or ADELI, as the national id (IDNPS) the VIHF carries."""
    granted_at: datetime
    treating_physician: bool = False
    """Granted as the patient's "médecin traitant DMP"."""
    revoked_at: datetime | None = None
    """Set once revoked; the row stays as history."""

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None


@dataclass(frozen=True, kw_only=True, slots=True)
class Block:
    """The patient blocked this professional from the record, whatever the authorisation."""

    patient_id: str
    professional_id: str
    blocked_at: datetime
