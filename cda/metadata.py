"""ITI TF-3 4.2.3.2 and the CI-SIS mapping — the XDS DocumentEntry a CDA R2 header implies.

A Document Source fills most DocumentEntry attributes from the document itself; for a CI-SIS
CDA the ANS mapping "en-tête CDA → métadonnées XDS" (volet "Partage de documents de santé",
IG ``volet-transmission-document-cda-r2`` page "mapping") says where each comes from:

=============================  ==============================================================
uniqueId                       ``id``: ``root``, or ``root^extension`` (ITI TF-3 4.2.3.2.26)
typeCode                       ``code``
classCode                      typeCode through ASS_X16 (:mod:`cda.concept_maps`)
formatCode                     ``templateId`` through ASS_A11; level 1: ``nonXMLBody`` mediaType
confidentialityCode            ``confidentialityCode`` (the first occurrence; a DMP sender may
                               add visibility codes of its own)
languageCode, title            ``languageCode/@code``, ``title``
creationTime                   ``effectiveTime``, in UTC (DTM, ITI TF-3 Table 4.2.3.1.7-2)
serviceStart/StopTime          ``documentationOf/serviceEvent/effectiveTime/low`` / ``high``
patientId                      the INS: ``recordTarget/patientRole/id`` of an INS authority
sourcePatientId                the producer's own id (IPP) there, else the INS
sourcePatientInfo              PID-3 (ids), PID-5 (names), PID-7 (birth date), PID-8 (sex)
author                         each ``author``: person (XCN) from ``assignedAuthor/id`` and the
                               person's or device's name, institution (XON) from
                               ``representedOrganization``, role from ``functionCode``,
                               specialty from ``assignedAuthor/code``, telecom (XTN)
legalAuthenticator             ``legalAuthenticator/assignedEntity`` (XCN)
healthcareFacilityTypeCode     ``componentOf/encompassingEncounter/location/healthCareFacility/
                               code``
practiceSettingCode            ``documentationOf/serviceEvent/performer/assignedEntity/
                               representedOrganization/standardIndustryClassCode`` (mandatory
                               in "Structuration minimale"; failing it, the legal
                               authenticator's then an author's organisation)
eventCodeList                  ``documentationOf/serviceEvent/code`` and its translations
referenceIdList                ``inFulfillmentOf/order/id`` (order), its DICOM
                               ``accessionNumber`` (accession), ``encompassingEncounter/id``
                               (encounterId), an imaging report's ``serviceEvent/id``
                               (studyInstanceUID) — ITI TF-3 4.2.3.2.28, JDV_J197
mimeType                       ``text/xml``
=============================  ==============================================================

plus what the header says about versions (``setId``, ``versionNumber``) and the document a new
version replaces (``relatedDocument[@typeCode='RPLC']/parentDocument/id``, DMP TD2.1b).
HL7 v2 values (CX, XCN, XON, XTN) are written in the forms of the ANS examples (PDSm4DMP
"Author" examples: ``id^FAMILY^Given^^^^^^&1.2.250.1.71.4.2.1&ISO^D^^^IDNPS``).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta

from lxml import etree

from cda.coded_value import CodedValue
from cda.concept_maps import class_code_for, format_code_for
from cda.document import CDA_NAMESPACE, CdaDocument
from cda.errors import CdaMetadataError
from cda.ins import is_ins_authority

__all__ = ["CdaAuthor", "CdaMetadata", "ReferenceIdType", "cda_metadata", "utc_dtm"]

_V3 = f"{{{CDA_NAMESPACE}}}"
_DICOM_PS3_20 = "{urn:dicom-org:ps3-20}"
_IDNPS = "1.2.250.1.71.4.2.1"  # national ids of persons (RPPS/ADELI based)
_IDNST = "1.2.250.1.71.4.2.2"  # national ids of structures (FINESS, SIRET…)
_DICOM_TEMPLATE_PREFIX = "1.2.840.10008.9."  # DICOM PS3.20 imaging report templates
_TS = re.compile(r"^(\d{4,14})(?:\.\d+)?([+-]\d{4})?$")


class ReferenceIdType:
    """ITI TF-3 4.2.3.2.28 (JDV_J197): the CXi identifier types of referenceIdList."""

    ORDER = "urn:ihe:iti:xds:2013:order"
    ACCESSION = "urn:ihe:iti:xds:2013:accession"
    ENCOUNTER = "urn:ihe:iti:xds:2015:encounterId"
    STUDY_INSTANCE_UID = "urn:ihe:iti:xds:2016:studyInstanceUID"


@dataclass(frozen=True, kw_only=True, slots=True)
class CdaAuthor:
    """One ``author`` of the header, as the XDS author classification's slots."""

    person: str | None = None
    """``authorPerson``: XCN of the person or device."""
    institution: str | None = None
    """``authorInstitution``: XON of ``representedOrganization`` (it needs a name)."""
    role: str | None = None
    """``authorRole``: ``functionCode/@displayName`` (or its code)."""
    specialty: CodedValue | None = None
    """``authorSpecialty``: ``assignedAuthor/code`` (JDV_J01)."""
    telecoms: tuple[str, ...] = ()
    """``authorTelecommunication``: XTN of each ``assignedAuthor/telecom``."""


