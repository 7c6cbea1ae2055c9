"""ITI TF-2b 3.44 — Patient Identity Feed HL7 V3, as the Document Registry receives it.

A Patient Identity Source tells the registry which patient ids exist, so that
documents are registered only for known patients (ITI TF-2b 3.42.4.1.3.2):

* ``PRPA_IN201301UV02`` Patient Registry Record Added and ``PRPA_IN201302UV02``
  Record Revised (ITI TF-2b 3.44.4.1) carry the patient's id in
  ``controlActProcess/subject/registrationEvent/subject1/patient/id`` and the
  demographics in ``patientPerson``;
* ``PRPA_IN201304UV02`` Duplicates Resolved (ITI TF-2b 3.44.4.2) merges the id
  in ``registrationEvent/replacementOf/priorRegistration/subject1/priorRegisteredRole/id``
  (subsumed) into the patient's id (surviving): the registry moves the
  subsumed patient's metadata to the surviving id (3.44.4.2.4).

An HL7 V3 II ``root="OID" extension="id"`` becomes the XDS CX
``id^^^&OID&ISO`` (ITI TF-3 Table 4.2.3.1.7-2). Identifiers of other patient
identification domains are ignored (ITI TF-2b 3.44.4.1.4) when the affinity
domain's assigning authorities are given.

:func:`handle_patient_feed` is the whole transaction: parse, apply through the
caller's store, and answer with the ``MCCI_IN000002UV01`` acknowledgement
(``registry/hl7v3.py``) — AA when applied, AE with the reason when the message
is not conforming. It writes nothing when it answers AE. :func:`add_patient` is
the same "record added" for the command line.

Exception tree::

    RegistryError                    (registry/errors.py)
    └── PatientFeedError             non-conforming feed; ``detail_code`` for the AE
        └── ForeignPatientId         only ids of other domains: ignored, acknowledged AA
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import TypeAlias

from lxml import etree

from registry.errors import RegistryError
from registry.hl7_datatypes import CX, is_oid
from registry.hl7v3 import (
    HL7V3_NAMESPACE,
    II,
    AcknowledgementDetail,
    AcknowledgementDetailCode,
    AcknowledgementDetailType,
    AcknowledgementType,
    Interaction,
    build_acknowledgement,
    hl7,
    read_transmission,
)
from registry.patients import Patient, PatientStatus
from registry.storage.store import RegistryStore

__all__ = [
    "FEED_INTERACTIONS",
    "DuplicatesResolved",
    "ForeignPatientId",
    "PatientDemographics",
    "PatientFeedError",
    "PatientFeedEvent",
    "PatientRecordAdded",
    "PatientRecordRevised",
    "add_patient",
    "apply_patient_feed",
    "handle_patient_feed",
    "parse_patient_feed",
    "patient_id_from_ii",
]

FEED_INTERACTIONS = (
    Interaction.PATIENT_REGISTRY_RECORD_ADDED,
    Interaction.PATIENT_REGISTRY_RECORD_REVISED,
    Interaction.PATIENT_REGISTRY_DUPLICATES_RESOLVED,
)
"""The requests of ITI-44 a Document Registry accepts; each is answered by ``MCCI_IN000002UV01``."""

# Paths from the message root, in the order the payload nests (MFMI_MT700701UV01).
_CONTROL_ACT = "controlActProcess"
_SUBJECT = f"{_CONTROL_ACT}/subject"
_EVENT = f"{_SUBJECT}/registrationEvent"
_PATIENT = f"{_EVENT}/subject1/patient"
_PERSON = f"{_PATIENT}/patientPerson"
_PRIOR_ROLE = "replacementOf/priorRegistration/subject1/priorRegisteredRole"

# HL7 V3 TS: a date, optionally a time, fractions of a second and a UTC offset.
_TS = re.compile(r"^\d{4}(\d{2}){0,5}(\.\d{1,4})?([+-]\d{4})?$")


class PatientFeedError(RegistryError):
    """A Patient Identity Feed message the registry cannot apply (acknowledged AE).

    ``detail_code`` is the HL7 AcknowledgementDetailCode of the
    ``acknowledgementDetail``; ``location`` the path of the offending element.
    """

    def __init__(
        self,
        reason: str,
        *,
        detail_code: AcknowledgementDetailCode | None = None,
        location: str | None = None,
    ) -> None:
        super().__init__(reason, location=location)
        self.detail_code = detail_code


class ForeignPatientId(PatientFeedError):
    """ITI TF-2b 3.44.4.1.4: only ids of other patient identification domains — ignored."""


@dataclass(frozen=True, kw_only=True, slots=True)
class PatientDemographics:
    """The ``patientPerson`` of a feed, as :class:`~registry.patients.Patient` keeps it."""

    given_name: str | None = None
    """Every ``given`` of the first ``name``, space-separated (the INS form of given names)."""
    family_name: str | None = None
    """The first ``family`` of the first ``name``."""
    birth_time: str | None = None
    """``birthTime/@value``, an HL7 V3 TS as sent."""
    gender: str | None = None
    """``administrativeGenderCode/@code`` (HL7 AdministrativeGender: ``M``, ``F``, ``UN``)."""
    extra: tuple[tuple[str, str], ...] = ()
    """Other demographics, as (name, value) pairs: further names, telecom, addr, deceased…"""


@dataclass(frozen=True, kw_only=True, slots=True)
class PatientRecordAdded:
    """``PRPA_IN201301UV02`` (trigger event PRPA_TE201301UV02, ITI TF-2b 3.44.4.1)."""

    patient_id: str
    """The CX ``id^^^&OID&ISO`` of ``patient/id``."""
    demographics: PatientDemographics = PatientDemographics()
    message_id: II | None = None


@dataclass(frozen=True, kw_only=True, slots=True)
class PatientRecordRevised:
    """``PRPA_IN201302UV02`` (trigger event PRPA_TE201302UV02, ITI TF-2b 3.44.4.1)."""

    patient_id: str
    demographics: PatientDemographics = PatientDemographics()
    message_id: II | None = None


@dataclass(frozen=True, kw_only=True, slots=True)
class DuplicatesResolved:
    """``PRPA_IN201304UV02`` (trigger event PRPA_TE201304UV02, ITI TF-2b 3.44.4.2)."""

    surviving_patient_id: str
    """``patient/id``: the id that stays."""
    subsumed_patient_id: str
    """``priorRegisteredRole/id``: the id merged away."""
    demographics: PatientDemographics = PatientDemographics()
    """The surviving patient's demographics, when the message carries them."""
    message_id: II | None = None


