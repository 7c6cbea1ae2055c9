"""CI-SIS and DMP value sets (jeux de valeurs) of the XDS metadata — which codes a DMP accepts.

The CI-SIS volet "Partage de documents de santé" binds each coded DocumentEntry attribute to a
value set, and the DMP restricts them further (``DMP.md`` §3): classCode to JDV_J57,
confidentialityCode to JDV_J58, formatCode to JDV_J60. The DMP's own sets for typeCode (J66),
healthcareFacilityTypeCode (J61), practiceSettingCode (J62) and authorSpecialty (J56) were not
obtained; the CI-SIS sets they restrict (J07, J02, J04, J01) stand in for them. The rule is the
same for each code: its ``code`` *and* its ``codeSystem`` must be a concept of the set.

The sets are read from copies shipped in ``cda/data/terminologies`` (``PROVENANCE.md`` there),
lazily and once per process: IHE SVS ``RetrieveValueSetResponse`` files (ITI TF-2b 3.48.4.2)
for the CI-SIS sets, FHIR ``ValueSet`` ``compose`` for the DMP ones.
"""

from __future__ import annotations

import functools
import importlib.resources
import json
from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING

from cda.coded_value import CodedValue
from schemas.loader import parse_xml

if TYPE_CHECKING:
    from cda.metadata import CdaMetadata

__all__ = [
    "DMP_BINDINGS",
    "CodeProblem",
    "ValueSet",
    "ValueSetId",
    "XdsAttribute",
    "check_code",
    "check_codes",
    "terminology_file",
    "value_set",
]

_SVS = "{urn:ihe:iti:svs:2008}"


class XdsAttribute(StrEnum):
    """The coded DocumentEntry attributes, by their ITI TF-3 Table 4.3.1-3 names."""

    TYPE_CODE = "typeCode"
    CLASS_CODE = "classCode"
    FORMAT_CODE = "formatCode"
    CONFIDENTIALITY_CODE = "confidentialityCode"
    HEALTHCARE_FACILITY_TYPE_CODE = "healthcareFacilityTypeCode"
    PRACTICE_SETTING_CODE = "practiceSettingCode"
    AUTHOR_SPECIALTY = "authorSpecialty"


class ValueSetId(StrEnum):
    """The value sets shipped, by OID (``mos.esante.gouv.fr/NOS``)."""

    J01_AUTHOR_SPECIALTY = "1.2.250.1.213.1.1.5.461"
    J02_HEALTHCARE_FACILITY_TYPE_CODE = "1.2.250.1.213.1.1.5.466"
    J04_PRACTICE_SETTING_CODE = "1.2.250.1.213.1.1.5.467"
    J07_TYPE_CODE = "1.2.250.1.213.1.1.5.471"
    J08_CONFIDENTIALITY_CODE = "1.2.250.1.213.1.1.5.463"
    J57_CLASS_CODE_DMP = "1.2.250.1.213.1.1.5.6"
    J58_CONFIDENTIALITY_CODE_DMP = "1.2.250.1.213.1.1.5.9"
    J60_FORMAT_CODE_DMP = "1.2.250.1.213.1.1.5.8"


_FILES: Mapping[ValueSetId, str] = {
    ValueSetId.J01_AUTHOR_SPECIALTY: "JDV_J01_XdsAuthorSpecialty_CISIS.xml",
    ValueSetId.J02_HEALTHCARE_FACILITY_TYPE_CODE: "JDV_J02_XdsHealthcareFacilityTypeCode_CISIS.xml",
    ValueSetId.J04_PRACTICE_SETTING_CODE: "JDV_J04_XdsPracticeSettingCode_CISIS.xml",
    ValueSetId.J07_TYPE_CODE: "JDV_J07_XdsTypeCode_CISIS.xml",
    ValueSetId.J08_CONFIDENTIALITY_CODE: "JDV_J08_XdsConfidentialityCode_CISIS.xml",
    ValueSetId.J57_CLASS_CODE_DMP: "JDV-J57-ClassCode-DMP.json",
    ValueSetId.J58_CONFIDENTIALITY_CODE_DMP: "JDV-J58-ConfidentialityCode-DMP.json",
    ValueSetId.J60_FORMAT_CODE_DMP: "JDV-J60-FormatCode-DMP.json",
}