@dataclass(frozen=True, kw_only=True, slots=True)
class CdaMetadata:
    """The DocumentEntry attributes a CDA header gives, with the header's version facts."""

    unique_id: str
    """``uniqueId``: ``root`` or ``root^extension`` of ``ClinicalDocument/id``."""
    patient_id: str | None = None
    """``patientId``: the INS as a CX ``ID^^^&OID&ISO``; ``None`` when the header has none."""
    patient_ids: tuple[str, ...] = ()
    """Every ``recordTarget/patientRole/id`` as a CX: the INS first, then the others."""
    source_patient_id: str | None = None
    """``sourcePatientId``: the producer's id of the patient (IPP), else the INS."""
    source_patient_info: tuple[str, ...] = ()
    """``sourcePatientInfo``: ``PID-3|…``, ``PID-5|…``, ``PID-7|…``, ``PID-8|…``."""
    title: str | None = None
    type_code: CodedValue | None = None
    class_code: CodedValue | None = None
    """Derived from typeCode (ASS_X16); ``None`` when the map has no row for it."""
    format_code: CodedValue | None = None
    """Derived from the templateIds or the level-1 payload (ASS_A11); ``None`` if unmapped."""
    confidentiality_code: CodedValue | None = None
    language_code: str | None = None
    creation_time: str | None = None
    """DTM in UTC, at the precision of ``effectiveTime``."""
    service_start_time: str | None = None
    service_stop_time: str | None = None
    healthcare_facility_type_code: CodedValue | None = None
    practice_setting_code: CodedValue | None = None
    event_codes: tuple[CodedValue, ...] = ()
    authors: tuple[CdaAuthor, ...] = ()
    legal_authenticator: str | None = None
    reference_ids: tuple[str, ...] = ()
    """``referenceIdList``: CXi values ``id^^^&OID&ISO^type``."""
    mime_type: str = "text/xml"
    set_id: str | None = None
    """``setId``, written like a uniqueId: shared by every version of the document."""
    version_number: str | None = None
    """``versionNumber/@value``."""
    replaces: str | None = None
    """uniqueId of the document this version replaces (``relatedDocument`` RPLC)."""
    template_ids: tuple[str, ...] = ()
    """``ClinicalDocument/templateId/@root``, in document order."""
    media_type: str | None = None
    """Level 1 only: the ``nonXMLBody/text/@mediaType`` of the payload."""