PatientFeedEvent: TypeAlias = PatientRecordAdded | PatientRecordRevised | DuplicatesResolved


# --------------------------------------------------------------------------- the transaction


def handle_patient_feed(
    store: RegistryStore,
    message: etree._Element,
    *,
    assigning_authorities: Collection[str] | None = None,
    ack_id: II | None = None,
    now: datetime | None = None,
) -> etree._Element:
    """ITI TF-2b 3.44: apply one feed ``message`` and return its ``MCCI_IN000002UV01``.

    ``message`` is the SOAP Body's child. ``assigning_authorities`` are the
    OIDs of the affinity domain's patient identification domain(s); ids of
    other domains are then ignored (ITI TF-2b 3.44.4.1.4). A non-conforming
    message is acknowledged AE with the reason and changes nothing; a message
    whose only ids belong to other domains is acknowledged AA with an
    informational detail. Errors of the store itself propagate, so that the
    caller's unit of work rolls back.
    """
    request = read_transmission(message)
    try:
        event = parse_patient_feed(message, assigning_authorities=assigning_authorities)
        apply_patient_feed(store, event)
    except ForeignPatientId as ignored:
        return build_acknowledgement(
            request,
            type_code=AcknowledgementType.ACCEPT,
            details=[_detail(ignored, AcknowledgementDetailType.INFORMATION)],
            message_id=ack_id,
            creation_time=now,
        )
    except PatientFeedError as error:
        return build_acknowledgement(
            request,
            type_code=AcknowledgementType.ERROR,
            details=[_detail(error, AcknowledgementDetailType.ERROR)],
            message_id=ack_id,
            creation_time=now,
        )
    return build_acknowledgement(
        request, type_code=AcknowledgementType.ACCEPT, message_id=ack_id, creation_time=now
    )


