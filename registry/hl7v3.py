"""ITI TF-2b 3.44.4 and ITI TF-2x Appendix O — HL7 V3 transmission wrapper, accept acknowledgement.

The HL7 V3 interactions of the Patient Identity Feed (ITI-44) travel in the
``MCCI_MT000100UV01`` transmission wrapper (message id, creation time,
interaction id, processing codes, sender and receiver devices). The receiver
answers each with an ``MCCI_IN000002UV01`` accept acknowledgement whose
``acknowledgement/targetMessage/id`` names the request (ITI TF-2b 3.44.4.1.3,
3.44.4.2.3). This module reads the wrapper of a request and writes the
acknowledgement; ``patient_feed.py`` reads the payload. The wire strings of
HL7 V3 (interactions, acknowledgement codes, detail codes) are named once here.

Nothing here raises on a malformed request: :func:`read_transmission` keeps what
it finds so that even a message missing its id is still acknowledged.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum

from lxml import etree

__all__ = [
    "ACKNOWLEDGEMENT_DETAIL_CODE_SYSTEM",
    "HL7V3_NAMESPACE",
    "II",
    "INTERACTION_CODE_SYSTEM",
    "AcknowledgementDetail",
    "AcknowledgementDetailCode",
    "AcknowledgementDetailType",
    "AcknowledgementType",
    "Interaction",
    "Transmission",
    "build_acknowledgement",
    "format_ts",
    "hl7",
    "read_transmission",
]

HL7V3_NAMESPACE = "urn:hl7-org:v3"
"""Namespace of every HL7 V3 XML ITS element."""

INTERACTION_CODE_SYSTEM = "2.16.840.1.113883.1.6"
"""HL7 interaction ids (``interactionId/@root``, ``controlActProcess/code/@codeSystem``)."""

ACKNOWLEDGEMENT_DETAIL_CODE_SYSTEM = "2.16.840.1.113883.5.1100"
"""HL7 V3 code system AcknowledgementDetailCode."""

_NULL_FLAVOR_UNKNOWN = "UNK"


def hl7(local: str) -> str:
    """The Clark name of an HL7 V3 element.

    >>> hl7("PRPA_IN201301UV02")
    '{urn:hl7-org:v3}PRPA_IN201301UV02'
    """
    return f"{{{HL7V3_NAMESPACE}}}{local}"


class Interaction(StrEnum):
    """ITI TF-2b 3.44.4 and Table 3.44.4.1.2-1: the interactions of ITI-44.

    The value is the interaction id, the root element's name and the end of the
    SOAP action (``urn:hl7-org:v3:<interaction>``, ITI TF-2b 3.44.4.1.2.4).
    """

    PATIENT_REGISTRY_RECORD_ADDED = "PRPA_IN201301UV02"
    PATIENT_REGISTRY_RECORD_REVISED = "PRPA_IN201302UV02"
    PATIENT_REGISTRY_DUPLICATES_RESOLVED = "PRPA_IN201304UV02"
    ACCEPT_ACKNOWLEDGEMENT = "MCCI_IN000002UV01"

    @property
    def soap_action(self) -> str:
        """The WS-Addressing action of this interaction (ITI TF-2b 3.44.4.1.2.4).

        >>> Interaction.PATIENT_REGISTRY_RECORD_ADDED.soap_action
        'urn:hl7-org:v3:PRPA_IN201301UV02'
        """
        return f"urn:hl7-org:v3:{self.value}"

    @property
    def trigger_event(self) -> str:
        """The trigger event code of ``controlActProcess/code`` (``PRPA_TE…``).

        >>> Interaction.PATIENT_REGISTRY_DUPLICATES_RESOLVED.trigger_event
        'PRPA_TE201304UV02'
        """
        return self.value.replace("_IN", "_TE", 1)


class AcknowledgementType(StrEnum):
    """HL7 V3 AcknowledgementType (``acknowledgement/typeCode``), as ITI-44 uses it."""

    ACCEPT = "AA"
    ERROR = "AE"
    REJECT = "AR"


class AcknowledgementDetailType(StrEnum):
    """HL7 V3 AcknowledgementDetailType (``acknowledgementDetail/@typeCode``)."""

    ERROR = "E"
    WARNING = "W"
    INFORMATION = "I"


class AcknowledgementDetailCode(StrEnum):
    """HL7 V3 AcknowledgementDetailCode (2.16.840.1.113883.5.1100), the codes Carnet sends."""

    INTERNAL_SYSTEM_ERROR = "INTERR"
    REQUIRED_ASSOCIATION_MISSING = "SYN100"
    REQUIRED_ATTRIBUTE_MISSING = "SYN101"
    DATA_TYPE_ERROR = "SYN102"
    ASSOCIATION_REPETITIONS_EXCEED_LIMIT = "SYN110"
    UNSUPPORTED_INTERACTION = "NS200"


@dataclass(frozen=True, kw_only=True, slots=True)
class II:
    """HL7 V3 instance identifier: ``root`` (an OID or UUID) and optional ``extension``."""

    root: str
    extension: str | None = None

    @classmethod
    def from_element(cls, element: etree._Element | None) -> II | None:
        """The II of ``element``; None when absent, null-flavoured or without a root."""
        if element is None or element.get("nullFlavor"):
            return None
        root = (element.get("root") or "").strip()
        if not root:
            return None
        extension = element.get("extension")
        return cls(root=root, extension=extension.strip() if extension is not None else None)

    def write(self, element: etree._Element) -> etree._Element:
        """Set ``root`` and ``extension`` on ``element`` and return it."""
        element.set("root", self.root)
        if self.extension is not None:
            element.set("extension", self.extension)
        return element

    def __str__(self) -> str:
        """``root^extension``, the form used in logs and acknowledgement texts.

        >>> str(II(root="1.2.3", extension="X-1"))
        '1.2.3^X-1'
        """
        return self.root if self.extension is None else f"{self.root}^{self.extension}"


@dataclass(frozen=True, kw_only=True, slots=True)
class Transmission:
    """The MCCI_MT000100UV01 transmission wrapper of a request, as far as it could be read."""

    interaction: str
    """Local name of the root element (``PRPA_IN201301UV02``…)."""
    message_id: II | None = None
    """``id``: what the acknowledgement's ``targetMessage/id`` repeats."""
    interaction_id: II | None = None
    processing_code: str | None = None
    """``processingCode/@code``: P (production), D (debugging) or T (training)."""
    processing_mode_code: str | None = None
    accept_ack_code: str | None = None
    sender_device_ids: tuple[II, ...] = ()
    """``sender/device/id``: become the acknowledgement's receiver."""
    receiver_device_ids: tuple[II, ...] = ()
    """``receiver[1]/device/id``: become the acknowledgement's sender."""


