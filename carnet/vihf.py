"""ANS VIHF (Vecteur d'Identification et d'Habilitation Formelle) — who calls the DMP, and how.

The VIHF is the SAML 2.0 assertion DMP software sends in ``wsse:Security``; ``soap/saml.py``
checks its signature and validity, this module gives its attributes their DMP meaning as a
:class:`VihfIdentity`. Attribute names and values follow the ANS VIHF field list
(``ansforge/IG-hl7v2-volet-transmission-document-cda-r2`` ``mapping.md``, and its example
``tests/data/vihf/vihf_example_pfi_automate.xml``); which ones are mandatory follows ANS
DRIMbox ``VIHFField.isOptionnal()``: ``VIHF_Version``, the roles, ``Secteur_Activite``,
``Ressource_URN``, the purpose of use, the subject id, ``Authentification_Mode``,
``Identifiant_Structure``, ``LPS_ID_HOMOLOGATION_DMP`` and ``LPS_Nom`` — plus ``Subject/NameID``,
the user's national id, without which nobody is identified.

A missing mandatory attribute is :class:`~soap.identity_errors.MissingAttribute`, a value
outside its vocabulary :class:`~soap.identity_errors.InvalidAttribute`, each naming the
attribute; ``soap/faults.py`` answers them as SOAP faults.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import TypeVar

from cda.ins import is_ins_authority
from registry.dmp_vocabulary import AccessMode
from soap.identity_errors import InvalidAttribute, MissingAttribute
from soap.saml import Assertion, AttributeValue, SamlAttribute

__all__ = [
    "AccessMode",
    "AuthenticationMode",
    "Code",
    "CodeSystem",
    "SoftwareIdentity",
    "VihfAttribute",
    "VihfIdentity",
    "read_vihf",
]


class VihfAttribute(StrEnum):
    """The ``saml2:Attribute/@Name`` of each VIHF field (ANS VIHF mapping)."""

    VIHF_VERSION = "VIHF_Version"
    AUTHENTICATION_MODE = "Authentification_Mode"
    STRUCTURE_ID = "Identifiant_Structure"
    """The structure's national id (Struct_IdNat)."""
    SECTOR = "Secteur_Activite"
    """``SAxx^1.2.250.1.71.4.2.4``: TRE_R02 sector of activity (JDV_J61)."""
    SUBJECT_NAME = "urn:oasis:names:tc:xspa:1.0:subject:subject-id"
    """The user's name and service (software and model for an automaton)."""
    ROLE = "urn:oasis:names:tc:xacml:2.0:subject:role"
    """Repeated HL7 ``Role`` CE: profession (TRE_G15), speciality (TRE_R01) … (JDV_J65)."""
    PURPOSE_OF_USE = "urn:oasis:names:tc:xspa:1.0:subject:purposeofuse"
    """HL7 ``PurposeOfUse`` CE: the access mode (TRE_R248)."""
    RESOURCE_ID = "urn:oasis:names:tc:xacml:2.0:resource:resource-id"
    """The patient's INS as a CX: ``<INS>^^^&<OID>&ISO^NH``."""
    RESOURCE_URN = "Ressource_URN"
    """Constant ``urn:dmp``."""
    SOFTWARE_ID = "LPS_ID"
    SOFTWARE_NAME = "LPS_Nom"
    SOFTWARE_VERSION = "LPS_Version"
    SOFTWARE_APPROVAL = "LPS_ID_HOMOLOGATION_DMP"
    """The software's DMP approval ("homologation") number."""


class AuthenticationMode(StrEnum):
    """``Authentification_Mode`` (DMP.md §2.1)."""

    DIRECT = "DIRECTE"
    """The professional's own CPS/CPx card."""
    INDIRECT = "INDIRECTE"
    """A structure's certificate (hospitals, integration platforms, automata)."""
    REINFORCED_INDIRECT = "INDIRECTE_RENFORCEE"
    """"AIR": indirect with Pro Santé Connect, giving the consultation profile."""


class CodeSystem(StrEnum):
    """The code systems of the VIHF's coded values (ANS terminologies, "TRE")."""

    TRE_G15_PROFESSION = "1.2.250.1.71.1.2.7"
    """Professions (e.g. ``10`` Médecin): the first role of a health professional."""
    TRE_R01_SPECIALTY = "1.2.250.1.71.4.2.5"
    """Specialities of physicians and pharmacists (e.g. ``SM26``)."""
    TRE_R02_SECTOR = "1.2.250.1.71.4.2.4"
    """Sectors of activity (``Secteur_Activite``, e.g. ``SA07``)."""
    TRE_R248_ACCESS_MODE = "1.2.250.1.213.1.1.4.248"
    """Access modes (``PurposeOfUse``)."""
    DMP_USER_ROLE = "1.2.250.1.213.1.1.4.6"
    """Roles of non-professional users, such as ``AUTOMATE`` in the ANS example."""


