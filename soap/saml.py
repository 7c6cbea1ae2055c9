"""OASIS SAML 2.0 core §2 and §5 — verifying a signed assertion and reading what it says.

The DMP's VIHF is a SAML 2.0 assertion signed by the caller's "cachet" (or CPS) certificate.
:func:`verify_assertion` accepts one only when:

1. it is a ``saml2:Assertion`` of ``Version="2.0"`` with an ``ID``, an ``IssueInstant`` and an
   ``Issuer`` (core §2.3.3);
2. it carries exactly one enveloped ``ds:Signature`` as its child, whose one ``ds:Reference``
   is ``URI="#<the assertion's ID>"`` with only the enveloped-signature and exclusive c14n
   transforms (core §5.4.1-5.4.4) — and no other element in it carries that ID, so the element
   verified is the very assertion read (no signature wrapping);
3. the signing certificate of ``ds:KeyInfo`` chains to the trust store
   (:meth:`cda.certificates.TrustStore.verify`, RFC 5280);
4. the signature verifies (signxml's :class:`~signxml.XMLVerifier`); what is then read comes
   from signxml's ``signed_xml`` — the bytes the signature covers, never the received tree;
5. now is within ``Conditions/@NotBefore`` and ``@NotOnOrAfter`` (core §2.5.1.2), give or take
   the clock skew; an assertion without ``NotOnOrAfter`` (the ANS example has no
   ``Conditions``) is held expired ``max_age`` after its ``IssueInstant``;
6. each ``AudienceRestriction`` names the configured audience (core §2.5.1.4), when one is
   configured. DMP software leaves ``AudienceRestriction`` out (ANS VIHF mapping: "ne pas
   renseigner"), and core §2.5.1.4 makes an assertion without one valid for any audience.

The result is an :class:`Assertion`: subject, authentication and attributes, generic SAML; the
DMP's meaning of the attributes is ``carnet/vihf.py``'s. Refusals are
:mod:`soap.identity_errors` classes whose reasons are safe to send back.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from types import MappingProxyType

from cryptography import x509
from lxml import etree
from signxml.algorithms import CanonicalizationMethod, DigestAlgorithm, SignatureMethod
from signxml.exceptions import (
    InvalidCertificate,
    InvalidDigest,
    InvalidInput,
    InvalidSignature,
    SignXMLException,
)
from signxml.verifier import SignatureConfiguration, XMLVerifier

from cda.certificates import TrustStore, describe, is_authority
from cda.errors import UntrustedCertificate
from soap.identity_errors import (
    ExpiredAssertion,
    ForgedAssertion,
    MalformedAssertion,
    PrematureAssertion,
    UnsignedAssertion,
    UntrustedIssuer,
    WrongAudience,
)
from soap.ws_security import SAML_ASSERTION, SAML_NAMESPACE

__all__ = [
    "Assertion",
    "AssertionPolicy",
    "AttributeValue",
    "SamlAttribute",
    "read_unverified_assertion",
    "verify_assertion",
]

_DS = "http://www.w3.org/2000/09/xmldsig#"
_ENVELOPED = "http://www.w3.org/2000/09/xmldsig#enveloped-signature"
# SAML 2.0 core §5.4.4: the enveloped-signature transform and exclusive c14n, nothing else.
_ALLOWED_TRANSFORMS = frozenset(
    {
        _ENVELOPED,
        CanonicalizationMethod.EXCLUSIVE_XML_CANONICALIZATION_1_0.value,
        CanonicalizationMethod.EXCLUSIVE_XML_CANONICALIZATION_1_0_WITH_COMMENTS.value,
    }
)
_ID_ATTRIBUTES = ("ID", "Id", "id", "{http://www.w3.org/XML/1998/namespace}id")


def _saml(local_name: str) -> str:
    return f"{{{SAML_NAMESPACE}}}{local_name}"


def _ds(local_name: str) -> str:
    return f"{{{_DS}}}{local_name}"


@dataclass(frozen=True, kw_only=True)
class AssertionPolicy:
    """What this node requires of an assertion besides a valid signature."""

    trust_store: TrustStore
    """The authorities the signing certificate must chain to (``Settings.trust_store``)."""
    audience: str | None = None
    """This node's name in ``AudienceRestriction`` (core §2.5.1.4); None: not checked."""
    clock_skew: timedelta = timedelta(seconds=60)
    """Tolerance on ``NotBefore``, ``NotOnOrAfter`` and ``IssueInstant`` (unsynchronised clocks)."""
    max_age: timedelta = timedelta(hours=1)
    """Lifetime of an assertion without ``Conditions/@NotOnOrAfter``, from its ``IssueInstant``."""
    accept_sha1: bool = True
    """Accept RSA-SHA1 / SHA-1 digests: DMP software in the field (ANS DRIMbox) signs with them."""


