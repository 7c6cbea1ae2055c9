"""ITI TF-2a 3.18.4.1.2.3 — stored-query parameters: names, value grammar, cardinality.

A request carries each parameter as a ``rim:Slot`` whose ``rim:Value``
elements follow one grammar (ITI TF-2a 3.18.4.1.2.3.5): a quoted string
``'x'`` (``''`` is a quote inside it), an unquoted number (times,
``$MetadataLevel``), or a parenthesised list of those, ``('a', 'b')``.

Several values of one parameter combine in two ways:

- the code parameters marked AND/OR in the tables of 3.18.4.1.2.3.7
  (``$XDSDocumentEntryEventCodeList``, ``$XDSDocumentEntryConfidentialityCode``,
  ``$XDSFolderCodeList``): the values inside one ``Value`` are OR-ed and
  separate ``Value`` elements are AND-ed;
- every other multi-valued parameter: the union of all values.

Codes are written ``code^^scheme``; times are DTMs at any precision, From
inclusive and To exclusive.

Errors (ITI TF-2a 3.18.4.1.3, ITI TF-3 Table 4.2.4.1-2): a required parameter
absent → ``StoredQueryMissingParam``; several values for a single-valued
parameter, or two of a set of exclusive alternatives → ``StoredQueryParamNumber``;
a value that breaks the grammar, or a time that is not a DTM →
``StoredQueryError`` with code ``XDSRegistryError``, the table giving no
narrower code. Every error's ``location`` is the parameter name. Parameters a
query does not define are ignored, as are status values the registry does not
know (they match nothing, ITI TF-2a 3.18.4.1.2.3.6).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from enum import Enum, StrEnum
from typing import NoReturn

from registry.errors import StoredQueryError, StoredQueryMissingParam, StoredQueryParamNumber
from registry.hl7_datatypes import check_dtm

__all__ = [
    "ParameterSpec",
    "QueryArguments",
    "QueryParameter",
    "ValueKind",
    "like_matches",
    "parse_arguments",
    "parse_value",
]


class QueryParameter(StrEnum):
    """ITI TF-2a 3.18.4.1.2.3.7 (and 3.18.4.1.2.3.5.1 of Metadata Update): parameter names."""

    DOCUMENT_ENTRY_PATIENT_ID = "$XDSDocumentEntryPatientId"
    DOCUMENT_ENTRY_CLASS_CODE = "$XDSDocumentEntryClassCode"
    DOCUMENT_ENTRY_TYPE_CODE = "$XDSDocumentEntryTypeCode"
    DOCUMENT_ENTRY_PRACTICE_SETTING_CODE = "$XDSDocumentEntryPracticeSettingCode"
    DOCUMENT_ENTRY_CREATION_TIME_FROM = "$XDSDocumentEntryCreationTimeFrom"
    DOCUMENT_ENTRY_CREATION_TIME_TO = "$XDSDocumentEntryCreationTimeTo"
    DOCUMENT_ENTRY_SERVICE_START_TIME_FROM = "$XDSDocumentEntryServiceStartTimeFrom"
    DOCUMENT_ENTRY_SERVICE_START_TIME_TO = "$XDSDocumentEntryServiceStartTimeTo"
    DOCUMENT_ENTRY_SERVICE_STOP_TIME_FROM = "$XDSDocumentEntryServiceStopTimeFrom"
    DOCUMENT_ENTRY_SERVICE_STOP_TIME_TO = "$XDSDocumentEntryServiceStopTimeTo"
    DOCUMENT_ENTRY_HEALTHCARE_FACILITY_TYPE_CODE = "$XDSDocumentEntryHealthcareFacilityTypeCode"
    DOCUMENT_ENTRY_EVENT_CODE_LIST = "$XDSDocumentEntryEventCodeList"
    DOCUMENT_ENTRY_CONFIDENTIALITY_CODE = "$XDSDocumentEntryConfidentialityCode"
    DOCUMENT_ENTRY_AUTHOR_PERSON = "$XDSDocumentEntryAuthorPerson"
    DOCUMENT_ENTRY_FORMAT_CODE = "$XDSDocumentEntryFormatCode"
    DOCUMENT_ENTRY_STATUS = "$XDSDocumentEntryStatus"
    DOCUMENT_ENTRY_TYPE = "$XDSDocumentEntryType"
    DOCUMENT_ENTRY_REFERENCE_ID_LIST = "$XDSDocumentEntryReferenceIdList"
    DOCUMENT_ENTRY_ENTRY_UUID = "$XDSDocumentEntryEntryUUID"
    DOCUMENT_ENTRY_UNIQUE_ID = "$XDSDocumentEntryUniqueId"
    DOCUMENT_ENTRY_LOGICAL_ID = "$XDSDocumentEntryLogicalID"
    SUBMISSION_SET_PATIENT_ID = "$XDSSubmissionSetPatientId"
    SUBMISSION_SET_SOURCE_ID = "$XDSSubmissionSetSourceId"
    SUBMISSION_SET_SUBMISSION_TIME_FROM = "$XDSSubmissionSetSubmissionTimeFrom"
    SUBMISSION_SET_SUBMISSION_TIME_TO = "$XDSSubmissionSetSubmissionTimeTo"
    SUBMISSION_SET_AUTHOR_PERSON = "$XDSSubmissionSetAuthorPerson"
    SUBMISSION_SET_CONTENT_TYPE = "$XDSSubmissionSetContentType"
    SUBMISSION_SET_STATUS = "$XDSSubmissionSetStatus"
    SUBMISSION_SET_ENTRY_UUID = "$XDSSubmissionSetEntryUUID"
    SUBMISSION_SET_UNIQUE_ID = "$XDSSubmissionSetUniqueId"
    FOLDER_PATIENT_ID = "$XDSFolderPatientId"
    FOLDER_LAST_UPDATE_TIME_FROM = "$XDSFolderLastUpdateTimeFrom"
    FOLDER_LAST_UPDATE_TIME_TO = "$XDSFolderLastUpdateTimeTo"
    FOLDER_CODE_LIST = "$XDSFolderCodeList"
    FOLDER_STATUS = "$XDSFolderStatus"
    FOLDER_ENTRY_UUID = "$XDSFolderEntryUUID"
    FOLDER_UNIQUE_ID = "$XDSFolderUniqueId"
    FOLDER_LOGICAL_ID = "$XDSFolderLogicalID"
    PATIENT_ID = "$patientId"
    UUID = "$uuid"
    ASSOCIATION_TYPES = "$AssociationTypes"
    HOME_COMMUNITY_ID = "$homeCommunityId"
    METADATA_LEVEL = "$MetadataLevel"


class ValueKind(Enum):
    """How the values of a parameter are checked once parsed."""

    TEXT = "text"
    """A string: patient id, code ``code^^scheme``, status URN, uuid, LIKE pattern…"""
    TIME = "time"
    """A DTM (ITI TF-3 Table 4.2.3.1.7-2), sent as a number."""
    NUMBER = "number"
    """A decimal integer ($MetadataLevel)."""


@dataclass(frozen=True, kw_only=True, slots=True)
class ParameterSpec:
    """One row of a stored query's parameter table (ITI TF-2a 3.18.4.1.2.3.7)."""

    parameter: QueryParameter
    kind: ValueKind = ValueKind.TEXT
    required: bool = False
    """``R`` in the Opt column (an ``O*`` alternative is declared with the query instead)."""
    multiple: bool = False
    """``M`` in the Mult column: several values allowed."""
    and_or: bool = False
    """The parameter supports AND/OR semantics: OR within a Value, AND across Values."""


