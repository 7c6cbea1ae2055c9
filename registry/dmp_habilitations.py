"""DMP ``habilitations`` service — grant and revoke authorisations (TD0.3), blocks, the list.

The DMP's service (``../shared/DMP.md`` §1.2: ``setAuthorization`` with ``action``
``AJOUT``/``SUPPRESSION`` and optional ``role`` ``MEDECIN_TRAITANT``; ``listAuthorizationByPatient``
mode ``TOUTE``; ANS DRIMbox ``GiveAuthorizationRequest.java``, TLSi kit
``HabilitationSoapService.cs``) has no public schema. Carnet's messages follow those names in a
namespace of its own, ``urn:carnet:dmp:habilitations:1``, validated by
``schemas/dmp/habilitations.xsd``; the ``wsa:Action`` is
``urn:carnet:dmp:habilitations:1:<request>`` and its answer's the same plus ``Response``:

``setAuthorization`` (``action``, ``role``?, ``patientId``?, ``professionalId``?)
    ``AJOUT`` grants the professional an authorisation to consult the patient's record, as
    "médecin traitant DMP" with ``role`` ``MEDECIN_TRAITANT`` (a new grant replaces the
    previous one); ``SUPPRESSION`` revokes it. Answer ``setAuthorizationResponse/status`` ``OK``.
``setBlock`` (``action``, ``patientId``?, ``professionalId``)
    ``AJOUT`` blocks the professional, ``SUPPRESSION`` lifts the block. A block wins over an
    authorisation (PDSm4DMP TD0.2 NB1) and none can be granted while it stands.
``listAuthorizationByPatient`` (``mode``?, ``patientId``?)
    ``mode`` ``TOUTE`` (default), ``AUTORISES`` or ``BLOQUES``; answered with one
    ``authorization`` per professional: ``professionalId``, ``status`` ``AUTORISE``/``BLOQUE``,
    ``medecinTraitant``, ``startDate`` (granted or blocked at, ``xs:dateTime``).

In the DMP the patient (``resource-id``) and the professional (``Subject/NameID``) come from the
VIHF; ``patient_id`` and ``professional_id`` of :func:`handle_habilitation` are where that wiring
puts them, and the message's ``patientId`` / ``professionalId`` stand in until then (the
professional named by ``setBlock`` is always the message's). The patient id is an INS CX
``matricule^^^&OID&ISO``. The record must exist and be open: a closed record accepts nothing.
Refusals raise :class:`~registry.dmp_errors.DmpError`; ``soap`` answers them as faults.
"""

from __future__ import annotations

from datetime import UTC, datetime

from lxml import etree

from registry.dmp_errors import (
    DmpRecordClosed,
    MalformedDmpMessage,
    NoAuthorisation,
    ProfessionalBlocked,
    UnknownDmpRecord,
)
from registry.dmp_records import Authorisation, Block
from registry.dmp_vocabulary import (
    HABILITATIONS_NAMESPACE,
    AuthorisationStatus,
    HabilitationAction,
    HabilitationOperation,
    HabilitationRole,
    ListMode,
)
from registry.ins import Ins
from registry.storage.store import RegistryStore
from schemas import load_schema

__all__ = ["HABILITATIONS_SCHEMA", "handle_habilitation"]

HABILITATIONS_SCHEMA = "dmp/habilitations.xsd"
"""The XSD of the messages, in the ``schemas`` package."""


def handle_habilitation(
    store: RegistryStore,
    message: etree._Element,
    *,
    patient_id: str | None = None,
    professional_id: str | None = None,
    now: datetime | None = None,
) -> etree._Element:
    """Apply one habilitations request (the SOAP Body's child) and return its answer element.

    ``patient_id`` and ``professional_id`` are the VIHF's, when known; they win over the
    message's. Raises :class:`~registry.dmp_errors.DmpError` for a malformed message, an unknown
    or closed record, a grant to a blocked professional or the removal of what does not exist.
    """
    operation = _operation(message)
    _validate(message)
    moment = now or datetime.now(UTC)
    patient = Ins.parse(patient_id or _required(message, "patientId")).patient_id
    _open_record(store, patient)
    if operation is HabilitationOperation.LIST_BY_PATIENT:
        mode = ListMode(_child(message, "mode") or ListMode.ALL.value)
        return _list(store, patient, mode)
    action = HabilitationAction(_required(message, "action"))
    if operation is HabilitationOperation.SET_BLOCK:
        professional = _required(message, "professionalId")
        _set_block(store, patient, professional, action, now=moment)
    else:
        professional = professional_id or _required(message, "professionalId")
        treating = _child(message, "role") == HabilitationRole.TREATING_PHYSICIAN.value
        _set_authorisation(store, patient, professional, action, treating=treating, now=moment)
    response = _element(f"{operation.value}Response")
    _sub(response, "status", "OK")
    return response