def cda_metadata(document: CdaDocument) -> CdaMetadata:
    """The XDS metadata of ``document``'s header (see the module's table).

    Raises :class:`~cda.errors.CdaMetadataError` when the header has no usable
    ``ClinicalDocument/id`` or a time that is not an HL7 TS.
    """
    root = document.root
    unique_id = _unique_id(root.find(f"{_V3}id"))
    if unique_id is None:
        raise CdaMetadataError("the header has no ClinicalDocument/id with a root: no uniqueId")
    template_ids = tuple(
        value for t in root.iterfind(f"{_V3}templateId") if (value := t.get("root"))
    )
    media_type = None
    if document.is_level_1:
        text = root.find(f"{_V3}component/{_V3}nonXMLBody/{_V3}text")
        media_type = None if text is None else text.get("mediaType", "text/plain")
    type_code = _coded(root.find(f"{_V3}code"))
    patient_role = root.find(f"{_V3}recordTarget/{_V3}patientRole")
    patient = _Patient(patient_role)
    start, stop = _service_times(root)
    language = root.find(f"{_V3}languageCode")
    return CdaMetadata(
        unique_id=unique_id,
        patient_id=patient.ins,
        patient_ids=patient.ids,
        source_patient_id=patient.source_id,
        source_patient_info=patient.info(),
        title=_text(root.find(f"{_V3}title")),
        type_code=type_code,
        class_code=None if type_code is None else class_code_for(type_code),
        format_code=format_code_for(template_ids, media_type=media_type),
        confidentiality_code=_coded(root.find(f"{_V3}confidentialityCode")),
        language_code=None if language is None else language.get("code"),
        creation_time=_time(root.find(f"{_V3}effectiveTime"), "effectiveTime"),
        service_start_time=start,
        service_stop_time=stop,
        healthcare_facility_type_code=_coded(
            root.find(
                f"{_V3}componentOf/{_V3}encompassingEncounter/{_V3}location/"
                f"{_V3}healthCareFacility/{_V3}code"
            )
        ),
        practice_setting_code=_practice_setting(root),
        event_codes=tuple(_event_codes(root)),
        authors=tuple(_author(author) for author in root.iterfind(f"{_V3}author")),
        legal_authenticator=_xcn(root.find(f"{_V3}legalAuthenticator/{_V3}assignedEntity")),
        reference_ids=tuple(dict.fromkeys(_reference_ids(root, template_ids))),
        set_id=_unique_id(root.find(f"{_V3}setId")),
        version_number=_attribute(root.find(f"{_V3}versionNumber"), "value"),
        replaces=_replaced(root),
        template_ids=template_ids,
        media_type=media_type,
    )


def utc_dtm(value: str) -> str:
    """An HL7 v3 TS (``YYYYMMDDHHMMSS.UUUU±ZZZZ``) as an XDS DTM: in UTC, no zone, no fraction.

    ITI TF-3 Table 4.2.3.1.7-2 wants every XDS time in UTC; CI-SIS headers carry local time
    with its offset. A date alone, or a time without an offset, is kept as written (there is
    nothing to convert it with). The precision of ``value`` is kept, down to the second.

    >>> utc_dtm("20191203133000+0100"), utc_dtm("202302091130+0100"), utc_dtm("20210401")
    ('20191203123000', '202302091030', '20210401')
    >>> utc_dtm("20240101003000.123+0200")
    '20231231223000'
    """
    match = _TS.match(value.strip())
    if match is None or len(match.group(1)) % 2:
        raise CdaMetadataError(f"time {value!r} is not an HL7 TS (YYYY[MM[DD[HH[MM[SS]]]]]±ZZZZ)")
    digits, zone = match.group(1), match.group(2)
    try:
        moment = datetime.strptime(digits[:4] + _pad(digits), "%Y%m%d%H%M%S")
    except ValueError:
        raise CdaMetadataError(f"time {value!r} is not a valid date and time") from None
    if zone is None or len(digits) < 10:
        return digits
    sign = -1 if zone[0] == "-" else 1
    offset = timedelta(hours=int(zone[1:3]), minutes=int(zone[3:5])) * sign
    precision = len(digits)
    if precision == 10 and offset.seconds % 3600:
        precision = 12  # a half-hour zone moves the minutes
    return (moment - offset).strftime("%Y%m%d%H%M%S")[:precision]


def _pad(digits: str) -> str:
    """Month and day default to 01, hours to 00: the rest of a 14-digit timestamp."""
    rest = digits[4:]
    defaults = "0101000000"
    return rest + defaults[len(rest) :]


# ----------------------------------------------------------------------------- header parts


def _attribute(element: etree._Element | None, name: str) -> str | None:
    if element is None or element.get("nullFlavor") is not None:
        return None
    value = element.get(name)
    return value.strip() if value and value.strip() else None


def _text(element: etree._Element | None) -> str | None:
    if element is None:
        return None
    content = etree.tostring(element, method="text", encoding="unicode", with_tail=False)
    text = " ".join(content.split())
    return text or None