@dataclass(frozen=True, kw_only=True, slots=True)
class AcknowledgementDetail:
    """One ``acknowledgementDetail``: why a message was not (fully) accepted."""

    text: str
    code: AcknowledgementDetailCode | None = None
    type: AcknowledgementDetailType = AcknowledgementDetailType.ERROR
    location: str | None = None
    """Path of the offending element in the request, e.g. ``controlActProcess/subject``."""


def read_transmission(message: etree._Element) -> Transmission:
    """Read the transmission wrapper of an HL7 V3 ``message``; never raises."""
    sender_ids: tuple[II, ...] = ()
    sender = message.find(hl7("sender"))
    if sender is not None:
        sender_ids = _device_ids(sender)
    receiver_ids: tuple[II, ...] = ()
    receiver = message.find(hl7("receiver"))
    if receiver is not None:
        receiver_ids = _device_ids(receiver)
    return Transmission(
        interaction=etree.QName(message).localname,
        message_id=II.from_element(message.find(hl7("id"))),
        interaction_id=II.from_element(message.find(hl7("interactionId"))),
        processing_code=_code(message, "processingCode"),
        processing_mode_code=_code(message, "processingModeCode"),
        accept_ack_code=_code(message, "acceptAckCode"),
        sender_device_ids=sender_ids,
        receiver_device_ids=receiver_ids,
    )


