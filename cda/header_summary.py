"""HL7 CDA R2 §4.2 — what a reader is shown of a document's header.

A clinician opening a CDA document first needs to know whose it is, who wrote it, who
answers for it and when (CDA R2 §1.2.2, human readability; ANS CI-SIS "Volet Structuration
Minimale", the header every DMP document carries). :func:`summarize_header` reads those
parts into plain values the rendering templates show: the patient (names, birth date, sex,
INS — the French national health identifier, :mod:`cda.ins`), the authors, the
custodian, the legal authenticator, the document's title, type, confidentiality, date and
the documented service period.

It reads, it does not validate (that is ``carnet cda validate``): whatever is missing is
``None`` or empty, never an error. The HL7 V3 data types met on the way are turned to text
here: TS (point in time), IVL_TS (interval), II (instance identifier) and PN (person name).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from lxml import etree

from cda.document import NAMESPACES, CdaDocument
from cda.ins import is_ins_authority

__all__ = [
    "Coded",
    "HeaderSummary",
    "Identifier",
    "Participant",
    "PatientSummary",
    "Period",
    "ServiceEvent",
    "TimeStamp",
    "summarize_header",
]

# Data Types R1 §2.8.1 TS literal: YYYY[MM[DD[HH[MM[SS[.U+]]]]]][+|-ZZzz].
_TS = re.compile(
    r"(\d{4})(?:(\d{2})(?:(\d{2})(?:(\d{2})(?:(\d{2})(?:(\d{2})(?:\.\d+)?)?)?)?)?)?([+-]\d{4})?"
)


@dataclass(frozen=True, kw_only=True, slots=True)
class TimeStamp:
    """A TS value (Data Types R1 §2.8.1) at the precision it was given."""

    value: str
    """The literal, as written in the document."""
    parts: tuple[int, ...]
    """Year, month, day, hour, minute, second: as many as given; empty when unreadable."""
    offset: str | None
    """The UTC offset, ``+0100``, when given."""

    @classmethod
    def parse(cls, value: str) -> TimeStamp:
        """Read a TS literal; one that is not a valid date keeps its text and no ``parts``.

        >>> TimeStamp.parse("20210409153500+0100").parts
        (2021, 4, 9, 15, 35, 0)
        >>> TimeStamp.parse("2021-04-09").parts
        ()
        """
        match = _TS.fullmatch(value.strip())
        if match is None:
            return cls(value=value, parts=(), offset=None)
        parts = tuple(int(group) for group in match.groups()[:6] if group is not None)
        try:
            # datetime checks the ranges (month 13, 30 February); missing parts are the first.
            full = parts + (1, 1, 1, 0, 0, 0)[len(parts) :]
            datetime(full[0], full[1], full[2], full[3], full[4], full[5])
        except ValueError:
            return cls(value=value, parts=(), offset=None)
        return cls(value=value, parts=parts, offset=match.group(7))

    @property
    def html_datetime(self) -> str | None:
        """The value as an HTML valid date or global date and time string (HTML §2.3.5).

        >>> TimeStamp.parse("20210409153500+0100").html_datetime
        '2021-04-09T15:35:00+01:00'
        >>> TimeStamp.parse("202104").html_datetime, TimeStamp.parse("x").html_datetime
        ('2021-04', None)
        """
        if not self.parts:
            return None
        year, *rest = self.parts
        text = f"{year:04d}" + "".join(f"-{part:02d}" for part in rest[:2])
        if len(self.parts) <= 3:
            return text  # a date alone takes no offset in HTML
        hour, minute, second = (*self.parts[3:], 0, 0)[:3]
        text += f"T{hour:02d}:{minute:02d}"
        if len(self.parts) == 6:
            text += f":{second:02d}"
        if self.offset:
            text += f"{self.offset[:3]}:{self.offset[3:]}"
        return text

    def display(self, *, day_first: bool) -> str:
        """The value for a reader: ``09/04/2021 15:35`` day first, else ``2021-04-09 15:35``.

        >>> TimeStamp.parse("20210409153500+0100").display(day_first=True)
        '09/04/2021 15:35'
        >>> TimeStamp.parse("197903").display(day_first=False)
        '1979-03'
        """
        if not self.parts:
            return self.value
        date = [f"{self.parts[0]:04d}", *(f"{part:02d}" for part in self.parts[1:3])]
        text = "/".join(reversed(date)) if day_first else "-".join(date)
        if len(self.parts) > 3:
            hour, minute = (*self.parts[3:5], 0)[:2]
            text += f" {hour:02d}:{minute:02d}"
        return text


@dataclass(frozen=True, kw_only=True, slots=True)
class Period:
    """An IVL_TS (Data Types R1 §2.9.2): bounds, or a single ``value``."""

    low: TimeStamp | None
    high: TimeStamp | None
    value: TimeStamp | None


@dataclass(frozen=True, kw_only=True, slots=True)
class Coded:
    """A coded value (CD/CE): the code, its system and the name the document gives it."""

    code: str | None
    system: str | None
    display_name: str | None


@dataclass(frozen=True, kw_only=True, slots=True)
class Identifier:
    """An II (Data Types R1 §2.11): ``root`` (an OID) and ``extension``."""

    root: str | None
    extension: str | None

    @property
    def is_ins(self) -> bool:
        """Whether this is a patient's INS (its root one of the CI-SIS INS OIDs)."""
        return self.root is not None and is_ins_authority(self.root)


