"""DMP ``patients`` service — TD0.2 existence test and TD1.1, TD1.2, TD1.3b, TD1.4 record changes.

The DMP runs these as HL7 V3 interactions (``../shared/DMP.md`` §1.2, from the ANS TLSi kit
``MessageBuilder`` and DRIMbox ``VerifyAuthorizationRequest``), told apart by
``controlActProcess/reasonCode`` (code system 1.2.250.1.213.1.1.4.11,
:class:`~registry.dmp_vocabulary.DmpReason`):

=========  =====================  ==============  ============================================
TD         interaction            reasonCode      answer
=========  =====================  ==============  ============================================
TD0.2      ``PRPA_IN201307UV02``  ``TEST_EXST``   ``PRPA_IN201308UV02``: queryAck ``OK``/``NF``
TD1.1      ``PRPA_IN201311UV02``  ``CREA_RD``     ``MCCI_IN000002UV01`` AA / AE
TD1.2      ``PRPA_IN201314UV02``  ``REAC``        idem
TD1.3b     ``PRPA_IN201314UV02``  ``MODIF_DATA``  idem
TD1.4      ``PRPA_IN201314UV02``  ``FERM``        idem
=========  =====================  ==============  ============================================

Where the request carries what (TLSi kit, Mediboard): TD0.2 the INS in
``controlActProcess/queryByParameter/parameterList/patientIdentifier/value``; TD1.x in
``controlActProcess/subject/registrationRequest/subject1/patient/id``, with the identity traits
in ``patient/patientPerson``, consent and oppositions as
``patient/subjectOf/administrativeObservation`` (code system 1.2.250.1.213.4.1.2.3, BL value,
optional ``effectiveTime``), the professional as ``registrationRequest/author/assignedEntity/id``
(root IDNPS 1.2.250.1.71.4.2.1), and for TD1.4 the reason as
``registrationRequest/reasonOf/detectedIssueEvent/code`` (1.2.250.1.213.4.1.2.4).

The caller of TD0.2 (authorised? "médecin traitant DMP"? blocked?) will come from the VIHF: the
``caller`` argument of :func:`handle_dmp_patients` is where that wiring puts it; until then the
first IDNPS ``id`` inside ``controlActProcess`` stands for it.

The DMP's exact answers are not public (DMPi). Carnet answers TD1.x with the ITI-44 accept
acknowledgement (``registry/hl7v3.py``): ``AA``, or ``AE`` with an ``acknowledgementDetail``
giving the reason. TD0.2 is answered ``PRPA_IN201308UV02`` in the same transmission wrapper,
its ``controlActProcess`` holding ``queryAck/queryResponseCode`` (``OK`` found, ``NF`` no record,
``AE`` refused) and, when found, ``subject/registrationEvent``: ``statusCode`` ``active`` or
``completed`` (closed, with ``effectiveTime/high`` the closing date and
``reasonOf/detectedIssueEvent`` the reason), ``subject1/patient`` with the INS, ``statusCode``
``active``/``terminated``, ``patientPerson`` and one ``subjectOf1/administrativeObservation`` (BL)
per flag: the two oppositions and, for the caller, ``AUTORISATION_ACCES``,
``MEDECIN_TRAITANT_DMP`` and ``ACCES_BLOQUE``.

TD1.1 authorises the professional who creates the record (the VIHF's caller, else the message's
IDNPS author) on it, as a TD0.3 ``AJOUT`` would: they collected the patient's consent to the
record and are the first to consult it. *Choice*: ``../shared/DMP.md`` does not state it (DMPi
is not public); it is how professionals experience the DMP, and a patient revokes it as any
other authorisation.

A closed record accepts nothing and answers nothing but the existence test — and TD1.2, whose
purpose is to reopen it. Creating a record also makes its INS known to the registry as an ITI-44
"record added" does, so that documents can be fed under it.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import UTC, datetime

from lxml import etree

from registry.dmp_errors import (
    ConsentMissing,
    DmpError,
    DmpRecordClosed,
    DmpRecordExists,
    DmpRecordOpen,
    InvalidIns,
    MalformedDmpMessage,
    UnknownDmpRecord,
)
from registry.dmp_records import (
    AdministrativeData,
    Authorisation,
    Closure,
    Consent,
    DmpRecord,
    Oppositions,
)
from registry.dmp_vocabulary import (
    ADMINISTRATIVE_OBSERVATION_CODE_SYSTEM,
    CLOSURE_REASON_CODE_SYSTEM,
    IDNPS_OID,
    REASON_CODE_SYSTEM,
    AdministrativeObservation,
    DmpInteraction,
    DmpReason,
    DmpStatus,
)
from registry.hl7v3 import (
    HL7V3_NAMESPACE,
    II,
    INTERACTION_CODE_SYSTEM,
    AcknowledgementDetail,
    AcknowledgementDetailCode,
    AcknowledgementType,
    Transmission,
    build_acknowledgement,
    format_ts,
    hl7,
    read_transmission,
)
from registry.ins import Ins
from registry.patient_feed import PatientFeedError, add_patient
from registry.storage.store import RegistryStore

__all__ = [
    "REQUEST_INTERACTIONS",
    "DmpPatientRequest",
    "handle_dmp_patients",
    "parse_dmp_patient_request",
]

REQUEST_INTERACTIONS = (
    DmpInteraction.GET_DEMOGRAPHICS_QUERY,
    DmpInteraction.ADD_REQUEST,
    DmpInteraction.REVISE_REQUEST,
)
"""The requests the ``patients`` service answers."""

_REASONS_OF = {
    DmpInteraction.GET_DEMOGRAPHICS_QUERY: (DmpReason.EXISTENCE_TEST,),
    DmpInteraction.ADD_REQUEST: (DmpReason.CREATE,),
    DmpInteraction.REVISE_REQUEST: (
        DmpReason.REACTIVATE,
        DmpReason.UPDATE_DATA,
        DmpReason.CLOSE,
    ),
}

_CONTROL_ACT = "controlActProcess"
_QUERY_PATIENT_ID = f"{_CONTROL_ACT}/queryByParameter/parameterList/patientIdentifier/value"
_REGISTRATION = f"{_CONTROL_ACT}/subject/registrationRequest"
_PATIENT = f"{_REGISTRATION}/subject1/patient"
_CLOSURE = f"{_REGISTRATION}/reasonOf/detectedIssueEvent"
_XSI_TYPE = "{http://www.w3.org/2001/XMLSchema-instance}type"


@dataclass(frozen=True, kw_only=True, slots=True)
class DmpPatientRequest:
    """One request of the ``patients`` service, as read from the wire."""

    interaction: DmpInteraction
    reason: DmpReason
    ins: Ins
    professional_id: str | None = None
    """The first IDNPS ``id`` of ``controlActProcess`` (the author, for TD1.x)."""
    administrative: AdministrativeData | None = None
    """``patientPerson``'s traits, when the message has a ``patientPerson``."""
    observations: dict[AdministrativeObservation, tuple[bool, datetime | None]] = field(
        default_factory=dict
    )
    """Each known ``administrativeObservation``: its BL value and ``effectiveTime``."""
    closure_reason: str | None = None
    closure_text: str | None = None


