"""DMP patients and habilitations services — their refusals.

The ``patients`` service answers a refusal as an HL7 V3 acknowledgement ``AE`` whose
``acknowledgementDetail`` carries the reason (``registry/dmp_patients.py``); the habilitations
service as a SOAP ``env:Sender`` fault whose subcode is the class name in Carnet's habilitations
namespace (``soap/dmp_habilitations_endpoint.py``). ``detail_code`` is the HL7 V3
AcknowledgementDetailCode when one fits.

Exception tree::

    RegistryError                  (registry/errors.py)
    └── DmpError                   any refusal of the DMP services
        ├── MalformedDmpMessage    a message missing or misusing an element
        ├── InvalidIns             not an INS: unknown authority, bad shape, wrong NIR key
        ├── UnknownDmpRecord       no record for this INS
        ├── DmpRecordExists        TD1.1 for an INS that has one
        ├── DmpRecordClosed        anything but TD0.2 (and TD1.2) on a closed record
        ├── DmpRecordOpen          TD1.2 on an open record
        ├── ConsentMissing         TD1.1 / TD1.2 without the patient's consent
        ├── ProfessionalBlocked    an authorisation for a professional the patient blocked
        └── NoAuthorisation        revoking an authorisation (or block) that does not exist
"""

from __future__ import annotations

from registry.errors import RegistryError
from registry.hl7v3 import AcknowledgementDetailCode

__all__ = [
    "ConsentMissing",
    "DmpError",
    "DmpRecordClosed",
    "DmpRecordExists",
    "DmpRecordOpen",
    "InvalidIns",
    "MalformedDmpMessage",
    "NoAuthorisation",
    "ProfessionalBlocked",
    "UnknownDmpRecord",
]


class DmpError(RegistryError):
    """A request the DMP services refuse; ``reason`` says why, ``location`` where."""

    def __init__(
        self,
        reason: str,
        *,
        location: str | None = None,
        detail_code: AcknowledgementDetailCode | None = None,
    ) -> None:
        super().__init__(reason, location=location)
        self.detail_code = detail_code


class MalformedDmpMessage(DmpError):
    """The message lacks an element its TD needs, or holds one of the wrong type."""


class InvalidIns(DmpError):
    """Not an INS (``../shared/DMP.md`` §2.4): authority, shape or NIR key."""


class UnknownDmpRecord(DmpError):
    """No DMP record exists for the patient."""


class DmpRecordExists(DmpError):
    """TD1.1: the patient already has a record (reactivate a closed one with TD1.2)."""


class DmpRecordClosed(DmpError):
    """A closed record accepts nothing and answers nothing but the existence test (TD0.2)."""


class DmpRecordOpen(DmpError):
    """TD1.2: only a closed record can be reactivated."""


class ConsentMissing(DmpError):
    """TD1.1 needs ``CONSENTEMENT_OUVERTURE_DMP``, TD1.2 ``CONSENTEMENT_REACTIVATION_DMP`` true."""


class ProfessionalBlocked(DmpError):
    """The patient blocked this professional: no authorisation may be granted (PDSm4DMP NB1)."""


class NoAuthorisation(DmpError):
    """The authorisation (or block) to remove does not exist."""