@dataclass(frozen=True, kw_only=True)
class AttributeValue:
    """One ``saml2:AttributeValue`` (core §2.7.3.1.1): text, or one element such as an HL7
    ``CE`` (``Role``, ``PurposeOfUse``) whose attributes carry the value."""

    text: str
    """The value's text content, whitespace-trimmed (empty for an element value)."""
    element: str | None = None
    """The Clark name of the value's element child, if it has one."""
    element_attributes: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))
    """That element's attributes (``code``, ``codeSystem``, ``displayName`` …), by Clark name."""


@dataclass(frozen=True, kw_only=True)
class SamlAttribute:
    """One ``saml2:Attribute`` (core §2.7.3.1)."""

    name: str
    """``@Name``: the attribute's wire name (e.g. ``Identifiant_Structure``)."""
    name_format: str | None
    """``@NameFormat``, when given."""
    values: tuple[AttributeValue, ...]
    """Its ``AttributeValue`` elements, in order."""


@dataclass(frozen=True, kw_only=True)
class Assertion:
    """What a SAML 2.0 assertion says (core §2.3.3), read from the signed bytes."""

    assertion_id: str
    """``@ID``: names the assertion in logs and audit records."""
    issue_instant: datetime
    """``@IssueInstant``, in UTC."""
    issuer: str
    """``saml2:Issuer``: for the VIHF, the DN of the signing certificate."""
    subject: str | None
    """``Subject/NameID``: for the VIHF, the user's national id (IDNPS)."""
    subject_format: str | None
    """``Subject/NameID/@Format``, when given."""
    not_before: datetime | None
    """``Conditions/@NotBefore``, in UTC."""
    not_on_or_after: datetime | None
    """``Conditions/@NotOnOrAfter``, in UTC."""
    audiences: tuple[tuple[str, ...], ...]
    """The ``Audience`` values of each ``AudienceRestriction``."""
    authn_instant: datetime | None
    """``AuthnStatement/@AuthnInstant``: when the user authenticated locally."""
    authn_context: str | None
    """``AuthnStatement/AuthnContext/AuthnContextClassRef`` (``SmartcardPKI`` …)."""
    attributes: tuple[SamlAttribute, ...]
    """Every ``AttributeStatement/Attribute``, in order."""
    signer: x509.Certificate | None
    """The certificate whose key signed the assertion; None when read without verification."""

    def attribute(self, name: str) -> SamlAttribute | None:
        """The first attribute called ``name``, or None."""
        return next((a for a in self.attributes if a.name == name), None)


def verify_assertion(
    element: etree._Element, *, policy: AssertionPolicy, at: datetime | None = None
) -> Assertion:
    """Check ``element`` (a ``saml2:Assertion``) as the module docstring lists, at ``at`` (now
    by default); return what the signed assertion says.

    Raises a :class:`~soap.identity_errors.IdentityError` subclass naming what is wrong.
    """
    now = at or datetime.now(UTC)
    assertion_id = _check_header(element)
    signature = _enveloped_signature(element, assertion_id)
    signer, others = _key_info_certificates(signature)
    try:
        policy.trust_store.verify(signer, others, at=now)
    except UntrustedCertificate as error:
        raise UntrustedIssuer(
            "the certificate that signed the assertion does not chain to an authority this "
            "node trusts, or is not valid now",
            internal=error.reason,
        ) from None
    signed = _verify_signature(element, signer=signer, policy=policy, at=now)
    if signed.tag != SAML_ASSERTION or signed.get("ID") != assertion_id:
        raise ForgedAssertion(
            "the signature does not cover the assertion carried (signature wrapping)"
        )
    assertion = _read(signed, signer=signer)
    _check_validity(assertion, policy=policy, now=now)
    _check_audience(assertion, policy=policy)
    return assertion


def read_unverified_assertion(element: etree._Element) -> Assertion:
    """What ``element`` says, its signature NOT checked (``signer`` is None).

    For diagnostics and tests on published examples whose signatures are placeholders (the
    ANS VIHF example); a request's identity must go through :func:`verify_assertion`.
    """
    _check_header(element)
    return _read(element, signer=None)


# --------------------------------------------------------------------------- structure


def _check_header(element: etree._Element) -> str:
    """Core §2.3.3: the assertion's required attributes and ``Issuer``; returns its ID."""
    if element.tag != SAML_ASSERTION:
        raise MalformedAssertion("the security token is not a SAML 2.0 assertion")
    if element.get("Version") != "2.0":
        raise MalformedAssertion("the assertion is not SAML Version 2.0 (core §2.3.3)")
    assertion_id = (element.get("ID") or "").strip()
    if not assertion_id:
        raise MalformedAssertion("the assertion has no ID (core §2.3.3)")
    issuer = element.find(_saml("Issuer"))
    if issuer is None or not (issuer.text or "").strip():
        raise MalformedAssertion("the assertion has no Issuer (core §2.3.3)")
    return assertion_id