@dataclass(frozen=True, kw_only=True, slots=True)
class Participant:
    """A person, a device or an organisation acting on the document (author, authenticator)."""

    name: str | None
    """The person's name (prefix, given names, family names, suffix) or the device's."""
    role: str | None
    """Profession or specialty: the ``code``'s or ``functionCode``'s display name."""
    organisation: str | None
    """The represented organisation's name."""
    time: TimeStamp | None
    """When they authored, or signed."""


@dataclass(frozen=True, kw_only=True, slots=True)
class PatientSummary:
    """The ``recordTarget/patientRole``: who the document is about."""

    birth_name: str | None
    """Family name at birth (``qualifier="BR"``, or unqualified)."""
    given_names: str | None
    """Given names at birth (the unqualified ``given``, else ``BR``)."""
    first_given_name: str | None
    """The first given name at birth (``given qualifier="BR"``) when both are given."""
    used_name: str | None
    """Family name in use (``qualifier="CL"``), when given."""
    used_given_name: str | None
    """Given name in use (``given qualifier="CL"``), when given."""
    birth_date: TimeStamp | None
    sex: Coded | None
    identifiers: tuple[Identifier, ...]
    """``patientRole/id``: the INS first, then local identifiers (IPP)."""


@dataclass(frozen=True, kw_only=True, slots=True)
class ServiceEvent:
    """A ``documentationOf/serviceEvent``: the act the document documents, and when."""

    name: str | None
    period: Period | None


@dataclass(frozen=True, kw_only=True, slots=True)
class HeaderSummary:
    """The header of a CDA document, as a reader is shown it."""

    title: str | None
    type: Coded | None
    """``ClinicalDocument/code``: the kind of document (LOINC)."""
    confidentiality: Coded | None
    effective_time: TimeStamp | None
    """When the document was created (CDA R2 §4.2.1.5)."""
    language_code: str | None
    """``languageCode/@code`` when it is a well-formed BCP 47 tag."""
    document_id: Identifier | None
    version: str | None
    patients: tuple[PatientSummary, ...]
    authors: tuple[Participant, ...]
    custodian: str | None
    """The custodian organisation's name (or its identifier)."""
    legal_authenticator: Participant | None
    service_events: tuple[ServiceEvent, ...]
    encounter: Period | None
    """``componentOf/encompassingEncounter/effectiveTime``."""


_LANGUAGE_TAG = re.compile(r"[A-Za-z]{2,8}(?:-[A-Za-z0-9]{1,8})*")


def summarize_header(document: CdaDocument) -> HeaderSummary:
    """Read the header of ``document``; never raises on missing or odd parts."""
    root = document.root
    language = _attribute(root, "cda:languageCode", "code")
    if language is not None and not _LANGUAGE_TAG.fullmatch(language):
        language = None
    custodian = _find(
        root, "cda:custodian/cda:assignedCustodian/cda:representedCustodianOrganization"
    )
    return HeaderSummary(
        title=_text(_find(root, "cda:title")),
        type=_coded(_find(root, "cda:code")),
        confidentiality=_coded(_find(root, "cda:confidentialityCode")),
        effective_time=_time_stamp(_find(root, "cda:effectiveTime")),
        language_code=language,
        document_id=_identifier(_find(root, "cda:id")),
        version=_attribute(root, "cda:versionNumber", "value"),
        patients=tuple(
            _patient(role) for role in root.iterfind("cda:recordTarget/cda:patientRole", NAMESPACES)
        ),
        authors=tuple(_author(author) for author in root.iterfind("cda:author", NAMESPACES)),
        custodian=_organisation_name(custodian),
        legal_authenticator=_legal_authenticator(_find(root, "cda:legalAuthenticator")),
        service_events=tuple(
            ServiceEvent(
                name=_display(_find(event, "cda:code")),
                period=_period(_find(event, "cda:effectiveTime")),
            )
            for event in root.iterfind("cda:documentationOf/cda:serviceEvent", NAMESPACES)
        ),
        encounter=_period(
            _find(root, "cda:componentOf/cda:encompassingEncounter/cda:effectiveTime")
        ),
    )


# ----------------------------------------------------------------------------- participants


