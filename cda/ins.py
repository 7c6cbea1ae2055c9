"""CI-SIS "Identifiant National de Santé" (INS) — the patient identifier of French documents.

The DMP files every document under the patient's INS: ``XDSDocumentEntry.patientId`` is the
INS (PDSm4DMP DocumentEntry logical model, ``patientID``), and a CI-SIS CDA carries it in
``recordTarget/patientRole/id`` with one of these assigning authorities as ``@root`` and the
matricule as ``@extension`` (CI-SIS volet "Structuration minimale", header ``recordTarget``).
Any other ``id`` there is a local identifier (IPP) of the producer.
"""

from __future__ import annotations

from enum import StrEnum

__all__ = ["InsAuthority", "is_ins_authority"]


class InsAuthority(StrEnum):
    """The OIDs of the INS assigning authorities (ANS; fr-core ``Identifier`` slices)."""

    NIR = "1.2.250.1.213.1.4.8"
    """INS-NIR: the social security number, in production."""
    NIA = "1.2.250.1.213.1.4.9"
    """INS-NIA: the temporary number given while a NIR is being allocated."""
    NIR_TEST = "1.2.250.1.213.1.4.10"
    """INS-NIR of test: used by the CI-SIS examples, the VIHF samples and test platforms."""
    NIR_DEMO = "1.2.250.1.213.1.4.11"
    """INS-NIR of demonstration (fr-core slice ``INS-NIR-DEMO``)."""


_AUTHORITIES = frozenset(authority.value for authority in InsAuthority)


def is_ins_authority(oid: str) -> bool:
    """Whether ``oid`` assigns INS.

    >>> is_ins_authority("1.2.250.1.213.1.4.10"), is_ins_authority("1.2.3.4.567.8.9.10")
    (True, False)
    """
    return oid in _AUTHORITIES