def apply_patient_feed(store: RegistryStore, event: PatientFeedEvent) -> None:
    """The Document Registry's expected actions (ITI TF-2b 3.44.4.1.4, 3.44.4.2.4).

    Added or revised: the patient is created, or its demographics replaced.
    A revision of an id the registry does not know creates it: ITI TF-2b
    3.44.4.1.4 states no rule for that case, the revision carries the whole
    record and the source is authoritative for its domain. Duplicates
    resolved: the surviving id is created or updated from the message, then
    the subsumed id is merged into it and its metadata moved (an unknown
    subsumed id is recorded as merged, so that later submissions for it are
    refused). An id already merged away cannot be added, revised or survive
    a merge: the feed is refused with
    :class:`PatientFeedError` before anything is written.
    """
    if isinstance(event, DuplicatesResolved):
        _merge(store, event)
    else:
        _upsert(store, event.patient_id, event.demographics, location=_PATIENT + "/id")


def add_patient(
    store: RegistryStore,
    patient_id: str,
    *,
    given_name: str | None = None,
    family_name: str | None = None,
    birth_time: str | None = None,
    gender: str | None = None,
) -> Patient:
    """Register ``patient_id`` (a CX ``id^^^&OID&ISO``) by hand, as a "record added" would.

    For ``carnet patient add``: the CX is checked as ITI TF-3 Table
    4.2.3.1.7-2 wants it (only components 1 and 4, an ISO OID authority).
    Returns the patient as stored; raises :class:`PatientFeedError` for a
    malformed id or birth time, or an id already merged into another.
    """
    try:
        CX.parse(patient_id)
    except ValueError as exc:
        raise PatientFeedError(str(exc), location=patient_id) from None
    if birth_time is not None and not _TS.match(birth_time):
        raise PatientFeedError(f"birth time {birth_time!r} is not an HL7 TS (YYYYMMDD…)")
    demographics = PatientDemographics(
        given_name=given_name, family_name=family_name, birth_time=birth_time, gender=gender
    )
    return _upsert(store, patient_id, demographics, location=patient_id)


# --------------------------------------------------------------------------- parsing


def parse_patient_feed(
    message: etree._Element, *, assigning_authorities: Collection[str] | None = None
) -> PatientFeedEvent:
    """Read an ITI-44 ``message`` (the SOAP Body's child) into its event.

    Raises :class:`PatientFeedError` when the message is not one of
    :data:`FEED_INTERACTIONS` or lacks what ITI TF-2b Table 3.44.4.1.2-1 and
    3.44.4.2.2 require: one registration event, a patient id with an ISO OID
    root and an extension, and for a merge the subsumed id.
    """
    interaction = _interaction(message)
    subjects = _findall(message, _SUBJECT)
    if not subjects:
        raise _missing_association(_SUBJECT)
    if len(subjects) > 1:
        raise PatientFeedError(
            f"ITI-44 carries one registration event per message, not {len(subjects)}",
            detail_code=AcknowledgementDetailCode.ASSOCIATION_REPETITIONS_EXCEED_LIMIT,
            location=_SUBJECT,
        )
    patient = _find(message, _PATIENT)
    if patient is None:
        raise _missing_association(_PATIENT)
    patient_id = _select_patient_id(
        _findall(patient, "id"), assigning_authorities, location=f"{_PATIENT}/id"
    )
    person = _find(message, _PERSON)
    demographics = _demographics(person) if person is not None else PatientDemographics()
    message_id = II.from_element(message.find(hl7("id")))
    if interaction is Interaction.PATIENT_REGISTRY_RECORD_ADDED:
        return PatientRecordAdded(
            patient_id=patient_id, demographics=demographics, message_id=message_id
        )
    if interaction is Interaction.PATIENT_REGISTRY_RECORD_REVISED:
        return PatientRecordRevised(
            patient_id=patient_id, demographics=demographics, message_id=message_id
        )
    return DuplicatesResolved(
        surviving_patient_id=patient_id,
        subsumed_patient_id=_subsumed_id(message, patient_id, assigning_authorities),
        demographics=demographics,
        message_id=message_id,
    )


