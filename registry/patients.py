"""ITI TF-2b 3.44 (Patient Identity Feed HL7 V3) — the patients the registry knows.

The Document Registry accepts metadata only for patient ids it was fed
(ITI TF-2b 3.42.4.1.3.2) and, on a merge, moves the subsumed patient's
objects to the surviving id (ITI TF-2b 3.44.4.1.3). This module holds the
patient record those rules read; ``storage/`` persists it. It imports neither
lxml nor SQLAlchemy.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

__all__ = ["Patient", "PatientStatus"]


class PatientStatus(StrEnum):
    """Whether a patient id is in use or was merged into another (ITI TF-2b 3.44.4.1.3)."""

    ACTIVE = "active"
    MERGED = "merged"


@dataclass(frozen=True, kw_only=True, slots=True)
class Patient:
    """A patient identity received through the Patient Identity Feed."""

    patient_id: str
    """The CX ``id^^^&OID&ISO`` of the XDS affinity domain (ITI TF-3 4.2.3.2.16)."""
    status: PatientStatus = PatientStatus.ACTIVE
    """``merged`` once a merge made this id the subsumed one."""
    merged_into: str | None = None
    """The surviving patient id after a merge (ITI TF-2b 3.44.4.1.3), else ``None``."""
    given_name: str | None = None
    """``name/given`` of the feed's ``patientPerson``."""
    family_name: str | None = None
    """``name/family`` of the feed's ``patientPerson``."""
    birth_time: str | None = None
    """``birthTime/@value``, an HL7 V3 TS as sent."""
    gender: str | None = None
    """``administrativeGenderCode/@code`` (``M``, ``F``, ``UN``…)."""
    demographics: tuple[tuple[str, str], ...] = ()
    """Any other demographic the feed carried, as ordered (name, value) pairs."""

    @property
    def is_active(self) -> bool:
        return self.status is PatientStatus.ACTIVE