# --------------------------------------------------------------------------- the transaction


def handle_dmp_patients(
    store: RegistryStore,
    message: etree._Element,
    *,
    caller: str | None = None,
    ack_id: II | None = None,
    now: datetime | None = None,
) -> etree._Element:
    """Apply one ``patients`` request and return its answer (see the module docstring).

    ``caller`` is the professional's national id as the VIHF asserts it; when ``None`` the
    message's own IDNPS id stands for it. A refusal (:class:`~registry.dmp_errors.DmpError`)
    is answered ``AE`` with its reason and changes nothing. Errors of the store propagate,
    so that the caller's unit of work rolls back.
    """
    moment = now or datetime.now(UTC)
    transmission = read_transmission(message)
    query = etree.QName(message).localname == DmpInteraction.GET_DEMOGRAPHICS_QUERY.value
    try:
        request = parse_dmp_patient_request(message, now=moment)
        if request.reason is DmpReason.EXISTENCE_TEST:
            record = store.dmp_records.record(request.ins.patient_id)
            answer = _query_response(transmission, ack_id=ack_id, now=moment)
            _write_existence(store, answer, request, record, caller=caller)
            return answer
        _apply(store, request, caller=caller, now=moment)
    except DmpError as error:
        detail = AcknowledgementDetail(
            text=error.reason, code=error.detail_code, location=error.location
        )
        if query:
            answer = _query_response(
                transmission,
                type_code=AcknowledgementType.ERROR,
                details=[detail],
                ack_id=ack_id,
                now=moment,
            )
            _control_act(answer, query_response_code="AE")
            return answer
        return build_acknowledgement(
            transmission,
            type_code=AcknowledgementType.ERROR,
            details=[detail],
            message_id=ack_id,
            creation_time=moment,
        )
    return build_acknowledgement(
        transmission, type_code=AcknowledgementType.ACCEPT, message_id=ack_id, creation_time=moment
    )