DMP_BINDINGS: Mapping[XdsAttribute, ValueSetId] = {
    XdsAttribute.TYPE_CODE: ValueSetId.J07_TYPE_CODE,
    XdsAttribute.CLASS_CODE: ValueSetId.J57_CLASS_CODE_DMP,
    XdsAttribute.FORMAT_CODE: ValueSetId.J60_FORMAT_CODE_DMP,
    XdsAttribute.CONFIDENTIALITY_CODE: ValueSetId.J58_CONFIDENTIALITY_CODE_DMP,
    XdsAttribute.HEALTHCARE_FACILITY_TYPE_CODE: ValueSetId.J02_HEALTHCARE_FACILITY_TYPE_CODE,
    XdsAttribute.PRACTICE_SETTING_CODE: ValueSetId.J04_PRACTICE_SETTING_CODE,
    XdsAttribute.AUTHOR_SPECIALTY: ValueSetId.J01_AUTHOR_SPECIALTY,
}
"""The value set a DMP checks each coded attribute against (``DMP.md`` §3)."""

# FHIR code systems of the DMP sets (NOS "TRE" tables) and the OIDs XDS names them by
# (the TRE's OID, as JDV_J08 and the CI-SIS examples use them; TRE_A10 URNs go as "URN").
_NOS_CODE_SYSTEMS: Mapping[str, str] = {
    "TRE_A03-ClasseDocument": "1.2.250.1.213.1.1.4.1",
    "TRE_A06-FormatCodeComplementaire": "1.2.250.1.213.1.1.4.2.282",
    "TRE_A07-StatutVisibiliteDocument": "1.2.250.1.213.1.1.4.13",
    "TRE_A08-HL7Confidentiality": "2.16.840.1.113883.5.25",
    "TRE_A09-DICOMuidRegistry": "1.2.840.10008.2.6.1",
    "TRE_A10-NomenclatureURN": "URN",
    "TRE_A11-IheFormatCode": "1.3.6.1.4.1.19376.1.2.3",
}
_NOS = "https://mos.esante.gouv.fr/NOS/"


@dataclass(frozen=True, kw_only=True, slots=True)
class ValueSet:
    """One value set: its concepts, each a (code, code system) pair with its display name."""

    id: ValueSetId
    """The set's OID."""
    name: str
    """Its name, e.g. ``JDV_J07_XdsTypeCode_CISIS``."""
    concepts: Mapping[tuple[str, str], str | None]
    """(code, code system) → display name."""

    def __contains__(self, item: object) -> bool:
        """Whether a :class:`~cda.coded_value.CodedValue` is a concept (code and system)."""
        if not isinstance(item, CodedValue):
            return False
        return (item.code, item.code_system) in self.concepts

    def display_name(self, code: str, code_system: str) -> str | None:
        """The set's label for a concept, ``None`` when it is not one."""
        return self.concepts.get((code, code_system))


@dataclass(frozen=True, kw_only=True, slots=True)
class CodeProblem:
    """A coded attribute outside the value set bound to it, or missing."""

    attribute: XdsAttribute
    """Which attribute."""
    value_set: ValueSetId
    """The set it must come from."""
    code: CodedValue | None
    """The offending code; ``None`` when there is none."""
    reason: str
    """A sentence naming the attribute, the code and the set."""

    def __str__(self) -> str:
        return self.reason


def terminology_file(name: str) -> bytes:
    """The bytes of a file of ``cda/data/terminologies`` (value sets, concept maps)."""
    resource = importlib.resources.files("cda").joinpath("data", "terminologies", name)
    return resource.read_bytes()


@functools.cache
def value_set(identifier: ValueSetId) -> ValueSet:
    """The value set ``identifier``, read from its shipped file on first use."""
    name = _FILES[identifier]
    data = terminology_file(name)
    if name.endswith(".json"):
        return _fhir_value_set(identifier, data)
    return _svs_value_set(identifier, data)


