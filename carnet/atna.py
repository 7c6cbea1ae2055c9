"""IHE ITI TF-2a 3.20 Record Audit Event — an audit event as a DICOM audit message (PS3.15 A.5).

The message format of ATNA is DICOM PS3.15 Annex A.5 (the RFC 3881 schema, extended; ITI
TF-2a 3.20.7.1): one ``AuditMessage`` with

* ``EventIdentification``: ``EventID`` and ``EventActionCode`` as the "Security Considerations"
  section of each transaction prescribes for the registry or repository side (table
  ``_EVENT_TYPES`` below), ``EventTypeCode`` the transaction (``codeSystemName`` "IHE
  Transactions", ITI TF-2a 3.20.7.2) and, for DMP access, the VIHF access mode (TRE_R248);
  ``EventOutcomeIndicator`` 0/4/8/12 and the refusal's reason in ``EventOutcomeDescription``;
* ``ActiveParticipant``: the human requestor (the professional: national id, name, roles from
  the VIHF), the calling system (``110153`` Source, its IP address) and this node (``110152``
  Destination) — the other way round for ITI-43, where the repository exports (ITI TF-2b
  3.43.5.1);
* ``AuditSourceIdentification``: this node (``AuditSourceTypeCode`` 4, application server);
* ``ParticipantObjectIdentification``: the patient (type 1 Person, role 1 Patient, id type 2
  Patient Number), each document (type 2 System, role 3 Report, id type 9 Report Number: its
  uniqueId, as ITI-43 and ITI-62 do), the stored query (role 24 Query, id type the
  transaction; ITI TF-2a 3.18.5.1), and the caller's structure (type 3 Organization).

The stored trail holds what the audit record needs, not the request itself: the query POI
carries the stored query's id, base64-encoded, where ITI-18 asks for the whole
``AdhocQueryRequest``.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass
from enum import StrEnum

from lxml import etree

from registry.audit import AuditCode, AuditEvent, Transaction

__all__ = ["ActionCode", "AuditSource", "EventId", "audit_message", "audit_message_bytes"]

_DCM = "DCM"
_RFC_3881 = "RFC-3881"
_IHE_TRANSACTIONS = "IHE Transactions"
_DMP_TRANSACTIONS = "DMP Transactions"
"""Carnet's name for the code system of the DMP services (TD0.2, TD1.x, habilitations)."""
_ACCESS_MODE_SYSTEM = "1.2.250.1.213.1.1.4.248"
"""TRE_R248, the VIHF's access modes (``PurposeOfUse``)."""


class EventId(StrEnum):
    """``EventID`` values used here: DICOM PS3.16 CID 400 "Audit Event ID" (``DCM``)."""

    EXPORT = "110106"
    IMPORT = "110107"
    PATIENT_RECORD = "110110"
    QUERY = "110112"

    @property
    def display_name(self) -> str:
        return self.name.replace("_", " ").title()


class ActionCode(StrEnum):
    """``EventActionCode`` (DICOM PS3.15 A.5.1, RFC 3881 5.1.2)."""

    CREATE = "C"
    READ = "R"
    UPDATE = "U"
    DELETE = "D"
    EXECUTE = "E"


_EVENT_TYPES: dict[Transaction, tuple[EventId, ActionCode]] = {
    # ITI TF-2a 3.18.5.1.2: the registry's record of a stored query.
    Transaction.ITI_18: (EventId.QUERY, ActionCode.EXECUTE),
    # ITI TF-2b 3.41.5.1.2 (repository, Import) and 3.42.5.1.2 (registry, Import).
    Transaction.ITI_41: (EventId.IMPORT, ActionCode.CREATE),
    Transaction.ITI_42: (EventId.IMPORT, ActionCode.CREATE),
    # ITI TF-2b 3.43.5.1.1: the repository exports the documents it returns.
    Transaction.ITI_43: (EventId.EXPORT, ActionCode.READ),
    # ITI TF-2b 3.44.5.1.2: the patient record created or updated.
    Transaction.ITI_44: (EventId.PATIENT_RECORD, ActionCode.UPDATE),
    # ITI TF-2b 3.57.4.1.4 (registry, Import of new metadata), 3.62.5.1.2, RMD 3.86.5.1.2.
    Transaction.ITI_57: (EventId.IMPORT, ActionCode.UPDATE),
    Transaction.ITI_62: (EventId.PATIENT_RECORD, ActionCode.DELETE),
    Transaction.ITI_86: (EventId.PATIENT_RECORD, ActionCode.DELETE),
    # DMP services: queries as PDQ's ITI-47 (Query, Execute), changes as ITI-44.
    Transaction.TD0_2: (EventId.QUERY, ActionCode.EXECUTE),
    Transaction.TD1_1: (EventId.PATIENT_RECORD, ActionCode.CREATE),
    Transaction.TD1_2: (EventId.PATIENT_RECORD, ActionCode.UPDATE),
    Transaction.TD1_3: (EventId.PATIENT_RECORD, ActionCode.UPDATE),
    Transaction.TD1_4: (EventId.PATIENT_RECORD, ActionCode.UPDATE),
    Transaction.SET_AUTHORIZATION: (EventId.PATIENT_RECORD, ActionCode.UPDATE),
    Transaction.SET_BLOCK: (EventId.PATIENT_RECORD, ActionCode.UPDATE),
    Transaction.LIST_AUTHORIZATIONS: (EventId.QUERY, ActionCode.EXECUTE),
}