def _apply(
    store: RegistryStore, request: DmpPatientRequest, *, caller: str | None, now: datetime
) -> None:
    records = store.dmp_records
    patient_id = request.ins.patient_id
    record = records.record(patient_id)
    if request.reason is DmpReason.CREATE:
        if record is not None:
            state = "open" if record.is_open else "closed: reactivate it with TD1.2 (REAC)"
            raise DmpRecordExists(f"patient {patient_id} already has a DMP ({state})")
        consent_at = _consent(request, AdministrativeObservation.OPENING_CONSENT, now=now)
        data = request.administrative or AdministrativeData()
        records.save_record(
            DmpRecord(
                patient_id=patient_id,
                created_at=now,
                consent=Consent(given_at=consent_at, collected_by=request.professional_id),
                oppositions=_oppositions(request, Oppositions()),
                administrative=data,
            )
        )
        creator = caller or request.professional_id
        if creator:
            # The professional who opens the record with the patient's consent may consult it.
            records.grant(
                Authorisation(patient_id=patient_id, professional_id=creator, granted_at=now)
            )
        _make_known(store, patient_id, data)
        return
    if record is None:
        raise UnknownDmpRecord(f"patient {patient_id} has no DMP", location=patient_id)
    if request.reason is DmpReason.REACTIVATE:
        if record.is_open:
            raise DmpRecordOpen(f"the DMP of {patient_id} is open: only a closed one reopens")
        consent_at = _consent(request, AdministrativeObservation.REACTIVATION_CONSENT, now=now)
        records.save_record(
            replace(
                record,
                status=DmpStatus.OPEN,
                closure=None,
                consent=Consent(given_at=consent_at, collected_by=request.professional_id),
                oppositions=_oppositions(request, record.oppositions),
                administrative=_merge(record.administrative, request.administrative),
            )
        )
        return
    if not record.is_open:
        raise DmpRecordClosed(
            f"the DMP of {patient_id} is closed: it answers only the existence test (TD0.2) "
            "and accepts only a reactivation (TD1.2)",
            location=patient_id,
        )
    if request.reason is DmpReason.UPDATE_DATA:
        data = _merge(record.administrative, request.administrative)
        records.save_record(
            replace(
                record, administrative=data, oppositions=_oppositions(request, record.oppositions)
            )
        )
        _make_known(store, patient_id, data)
        return
    if not request.closure_reason:
        raise MalformedDmpMessage(
            "TD1.4 (FERM) needs the reason: reasonOf/detectedIssueEvent/code",
            detail_code=AcknowledgementDetailCode.REQUIRED_ASSOCIATION_MISSING,
            location=_CLOSURE,
        )
    records.save_record(
        replace(
            record,
            status=DmpStatus.CLOSED,
            closure=Closure(
                closed_at=now, reason=request.closure_reason, text=request.closure_text
            ),
        )
    )


