"""SAML 2.0 core §2/§5 assertion checks (``soap/saml.py``) and their faults (``soap/faults.py``).

Assertions are written by ``carnet/dev_identity.py`` and signed with the per-session test PKI
of ``tests/signing_pki.py`` (root, intermediate, signer; a stranger of another PKI).
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from lxml import etree

from carnet.dev_identity import build_assertion, sign_assertion
from carnet.vihf import (
    AccessMode,
    AuthenticationMode,
    Code,
    CodeSystem,
    SoftwareIdentity,
    VihfIdentity,
)
from cda.certificates import SigningKey, load_trust_store
from schemas import parse_xml
from soap.envelope import build_envelope, parse_envelope, serialize
from soap.faults import FaultCode, identity_fault
from soap.identity_errors import (
    ExpiredAssertion,
    ForgedAssertion,
    IdentityError,
    MalformedAssertion,
    PrematureAssertion,
    SecurityFaultCode,
    UnsignedAssertion,
    UntrustedIssuer,
    WrongAudience,
)
from soap.namespaces import Namespace, clark
from soap.saml import AssertionPolicy, verify_assertion
from soap.ws_security import SAML_NAMESPACE, find_assertion, security_header
from tests.signing_pki import Pki, make_pki

AUDIENCE = "http://127.0.0.1:8080"
NOW = datetime.now(UTC).replace(microsecond=0)
SAML = {"saml2": SAML_NAMESPACE}

IDENTITY = VihfIdentity(
    subject_id="899700000001",
    subject_name="Dr Test, Cardiologie",
    structure_id="10B0000001",
    sector=Code(code="SA07", system=CodeSystem.TRE_R02_SECTOR.value),
    authentication_mode=AuthenticationMode.INDIRECT,
    roles=(
        Code(code="10", system=CodeSystem.TRE_G15_PROFESSION.value),
        Code(code="SM26", system=CodeSystem.TRE_R01_SPECIALTY.value),
    ),
    access_mode=AccessMode.NORMAL,
    software=SoftwareIdentity(name="Carnet", approval="CARNET-TEST", version="1.0"),
    patient_id="279035121518989^^^&1.2.250.1.213.1.4.10&ISO^NH",
)


@pytest.fixture(scope="module")
def pki(tmp_path_factory: pytest.TempPathFactory) -> Pki:
    return make_pki(tmp_path_factory.mktemp("saml-pki"))


@pytest.fixture(scope="module")
def policy(pki: Pki) -> AssertionPolicy:
    return AssertionPolicy(trust_store=load_trust_store(pki.trust_store), audience=AUDIENCE)


def unsigned(
    *,
    key: SigningKey,
    issued: datetime = NOW,
    lifetime: timedelta | None = timedelta(minutes=10),
    audience: str | None = AUDIENCE,
) -> etree._Element:
    return build_assertion(
        IDENTITY,
        issuer=key.certificate.subject.rfc4514_string(),
        issue_instant=issued,
        not_on_or_after=None if lifetime is None else issued + lifetime,
        audience=audience,
    )


def signed(key: SigningKey, **options: object) -> etree._Element:
    return sign_assertion(unsigned(key=key, **options), key=key)  # type: ignore[arg-type]


def attribute_value(assertion: etree._Element, name: str) -> etree._Element:
    found = assertion.xpath(
        "saml2:AttributeStatement/saml2:Attribute[@Name=$name]/saml2:AttributeValue",
        namespaces=SAML,
        name=name,
    )
    assert isinstance(found, list) and found
    value = found[0]
    assert isinstance(value, etree._Element)
    return value


def test_signed_assertion_verifies_and_reads(pki: Pki, policy: AssertionPolicy) -> None:
    assertion = verify_assertion(signed(pki.signer), policy=policy, at=NOW)
    assert assertion.subject == "899700000001"
    assert assertion.issuer == pki.signer.certificate.subject.rfc4514_string()
    assert assertion.audiences == ((AUDIENCE,),)
    assert assertion.not_on_or_after == NOW + timedelta(minutes=10)
    assert assertion.signer == pki.signer.certificate
    structure = assertion.attribute("Identifiant_Structure")
    assert structure is not None and structure.values[0].text == "10B0000001"
    roles = assertion.attribute("urn:oasis:names:tc:xacml:2.0:subject:role")
    assert roles is not None
    assert [v.element_attributes["code"] for v in roles.values] == ["10", "SM26"]


def test_assertion_survives_the_wsse_security_header_round_trip(
    pki: Pki, policy: AssertionPolicy
) -> None:
    body = etree.Element("{urn:example}Ping")
    wire = serialize(build_envelope(body, headers=[security_header(signed(pki.signer))]))
    envelope = parse_envelope(parse_xml(wire), understood={clark(Namespace.WSSE, "Security")})
    assertion = verify_assertion(find_assertion(envelope.headers), policy=policy, at=NOW)
    assert assertion.subject == "899700000001"


def test_attribute_changed_after_signing_is_forged(pki: Pki, policy: AssertionPolicy) -> None:
    assertion = signed(pki.signer)
    attribute_value(assertion, "Identifiant_Structure").text = "10B9999999"
    with pytest.raises(ForgedAssertion, match="changed after it was signed"):
        verify_assertion(assertion, policy=policy, at=NOW)


def test_signature_wrapping_is_refused(pki: Pki, policy: AssertionPolicy) -> None:
    genuine = signed(pki.signer)
    # The attacker's assertion, carrying the genuine signature and hiding the genuine
    # assertion inside it, so that the signed reference still resolves somewhere.
    evil = copy.deepcopy(genuine)
    evil.set("ID", "_evil")
    name_id = evil.find(f"{{{SAML_NAMESPACE}}}Subject/{{{SAML_NAMESPACE}}}NameID")
    assert name_id is not None
    name_id.text = "899700666666"
    advice = etree.SubElement(evil, f"{{{SAML_NAMESPACE}}}Advice")
    advice.append(genuine)
    with pytest.raises(ForgedAssertion, match="signature wrapping"):
        verify_assertion(evil, policy=policy, at=NOW)


def test_signature_wrapping_with_a_duplicated_id_is_refused(
    pki: Pki, policy: AssertionPolicy
) -> None:
    genuine = signed(pki.signer)
    evil = copy.deepcopy(genuine)
    attribute_value(evil, "Identifiant_Structure").text = "10B9999999"
    etree.SubElement(evil, f"{{{SAML_NAMESPACE}}}Advice").append(genuine)
    with pytest.raises(ForgedAssertion, match="signature wrapping"):
        verify_assertion(evil, policy=policy, at=NOW)


def test_unsigned_assertion_is_refused(pki: Pki, policy: AssertionPolicy) -> None:
    with pytest.raises(UnsignedAssertion, match="not signed"):
        verify_assertion(unsigned(key=pki.signer), policy=policy, at=NOW)


def test_expired_assertion_is_refused(pki: Pki, policy: AssertionPolicy) -> None:
    with pytest.raises(ExpiredAssertion, match="expired at"):
        verify_assertion(signed(pki.signer), policy=policy, at=NOW + timedelta(minutes=12))


def test_not_yet_valid_assertion_is_refused(pki: Pki, policy: AssertionPolicy) -> None:
    with pytest.raises(PrematureAssertion, match="not valid before"):
        verify_assertion(signed(pki.signer), policy=policy, at=NOW - timedelta(minutes=5))


def test_clock_skew_is_tolerated(pki: Pki, policy: AssertionPolicy) -> None:
    assertion = signed(pki.signer)
    verify_assertion(assertion, policy=policy, at=NOW - timedelta(seconds=30))
    verify_assertion(assertion, policy=policy, at=NOW + timedelta(minutes=10, seconds=30))


def test_assertion_without_not_on_or_after_expires_after_max_age(
    pki: Pki, policy: AssertionPolicy
) -> None:
    assertion = signed(pki.signer, lifetime=None, audience=None)
    verify_assertion(assertion, policy=policy, at=NOW + timedelta(minutes=30))
    with pytest.raises(ExpiredAssertion, match="without NotOnOrAfter"):
        verify_assertion(assertion, policy=policy, at=NOW + timedelta(hours=2))


def test_wrong_audience_is_refused(pki: Pki, policy: AssertionPolicy) -> None:
    assertion = signed(pki.signer, audience="https://another-node.example")
    with pytest.raises(WrongAudience, match="another audience"):
        verify_assertion(assertion, policy=policy, at=NOW)


def test_assertion_without_audience_restriction_is_accepted(
    pki: Pki, policy: AssertionPolicy
) -> None:
    # ANS VIHF mapping: AudienceRestriction "ne pas renseigner"; SAML 2.0 core §2.5.1.4.
    verify_assertion(signed(pki.signer, audience=None), policy=policy, at=NOW)


def test_certificate_of_another_authority_is_untrusted(pki: Pki, policy: AssertionPolicy) -> None:
    with pytest.raises(UntrustedIssuer, match="does not chain") as refused:
        verify_assertion(signed(pki.stranger), policy=policy, at=NOW)
    assert "Stranger" not in refused.value.reason
    assert refused.value.internal is not None and "Stranger" in refused.value.internal


def test_assertion_without_issuer_is_refused(pki: Pki, policy: AssertionPolicy) -> None:
    assertion = unsigned(key=pki.signer)
    issuer = assertion.find(f"{{{SAML_NAMESPACE}}}Issuer")
    assert issuer is not None
    assertion.remove(issuer)
    with pytest.raises(MalformedAssertion, match="no Issuer"):
        verify_assertion(sign_assertion(assertion, key=pki.signer), policy=policy, at=NOW)


# --------------------------------------------------------------------------- faults

Forge = Callable[[Pki], tuple[etree._Element, datetime]]


def _changed(pki: Pki) -> tuple[etree._Element, datetime]:
    assertion = signed(pki.signer)
    attribute_value(assertion, "Identifiant_Structure").text = "10B9999999"
    return assertion, NOW


REFUSALS: dict[str, tuple[Forge, SecurityFaultCode]] = {
    "forged": (_changed, SecurityFaultCode.FAILED_CHECK),
    "unsigned": (
        lambda pki: (unsigned(key=pki.signer), NOW),
        SecurityFaultCode.FAILED_AUTHENTICATION,
    ),
    "expired": (
        lambda pki: (signed(pki.signer), NOW + timedelta(hours=1)),
        SecurityFaultCode.MESSAGE_EXPIRED,
    ),
    "untrusted": (
        lambda pki: (signed(pki.stranger), NOW),
        SecurityFaultCode.FAILED_AUTHENTICATION,
    ),
    "wrong audience": (
        lambda pki: (signed(pki.signer, audience="urn:elsewhere"), NOW),
        SecurityFaultCode.FAILED_AUTHENTICATION,
    ),
}


@pytest.mark.parametrize("case", sorted(REFUSALS))
def test_refused_assertion_is_a_sender_fault_without_internals(
    case: str, pki: Pki, policy: AssertionPolicy, tmp_path: Path
) -> None:
    forge, code = REFUSALS[case]
    assertion, at = forge(pki)
    with pytest.raises(IdentityError) as refused:
        verify_assertion(assertion, policy=policy, at=at)
    fault = identity_fault(refused.value)
    assert fault.code is FaultCode.SENDER and fault.http_status == 400
    wire = etree.tostring(fault.to_element(), encoding="unicode")
    env = {"env": Namespace.SOAP12.value}
    assert fault.to_element().xpath("string(env:Code/env:Value)", namespaces=env) == "env:Sender"
    subcode = fault.to_element().xpath("string(env:Code/env:Subcode/env:Value)", namespaces=env)
    assert subcode == f"wsse:{code.value}"
    assert Namespace.WSSE.value in wire
    # Nothing of the assertion, the certificates or the server's files is echoed.
    for leaked in (
        str(assertion.get("ID")),
        "899700000001",
        "10B9999999",
        "Carnet test",
        "Stranger",
        "BEGIN CERTIFICATE",
        "Traceback",
        str(pki.trust_store.parent),
    ):
        assert leaked not in wire, leaked