def build_acknowledgement(
    request: Transmission,
    *,
    type_code: AcknowledgementType,
    details: Iterable[AcknowledgementDetail] = (),
    message_id: II | None = None,
    creation_time: datetime | None = None,
) -> etree._Element:
    """The ``MCCI_IN000002UV01`` accept acknowledgement of ``request``.

    ITI TF-2b 3.44.4.1.3 / 3.44.4.2.3: the receiver and sender devices are the
    request's sender and receiver, ``targetMessage/id`` is the request's id;
    ``processingCode`` and ``processingModeCode`` echo the request's (``P`` and
    ``T`` when it had none) and ``acceptAckCode`` is ``NE``: an acknowledgement
    is never acknowledged. A missing request id or device id is written with
    ``nullFlavor="UNK"`` so that the acknowledgement stays schema-valid.
    ``message_id`` defaults to a fresh UUID, ``creation_time`` to now (UTC).
    """
    # HL7 V3 instances use the default namespace; lxml-stubs 0.5 does not know the None key.
    nsmap = {None: HL7V3_NAMESPACE}
    ack = etree.Element(hl7(Interaction.ACCEPT_ACKNOWLEDGEMENT.value), nsmap=nsmap)  # type: ignore[arg-type]
    ack.set("ITSVersion", "XML_1.0")
    (message_id or II(root=str(uuid.uuid4()))).write(etree.SubElement(ack, hl7("id")))
    created = creation_time or datetime.now(UTC)
    etree.SubElement(ack, hl7("creationTime")).set("value", format_ts(created))
    II(root=INTERACTION_CODE_SYSTEM, extension=Interaction.ACCEPT_ACKNOWLEDGEMENT.value).write(
        etree.SubElement(ack, hl7("interactionId"))
    )
    etree.SubElement(ack, hl7("processingCode")).set("code", request.processing_code or "P")
    etree.SubElement(ack, hl7("processingModeCode")).set(
        "code", request.processing_mode_code or "T"
    )
    etree.SubElement(ack, hl7("acceptAckCode")).set("code", "NE")
    _write_device(ack, "receiver", "RCV", request.sender_device_ids)
    _write_device(ack, "sender", "SND", request.receiver_device_ids)
    acknowledgement = etree.SubElement(ack, hl7("acknowledgement"))
    etree.SubElement(acknowledgement, hl7("typeCode")).set("code", type_code.value)
    target_id = etree.SubElement(etree.SubElement(acknowledgement, hl7("targetMessage")), hl7("id"))
    if request.message_id is not None:
        request.message_id.write(target_id)
    else:
        target_id.set("nullFlavor", _NULL_FLAVOR_UNKNOWN)
    for detail in details:
        _write_detail(acknowledgement, detail)
    return ack


def format_ts(moment: datetime) -> str:
    """An HL7 V3 TS to the second, in UTC (``YYYYMMDDHHMMSS``).

    >>> format_ts(datetime(2024, 3, 15, 10, 30, 5, tzinfo=UTC))
    '20240315103005'
    """
    if moment.tzinfo is not None:
        moment = moment.astimezone(UTC)
    return moment.strftime("%Y%m%d%H%M%S")


def _code(message: etree._Element, name: str) -> str | None:
    element = message.find(hl7(name))
    code = element.get("code") if element is not None else None
    return code.strip() or None if code is not None else None


def _device_ids(participation: etree._Element) -> tuple[II, ...]:
    ids = (II.from_element(e) for e in participation.iterfind(f"{hl7('device')}/{hl7('id')}"))
    return tuple(i for i in ids if i is not None)


def _write_device(ack: etree._Element, name: str, type_code: str, ids: tuple[II, ...]) -> None:
    participation = etree.SubElement(ack, hl7(name))
    participation.set("typeCode", type_code)
    device = etree.SubElement(participation, hl7("device"))
    device.set("classCode", "DEV")
    device.set("determinerCode", "INSTANCE")
    if not ids:
        etree.SubElement(device, hl7("id")).set("nullFlavor", _NULL_FLAVOR_UNKNOWN)
    for identifier in ids:
        identifier.write(etree.SubElement(device, hl7("id")))


def _write_detail(acknowledgement: etree._Element, detail: AcknowledgementDetail) -> None:
    element = etree.SubElement(acknowledgement, hl7("acknowledgementDetail"))
    element.set("typeCode", detail.type.value)
    if detail.code is not None:
        code = etree.SubElement(element, hl7("code"))
        code.set("code", detail.code.value)
        code.set("codeSystem", ACKNOWLEDGEMENT_DETAIL_CODE_SYSTEM)
    etree.SubElement(element, hl7("text")).text = detail.text
    if detail.location is not None:
        etree.SubElement(element, hl7("location")).text = detail.location