@dataclass(frozen=True, kw_only=True, slots=True)
class QueryArguments:
    """The parsed, checked parameters of one request.

    ``values`` maps each parameter present to its ``Value`` elements, each
    the tuple of the strings it listed.
    """

    values: Mapping[QueryParameter, tuple[tuple[str, ...], ...]]

    def has(self, parameter: QueryParameter) -> bool:
        return parameter in self.values

    def one(self, parameter: QueryParameter) -> str | None:
        """The value of a single-valued parameter, or ``None`` when absent."""
        found = self.values.get(parameter)
        return None if found is None else found[0][0]

    def any_of(self, parameter: QueryParameter) -> tuple[str, ...] | None:
        """Every value of a parameter, first occurrence first; ``None`` when absent."""
        found = self.values.get(parameter)
        if found is None:
            return None
        return tuple(dict.fromkeys(value for group in found for value in group))

    def groups(self, parameter: QueryParameter) -> tuple[tuple[str, ...], ...]:
        """The OR-groups of an AND/OR parameter, one per ``Value``; ``()`` when absent."""
        return self.values.get(parameter, ())

    def number(self, parameter: QueryParameter) -> int | None:
        found = self.one(parameter)
        return None if found is None else int(found)


_NUMBER = re.compile(r"^[+-]?\d+$")


def parse_value(text: str, *, location: str) -> tuple[str, ...]:
    """The strings one ``rim:Value`` of a query parameter lists (ITI TF-2a 3.18.4.1.2.3.5).

    >>> parse_value("'st3498702^^^&1.3.6.1.4.1.21367.2005.3.7&ISO'", location="$p")
    ('st3498702^^^&1.3.6.1.4.1.21367.2005.3.7&ISO',)
    >>> parse_value("('urn:a', 'urn:b')", location="$p")
    ('urn:a', 'urn:b')
    >>> parse_value("200412252300", location="$p")
    ('200412252300',)
    >>> parse_value("'O''Brien'", location="$p")
    ("O'Brien",)
    >>> parse_value("('a,b','c)')", location="$p")
    ('a,b', 'c)')
    >>> parse_value("('a' 'b')", location="$p")
    Traceback (most recent call last):
    ...
    registry.errors.StoredQueryError: $p: expected ',' or ')' at 5 in "('a' 'b')"
    """
    scanner = _Scanner(text, location)
    scanner.skip_blanks()
    if scanner.peek() == "(":
        scanner.advance()
        values = [scanner.scalar()]
        while scanner.peek() == ",":
            scanner.advance()
            values.append(scanner.scalar())
        scanner.expect(")", reason="expected ',' or ')'")
    else:
        values = [scanner.scalar()]
    scanner.skip_blanks()
    if not scanner.at_end():
        scanner.fail("unexpected text")
    return tuple(values)