def _enveloped_signature(element: etree._Element, assertion_id: str) -> etree._Element:
    """Core §5.4: the one ``ds:Signature`` child covering exactly this assertion."""
    signatures = element.findall(_ds("Signature"))
    if not signatures:
        raise UnsignedAssertion(
            "the assertion is not signed: an enveloped XML signature is required "
            "(SAML 2.0 core §5.4)"
        )
    if len(signatures) > 1:
        raise MalformedAssertion("the assertion carries several ds:Signature elements")
    signature = signatures[0]
    references = signature.findall(f"{_ds('SignedInfo')}/{_ds('Reference')}")
    if len(references) != 1 or references[0].get("URI") != f"#{assertion_id}":
        raise ForgedAssertion(
            "the signature does not cover the assertion carried (signature wrapping): its "
            "one reference must be the assertion's ID (SAML 2.0 core §5.4.2)"
        )
    holders = [
        node
        for node in element.iter()
        if isinstance(node.tag, str) and any(node.get(a) == assertion_id for a in _ID_ATTRIBUTES)
    ]
    if holders != [element]:
        raise ForgedAssertion(
            "another element inside the assertion carries the assertion's ID (signature wrapping)"
        )
    transforms = {
        transform.get("Algorithm", "")
        for transform in references[0].iterfind(f"{_ds('Transforms')}/{_ds('Transform')}")
    }
    if _ENVELOPED not in transforms or not transforms <= _ALLOWED_TRANSFORMS:
        raise MalformedAssertion(
            "the signature's transforms must be the enveloped-signature transform and "
            "exclusive canonicalization only (SAML 2.0 core §5.4.4)"
        )
    return signature


def _key_info_certificates(
    signature: etree._Element,
) -> tuple[x509.Certificate, list[x509.Certificate]]:
    """The signer's certificate (the first that is not an authority) and the others sent."""
    certificates = []
    for text in signature.itertext(_ds("X509Certificate")):
        try:
            der = base64.b64decode("".join(str(text).split()), validate=True)
            certificates.append(x509.load_der_x509_certificate(der))
        except (binascii.Error, ValueError):
            raise MalformedAssertion(
                "a ds:X509Certificate of the assertion's signature is not a base64 DER certificate"
            ) from None
    if not certificates:
        raise MalformedAssertion(
            "the assertion's signature carries no ds:X509Certificate: its signer cannot be "
            "identified"
        )
    signer = next((c for c in certificates if not is_authority(c)), certificates[0])
    return signer, [c for c in certificates if c is not signer]


def _verify_signature(
    element: etree._Element, *, signer: x509.Certificate, policy: AssertionPolicy, at: datetime
) -> etree._Element:
    """XMLDSig core validation; the element the signature covers, as signed."""
    config = SignatureConfiguration(
        location="./",
        expect_references=1,
        signature_methods=frozenset(
            method
            for method in SignatureMethod
            if not method.name.startswith(("HMAC", "DSA"))
            and (policy.accept_sha1 or "SHA1" not in method.name)
        ),
        digest_algorithms=frozenset(
            algorithm
            for algorithm in DigestAlgorithm
            if policy.accept_sha1 or algorithm is not DigestAlgorithm.SHA1
        ),
        verification_time=at,
    )
    try:
        result = XMLVerifier().verify(
            element, x509_cert=signer, id_attribute="ID", expect_config=config
        )
    except InvalidDigest as error:
        raise ForgedAssertion(
            "the assertion was changed after it was signed (its digest does not match)",
            internal=str(error),
        ) from None
    except InvalidSignature as error:
        raise ForgedAssertion(
            "the assertion's signature value does not verify with its signing certificate",
            internal=str(error),
        ) from None
    except InvalidCertificate as error:
        raise UntrustedIssuer(
            "the certificate that signed the assertion is not valid now", internal=str(error)
        ) from None
    except (InvalidInput, SignXMLException, etree.LxmlError, ValueError, KeyError) as error:
        raise MalformedAssertion(
            "the assertion's signature cannot be verified as given (unsupported algorithm or "
            "malformed ds:Signature)",
            internal=f"{describe(signer)}: {error}",
        ) from None
    if isinstance(result, list) or result.signed_xml is None:  # pragma: no cover - 1 reference
        raise ForgedAssertion("the signature does not cover the assertion carried")
    return result.signed_xml