_RESOURCE_URN = "urn:dmp"
_E = TypeVar("_E", bound=StrEnum)


@dataclass(frozen=True, kw_only=True)
class Code:
    """A coded value (HL7 CE): code, code system OID, display name."""

    code: str
    system: str
    display_name: str | None = None


@dataclass(frozen=True, kw_only=True)
class SoftwareIdentity:
    """The calling software ("LPS", logiciel de professionnel de santé)."""

    name: str
    """``LPS_Nom``."""
    approval: str
    """``LPS_ID_HOMOLOGATION_DMP``: the DMP approval number."""
    version: str | None = None
    """``LPS_Version``."""
    instance_id: str | None = None
    """``LPS_ID``: the software instance."""


@dataclass(frozen=True, kw_only=True)
class VihfIdentity:
    """Who calls the DMP, on whose behalf, for which patient and how (the VIHF's meaning)."""

    subject_id: str
    """``Subject/NameID``: the user's national id (IDNPS: RPPS or ADELI with its prefix)."""
    subject_name: str
    """``subject-id``: the user's name and service."""
    structure_id: str
    """``Identifiant_Structure``: the structure's national id."""
    sector: Code
    """``Secteur_Activite``: TRE_R02 sector of activity."""
    authentication_mode: AuthenticationMode
    """``Authentification_Mode``."""
    roles: tuple[Code, ...]
    """``role`` values: profession, then speciality, … (at least one)."""
    access_mode: AccessMode
    """``purposeofuse``: normal, break-the-glass or centre 15."""
    software: SoftwareIdentity
    """``LPS_*``: the calling software."""
    patient_id: str | None = None
    """``resource-id``: the patient's INS as a CX (``<INS>^^^&<OID>&ISO^NH``); None for calls
    about no patient."""
    vihf_version: str = "3.0"
    """``VIHF_Version``."""
    resource_urn: str = _RESOURCE_URN
    """``Ressource_URN``: ``urn:dmp``."""
    authn_context: str | None = None
    """``AuthnContextClassRef``: how the user authenticated locally."""

    @property
    def profession(self) -> Code | None:
        """The TRE_G15 profession among the roles (e.g. ``10`` Médecin), if any."""
        return self._role_in(CodeSystem.TRE_G15_PROFESSION)

    @property
    def specialty(self) -> Code | None:
        """The TRE_R01 speciality among the roles (e.g. ``SM26``), if any."""
        return self._role_in(CodeSystem.TRE_R01_SPECIALTY)

    @property
    def patient_ins(self) -> tuple[str, str] | None:
        """The patient's INS and its assigning authority OID, from ``patient_id``."""
        return None if self.patient_id is None else _split_ins(self.patient_id)

    def _role_in(self, system: CodeSystem) -> Code | None:
        return next((role for role in self.roles if role.system == system.value), None)


def read_vihf(assertion: Assertion) -> VihfIdentity:
    """The DMP meaning of ``assertion`` (already verified by :func:`soap.saml.verify_assertion`).

    Raises :class:`~soap.identity_errors.MissingAttribute` or
    :class:`~soap.identity_errors.InvalidAttribute` naming the attribute at fault.
    """
    if not assertion.subject:
        raise MissingAttribute(
            "the VIHF has no Subject/NameID: the user's national id is required",
            name="Subject/NameID",
        )
    patient_id = _optional_text(assertion, VihfAttribute.RESOURCE_ID)
    if patient_id is not None:
        _split_ins(patient_id)
    resource_urn = _text(assertion, VihfAttribute.RESOURCE_URN)
    if resource_urn != _RESOURCE_URN:
        raise InvalidAttribute(
            f"the VIHF's {VihfAttribute.RESOURCE_URN} must be {_RESOURCE_URN}",
            name=VihfAttribute.RESOURCE_URN,
        )
    return VihfIdentity(
        subject_id=assertion.subject,
        subject_name=_text(assertion, VihfAttribute.SUBJECT_NAME),
        structure_id=_text(assertion, VihfAttribute.STRUCTURE_ID),
        sector=_sector(_text(assertion, VihfAttribute.SECTOR)),
        authentication_mode=_enum(assertion, VihfAttribute.AUTHENTICATION_MODE, AuthenticationMode),
        roles=tuple(
            _code(value, VihfAttribute.ROLE)
            for value in _values(assertion, VihfAttribute.ROLE, required=True)
        ),
        access_mode=_access_mode(assertion),
        software=SoftwareIdentity(
            name=_text(assertion, VihfAttribute.SOFTWARE_NAME),
            approval=_text(assertion, VihfAttribute.SOFTWARE_APPROVAL),
            version=_optional_text(assertion, VihfAttribute.SOFTWARE_VERSION),
            instance_id=_optional_text(assertion, VihfAttribute.SOFTWARE_ID),
        ),
        patient_id=patient_id,
        vihf_version=_text(assertion, VihfAttribute.VIHF_VERSION),
        resource_urn=resource_urn,
        authn_context=assertion.authn_context,
    )