def _coded(element: etree._Element | None) -> CodedValue | None:
    """A CD/CE element with a code and a code system (nullFlavor: none)."""
    code = _attribute(element, "code")
    system = _attribute(element, "codeSystem")
    if element is None or code is None or system is None:
        return None
    return CodedValue(
        code=code, code_system=system, display_name=_attribute(element, "displayName")
    )


def _ii(element: etree._Element | None) -> tuple[str, str | None] | None:
    """An II as (root, extension); ``None`` for a nullFlavor or no root."""
    root = _attribute(element, "root")
    if root is None:
        return None
    return root, _attribute(element, "extension")


def _unique_id(element: etree._Element | None) -> str | None:
    """ITI TF-3 4.2.3.2.26: an II as ``root^extension``, or ``root`` alone."""
    ii = _ii(element)
    if ii is None:
        return None
    root, extension = ii
    return root if extension is None else f"{root}^{extension}"


def _cx(root: str, extension: str) -> str:
    """ITI TF-3 Table 4.2.3.1.7-2: CX ``ID^^^&OID&ISO``."""
    return f"{_escape(extension)}^^^&{root}&ISO"


def _escape(text: str) -> str:
    """HL7 v2.5 §2.7.4 escapes for the delimiters, so free text stays one component.

    >>> _escape("A^B&C")
    'A\\\\S\\\\B\\\\T\\\\C'
    """
    text = text.replace("\\", "\\E\\")
    for character, escape in (("|", "\\F\\"), ("^", "\\S\\"), ("&", "\\T\\"), ("~", "\\R\\")):
        text = text.replace(character, escape)
    return text


def _time(element: etree._Element | None, where: str) -> str | None:
    value = _attribute(element, "value")
    if value is None:
        return None
    try:
        return utc_dtm(value)
    except CdaMetadataError as error:
        raise CdaMetadataError(f"{where}: {error.reason}") from None


def _service_times(root: etree._Element) -> tuple[str | None, str | None]:
    """The earliest start and the latest stop over every documented service event."""
    starts: list[str] = []
    stops: list[str] = []
    path = f"{_V3}documentationOf/{_V3}serviceEvent/{_V3}effectiveTime"
    for interval in root.iterfind(path):
        where = "documentationOf/serviceEvent/effectiveTime"
        low = _time(interval.find(f"{_V3}low"), where + "/low")
        high = _time(interval.find(f"{_V3}high"), where + "/high")
        point = _time(interval, where)
        if low or point:
            starts.append(low or point or "")
        if high:
            stops.append(high)
    start = min(starts, key=lambda t: t.ljust(14, "0")) if starts else None
    stop = max(stops, key=lambda t: t.ljust(14, "9")) if stops else None
    return start, stop


def _practice_setting(root: etree._Element) -> CodedValue | None:
    organisation = f"{_V3}representedOrganization/{_V3}standardIndustryClassCode"
    for path in (
        f"{_V3}documentationOf/{_V3}serviceEvent/{_V3}performer/{_V3}assignedEntity",
        f"{_V3}legalAuthenticator/{_V3}assignedEntity",
        f"{_V3}author/{_V3}assignedAuthor",
    ):
        for element in root.iterfind(f"{path}/{organisation}"):
            coded = _coded(element)
            if coded is not None:
                return coded
    return None


def _event_codes(root: etree._Element) -> Iterator[CodedValue]:
    seen: set[tuple[str, str]] = set()
    for code in root.iterfind(f"{_V3}documentationOf/{_V3}serviceEvent/{_V3}code"):
        for element in (code, *code.iterfind(f"{_V3}translation")):
            coded = _coded(element)
            if coded is not None and (coded.code, coded.code_system) not in seen:
                seen.add((coded.code, coded.code_system))
                yield coded


def _cxi(element: etree._Element | None, kind: str) -> str | None:
    """ITI TF-3 4.2.3.2.28: a referenceIdList CXi, ``id^^^&OID&ISO^type`` (an OID alone:
    ``OID^^^^type``)."""
    ii = _ii(element)
    if ii is None:
        return None
    root, extension = ii
    if extension is None:
        return f"{root}^^^^{kind}"
    return f"{_cx(root, extension)}^{kind}"