def _consent(
    request: DmpPatientRequest, observation: AdministrativeObservation, *, now: datetime
) -> datetime:
    value, at = request.observations.get(observation, (False, None))
    if not value:
        raise ConsentMissing(
            f"{request.reason.value} needs the patient's consent: administrativeObservation "
            f"{observation.value} with value true",
            location=f"{_PATIENT}/subjectOf/administrativeObservation",
        )
    return at or now


def _oppositions(request: DmpPatientRequest, current: Oppositions) -> Oppositions:
    observations = request.observations
    return Oppositions(
        break_glass=observations.get(
            AdministrativeObservation.BREAK_GLASS_OPPOSITION, (current.break_glass, None)
        )[0],
        centre_15=observations.get(
            AdministrativeObservation.CENTRE_15_OPPOSITION, (current.centre_15, None)
        )[0],
    )


def _merge(current: AdministrativeData, new: AdministrativeData | None) -> AdministrativeData:
    """TD1.3b: the traits the message gives replace the record's; the others stay."""
    if new is None:
        return current
    return AdministrativeData(
        family_name=new.family_name or current.family_name,
        birth_name=new.birth_name or current.birth_name,
        given_names=new.given_names or current.given_names,
        birth_date=new.birth_date or current.birth_date,
        gender=new.gender or current.gender,
        address=new.address or current.address,
    )


def _make_known(store: RegistryStore, patient_id: str, data: AdministrativeData) -> None:
    """ITI TF-2b 3.44.4.1.4, as an ITI-44 add: the registry then accepts documents for it."""
    try:
        add_patient(
            store,
            patient_id,
            given_name=data.given_names,
            family_name=data.family_name or data.birth_name,
            birth_time=data.birth_date,
            gender=data.gender,
        )
    except PatientFeedError as error:
        raise DmpError(error.reason, location=error.location) from None


# --------------------------------------------------------------------------- parsing


def parse_dmp_patient_request(
    message: etree._Element, *, now: datetime | None = None
) -> DmpPatientRequest:
    """Read a ``patients`` request; :class:`MalformedDmpMessage` or :class:`InvalidIns` if wrong."""
    interaction = _interaction(message)
    reason = _reason(message, interaction)
    query = interaction is DmpInteraction.GET_DEMOGRAPHICS_QUERY
    ins = _ins(message, _QUERY_PATIENT_ID if query else f"{_PATIENT}/id")
    professional_id = _professional_id(message)
    if query:
        return DmpPatientRequest(
            interaction=interaction, reason=reason, ins=ins, professional_id=professional_id
        )
    patient = _find(message, _PATIENT)
    assert patient is not None  # _ins found its id
    person = _find(patient, "patientPerson")
    closure = _find(message, _CLOSURE)
    closure_code = _find(closure, "code") if closure is not None else None
    return DmpPatientRequest(
        interaction=interaction,
        reason=reason,
        ins=ins,
        professional_id=professional_id,
        administrative=_administrative(person) if person is not None else None,
        observations=_observations(patient),
        closure_reason=_attribute(closure_code, "code"),
        closure_text=_text(_find(closure, "text")) if closure is not None else None,
    )


def _interaction(message: etree._Element) -> DmpInteraction:
    name = etree.QName(message)
    for interaction in REQUEST_INTERACTIONS:
        if name.namespace == HL7V3_NAMESPACE and name.localname == interaction.value:
            return interaction
    raise MalformedDmpMessage(
        f"{name.localname} in {name.namespace or 'no namespace'} is not a request of the DMP "
        "patients service (PRPA_IN201307UV02, PRPA_IN201311UV02, PRPA_IN201314UV02)",
        detail_code=AcknowledgementDetailCode.UNSUPPORTED_INTERACTION,
        location=name.localname,
    )