def patient_id_from_ii(ii: II, *, location: str | None = None) -> str:
    """The XDS CX of an HL7 V3 patient II: ``extension^^^&root&ISO``.

    ITI TF-2b 3.44.4.1.2 (Table 3.44.4.1.2-1): ``root`` is the assigning
    authority's OID, ``extension`` the id within it.

    >>> patient_id_from_ii(II(root="1.2.250.1.213.1.4.10", extension="279035121518989"))
    '279035121518989^^^&1.2.250.1.213.1.4.10&ISO'
    >>> patient_id_from_ii(II(root="INS", extension="1"))
    Traceback (most recent call last):
    ...
    registry.patient_feed.PatientFeedError: patient id root 'INS' is not an ISO OID
    """
    if not is_oid(ii.root):
        raise PatientFeedError(
            f"patient id root {ii.root!r} is not an ISO OID",
            detail_code=AcknowledgementDetailCode.DATA_TYPE_ERROR,
            location=location,
        )
    if not ii.extension:
        raise PatientFeedError(
            f"patient id with root {ii.root} has no extension",
            detail_code=AcknowledgementDetailCode.REQUIRED_ATTRIBUTE_MISSING,
            location=location,
        )
    if any(separator in ii.extension for separator in "^&~\\"):
        # The CX would split there and name another patient.
        raise PatientFeedError(
            f"patient id {ii} holds an HL7 v2 separator (^ & ~ \\)",
            detail_code=AcknowledgementDetailCode.DATA_TYPE_ERROR,
            location=location,
        )
    cx = CX(id=ii.extension, authority_oid=ii.root)
    return str(cx)


def _interaction(message: etree._Element) -> Interaction:
    name = etree.QName(message)
    for interaction in FEED_INTERACTIONS:
        if name.namespace == HL7V3_NAMESPACE and name.localname == interaction.value:
            return interaction
    raise PatientFeedError(
        f"{name.localname} in {name.namespace or 'no namespace'} is not an ITI-44 Patient "
        "Identity Feed interaction (PRPA_IN201301UV02, PRPA_IN201302UV02, PRPA_IN201304UV02)",
        detail_code=AcknowledgementDetailCode.UNSUPPORTED_INTERACTION,
        location=name.localname,
    )


def _select_patient_id(
    ids: list[etree._Element],
    assigning_authorities: Collection[str] | None,
    *,
    location: str,
) -> str:
    """The first id of the affinity domain (any domain when none is configured), as a CX."""
    for element in ids:
        if not element.get("nullFlavor") and not (element.get("root") or "").strip():
            raise PatientFeedError(
                f"patient id {element.get('extension')!r} has no root: ITI-44 needs the "
                "assigning authority's ISO OID there",
                detail_code=AcknowledgementDetailCode.REQUIRED_ATTRIBUTE_MISSING,
                location=location,
            )
    present = [ii for ii in (II.from_element(e) for e in ids) if ii is not None]
    if not present:
        raise PatientFeedError(
            f"no patient id: {location} is missing or has a nullFlavor",
            detail_code=AcknowledgementDetailCode.REQUIRED_ATTRIBUTE_MISSING,
            location=location,
        )
    if assigning_authorities is not None:
        ours = [ii for ii in present if ii.root in assigning_authorities]
        if not ours:
            roots = ", ".join(sorted({ii.root for ii in present}))
            raise ForeignPatientId(
                f"patient id of domain {roots} ignored: the registry keeps only ids of "
                f"{', '.join(sorted(assigning_authorities))}",
                location=location,
            )
        present = ours
    return patient_id_from_ii(present[0], location=location)