def _reference_ids(root: etree._Element, template_ids: Iterable[str]) -> Iterator[str]:
    for order in root.iterfind(f"{_V3}inFulfillmentOf/{_V3}order"):
        for element, kind in (
            *((each, ReferenceIdType.ORDER) for each in order.iterfind(f"{_V3}id")),
            *(
                (each, ReferenceIdType.ACCESSION)
                for each in order.iterfind(f"{_DICOM_PS3_20}accessionNumber")
            ),
        ):
            if (value := _cxi(element, kind)) is not None:
                yield value
    encounter = f"{_V3}componentOf/{_V3}encompassingEncounter/{_V3}id"
    for element in root.iterfind(encounter):
        if (value := _cxi(element, ReferenceIdType.ENCOUNTER)) is not None:
            yield value
    if any(template.startswith(_DICOM_TEMPLATE_PREFIX) for template in template_ids):
        for element in root.iterfind(f"{_V3}documentationOf/{_V3}serviceEvent/{_V3}id"):
            if (value := _cxi(element, ReferenceIdType.STUDY_INSTANCE_UID)) is not None:
                yield value


def _replaced(root: etree._Element) -> str | None:
    for related in root.iterfind(f"{_V3}relatedDocument"):
        if related.get("typeCode") == "RPLC":
            return _unique_id(related.find(f"{_V3}parentDocument/{_V3}id"))
    return None


# ----------------------------------------------------------------------------- people


def _xcn(entity: etree._Element | None) -> str | None:
    """XCN of an ``assignedAuthor``/``assignedEntity``: its id, and the name of its person or
    device, as the ANS examples write them (name type ``D`` for a person, ``U`` for a device;
    identifier type ``IDNPS`` for a national id, ``EI`` for a structure's own, ``RI`` for a
    device, ``NH`` for an INS)."""
    if entity is None or entity.get("nullFlavor") is not None:
        return None
    ii = next((found for element in entity.iterfind(f"{_V3}id") if (found := _ii(element))), None)
    person = entity.find(f"{_V3}assignedPerson/{_V3}name")
    device = entity.find(f"{_V3}assignedAuthoringDevice")
    family = given = name_type = ""
    if person is not None:
        family = _escape(_first_text(person, "family") or "")
        given = _escape(_first_text(person, "given") or "")
        name_type = "D" if family or given else ""
    elif device is not None:
        family = _escape(_text(device.find(f"{_V3}manufacturerModelName")) or "")
        given = _escape(_text(device.find(f"{_V3}softwareName")) or "")
        name_type = "U" if family or given else ""
    identifier = authority = identifier_type = ""
    if ii is not None:
        root, extension = ii
        if extension is None:
            identifier = root
        else:
            identifier, authority = _escape(extension), f"&{root}&ISO"
            if device is not None:
                identifier_type = "RI"
            elif root == _IDNPS:
                identifier_type = "EI" if "/" in extension else "IDNPS"
            elif is_ins_authority(root):
                identifier_type = "NH"
    if not identifier and not family:
        return None
    components = [identifier, family, given, "", "", "", "", "", authority, name_type]
    components += ["", "", identifier_type]
    return "^".join(components).rstrip("^")


def _xon(organisation: etree._Element | None) -> str | None:
    """XON of a ``representedOrganization``: ``name^^^^^&OID&ISO^IDNST^^^id`` for a national
    structure id, ``name^^^^^^^^^OID`` for an id that is an OID alone (ITI TF-3 Table
    4.2.3.1.7-2); ``None`` without a name, which XON requires."""
    if organisation is None:
        return None
    name = _text(organisation.find(f"{_V3}name"))
    if name is None:
        return None
    ii = _ii(organisation.find(f"{_V3}id"))
    if ii is None:
        return _escape(name)
    root, extension = ii
    if extension is None:
        return f"{_escape(name)}^^^^^^^^^{root}"
    kind = "IDNST" if root == _IDNST else ""
    return f"{_escape(name)}^^^^^&{root}&ISO^{kind}^^^{_escape(extension)}"


_TELECOM_USES = {"WP": "WPN", "H": "PRN", "HP": "PRN", "HV": "VHN", "MC": "PRS", "EC": "EMR"}