# --------------------------------------------------------------------------- conditions


def _check_validity(assertion: Assertion, *, policy: AssertionPolicy, now: datetime) -> None:
    """Core §2.5.1.2 with the clock skew; ``max_age`` when there is no ``NotOnOrAfter``."""
    skew = policy.clock_skew
    if assertion.not_before is not None and now + skew < assertion.not_before:
        raise PrematureAssertion(
            f"the assertion is not valid before {_text(assertion.not_before)} "
            "(Conditions/@NotBefore)"
        )
    if now + skew < assertion.issue_instant:
        raise PrematureAssertion(
            f"the assertion is issued in the future ({_text(assertion.issue_instant)})"
        )
    if assertion.not_on_or_after is not None:
        if now - skew >= assertion.not_on_or_after:
            raise ExpiredAssertion(
                f"the assertion expired at {_text(assertion.not_on_or_after)} "
                "(Conditions/@NotOnOrAfter)"
            )
    elif now - skew >= assertion.issue_instant + policy.max_age:
        raise ExpiredAssertion(
            f"the assertion, issued at {_text(assertion.issue_instant)} without "
            f"NotOnOrAfter, is older than {int(policy.max_age.total_seconds())} seconds"
        )


def _check_audience(assertion: Assertion, *, policy: AssertionPolicy) -> None:
    if policy.audience is None:
        return
    for audiences in assertion.audiences:
        if policy.audience not in audiences:
            raise WrongAudience(
                "the assertion is addressed to another audience than this node "
                "(Conditions/AudienceRestriction)"
            )


def _text(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


# --------------------------------------------------------------------------- reading


def _read(element: etree._Element, *, signer: x509.Certificate | None) -> Assertion:
    issuer = element.find(_saml("Issuer"))
    name_id = element.find(f"{_saml('Subject')}/{_saml('NameID')}")
    conditions = element.find(_saml("Conditions"))
    authn = element.find(_saml("AuthnStatement"))
    context = element.find(
        f"{_saml('AuthnStatement')}/{_saml('AuthnContext')}/{_saml('AuthnContextClassRef')}"
    )
    audiences = (
        ()
        if conditions is None
        else tuple(
            tuple((a.text or "").strip() for a in restriction.iterfind(_saml("Audience")))
            for restriction in conditions.iterfind(_saml("AudienceRestriction"))
        )
    )
    return Assertion(
        assertion_id=(element.get("ID") or "").strip(),
        issue_instant=_issue_instant(element),
        issuer=(issuer.text or "").strip() if issuer is not None else "",
        subject=_stripped(name_id),
        subject_format=None if name_id is None else name_id.get("Format"),
        not_before=None
        if conditions is None
        else _instant(conditions.get("NotBefore"), "NotBefore"),
        not_on_or_after=None
        if conditions is None
        else _instant(conditions.get("NotOnOrAfter"), "NotOnOrAfter"),
        audiences=audiences,
        authn_instant=None
        if authn is None
        else _instant(authn.get("AuthnInstant"), "AuthnInstant"),
        authn_context=_stripped(context),
        attributes=tuple(
            _attribute(attribute)
            for attribute in element.iterfind(f"{_saml('AttributeStatement')}/{_saml('Attribute')}")
        ),
        signer=signer,
    )


def _stripped(element: etree._Element | None) -> str | None:
    if element is None:
        return None
    return (element.text or "").strip() or None


def _issue_instant(element: etree._Element) -> datetime:
    moment = _instant(element.get("IssueInstant"), "IssueInstant")
    if moment is None:
        raise MalformedAssertion("the assertion has no IssueInstant (core §2.3.3)")
    return moment


def _instant(value: str | None, name: str) -> datetime | None:
    """An ``xs:dateTime`` (core §1.3.3: UTC), as an aware datetime."""
    if value is None or not value.strip():
        return None
    try:
        moment = datetime.fromisoformat(value.strip())
    except ValueError:
        raise MalformedAssertion(f"the assertion's {name} is not an xs:dateTime") from None
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def _attribute(element: etree._Element) -> SamlAttribute:
    values = []
    for value in element.iterfind(_saml("AttributeValue")):
        children = [child for child in value if isinstance(child.tag, str)]
        if children:
            child = children[0]
            values.append(
                AttributeValue(
                    text="",
                    element=str(child.tag),
                    element_attributes=MappingProxyType(
                        {str(k): str(v) for k, v in child.attrib.items()}
                    ),
                )
            )
        else:
            values.append(AttributeValue(text="".join(str(t) for t in value.itertext()).strip()))
    return SamlAttribute(
        name=element.get("Name", ""),
        name_format=element.get("NameFormat"),
        values=tuple(values),
    )
