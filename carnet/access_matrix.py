"""DMP "matrice d'habilitations" (art. R1111-46 CSP) — which professions may read which documents.

The DMP lets a professional read only the documents "strictly necessary" to their practice,
per a profession/speciality x document-type table set by ministerial order. That table is not
public (../shared/DMP.md §2.5, §7), so Carnet ships a documented default,
``carnet/data/access_matrix.toml`` (physicians read everything; other professions a few
document classes), and operators who hold the official table replace the file through the
``access_matrix`` setting (``CARNET_ACCESS_MATRIX``). The file's format is described at its top.

Professions are TRE_G15 codes (``1.2.250.1.71.1.2.7``, the VIHF's first ``role``),
specialities TRE_R01 codes (``1.2.250.1.71.4.2.5``, its second), classCodes TRE_A03
(JDV_J57) and typeCodes LOINC or TRE_A05 (JDV_J66). Anything no rule allows is refused.

A file is read and validated once a process (:func:`load_access_matrix` is cached); a file
that does not follow the format raises :class:`AccessMatrixError` naming the file, the rule
and the key at fault.
"""

from __future__ import annotations

import functools
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

__all__ = [
    "ANY_CODE",
    "AccessMatrix",
    "AccessMatrixError",
    "MatrixRule",
    "load_access_matrix",
    "parse_access_matrix",
]

ANY_CODE = "*"
"""In ``class_codes`` or ``type_codes``: every document."""

_FORMAT_VERSION = 1
_DEFAULT_RESOURCE = ("data", "access_matrix.toml")
_TOP_LEVEL_KEYS = frozenset({"version", "allow"})
_RULE_KEYS = frozenset({"profession", "specialties", "class_codes", "type_codes", "label"})


class AccessMatrixError(Exception):
    """An access-matrix file cannot be read or does not follow the format."""

    def __init__(self, source: str, problem: str) -> None:
        super().__init__(f"access matrix {source}: {problem}")
        self.source = source
        self.problem = problem


@dataclass(frozen=True, kw_only=True, slots=True)
class MatrixRule:
    """One ``[[allow]]`` entry: a profession (and speciality) may read these documents."""

    profession: str
    """TRE_G15 profession code, e.g. ``10`` Médecin."""
    specialties: frozenset[str] = frozenset()
    """TRE_R01 specialities the rule is limited to; empty: any speciality of the profession."""
    class_codes: frozenset[str] = frozenset()
    """TRE_A03 classCodes allowed; ``*`` allows every document."""
    type_codes: frozenset[str] = frozenset()
    """typeCodes allowed whatever their class (LOINC, TRE_A05); ``*`` allows every document."""
    label: str = ""
    """What the rule is for, for people reading the file."""

    def applies_to(self, *, profession: str | None, specialty: str | None) -> bool:
        """Whether the rule concerns a caller of this profession and speciality."""
        if profession != self.profession:
            return False
        return not self.specialties or specialty in self.specialties

    def allows(self, *, class_code: str | None, type_code: str | None) -> bool:
        """Whether a document of this classCode or typeCode is within the rule."""
        return (
            ANY_CODE in self.class_codes
            or ANY_CODE in self.type_codes
            or (class_code is not None and class_code in self.class_codes)
            or (type_code is not None and type_code in self.type_codes)
        )


@dataclass(frozen=True, kw_only=True, slots=True)
class AccessMatrix:
    """The whole table: a professional reads a document when one of the rules allows it."""

    rules: tuple[MatrixRule, ...]
    source: str
    """Where the table came from (a path, or the packaged default), for messages."""

    def permits(
        self,
        *,
        profession: str | None,
        specialty: str | None,
        class_code: str | None,
        type_code: str | None,
    ) -> bool:
        """Whether some rule lets this profession/speciality read this class or type.

        >>> matrix = AccessMatrix(rules=(MatrixRule(profession="21", class_codes=frozenset(
        ...     {"42"})),), source="example")
        >>> matrix.permits(profession="21", specialty=None, class_code="42", type_code=None)
        True
        >>> matrix.permits(profession="60", specialty=None, class_code="42", type_code=None)
        False
        """
        return any(
            rule.applies_to(profession=profession, specialty=specialty)
            and rule.allows(class_code=class_code, type_code=type_code)
            for rule in self.rules
        )


@functools.cache
def load_access_matrix(path: Path | None = None) -> AccessMatrix:
    """The matrix in ``path``, or the packaged default when None; read once a process."""
    if path is None:
        resource = resources.files("carnet").joinpath(*_DEFAULT_RESOURCE)
        return parse_access_matrix(resource.read_text(encoding="utf-8"), source="(default)")
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise AccessMatrixError(str(path), f"cannot be read: {exc}") from None
    return parse_access_matrix(text, source=str(path))


def parse_access_matrix(text: str, *, source: str) -> AccessMatrix:
    """Validate the TOML text of a matrix file and build the table.

    >>> parse_access_matrix('version = 1\\n[[allow]]\\nprofession = "10"\\nclass_codes = ["*"]',
    ...     source="example").rules[0].class_codes
    frozenset({'*'})
    >>> parse_access_matrix('version = 2', source="example")
    Traceback (most recent call last):
    ...
    carnet.access_matrix.AccessMatrixError: access matrix example: version must be 1, not 2
    """
    try:
        table = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise AccessMatrixError(source, f"not valid TOML: {exc}") from None
    if unknown := sorted(set(table) - _TOP_LEVEL_KEYS):
        raise AccessMatrixError(source, f"unknown key(s) {unknown}; expected version, allow")
    if table.get("version") != _FORMAT_VERSION:
        raise AccessMatrixError(
            source, f"version must be {_FORMAT_VERSION}, not {table.get('version')!r}"
        )
    entries = table.get("allow", [])
    if not isinstance(entries, list) or not all(isinstance(entry, dict) for entry in entries):
        raise AccessMatrixError(source, "allow must be an array of tables ([[allow]])")
    return AccessMatrix(
        rules=tuple(
            _rule(entry, where=f"allow[{index}]", source=source)
            for index, entry in enumerate(entries)
        ),
        source=source,
    )


def _rule(entry: Mapping[str, object], *, where: str, source: str) -> MatrixRule:
    if unknown := sorted(set(entry) - _RULE_KEYS):
        raise AccessMatrixError(
            source, f"{where}: unknown key(s) {unknown}; expected {sorted(_RULE_KEYS)}"
        )
    profession = entry.get("profession")
    if not isinstance(profession, str) or not profession.strip():
        raise AccessMatrixError(
            source, f"{where}: profession must be a TRE_G15 code (a non-empty string)"
        )
    label = entry.get("label", "")
    if not isinstance(label, str):
        raise AccessMatrixError(source, f"{where}: label must be a string")
    rule = MatrixRule(
        profession=profession.strip(),
        specialties=_codes(entry, "specialties", where=where, source=source),
        class_codes=_codes(entry, "class_codes", where=where, source=source),
        type_codes=_codes(entry, "type_codes", where=where, source=source),
        label=label,
    )
    if not rule.class_codes and not rule.type_codes:
        raise AccessMatrixError(source, f"{where}: allows nothing (no class_codes nor type_codes)")
    return rule


def _codes(entry: Mapping[str, object], key: str, *, where: str, source: str) -> frozenset[str]:
    value = entry.get(key, [])
    if not isinstance(value, list) or not all(
        isinstance(code, str) and code.strip() for code in value
    ):
        raise AccessMatrixError(source, f"{where}: {key} must be a list of non-empty strings")
    return frozenset(code.strip() for code in value)