# --------------------------------------------------------------------------- attributes


def _values(
    assertion: Assertion, name: VihfAttribute, *, required: bool
) -> Sequence[AttributeValue]:
    attributes: list[SamlAttribute] = [a for a in assertion.attributes if a.name == name.value]
    values = [
        value
        for attribute in attributes
        for value in attribute.values
        if value.text or value.element is not None
    ]
    if required and not values:
        raise MissingAttribute(f"the VIHF has no {name.value} attribute", name=name.value)
    return values


def _optional_text(assertion: Assertion, name: VihfAttribute) -> str | None:
    values = _values(assertion, name, required=False)
    if not values:
        return None
    if len(values) > 1 or not values[0].text:
        raise InvalidAttribute(
            f"the VIHF's {name.value} attribute must hold one text value", name=name.value
        )
    return values[0].text


def _text(assertion: Assertion, name: VihfAttribute) -> str:
    text = _optional_text(assertion, name)
    if text is None:
        raise MissingAttribute(f"the VIHF has no {name.value} attribute", name=name.value)
    return text


def _enum(assertion: Assertion, name: VihfAttribute, kind: type[_E]) -> _E:
    text = _text(assertion, name)
    try:
        return kind(text)
    except ValueError:
        allowed = ", ".join(member.value for member in kind)
        raise InvalidAttribute(
            f"the VIHF's {name.value} must be one of {allowed}", name=name.value
        ) from None


def _code(value: AttributeValue, name: VihfAttribute) -> Code:
    """An HL7 CE element value (``Role``, ``PurposeOfUse``): its ``code`` and ``codeSystem``."""
    code = value.element_attributes.get("code", "").strip()
    system = value.element_attributes.get("codeSystem", "").strip()
    if value.element is None or not code or not system:
        raise InvalidAttribute(
            f"the VIHF's {name.value} values must be HL7 CE elements with code and codeSystem",
            name=name.value,
        )
    return Code(code=code, system=system, display_name=value.element_attributes.get("displayName"))


def _access_mode(assertion: Assertion) -> AccessMode:
    name = VihfAttribute.PURPOSE_OF_USE
    values = _values(assertion, name, required=True)
    if len(values) != 1:
        raise InvalidAttribute(f"the VIHF must hold one {name.value} value", name=name.value)
    code = _code(values[0], name)
    try:
        return AccessMode(code.code)
    except ValueError:
        allowed = ", ".join(member.value for member in AccessMode)
        raise InvalidAttribute(
            f"the VIHF's access mode must be one of {allowed}", name=name.value
        ) from None


def _sector(text: str) -> Code:
    """``SAxx^1.2.250.1.71.4.2.4``: code, then its system (TRE_R02 when not given)."""
    code, _, system = text.partition("^")
    if not code.strip():
        raise InvalidAttribute(
            f"the VIHF's {VihfAttribute.SECTOR.value} has no code",
            name=VihfAttribute.SECTOR.value,
        )
    return Code(code=code.strip(), system=system.strip() or CodeSystem.TRE_R02_SECTOR.value)


def _split_ins(cx: str) -> tuple[str, str]:
    """HL7 CX ``<INS>^^^&<OID>&ISO^NH`` → (INS, OID), the OID an INS authority.

    >>> _split_ins("279035121518989^^^&1.2.250.1.213.1.4.10&ISO^NH")
    ('279035121518989', '1.2.250.1.213.1.4.10')
    """
    fields = cx.split("^")
    identifier = fields[0].strip()
    authority = fields[3].split("&") if len(fields) > 3 else []
    oid = authority[1].strip() if len(authority) > 1 else ""
    if not identifier or not is_ins_authority(oid):
        raise InvalidAttribute(
            f"the VIHF's {VihfAttribute.RESOURCE_ID.value} must be the patient's INS as "
            "<INS>^^^&<INS authority OID>&ISO^NH",
            name=VihfAttribute.RESOURCE_ID.value,
        )
    return identifier, oid