def _subsumed_id(
    message: etree._Element, surviving: str, assigning_authorities: Collection[str] | None
) -> str:
    event = _find(message, _EVENT)
    if event is None:
        raise _missing_association(_EVENT)
    location = f"{_EVENT}/{_PRIOR_ROLE}/id"
    replacements = _findall(event, "replacementOf")
    if len(replacements) > 1:
        raise PatientFeedError(
            f"a merge names one subsumed patient, not {len(replacements)} replacementOf",
            detail_code=AcknowledgementDetailCode.ASSOCIATION_REPETITIONS_EXCEED_LIMIT,
            location=f"{_EVENT}/replacementOf",
        )
    role = _find(event, _PRIOR_ROLE)
    if role is None:
        raise _missing_association(f"{_EVENT}/{_PRIOR_ROLE}")
    try:
        subsumed = _select_patient_id(
            _findall(role, "id"), assigning_authorities, location=location
        )
    except ForeignPatientId as exc:
        # The surviving id is ours but the subsumed is not: not a merge within the domain.
        raise PatientFeedError(exc.reason, location=location) from None
    if subsumed == surviving:
        raise PatientFeedError(
            f"patient id {surviving} cannot be merged into itself",
            detail_code=AcknowledgementDetailCode.DATA_TYPE_ERROR,
            location=location,
        )
    if CX.parse(subsumed).authority_oid != CX.parse(surviving).authority_oid:
        raise PatientFeedError(
            f"subsumed id {subsumed} and surviving id {surviving} belong to different "
            "patient identification domains",
            location=location,
        )
    return subsumed


def _demographics(person: etree._Element) -> PatientDemographics:
    """``patientPerson`` (PRPA_MT201301/02/03UV02.Person) as :class:`PatientDemographics`."""
    if person.get("nullFlavor"):
        return PatientDemographics()
    names = [n for n in _findall(person, "name") if not n.get("nullFlavor")]
    given_name = family_name = None
    extra: list[tuple[str, str]] = []
    if names:
        first, *others = names
        givens = [_text(g) for g in _findall(first, "given")]
        given_name = " ".join(g for g in givens if g) or None
        families = [f for f in (_text(f) for f in _findall(first, "family")) if f]
        family_name = families[0] if families else None
        extra.extend(("family", family) for family in families[1:])
        extra.extend(("name", name) for name in map(_name_text, others) if name)
    gender_element = _find(person, "administrativeGenderCode")
    gender = gender_element.get("code") if gender_element is not None else None
    birth_element = _find(person, "birthTime")
    birth_time = birth_element.get("value") if birth_element is not None else None
    if birth_time is not None and not _TS.match(birth_time):
        raise PatientFeedError(
            f"birthTime {birth_time!r} is not an HL7 TS",
            detail_code=AcknowledgementDetailCode.DATA_TYPE_ERROR,
            location=f"{_PERSON}/birthTime",
        )
    extra.extend(_extra_demographics(person))
    return PatientDemographics(
        given_name=given_name,
        family_name=family_name,
        birth_time=birth_time or None,
        gender=gender or None,
        extra=tuple(extra),
    )


