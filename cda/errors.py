"""The errors of CDA handling — one root, so callers catch what this package raises.

Exception tree::

    CdaError                   a CDA document Carnet cannot use as given
    └── NotCdaError            well-formed XML, but not an HL7 CDA R2 ClinicalDocument

Refusals of the XML itself (malformed, DOCTYPE, too large) are
:class:`schemas.loader.XmlError`, raised by the one hardened parser before
this package sees the document.
"""

from __future__ import annotations

__all__ = ["CdaError", "NotCdaError"]


class CdaError(Exception):
    """A CDA document Carnet cannot use as given; ``reason`` says why."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class NotCdaError(CdaError):
    """The root element is not ``{urn:hl7-org:v3}ClinicalDocument`` (HL7 CDA R2 §4.2)."""