def _set_authorisation(
    store: RegistryStore,
    patient: str,
    professional: str,
    action: HabilitationAction,
    *,
    treating: bool,
    now: datetime,
) -> None:
    records = store.dmp_records
    if action is HabilitationAction.REMOVE:
        if not records.revoke(patient, professional, at=now):
            raise NoAuthorisation(
                f"professional {professional} holds no authorisation on the DMP of {patient}",
                location=professional,
            )
        return
    if records.is_blocked(patient, professional):
        raise ProfessionalBlocked(
            f"the patient {patient} blocked professional {professional}: no authorisation "
            "can be granted while the block stands",
            location=professional,
        )
    records.grant(
        Authorisation(
            patient_id=patient,
            professional_id=professional,
            granted_at=now,
            treating_physician=treating,
        )
    )


def _set_block(
    store: RegistryStore,
    patient: str,
    professional: str,
    action: HabilitationAction,
    *,
    now: datetime,
) -> None:
    records = store.dmp_records
    if action is HabilitationAction.ADD:
        records.block(Block(patient_id=patient, professional_id=professional, blocked_at=now))
    elif not records.unblock(patient, professional):
        raise NoAuthorisation(
            f"professional {professional} is not blocked from the DMP of {patient}",
            location=professional,
        )


def _list(store: RegistryStore, patient: str, mode: ListMode) -> etree._Element:
    response = _element(f"{HabilitationOperation.LIST_BY_PATIENT.value}Response")
    _sub(response, "patientId", patient)
    records = store.dmp_records
    rows: list[tuple[str, AuthorisationStatus, bool, datetime]] = []
    if mode is not ListMode.BLOCKED:
        rows += [
            (a.professional_id, AuthorisationStatus.AUTHORISED, a.treating_physician, a.granted_at)
            for a in records.authorisations(patient)
        ]
    if mode is not ListMode.AUTHORISED:
        rows += [
            (b.professional_id, AuthorisationStatus.BLOCKED, False, b.blocked_at)
            for b in records.blocks(patient)
        ]
    for professional, status, treating, start in rows:
        entry = _sub(response, "authorization")
        _sub(entry, "professionalId", professional)
        _sub(entry, "status", status.value)
        _sub(entry, "medecinTraitant", "true" if treating else "false")
        _sub(entry, "startDate", start.astimezone(UTC).isoformat(timespec="seconds"))
    return response


def _open_record(store: RegistryStore, patient: str) -> None:
    record = store.dmp_records.record(patient)
    if record is None:
        raise UnknownDmpRecord(f"patient {patient} has no DMP", location=patient)
    if not record.is_open:
        raise DmpRecordClosed(
            f"the DMP of {patient} is closed: it accepts no authorisation change nor listing",
            location=patient,
        )


# --------------------------------------------------------------------------- the wire


def _operation(message: etree._Element) -> HabilitationOperation:
    name = etree.QName(message)
    if name.namespace == HABILITATIONS_NAMESPACE:
        for operation in HabilitationOperation:
            if name.localname == operation.value:
                return operation
    expected = ", ".join(operation.value for operation in HabilitationOperation)
    raise MalformedDmpMessage(
        f"{name.localname} in {name.namespace or 'no namespace'} is not a habilitations "
        f"request ({expected} in {HABILITATIONS_NAMESPACE})",
        location=name.localname,
    )


def _validate(message: etree._Element) -> None:
    try:
        load_schema(HABILITATIONS_SCHEMA).assertValid(message)
    except etree.DocumentInvalid as invalid:
        text = str(invalid)
        raise MalformedDmpMessage(
            f"{etree.QName(message).localname} does not follow {HABILITATIONS_SCHEMA}: {text}",
            location=etree.QName(message).localname,
        ) from None


def _child(message: etree._Element, name: str) -> str | None:
    text = message.findtext(f"{{{HABILITATIONS_NAMESPACE}}}{name}")
    return text.strip() if text is not None and text.strip() else None


def _required(message: etree._Element, name: str) -> str:
    value = _child(message, name)
    if value is None:
        raise MalformedDmpMessage(
            f"{etree.QName(message).localname} needs {name} (until the VIHF provides it)",
            location=name,
        )
    return value


def _element(name: str) -> etree._Element:
    return etree.Element(
        f"{{{HABILITATIONS_NAMESPACE}}}{name}", nsmap={"hab": HABILITATIONS_NAMESPACE}
    )


def _sub(parent: etree._Element, name: str, text: str | None = None) -> etree._Element:
    element = etree.SubElement(parent, f"{{{HABILITATIONS_NAMESPACE}}}{name}")
    element.text = text
    return element