def _reason(message: etree._Element, interaction: DmpInteraction) -> DmpReason:
    allowed = _REASONS_OF[interaction]
    expected = ", ".join(reason.value for reason in allowed)
    location = f"{_CONTROL_ACT}/reasonCode"
    element = _find(message, location)
    if element is None:
        raise MalformedDmpMessage(
            f"{location} is missing: {interaction.value} needs one of {expected} "
            f"(code system {REASON_CODE_SYSTEM})",
            detail_code=AcknowledgementDetailCode.REQUIRED_ASSOCIATION_MISSING,
            location=location,
        )
    code, system = element.get("code"), element.get("codeSystem")
    if system != REASON_CODE_SYSTEM:
        raise MalformedDmpMessage(
            f"reasonCode {code!r} has code system {system!r}, not {REASON_CODE_SYSTEM}",
            detail_code=AcknowledgementDetailCode.DATA_TYPE_ERROR,
            location=location,
        )
    for reason in allowed:
        if code == reason.value:
            return reason
    raise MalformedDmpMessage(
        f"reasonCode {code!r} is not one of {interaction.value}'s: {expected}",
        detail_code=AcknowledgementDetailCode.DATA_TYPE_ERROR,
        location=location,
    )


def _ins(message: etree._Element, path: str) -> Ins:
    ids = _findall(message, path)
    present = [ii for ii in (II.from_element(e) for e in ids) if ii is not None]
    if not present:
        raise MalformedDmpMessage(
            f"no patient INS: {path} is missing or has a nullFlavor",
            detail_code=AcknowledgementDetailCode.REQUIRED_ATTRIBUTE_MISSING,
            location=path,
        )
    error: InvalidIns | None = None
    for ii in present:
        try:
            return Ins.of(ii.extension or "", authority_oid=ii.root)
        except InvalidIns as exc:
            error = error or exc
    assert error is not None
    raise InvalidIns(
        error.reason, location=path, detail_code=AcknowledgementDetailCode.DATA_TYPE_ERROR
    )


def _professional_id(message: etree._Element) -> str | None:
    control_act = _find(message, _CONTROL_ACT)
    if control_act is None:
        return None
    for element in control_act.iter(hl7("id")):
        if element.get("root") == IDNPS_OID and element.get("extension"):
            return str(element.get("extension")).strip()
    return None


def _administrative(person: etree._Element) -> AdministrativeData:
    family = birth = None
    givens: list[str] = []
    for name in _findall(person, "name"):
        for element in _findall(name, "family"):
            if element.get("qualifier") == "BR":
                birth = birth or _text(element)
            else:
                family = family or _text(element)
        givens.extend(t for t in (_text(g) for g in _findall(name, "given")) if t)
    addresses = _findall(person, "addr")
    address = None
    if addresses:
        parts = [_text(part) for part in addresses[0] if isinstance(part.tag, str)]
        address = ", ".join(p for p in parts if p) or None
    birth_time = _attribute(_find(person, "birthTime"), "value")
    if birth_time is not None and not (birth_time[:8].isdigit() and len(birth_time) >= 8):
        raise MalformedDmpMessage(
            f"birthTime {birth_time!r} is not an HL7 TS (YYYYMMDD…)",
            detail_code=AcknowledgementDetailCode.DATA_TYPE_ERROR,
            location=f"{_PATIENT}/patientPerson/birthTime",
        )
    return AdministrativeData(
        family_name=family or None,
        birth_name=birth or None,
        given_names=" ".join(givens) or None,
        birth_date=birth_time[:8] if birth_time else None,
        gender=_attribute(_find(person, "administrativeGenderCode"), "code"),
        address=address,
    )