def _extra_demographics(person: etree._Element) -> Iterator[tuple[str, str]]:
    for telecom in _findall(person, "telecom"):
        if telecom.get("value"):
            yield "telecom", str(telecom.get("value"))
    for name in ("deceasedInd", "multipleBirthInd"):
        element = _find(person, name)
        if element is not None and element.get("value"):
            yield name, str(element.get("value"))
    for name in ("deceasedTime", "multipleBirthOrderNumber"):
        element = _find(person, name)
        if element is not None and element.get("value"):
            yield name, str(element.get("value"))
    for addr in _findall(person, "addr"):
        parts = [t for t in (_text(part) for part in _elements(addr)) if t]
        if parts:
            yield "addr", ", ".join(parts)
    for name in ("maritalStatusCode",):
        element = _find(person, name)
        if element is not None and element.get("code"):
            yield name, str(element.get("code"))


def _name_text(name: etree._Element) -> str:
    return " ".join(t for t in (_text(part) for part in _elements(name)) if t)


# --------------------------------------------------------------------------- applying


def _upsert(
    store: RegistryStore, patient_id: str, demographics: PatientDemographics, *, location: str
) -> Patient:
    known = store.patient(patient_id)
    _refuse_merged(known, location=location)
    patient = _patient(patient_id, demographics)
    store.save_patient(patient)
    return patient


def _patient(patient_id: str, demographics: PatientDemographics) -> Patient:
    return Patient(
        patient_id=patient_id,
        status=PatientStatus.ACTIVE,
        given_name=demographics.given_name,
        family_name=demographics.family_name,
        birth_time=demographics.birth_time,
        gender=demographics.gender,
        demographics=demographics.extra,
    )


def _merge(store: RegistryStore, event: DuplicatesResolved) -> None:
    surviving = store.patient(event.surviving_patient_id)
    _refuse_merged(surviving, location=f"{_PATIENT}/id")
    subsumed = store.patient(event.subsumed_patient_id)
    if subsumed is not None and not subsumed.is_active:
        if subsumed.merged_into == event.surviving_patient_id:
            return  # the same merge, sent again: nothing left to do
        raise PatientFeedError(
            f"patient id {event.subsumed_patient_id} was already merged into "
            f"{subsumed.merged_into}",
            location=f"{_EVENT}/{_PRIOR_ROLE}/id",
        )
    if surviving is None or event.demographics != PatientDemographics():
        # The message carries the surviving patient's record (PRPA_MT201303UV02).
        store.save_patient(_patient(event.surviving_patient_id, event.demographics))
    store.merge_patients(subsumed=event.subsumed_patient_id, surviving=event.surviving_patient_id)


def _refuse_merged(patient: Patient | None, *, location: str) -> None:
    """ITI TF-2b 3.44.4.2.4: a subsumed id is no longer in use."""
    if patient is not None and not patient.is_active:
        raise PatientFeedError(
            f"patient id {patient.patient_id} was merged into {patient.merged_into} and is "
            "no longer in use",
            location=location,
        )


# --------------------------------------------------------------------------- helpers


def _detail(error: PatientFeedError, type_: AcknowledgementDetailType) -> AcknowledgementDetail:
    return AcknowledgementDetail(
        text=error.reason, code=error.detail_code, type=type_, location=error.location
    )


def _missing_association(path: str) -> PatientFeedError:
    return PatientFeedError(
        f"{path} is missing",
        detail_code=AcknowledgementDetailCode.REQUIRED_ASSOCIATION_MISSING,
        location=path,
    )


def _hl7_path(path: str) -> str:
    return "/".join(hl7(step) for step in path.split("/"))


def _find(element: etree._Element, path: str) -> etree._Element | None:
    return element.find(_hl7_path(path))


def _findall(element: etree._Element, path: str) -> list[etree._Element]:
    return element.findall(_hl7_path(path))


def _elements(parent: etree._Element) -> Iterator[etree._Element]:
    """The child elements of ``parent`` (no comments nor processing instructions)."""
    return (child for child in parent if isinstance(child.tag, str))


def _text(element: etree._Element) -> str:
    return " ".join((element.text or "").split())