_SOURCE_ROLE = AuditCode(code="110153", system=_DCM, display_name="Source Role ID")
_DESTINATION_ROLE = AuditCode(code="110152", system=_DCM, display_name="Destination Role ID")
_PATIENT_NUMBER = AuditCode(code="2", system=_RFC_3881, display_name="Patient Number")
_REPORT_NUMBER = AuditCode(code="9", system=_RFC_3881, display_name="Report Number")
_STRUCTURE_ID = AuditCode(
    code="Identifiant_Structure", system="ANS VIHF", display_name="Structure national id"
)


@dataclass(frozen=True, kw_only=True, slots=True)
class AuditSource:
    """This node, as the audit messages it sends name it."""

    source_id: str
    """``AuditSourceID``: this node's name in the audit repository (e.g. ``carnet@host``)."""
    endpoint: str
    """The node's service URL: ``UserID`` of this node as an active participant."""
    host: str
    """Its host name or address (``NetworkAccessPointID``, type 1 machine name)."""
    enterprise_site_id: str | None = None
    """``AuditEnterpriseSiteID``: the operator's organisation, when configured."""


def audit_message(event: AuditEvent, *, source: AuditSource) -> etree._Element:
    """The DICOM ``AuditMessage`` of ``event`` (DICOM PS3.15 A.5.1, ITI TF-2a 3.20.7)."""
    event_id, action = _EVENT_TYPES[event.transaction]
    message = etree.Element("AuditMessage")

    identification = etree.SubElement(
        message,
        "EventIdentification",
        EventActionCode=action.value,
        EventDateTime=event.time.isoformat(timespec="milliseconds").replace("+00:00", "Z"),
        EventOutcomeIndicator=event.outcome.value,
    )
    _code(
        identification,
        "EventID",
        AuditCode(code=event_id, system=_DCM, display_name=event_id.display_name),
    )
    transactions = _IHE_TRANSACTIONS if event.transaction.is_ihe else _DMP_TRANSACTIONS
    transaction = AuditCode(
        code=event.transaction.value,
        system=transactions,
        display_name=event.transaction.display_name,
    )
    _code(identification, "EventTypeCode", transaction)
    if event.access_mode is not None:
        mode = AuditCode(code=event.access_mode.value, system=_ACCESS_MODE_SYSTEM)
        _code(identification, "EventTypeCode", mode)
    if event.outcome_detail:
        etree.SubElement(identification, "EventOutcomeDescription").text = event.outcome_detail

    exports = event_id is EventId.EXPORT
    caller_role, node_role = (
        (_DESTINATION_ROLE, _SOURCE_ROLE) if exports else (_SOURCE_ROLE, _DESTINATION_ROLE)
    )
    caller = etree.SubElement(
        message,
        "ActiveParticipant",
        UserID=event.software or event.remote_address or "unknown",
        UserIsRequestor="false" if event.subject_id else "true",
    )
    if event.remote_address:
        caller.set("NetworkAccessPointID", event.remote_address)
        caller.set("NetworkAccessPointTypeCode", "2")
    _code(caller, "RoleIDCode", caller_role)
    if event.subject_id:
        human = etree.SubElement(
            message, "ActiveParticipant", UserID=event.subject_id, UserIsRequestor="true"
        )
        if event.subject_name:
            human.set("UserName", event.subject_name)
        for role in event.roles:
            _code(human, "RoleIDCode", role)
    node = etree.SubElement(
        message,
        "ActiveParticipant",
        UserID=source.endpoint,
        UserIsRequestor="false",
        NetworkAccessPointID=source.host,
        NetworkAccessPointTypeCode="1",
    )
    _code(node, "RoleIDCode", node_role)

    audit_source = etree.SubElement(
        message, "AuditSourceIdentification", AuditSourceID=source.source_id
    )
    if source.enterprise_site_id:
        audit_source.set("AuditEnterpriseSiteID", source.enterprise_site_id)
    etree.SubElement(audit_source, "AuditSourceTypeCode", {"csd-code": "4"})

    if event.patient_id:
        _object(message, event.patient_id, _PATIENT_NUMBER, type_code="1", role="1")
    for unique_id in event.document_ids:
        _object(message, unique_id, _REPORT_NUMBER, type_code="2", role="3")
    if event.query_id:
        query = _object(message, event.query_id, transaction, type_code="2", role="24")
        encoded = base64.b64encode(event.query_id.encode()).decode("ascii")
        etree.SubElement(query, "ParticipantObjectQuery").text = encoded
    if event.structure_id:
        _object(message, event.structure_id, _STRUCTURE_ID, type_code="3")
    return message


def audit_message_bytes(event: AuditEvent, *, source: AuditSource) -> bytes:
    """``audit_message`` serialised as UTF-8 XML with its declaration (the syslog MSG)."""
    return etree.tostring(
        audit_message(event, source=source), xml_declaration=True, encoding="UTF-8"
    )


def _code(parent: etree._Element, name: str, code: AuditCode) -> etree._Element:
    element = etree.SubElement(parent, name, {"csd-code": code.code, "codeSystemName": code.system})
    element.set("originalText", code.display_name or code.code)
    return element


def _object(
    message: etree._Element,
    object_id: str,
    id_type: AuditCode,
    *,
    type_code: str,
    role: str | None = None,
) -> etree._Element:
    participant = etree.SubElement(
        message,
        "ParticipantObjectIdentification",
        ParticipantObjectID=object_id,
        ParticipantObjectTypeCode=type_code,
    )
    if role is not None:
        participant.set("ParticipantObjectTypeCodeRole", role)
    _code(participant, "ParticipantObjectIDTypeCode", id_type)
    return participant