def _observations(
    patient: etree._Element,
) -> dict[AdministrativeObservation, tuple[bool, datetime | None]]:
    found: dict[AdministrativeObservation, tuple[bool, datetime | None]] = {}
    location = f"{_PATIENT}/subjectOf/administrativeObservation"
    for observation in patient.iterfind(f"{hl7('subjectOf')}/{hl7('administrativeObservation')}"):
        code = _find(observation, "code")
        if code is None or code.get("codeSystem") != ADMINISTRATIVE_OBSERVATION_CODE_SYSTEM:
            continue
        try:
            kind = AdministrativeObservation(code.get("code") or "")
        except ValueError:
            continue
        value = (_attribute(_find(observation, "value"), "value") or "").lower()
        if value not in ("true", "false"):
            raise MalformedDmpMessage(
                f"administrativeObservation {kind.value} needs a BL value true or false, "
                f"not {value or 'none'!r}",
                detail_code=AcknowledgementDetailCode.DATA_TYPE_ERROR,
                location=location,
            )
        found[kind] = (value == "true", _ts(_find(observation, "effectiveTime")))
    return found


def _ts(element: etree._Element | None) -> datetime | None:
    value = _attribute(element, "value")
    if value is None or len(value) < 8 or not value[:14].isdigit():
        return None
    digits = value[:14].ljust(14, "0")
    try:
        return datetime.strptime(digits, "%Y%m%d%H%M%S").replace(tzinfo=UTC)
    except ValueError:
        return None


# --------------------------------------------------------------------------- answering TD0.2


def _query_response(
    transmission: Transmission,
    *,
    type_code: AcknowledgementType = AcknowledgementType.ACCEPT,
    details: list[AcknowledgementDetail] | None = None,
    ack_id: II | None,
    now: datetime,
) -> etree._Element:
    """``PRPA_IN201308UV02``: the acknowledgement's wrapper (MCCI_MT000300UV01), renamed."""
    answer = build_acknowledgement(
        transmission,
        type_code=type_code,
        details=details or (),
        message_id=ack_id,
        creation_time=now,
    )
    response = DmpInteraction.GET_DEMOGRAPHICS_RESPONSE.value
    answer.tag = hl7(response)
    interaction_id = answer.find(hl7("interactionId"))
    assert interaction_id is not None
    interaction_id.set("extension", response)
    return answer


def _control_act(answer: etree._Element, *, query_response_code: str) -> etree._Element:
    control_act = etree.SubElement(answer, hl7("controlActProcess"))
    control_act.set("classCode", "CACT")
    control_act.set("moodCode", "EVN")
    _code(control_act, "code", "PRPA_TE201308UV02", INTERACTION_CODE_SYSTEM)
    _code(control_act, "reasonCode", DmpReason.EXISTENCE_TEST.value, REASON_CODE_SYSTEM)
    query_ack = etree.SubElement(control_act, hl7("queryAck"))
    etree.SubElement(query_ack, hl7("queryResponseCode")).set("code", query_response_code)
    return control_act