def _svs_value_set(identifier: ValueSetId, data: bytes) -> ValueSet:
    """An IHE SVS ``RetrieveValueSetResponse`` (ITI TF-2b 3.48.4.2.2): ValueSet/ConceptList."""
    root = parse_xml(data)
    element = root.find(f"{_SVS}ValueSet")
    if element is None or element.get("id") != identifier.value:
        raise RuntimeError(f"{_FILES[identifier]} is not the SVS value set {identifier.value}")
    concepts = {
        (concept.get("code", ""), concept.get("codeSystem", "")): concept.get("displayName")
        for concept in element.iter(f"{_SVS}Concept")
    }
    name = (element.get("displayName") or identifier.name).removesuffix(".tabs")
    return ValueSet(id=identifier, name=name, concepts=concepts)


def _fhir_value_set(identifier: ValueSetId, data: bytes) -> ValueSet:
    """A FHIR R4 ``ValueSet`` listing its concepts in ``compose.include``."""
    resource = json.loads(data)
    oids = [each.get("value") for each in resource.get("identifier", [])]
    if f"urn:oid:{identifier.value}" not in oids:
        raise RuntimeError(f"{_FILES[identifier]} is not the value set {identifier.value}")
    concepts: dict[tuple[str, str], str | None] = {}
    for include in resource["compose"]["include"]:
        table = str(include["system"]).removeprefix(_NOS).split("/", 1)[0]
        system = _NOS_CODE_SYSTEMS.get(table)
        if system is None:
            raise RuntimeError(f"{_FILES[identifier]}: no OID known for {include['system']}")
        for concept in include.get("concept", []):
            concepts[(concept["code"], system)] = concept.get("display")
    return ValueSet(id=identifier, name=str(resource["name"]), concepts=concepts)


def check_code(attribute: XdsAttribute, code: CodedValue | None) -> CodeProblem | None:
    """The problem with ``code`` as the value of ``attribute`` for a DMP, or ``None``.

    A missing code is a problem too: the DMP requires every attribute checked here but
    authorSpecialty (PDSm4DMP DocumentEntry logical model, cardinalities 1..1).
    """
    identifier = DMP_BINDINGS[attribute]
    if code is None:
        return CodeProblem(
            attribute=attribute,
            value_set=identifier,
            code=None,
            reason=f"{attribute.value} is missing (a code of {_label(identifier)} is required)",
        )
    if code in value_set(identifier):
        return None
    return CodeProblem(
        attribute=attribute,
        value_set=identifier,
        code=code,
        reason=(
            f"{attribute.value} {code.code} (code system {code.code_system}) is not in "
            f"{_label(identifier)}"
        ),
    )


def check_codes(metadata: CdaMetadata) -> list[CodeProblem]:
    """Which codes of a CDA header's metadata fall outside the DMP's value sets.

    typeCode, classCode, formatCode, confidentialityCode, healthcareFacilityTypeCode and
    practiceSettingCode must be present and in their set; each author's specialty, when
    the header gives one, must be in J01.
    """
    found = [
        check_code(XdsAttribute.TYPE_CODE, metadata.type_code),
        check_code(XdsAttribute.CLASS_CODE, metadata.class_code),
        check_code(XdsAttribute.FORMAT_CODE, metadata.format_code),
        check_code(XdsAttribute.CONFIDENTIALITY_CODE, metadata.confidentiality_code),
        check_code(
            XdsAttribute.HEALTHCARE_FACILITY_TYPE_CODE, metadata.healthcare_facility_type_code
        ),
        check_code(XdsAttribute.PRACTICE_SETTING_CODE, metadata.practice_setting_code),
    ]
    found += [
        check_code(XdsAttribute.AUTHOR_SPECIALTY, author.specialty)
        for author in metadata.authors
        if author.specialty is not None
    ]
    return [problem for problem in found if problem is not None]


def _label(identifier: ValueSetId) -> str:
    return f"{value_set(identifier).name} ({identifier.value})"