def _patient(role: etree._Element) -> PatientSummary:
    patient = _find(role, "cda:patient")
    name = _find(patient, "cda:name")
    families = _name_parts(name, "family")
    givens = _name_parts(name, "given")
    birth_name = families.get("BR") or families.get("")
    birth_name = birth_name or _first(text for key, text in families.items() if key != "CL")
    if not families and not givens:
        birth_name = _text(name)  # a name written as plain text
    given_names = givens.get("") or givens.get("BR")
    first_given = givens.get("BR") if givens.get("") else None
    identifiers = [_identifier(element) for element in role.iterfind("cda:id", NAMESPACES)]
    present = [identifier for identifier in identifiers if identifier is not None]
    return PatientSummary(
        birth_name=birth_name,
        given_names=given_names,
        first_given_name=first_given if first_given != given_names else None,
        used_name=families.get("CL"),
        used_given_name=givens.get("CL"),
        birth_date=_time_stamp(_find(patient, "cda:birthTime")),
        sex=_coded(_find(patient, "cda:administrativeGenderCode")),
        identifiers=tuple(sorted(present, key=lambda identifier: not identifier.is_ins)),
    )


def _author(author: etree._Element) -> Participant:
    assigned = _find(author, "cda:assignedAuthor")
    name = _person_name(_find(assigned, "cda:assignedPerson/cda:name"))
    device = _find(assigned, "cda:assignedAuthoringDevice")
    if name is None and device is not None:
        parts = (
            _text(_find(device, "cda:softwareName")),
            _text(_find(device, "cda:manufacturerModelName")),
        )
        name = " — ".join(part for part in parts if part) or None
    return Participant(
        name=name,
        role=_display(_find(assigned, "cda:code")) or _display(_find(author, "cda:functionCode")),
        organisation=_organisation_name(_find(assigned, "cda:representedOrganization")),
        time=_time_stamp(_find(author, "cda:time")),
    )


def _legal_authenticator(element: etree._Element | None) -> Participant | None:
    if element is None:
        return None
    entity = _find(element, "cda:assignedEntity")
    return Participant(
        name=_person_name(_find(entity, "cda:assignedPerson/cda:name")),
        role=_display(_find(entity, "cda:code")),
        organisation=_organisation_name(_find(entity, "cda:representedOrganization")),
        time=_time_stamp(_find(element, "cda:time")),
    )


def _organisation_name(organisation: etree._Element | None) -> str | None:
    if organisation is None:
        return None
    name = _text(_find(organisation, "cda:name"))
    if name is not None:
        return name
    identifier = _identifier(_find(organisation, "cda:id"))
    if identifier is None:
        return None
    return identifier.extension or identifier.root


# ----------------------------------------------------------------------------- data types


def _find(element: etree._Element | None, path: str) -> etree._Element | None:
    return None if element is None else element.find(path, NAMESPACES)


def _attribute(element: etree._Element, path: str, name: str) -> str | None:
    found = element.find(path, NAMESPACES)
    value = (found.get(name) or "").strip() if found is not None else ""
    return value or None


def _text(element: etree._Element | None) -> str | None:
    """The element's text content, white space collapsed; ``None`` when empty."""
    if element is None:
        return None
    text = etree.tostring(element, method="text", encoding=str, with_tail=False)
    return " ".join(text.split()) or None


def _first(values: Iterable[str]) -> str | None:
    return next((value for value in values if value), None)


def _name_parts(name: etree._Element | None, part: str) -> dict[str, str]:
    """The ``family`` or ``given`` parts of a PN, joined per ``qualifier`` (``""`` for none)."""
    found: dict[str, list[str]] = {}
    if name is not None:
        for element in name.iterfind(f"cda:{part}", NAMESPACES):
            text = _text(element)
            if text:
                qualifier = (element.get("qualifier") or "").strip().upper()
                found.setdefault(qualifier, []).append(text)
    return {qualifier: " ".join(texts) for qualifier, texts in found.items()}


def _person_name(name: etree._Element | None) -> str | None:
    """A PN (Data Types R1 §2.24) as one line: prefix, given names, family names, suffix."""
    if name is None:
        return None
    ordered: list[str] = []
    for part in ("prefix", "given", "family", "suffix"):
        ordered.extend(
            text
            for element in name.iterfind(f"cda:{part}", NAMESPACES)
            if (text := _text(element)) and text not in ordered
        )
    if ordered:
        return " ".join(ordered)
    return _text(name)  # a name given as plain text


def _coded(element: etree._Element | None) -> Coded | None:
    if element is None:
        return None
    coded = Coded(
        code=element.get("code"),
        system=element.get("codeSystem"),
        display_name=(element.get("displayName") or "").strip() or None,
    )
    return coded if coded.code or coded.display_name else None


def _display(element: etree._Element | None) -> str | None:
    coded = _coded(element)
    if coded is None:
        return None
    return coded.display_name or coded.code


def _identifier(element: etree._Element | None) -> Identifier | None:
    if element is None:
        return None
    root, extension = element.get("root"), element.get("extension")
    if not root and not extension:
        return None
    return Identifier(root=root, extension=extension)


def _time_stamp(element: etree._Element | None) -> TimeStamp | None:
    value = element.get("value") if element is not None else None
    return TimeStamp.parse(value) if value else None


def _period(element: etree._Element | None) -> Period | None:
    if element is None:
        return None
    period = Period(
        low=_time_stamp(_find(element, "cda:low")),
        high=_time_stamp(_find(element, "cda:high")),
        value=_time_stamp(element),
    )
    return period if period.low or period.high or period.value else None