def _write_existence(
    store: RegistryStore,
    answer: etree._Element,
    request: DmpPatientRequest,
    record: DmpRecord | None,
    *,
    caller: str | None,
) -> None:
    control_act = _control_act(answer, query_response_code="OK" if record else "NF")
    if record is None:
        return
    query_ack = control_act.find(hl7("queryAck"))
    assert query_ack is not None
    subject = etree.Element(hl7("subject"), typeCode="SUBJ")
    query_ack.addprevious(subject)
    event = etree.SubElement(subject, hl7("registrationEvent"), classCode="REG", moodCode="EVN")
    etree.SubElement(event, hl7("statusCode")).set(
        "code", "active" if record.is_open else "completed"
    )
    if record.closure is not None:
        time = etree.SubElement(event, hl7("effectiveTime"))
        etree.SubElement(time, hl7("high")).set("value", format_ts(record.closure.closed_at))
    patient = etree.SubElement(
        etree.SubElement(event, hl7("subject1"), typeCode="SBJ"), hl7("patient"), classCode="PAT"
    )
    II(root=request.ins.authority.value, extension=request.ins.matricule).write(
        etree.SubElement(patient, hl7("id"))
    )
    etree.SubElement(patient, hl7("statusCode")).set("code", record.status.value)
    _write_person(patient, record.administrative)
    who = caller or request.professional_id
    flags = [
        (AdministrativeObservation.BREAK_GLASS_OPPOSITION, record.oppositions.break_glass),
        (AdministrativeObservation.CENTRE_15_OPPOSITION, record.oppositions.centre_15),
    ]
    if who is not None:
        authorisation = store.dmp_records.authorisation(record.patient_id, who)
        flags += [
            (AdministrativeObservation.AUTHORISED, authorisation is not None),
            (
                AdministrativeObservation.TREATING_PHYSICIAN,
                authorisation is not None and authorisation.treating_physician,
            ),
            (
                AdministrativeObservation.BLOCKED,
                store.dmp_records.is_blocked(record.patient_id, who),
            ),
        ]
    for kind, value in flags:
        observation = etree.SubElement(
            etree.SubElement(patient, hl7("subjectOf1"), typeCode="SBJ"),
            hl7("administrativeObservation"),
            classCode="OBS",
            moodCode="EVN",
        )
        _code(observation, "code", kind.value, ADMINISTRATIVE_OBSERVATION_CODE_SYSTEM)
        value_element = etree.SubElement(observation, hl7("value"))
        value_element.set(_XSI_TYPE, "BL")
        value_element.set("value", "true" if value else "false")
    if record.closure is not None:
        issue = etree.SubElement(
            etree.SubElement(event, hl7("reasonOf"), typeCode="RSON"),
            hl7("detectedIssueEvent"),
            classCode="ALRT",
            moodCode="EVN",
        )
        _code(issue, "code", record.closure.reason, CLOSURE_REASON_CODE_SYSTEM)
        if record.closure.text:
            etree.SubElement(issue, hl7("text")).text = record.closure.text


def _write_person(patient: etree._Element, data: AdministrativeData) -> None:
    person = etree.SubElement(
        patient, hl7("patientPerson"), classCode="PSN", determinerCode="INSTANCE"
    )
    name = etree.SubElement(person, hl7("name"))
    if data.family_name:
        etree.SubElement(name, hl7("family")).text = data.family_name
    if data.birth_name:
        etree.SubElement(name, hl7("family"), qualifier="BR").text = data.birth_name
    for given in (data.given_names or "").split():
        etree.SubElement(name, hl7("given")).text = given
    if data.gender:
        etree.SubElement(person, hl7("administrativeGenderCode")).set("code", data.gender)
    if data.birth_date:
        etree.SubElement(person, hl7("birthTime")).set("value", data.birth_date)
    if data.address:
        etree.SubElement(
            etree.SubElement(person, hl7("addr")), hl7("streetAddressLine")
        ).text = data.address


# --------------------------------------------------------------------------- helpers


def _code(parent: etree._Element, name: str, code: str, system: str) -> etree._Element:
    element = etree.SubElement(parent, hl7(name))
    element.set("code", code)
    element.set("codeSystem", system)
    return element


def _hl7_path(path: str) -> str:
    return "/".join(hl7(step) for step in path.split("/"))


def _find(element: etree._Element | None, path: str) -> etree._Element | None:
    return element.find(_hl7_path(path)) if element is not None else None


def _findall(element: etree._Element, path: str) -> list[etree._Element]:
    return element.findall(_hl7_path(path))


def _attribute(element: etree._Element | None, name: str) -> str | None:
    if element is None:
        return None
    value = (element.get(name) or "").strip()
    return value or None


def _text(element: etree._Element | None) -> str:
    return " ".join((element.text or "").split()) if element is not None else ""
