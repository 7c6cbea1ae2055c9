"""HL7 v3 CD (Data Types R1 §2.13) as XDS carries it: a code, its code system, its display name.

A CDA header codes its document's kind, confidentiality, setting… as ``code``/``codeSystem``/
``displayName`` attributes; XDS carries each as a classification whose ``nodeRepresentation`` is
the code, whose ``codingScheme`` slot is the code system and whose name is the display name
(ITI TF-3 4.2.3.1.2). This leaf package keeps its own small value for it so that it need not
import the registry's model.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["CodedValue"]


@dataclass(frozen=True, kw_only=True, slots=True)
class CodedValue:
    """A code of a code system, with the display name the document or the terminology gives.

    Two coded values mean the same when ``code`` and ``code_system`` are equal; the display
    name is for people.
    """

    code: str
    """``@code``: the XDS ``nodeRepresentation``."""
    code_system: str
    """``@codeSystem``, an OID (or ``URN`` for the DMP's URN code systems): ``codingScheme``."""
    display_name: str | None = None
    """``@displayName``, or the terminology's label."""

    def same_code(self, other: CodedValue) -> bool:
        """Whether ``other`` is the same code of the same system, whatever the display names.

        >>> CodedValue(code="N", code_system="2.16.840.1.113883.5.25").same_code(
        ...     CodedValue(code="N", code_system="2.16.840.1.113883.5.25", display_name="Normal"))
        True
        """
        return self.code == other.code and self.code_system == other.code_system

    def __str__(self) -> str:
        """The stored-query form ``code^^codeSystem`` (ITI TF-2a 3.18.4.1.2.3.7)."""
        return f"{self.code}^^{self.code_system}"
