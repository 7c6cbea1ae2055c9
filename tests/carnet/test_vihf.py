"""The VIHF's DMP meaning (``carnet/vihf.py``): attributes, vocabularies, mandatory fields.

The ANS example (``tests/data/vihf/``) is read without verification (its signature is a
placeholder); signed assertions come from ``carnet/dev_identity.py`` and the test PKI.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from lxml import etree

from carnet.dev_identity import signed_vihf
from carnet.vihf import (
    AccessMode,
    AuthenticationMode,
    Code,
    CodeSystem,
    SoftwareIdentity,
    VihfAttribute,
    VihfIdentity,
    read_vihf,
)
from cda.certificates import load_trust_store
from schemas import parse_xml
from soap.identity_errors import InvalidAttribute, MissingAttribute
from soap.saml import AssertionPolicy, read_unverified_assertion, verify_assertion
from soap.ws_security import SAML_NAMESPACE, find_assertion
from tests.signing_pki import Pki, make_pki

DATA = Path(__file__).resolve().parent.parent / "data" / "vihf"
SAML = {"saml2": SAML_NAMESPACE}

# DRIMbox VIHFField.isOptionnal(): the attributes the DMP requires.
MANDATORY = [
    VihfAttribute.VIHF_VERSION,
    VihfAttribute.ROLE,
    VihfAttribute.SECTOR,
    VihfAttribute.RESOURCE_URN,
    VihfAttribute.PURPOSE_OF_USE,
    VihfAttribute.SUBJECT_NAME,
    VihfAttribute.AUTHENTICATION_MODE,
    VihfAttribute.STRUCTURE_ID,
    VihfAttribute.SOFTWARE_APPROVAL,
    VihfAttribute.SOFTWARE_NAME,
]


def ans_example() -> etree._Element:
    security = parse_xml((DATA / "vihf_example_pfi_automate.xml").read_bytes())
    return find_assertion([security])


def without(assertion: etree._Element, name: str) -> etree._Element:
    found = assertion.xpath(
        "saml2:AttributeStatement/saml2:Attribute[@Name=$name]", namespaces=SAML, name=name
    )
    assert isinstance(found, list)
    for attribute in found:
        assert isinstance(attribute, etree._Element)
        parent = attribute.getparent()
        assert parent is not None
        parent.remove(attribute)
    return assertion


def with_value(assertion: etree._Element, name: str, text: str) -> etree._Element:
    values = assertion.xpath(
        "saml2:AttributeStatement/saml2:Attribute[@Name=$name]/saml2:AttributeValue",
        namespaces=SAML,
        name=name,
    )
    assert isinstance(values, list) and isinstance(values[0], etree._Element)
    values[0].text = text
    return assertion


def test_ans_example_attributes_are_read() -> None:
    identity = read_vihf(read_unverified_assertion(ans_example()))
    assert identity.subject_id == "XXXXX/XXXXXX"
    assert identity.subject_name == "XX,XX, XX"
    assert identity.structure_id == "xxxxxxx"
    assert identity.sector == Code(code="SA41", system=CodeSystem.TRE_R02_SECTOR.value)
    assert identity.authentication_mode is AuthenticationMode.INDIRECT
    assert identity.roles == (
        Code(code="AUTOMATE", system=CodeSystem.DMP_USER_ROLE.value, display_name="AUTOMATE"),
    )
    assert identity.profession is None and identity.specialty is None
    assert identity.access_mode is AccessMode.NORMAL
    assert identity.patient_id == "XXXXXXX^^^&1.2.250.1.213.1.4.10&ISO^NH"
    assert identity.patient_ins == ("XXXXXXX", "1.2.250.1.213.1.4.10")
    assert identity.resource_urn == "urn:dmp"
    assert identity.vihf_version == "3.0"
    assert identity.software == SoftwareIdentity(
        name="EVOSIPS",
        approval="EVO-20200654-tmp8",
        version="1.2.0",
        instance_id="1.2.250.1.259.1.1.1234567890",
    )
    assert identity.authn_context == "urn:oasis:names:tc:SAML:2.0:ac:classes:unspecified"


@pytest.mark.parametrize("name", MANDATORY, ids=lambda n: n.value)
def test_missing_mandatory_attribute_is_refused(name: VihfAttribute) -> None:
    assertion = read_unverified_assertion(without(ans_example(), name.value))
    with pytest.raises(MissingAttribute) as refused:
        read_vihf(assertion)
    assert refused.value.name == name.value
    assert name.value in refused.value.reason


def test_missing_name_id_is_refused() -> None:
    assertion = ans_example()
    subject = assertion.find(f"{{{SAML_NAMESPACE}}}Subject")
    assert subject is not None
    assertion.remove(subject)
    with pytest.raises(MissingAttribute, match="NameID"):
        read_vihf(read_unverified_assertion(assertion))


def test_optional_attributes_may_be_absent() -> None:
    assertion = ans_example()
    for name in (
        VihfAttribute.RESOURCE_ID,
        VihfAttribute.SOFTWARE_VERSION,
        VihfAttribute.SOFTWARE_ID,
    ):
        without(assertion, name.value)
    identity = read_vihf(read_unverified_assertion(assertion))
    assert identity.patient_id is None and identity.patient_ins is None
    assert identity.software.version is None and identity.software.instance_id is None


def test_unknown_authentication_mode_is_refused() -> None:
    assertion = with_value(ans_example(), VihfAttribute.AUTHENTICATION_MODE.value, "MAGIQUE")
    with pytest.raises(InvalidAttribute, match="DIRECTE, INDIRECTE, INDIRECTE_RENFORCEE"):
        read_vihf(read_unverified_assertion(assertion))


def test_unknown_access_mode_is_refused() -> None:
    assertion = ans_example()
    purpose = assertion.find(
        f".//{{{SAML_NAMESPACE}}}Attribute[@Name='{VihfAttribute.PURPOSE_OF_USE.value}']//"
        "{urn:hl7-org:v3}PurposeOfUse"
    )
    assert purpose is not None
    purpose.set("code", "curiosite")
    with pytest.raises(InvalidAttribute, match="normal, bris_de_glace, centre_15"):
        read_vihf(read_unverified_assertion(assertion))


def test_patient_id_outside_the_ins_authorities_is_refused() -> None:
    assertion = with_value(ans_example(), VihfAttribute.RESOURCE_ID.value, "123^^^&1.2.3.4&ISO^PI")
    with pytest.raises(InvalidAttribute) as refused:
        read_vihf(read_unverified_assertion(assertion))
    assert refused.value.name == VihfAttribute.RESOURCE_ID.value


def test_resource_urn_other_than_dmp_is_refused() -> None:
    assertion = with_value(ans_example(), VihfAttribute.RESOURCE_URN.value, "urn:elsewhere")
    with pytest.raises(InvalidAttribute, match="urn:dmp"):
        read_vihf(read_unverified_assertion(assertion))


def test_role_that_is_not_a_coded_value_is_refused() -> None:
    assertion = ans_example()
    role = assertion.find(".//{urn:hl7-org:v3}Role")
    assert role is not None
    del role.attrib["codeSystem"]
    with pytest.raises(InvalidAttribute, match="code and codeSystem"):
        read_vihf(read_unverified_assertion(assertion))


@pytest.fixture(scope="module")
def pki(tmp_path_factory: pytest.TempPathFactory) -> Pki:
    return make_pki(tmp_path_factory.mktemp("vihf-pki"))


def test_signed_vihf_reads_back_as_the_identity_written(pki: Pki) -> None:
    identity = VihfIdentity(
        subject_id="899700000001",
        subject_name="Dr Urgences",
        structure_id="10B0000001",
        sector=Code(code="SA07", system=CodeSystem.TRE_R02_SECTOR.value),
        authentication_mode=AuthenticationMode.DIRECT,
        roles=(
            Code(code="10", system=CodeSystem.TRE_G15_PROFESSION.value),
            Code(code="SM26", system=CodeSystem.TRE_R01_SPECIALTY.value),
        ),
        access_mode=AccessMode.BREAK_THE_GLASS,
        software=SoftwareIdentity(name="Carnet", approval="CARNET-TEST"),
        patient_id="279035121518989^^^&1.2.250.1.213.1.4.10&ISO^NH",
        authn_context="urn:oasis:names:tc:SAML:2.0:ac:classes:SmartcardPKI",
    )
    now = datetime.now(UTC)
    assertion = signed_vihf(identity, key=pki.signer, now=now)
    policy = AssertionPolicy(trust_store=load_trust_store(pki.trust_store))
    read = read_vihf(verify_assertion(assertion, policy=policy, at=now))
    assert read == identity
    assert read.profession == Code(code="10", system=CodeSystem.TRE_G15_PROFESSION.value)
    assert read.specialty == Code(code="SM26", system=CodeSystem.TRE_R01_SPECIALTY.value)