def _xtn(telecom: etree._Element) -> str | None:
    """XTN of a TEL (ITI TF-3 Table 4.2.3.1.7-2): ``^NET^Internet^address`` for mail, the
    number in XTN.12 otherwise, with the use and the equipment type."""
    value = _attribute(telecom, "value")
    if value is None or ":" not in value:
        return None
    scheme, _, address = value.partition(":")
    address = _escape(address.strip())
    if scheme.lower() == "mailto":
        return f"^NET^Internet^{address}"
    uses = (telecom.get("use") or "").split()
    use = next((_TELECOM_USES[u] for u in uses if u in _TELECOM_USES), "")
    equipment = {"tel": "CP" if "MC" in uses else "PH", "fax": "FX"}.get(scheme.lower())
    if equipment is None:
        return None
    return f"^{use}^{equipment}^^^^^^^^^{address}"


def _first_text(name: etree._Element, part: str, qualifier: str | None = None) -> str | None:
    for element in name.iterfind(f"{_V3}{part}"):
        if qualifier is None or qualifier in (element.get("qualifier") or "").split():
            return _text(element)
    return None


def _author(author: etree._Element) -> CdaAuthor:
    assigned = author.find(f"{_V3}assignedAuthor")
    function = author.find(f"{_V3}functionCode")
    role = _attribute(function, "displayName") or _attribute(function, "code")
    if assigned is None:
        return CdaAuthor(role=role)
    telecoms = (_xtn(telecom) for telecom in assigned.iterfind(f"{_V3}telecom"))
    return CdaAuthor(
        person=_xcn(assigned),
        institution=_xon(assigned.find(f"{_V3}representedOrganization")),
        role=role,
        specialty=_coded(assigned.find(f"{_V3}code")),
        telecoms=tuple(each for each in telecoms if each is not None),
    )


class _Patient:
    """``recordTarget/patientRole``: the INS, the other ids, the identity traits."""

    def __init__(self, role: etree._Element | None) -> None:
        self.role = role
        ids: list[tuple[str, str]] = []
        if role is not None:
            for element in role.iterfind(f"{_V3}id"):
                ii = _ii(element)
                if ii is not None and ii[1] is not None:
                    ids.append((ii[0], ii[1]))
        ins = [(r, e) for r, e in ids if is_ins_authority(r)]
        local = [(r, e) for r, e in ids if not is_ins_authority(r)]
        self.ins = _cx(*ins[0]) if ins else None
        self.ids = tuple(_cx(r, e) for r, e in (*ins, *local))
        self.source_id = _cx(*local[0]) if local else self.ins

    def info(self) -> tuple[str, ...]:
        """ITI TF-3 4.2.3.2.20 ``PID-x|value`` lines of the identity the document gives."""
        lines = [f"PID-3|{cx}" for cx in self.ids]
        patient = None if self.role is None else self.role.find(f"{_V3}patient")
        if patient is None:
            return tuple(lines)
        name = patient.find(f"{_V3}name")
        if name is not None:
            lines += [f"PID-5|{xpn}" for xpn in _xpns(name)]
        birth = _attribute(patient.find(f"{_V3}birthTime"), "value")
        if birth is not None and birth[:8].isdigit():
            lines.append(f"PID-7|{birth[:8]}")
        gender = _attribute(patient.find(f"{_V3}administrativeGenderCode"), "code")
        if gender is not None:
            lines.append(f"PID-8|{'U' if gender == 'UN' else gender}")
        return tuple(lines)


def _xpns(name: etree._Element) -> list[str]:
    """XPN of the birth (legal, ``L``) name and, when it differs, the used (``D``) name: the
    CI-SIS qualifies them ``BR`` and ``CL`` (Structuration minimale, patient name)."""
    family = _first_text(name, "family", "BR") or _first_text(name, "family")
    given = _first_text(name, "given", "BR") or _first_text(name, "given")
    found: list[str] = []
    if family or given:
        found.append(f"{_escape(family or '')}^{_escape(given or '')}^^^^^L")
    used_family = _first_text(name, "family", "CL")
    used_given = _first_text(name, "given", "CL")
    if (used_family or used_given) and (used_family, used_given) != (family, given):
        found.append(f"{_escape(used_family or '')}^{_escape(used_given or '')}^^^^^D")
    return found
