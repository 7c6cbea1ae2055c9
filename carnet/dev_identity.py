"""OASIS SAML 2.0 core §2 and §5, ANS VIHF — writing signed VIHF assertions for tests and scripts.

The inverse of ``soap/saml.py`` + ``carnet/vihf.py``: :func:`build_assertion` writes a
:class:`~carnet.vihf.VihfIdentity` as the SAML 2.0 assertion DMP software sends, laid out
like the ANS example (``Issuer`` the signer's DN, ``Subject/NameID``, ``AuthnStatement``, one
``AttributeStatement``, roles and purpose of use as HL7 ``CE`` elements), and
:func:`sign_assertion` signs it as SAML 2.0 core §5.4 requires: an enveloped ``ds:Signature``
right after ``Issuer`` whose one reference is ``#<ID>``, exclusive c14n, RSA-SHA256 (ECDSA
for an EC key). ``carnet dev-assertion`` prints one signed by the test authority of
``carnet/dev_ca.py``.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

from lxml import etree
from signxml.algorithms import (
    CanonicalizationMethod,
    DigestAlgorithm,
    SignatureConstructionMethod,
    SignatureMethod,
)
from signxml.signer import XMLSigner

from carnet.vihf import Code, CodeSystem, VihfAttribute, VihfIdentity
from cda.certificates import SigningKey
from soap.ws_security import SAML_NAMESPACE

__all__ = ["build_assertion", "sign_assertion", "signed_vihf"]

_DS = "http://www.w3.org/2000/09/xmldsig#"
_HL7 = "urn:hl7-org:v3"
_XSI = "http://www.w3.org/2001/XMLSchema-instance"
_X509_SUBJECT_NAME = "urn:oasis:names:tc:SAML:1.1:nameid-format:X509SubjectName"
_ACCESS_MODE_SYSTEM_NAME = "mode acces VIHF 1.0"  # as in the ANS example


def _saml(local_name: str) -> str:
    return f"{{{SAML_NAMESPACE}}}{local_name}"


def build_assertion(
    identity: VihfIdentity,
    *,
    issuer: str,
    issue_instant: datetime,
    not_on_or_after: datetime | None,
    audience: str | None = None,
    assertion_id: str | None = None,
) -> etree._Element:
    """The unsigned ``saml2:Assertion`` of ``identity``, valid from ``issue_instant``.

    ``issuer`` is the signing certificate's DN (ANS example); ``Conditions`` is written when
    there is a ``not_on_or_after`` or an ``audience``.
    """
    assertion = etree.Element(_saml("Assertion"), nsmap={"saml2": SAML_NAMESPACE, "xsi": _XSI})
    assertion.set("ID", assertion_id or f"_{uuid.uuid4()}")
    assertion.set("IssueInstant", _instant(issue_instant))
    assertion.set("Version", "2.0")
    issuer_element = etree.SubElement(assertion, _saml("Issuer"), Format=_X509_SUBJECT_NAME)
    issuer_element.text = issuer
    subject = etree.SubElement(assertion, _saml("Subject"))
    etree.SubElement(subject, _saml("NameID")).text = identity.subject_id
    if not_on_or_after is not None or audience is not None:
        conditions = etree.SubElement(assertion, _saml("Conditions"))
        conditions.set("NotBefore", _instant(issue_instant))
        if not_on_or_after is not None:
            conditions.set("NotOnOrAfter", _instant(not_on_or_after))
        if audience is not None:
            restriction = etree.SubElement(conditions, _saml("AudienceRestriction"))
            etree.SubElement(restriction, _saml("Audience")).text = audience
    authn = etree.SubElement(assertion, _saml("AuthnStatement"))
    authn.set("AuthnInstant", _instant(issue_instant))
    context = etree.SubElement(authn, _saml("AuthnContext"))
    etree.SubElement(context, _saml("AuthnContextClassRef")).text = (
        identity.authn_context or "urn:oasis:names:tc:SAML:2.0:ac:classes:unspecified"
    )
    statement = etree.SubElement(assertion, _saml("AttributeStatement"))
    texts: list[tuple[VihfAttribute, str | None]] = [
        (VihfAttribute.VIHF_VERSION, identity.vihf_version),
        (VihfAttribute.AUTHENTICATION_MODE, identity.authentication_mode.value),
        (VihfAttribute.SECTOR, f"{identity.sector.code}^{identity.sector.system}"),
        (VihfAttribute.RESOURCE_ID, identity.patient_id),
        (VihfAttribute.RESOURCE_URN, identity.resource_urn),
        (VihfAttribute.SUBJECT_NAME, identity.subject_name),
        (VihfAttribute.STRUCTURE_ID, identity.structure_id),
        (VihfAttribute.SOFTWARE_VERSION, identity.software.version),
        (VihfAttribute.SOFTWARE_ID, identity.software.instance_id),
        (VihfAttribute.SOFTWARE_NAME, identity.software.name),
        (VihfAttribute.SOFTWARE_APPROVAL, identity.software.approval),
    ]
    for name, text in texts:
        if text is not None:
            value = etree.SubElement(_attribute(statement, name), _saml("AttributeValue"))
            value.text = text
    access_mode = Code(
        code=identity.access_mode.value,
        system=CodeSystem.TRE_R248_ACCESS_MODE.value,
        display_name=None,
    )
    _coded(_attribute(statement, VihfAttribute.PURPOSE_OF_USE), "PurposeOfUse", access_mode)
    roles = _attribute(statement, VihfAttribute.ROLE)
    for role in identity.roles:
        _coded(roles, "Role", role)
    return assertion


def sign_assertion(assertion: etree._Element, *, key: SigningKey) -> etree._Element:
    """``assertion`` signed by ``key`` (SAML 2.0 core §5.4); a new element, ``assertion`` kept.

    The ``ds:Signature`` goes right after ``Issuer`` as the SAML schema orders it, with the
    signer's certificate and chain in ``ds:KeyInfo``.
    """
    template = etree.fromstring(etree.tostring(assertion))
    placeholder = etree.Element(f"{{{_DS}}}Signature", Id="placeholder", nsmap={"ds": _DS})
    template.insert(1, placeholder)
    rsa = not hasattr(key.private_key, "curve")
    signer = XMLSigner(
        method=SignatureConstructionMethod.enveloped,
        signature_algorithm=SignatureMethod.RSA_SHA256 if rsa else SignatureMethod.ECDSA_SHA256,
        digest_algorithm=DigestAlgorithm.SHA256,
        c14n_algorithm=CanonicalizationMethod.EXCLUSIVE_XML_CANONICALIZATION_1_0,
    )
    signed: etree._Element = signer.sign(
        template,
        key=key.private_key,
        cert=[key.certificate, *key.chain],
        reference_uri=f"#{template.get('ID')}",
        id_attribute="ID",
    )
    return signed


def signed_vihf(
    identity: VihfIdentity,
    *,
    key: SigningKey,
    audience: str | None = None,
    valid_for: timedelta = timedelta(minutes=10),
    now: datetime | None = None,
) -> etree._Element:
    """``identity`` as a signed VIHF issued ``now``, valid for ``valid_for``, by ``key``'s
    certificate (its DN is the ``Issuer``)."""
    moment = (now or datetime.now(UTC)).replace(microsecond=0)
    assertion = build_assertion(
        identity,
        issuer=key.certificate.subject.rfc4514_string(),
        issue_instant=moment,
        not_on_or_after=moment + valid_for,
        audience=audience,
    )
    return sign_assertion(assertion, key=key)


def _attribute(statement: etree._Element, name: VihfAttribute) -> etree._Element:
    return etree.SubElement(statement, _saml("Attribute"), Name=name.value)


def _coded(attribute: etree._Element, tag: str, code: Code) -> None:
    """An HL7 ``CE`` value, written as the ANS example writes ``Role`` and ``PurposeOfUse``."""
    value = etree.SubElement(attribute, _saml("AttributeValue"))
    # HL7 V3 elements use the default namespace; lxml-stubs 0.5 does not know the None key.
    nsmap = {None: _HL7}
    element = etree.SubElement(value, f"{{{_HL7}}}{tag}", nsmap=nsmap)  # type: ignore[arg-type]
    element.set("code", code.code)
    element.set("codeSystem", code.system)
    if code.display_name is not None:
        element.set("displayName", code.display_name)
    if tag == "PurposeOfUse":
        element.set("codeSystemName", _ACCESS_MODE_SYSTEM_NAME)
    element.set(f"{{{_XSI}}}type", "CE")


def _instant(moment: datetime) -> str:
    """``xs:dateTime`` in UTC with ``Z`` (SAML 2.0 core §1.3.3)."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