class _Scanner:
    """A cursor over one Value text; failures raise ``StoredQueryError`` at ``location``."""

    def __init__(self, text: str, location: str) -> None:
        self.text = text
        self.location = location
        self.position = 0

    def at_end(self) -> bool:
        return self.position >= len(self.text)

    def peek(self) -> str:
        self.skip_blanks()
        return self.text[self.position] if not self.at_end() else ""

    def advance(self) -> None:
        self.position += 1

    def skip_blanks(self) -> None:
        while not self.at_end() and self.text[self.position].isspace():
            self.position += 1

    def expect(self, character: str, *, reason: str) -> None:
        if self.peek() != character:
            self.fail(reason)
        self.advance()

    def fail(self, reason: str) -> NoReturn:
        raise StoredQueryError(
            f"{self.location}: {reason} at {self.position} in {self.text!r}",
            location=self.location,
        )

    def scalar(self) -> str:
        """A quoted string, or an unquoted token (a number)."""
        if self.peek() == "'":
            return self._quoted()
        start = self.position
        while not self.at_end() and self.text[self.position] not in "'(),\t\r\n ":
            self.position += 1
        if self.position == start:
            self.fail("expected a value")
        return self.text[start : self.position]

    def _quoted(self) -> str:
        self.advance()
        characters: list[str] = []
        while True:
            if self.at_end():
                self.fail("unterminated quoted string")
            character = self.text[self.position]
            self.position += 1
            if character != "'":
                characters.append(character)
            elif self.text.startswith("'", self.position):
                characters.append("'")
                self.position += 1
            else:
                return "".join(characters)


def parse_arguments(
    parameters: Mapping[str, Sequence[str]],
    *,
    specs: Sequence[ParameterSpec],
    alternatives: Sequence[tuple[QueryParameter, ...]] = (),
) -> QueryArguments:
    """Parse and check a request's parameters against a stored query's table.

    ``alternatives`` lists groups of parameters of which exactly one must be
    given (the ``O*`` rows, e.g. ``$XDSDocumentEntryEntryUUID`` or
    ``$XDSDocumentEntryUniqueId``).

    >>> specs = [ParameterSpec(parameter=QueryParameter.UUID, required=True, multiple=True)]
    >>> parse_arguments({"$uuid": ["('urn:uuid:a')", "'urn:uuid:b'"]}, specs=specs).any_of(
    ...     QueryParameter.UUID)
    ('urn:uuid:a', 'urn:uuid:b')
    >>> parse_arguments({}, specs=specs)
    Traceback (most recent call last):
    ...
    registry.errors.StoredQueryMissingParam: Required parameter $uuid is missing
    """
    values: dict[QueryParameter, tuple[tuple[str, ...], ...]] = {}
    for spec in specs:
        name = spec.parameter.value
        texts = parameters.get(name) or ()
        if not texts:
            if spec.required:
                raise StoredQueryMissingParam(
                    f"Required parameter {name} is missing", location=name
                )
            continue
        parsed = tuple(parse_value(text, location=name) for text in texts)
        if not spec.multiple and (len(parsed) > 1 or len(parsed[0]) > 1):
            raise StoredQueryParamNumber(
                f"Parameter {name} accepts a single value, got "
                f"{sum(len(group) for group in parsed)}",
                location=name,
            )
        for group in parsed:
            for value in group:
                _check(spec, value)
        values[spec.parameter] = parsed
    for group in alternatives:
        present = [parameter for parameter in group if parameter in values]
        names = " or ".join(parameter.value for parameter in group)
        if not present:
            raise StoredQueryMissingParam(f"One of {names} is required", location=group[0].value)
        if len(present) > 1:
            raise StoredQueryParamNumber(
                f"Only one of {names} may be given", location=present[1].value
            )
    return QueryArguments(values=values)


def _check(spec: ParameterSpec, value: str) -> None:
    name = spec.parameter.value
    if spec.kind is ValueKind.TIME:
        try:
            check_dtm(value)
        except ValueError as error:
            raise StoredQueryError(f"{name}: {error}", location=name) from None
    elif spec.kind is ValueKind.NUMBER and _NUMBER.match(value) is None:
        raise StoredQueryError(f"{name}: {value!r} is not a number", location=name)


def like_matches(pattern: str, value: str) -> bool:
    """SQL LIKE as stored queries use it (ITI TF-2a 3.18.4.1.2.3.4), case-sensitive.

    ``%`` matches any run of characters, ``_`` exactly one; nothing else is special.

    >>> like_matches("%Welby%", "11375^Welby^Marcus^^^Dr")
    True
    >>> like_matches("_1375^%", "11375^Welby")
    True
    >>> like_matches("%welby%", "11375^Welby")
    False
    """
    regex = "".join(
        ".*" if part == "%" else "." if part == "_" else re.escape(part)
        for part in re.split(r"([%_])", pattern)
    )
    return re.fullmatch(regex, value, flags=re.DOTALL) is not None
