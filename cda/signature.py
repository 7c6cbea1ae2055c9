"""ITI TF-3 5.5 (IHE DSG, Document Digital Signature) — XAdES signatures of submissions and CDA.

**The SubmissionSet Signature** (ITI TF-3 5.5.3.1) is how a DMP submission is signed: a
XAdES-BES signature (ETSI TS 101 903) whose ``SignedInfo`` covers a ``ds:Manifest`` (W3C
XMLDSig §5.1) and the XAdES ``SignedProperties``. The manifest has one ``ds:Reference`` per
document of the submission, ``URI="urn:oid:<DocumentEntry.uniqueId>"`` with the digest of
its bytes, and one naming the SubmissionSet, ``URI="urn:oid:<SubmissionSet.uniqueId>"``,
whose digest DSG sets to zero: it binds the signature to that submission. The signature
travels as one more document of the submission (its XDS metadata is the repository's
business). Laid out as the DMP's own Document Sources do (ANS DRIMbox ``XadesSign``):
``ds:Signature`` is the root, the manifest ``Id="IHEManifest"`` sits in a ``ds:Object`` and is
referenced with ``Type="…#Manifest"``.

:func:`sign_submission_set` builds one (signxml's :class:`~signxml.xades.XAdESSigner`; DSG
5.5.2: SHA-256, Canonical XML 1.1 with comments, a ``CommitmentTypeIndication`` holding the
purpose of signature, ASTM E1762 "Source" by default as the DMP uses).
:func:`verify_submission_signature` checks, in DSG 5.5.5's three levels:

1. integrity — the ``SignatureValue`` and every ``SignedInfo`` digest (signxml's
   :class:`~signxml.XMLVerifier`), then the signed XAdES ``SigningCertificate`` names the
   certificate whose key verified the signature;
2. the signer — its certificate chains to the trust store (:mod:`cda.certificates`);
3. the documents — the manifest names this SubmissionSet and every document received, each
   with its digest, and nothing else.

XAdES 1.3.2 (signxml) and 1.1.1 (DRIMbox) properties are both read. SHA-1 digests and
RSA-SHA1 signatures are accepted unless ``accept_sha1=False``: DSG 5.5.5 requires consumers
to validate SHA-1 as well as SHA-256, and DMP software in the field signs with SHA-1.

**Enveloped signatures in a CDA document** (an XMLDSig ``ds:Signature`` child of
``ClinicalDocument`` covering the whole document, ``URI=""`` with the enveloped-signature
transform) are verified by :func:`verify_enveloped_signature` when present.

Errors are :class:`~cda.errors.SignatureError`\\ s naming what failed.
"""

from __future__ import annotations

import base64
import binascii
import enum
import hashlib
import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Protocol, TypeAlias
from urllib.parse import quote

from cryptography import x509
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.serialization import Encoding
from lxml import etree
from signxml.algorithms import (
    CanonicalizationMethod,
    DigestAlgorithm,
    SignatureConstructionMethod,
    SignatureMethod,
)
from signxml.exceptions import (
    InvalidCertificate,
    InvalidDigest,
    InvalidInput,
    InvalidSignature,
    SignXMLException,
)
from signxml.util import SigningSettings
from signxml.verifier import SignatureConfiguration, XMLVerifier
from signxml.xades.xades import XAdESDataObjectFormat, XAdESSigner

from cda.certificates import SigningKey, TrustStore, describe, is_authority
from cda.errors import (
    DigestMismatch,
    DocumentNotCovered,
    MalformedSignature,
    ManifestError,
    SignatureValueError,
    SigningCertificateMismatch,
    UnexpectedReference,
    UntrustedCertificate,
)
from schemas.loader import XmlError, parse_xml

__all__ = [
    "DS_NAMESPACE",
    "ChunkedContent",
    "ManifestReference",
    "SignatureFormat",
    "SignaturePurpose",
    "SignedContent",
    "VerifiedSignature",
    "find_enveloped_signature",
    "manifest_uri",
    "sign_submission_set",
    "verify_enveloped_signature",
    "verify_submission_signature",
]

DS_NAMESPACE = "http://www.w3.org/2000/09/xmldsig#"
"""W3C XMLDSig: ``ds:Signature``, ``ds:Manifest``…"""

MANIFEST_ID = "IHEManifest"
"""The manifest's ``Id``, as DMP Document Sources write it."""

_MANIFEST_TYPE = DS_NAMESPACE + "Manifest"
_XADES_NAMESPACES = frozenset(
    {
        "http://uri.etsi.org/01903/v1.3.2#",
        "http://uri.etsi.org/01903/v1.2.2#",
        "http://uri.etsi.org/01903/v1.1.1#",
    }
)
_ENVELOPED_TRANSFORM = SignatureConstructionMethod.enveloped.value
# DSG 5.5.3.1: the SubmissionSet's reference carries a zero hash; base64 of one zero byte, as
# the DMP's Document Sources write it, keeps the ds:Manifest valid against the XMLDSig schema.
_ZERO_DIGEST = "AA=="
_CHUNK = 64 * 1024


class SignaturePurpose(enum.StrEnum):
    """ITI TF-3 Table 5.5.2-1: purposes of signature (ASTM E1762-95(2013), scheme below)."""

    AUTHOR = "1.2.840.10065.1.12.1.1"
    CO_AUTHOR = "1.2.840.10065.1.12.1.2"
    CO_PARTICIPANT = "1.2.840.10065.1.12.1.3"
    TRANSCRIPTIONIST = "1.2.840.10065.1.12.1.4"
    VERIFICATION = "1.2.840.10065.1.12.1.5"
    VALIDATION = "1.2.840.10065.1.12.1.6"
    CONSENT = "1.2.840.10065.1.12.1.7"
    SIGNATURE_WITNESS = "1.2.840.10065.1.12.1.8"
    EVENT_WITNESS = "1.2.840.10065.1.12.1.9"
    IDENTITY_WITNESS = "1.2.840.10065.1.12.1.10"
    CONSENT_WITNESS = "1.2.840.10065.1.12.1.11"
    INTERPRETER = "1.2.840.10065.1.12.1.12"
    REVIEW = "1.2.840.10065.1.12.1.13"
    SOURCE = "1.2.840.10065.1.12.1.14"
    """"The signature of an automated data source": what DMP Document Sources declare."""
    ADDENDUM = "1.2.840.10065.1.12.1.15"
    MODIFICATION = "1.2.840.10065.1.12.1.16"
    ADMINISTRATIVE = "1.2.840.10065.1.12.1.17"
    TIMESTAMP = "1.2.840.10065.1.12.1.18"

    @property
    def display_name(self) -> str:
        """ASTM E1762's term, the DSG title of a signature DocumentEntry (5.5.6.1.7)."""
        return _PURPOSE_NAMES[self]


PURPOSE_CODING_SCHEME = "1.2.840.10065.1.12"
"""ITI TF-3 5.5.2: the coding scheme of the purposes (ASTM E1762)."""

_PURPOSE_NAMES = {
    SignaturePurpose.AUTHOR: "Author's Signature",
    SignaturePurpose.CO_AUTHOR: "Co-Author's Signature",
    SignaturePurpose.CO_PARTICIPANT: "Co-participant's Signature",
    SignaturePurpose.TRANSCRIPTIONIST: "Transcriptionist/Recorder Signature",
    SignaturePurpose.VERIFICATION: "Verification Signature",
    SignaturePurpose.VALIDATION: "Validation Signature",
    SignaturePurpose.CONSENT: "Consent Signature",
    SignaturePurpose.SIGNATURE_WITNESS: "Signature Witness Signature",
    SignaturePurpose.EVENT_WITNESS: "Event Witness Signature",
    SignaturePurpose.IDENTITY_WITNESS: "Identity Witness Signature",
    SignaturePurpose.CONSENT_WITNESS: "Consent Witness Signature",
    SignaturePurpose.INTERPRETER: "Interpreter Signature",
    SignaturePurpose.REVIEW: "Review Signature",
    SignaturePurpose.SOURCE: "Source",
    SignaturePurpose.ADDENDUM: "Addendum Signature",
    SignaturePurpose.MODIFICATION: "Modification Signature",
    SignaturePurpose.ADMINISTRATIVE: "Administrative (Error/Edit) Signature",
    SignaturePurpose.TIMESTAMP: "Timestamp Signature",
}


class SignatureFormat(enum.StrEnum):
    """The formatCode of a signature document (ITI TF-3 5.5.6.1.1; DMP JDV_J60)."""

    DSG_DETACHED = "urn:ihe:iti:dsg:detached:2014"
    """IHE DSG detached signature (scheme ``1.3.6.1.4.1.19376.1.2.3``)."""
    DSG_ENVELOPING = "urn:ihe:iti:dsg:enveloping:2014"
    """IHE DSG enveloping signature: the signed document inside a ``ds:Object``."""
    XMLDSIG = "http://www.w3.org/2000/09/xmldsig#"
    """"Default Signature Style" (scheme ``URN``): the DMP's SubmissionSet signature."""


class ChunkedContent(Protocol):
    """A document readable in pieces, from the start, as often as needed.

    ``repository.provide_and_register.DocumentContent`` (an MTOM part) is one.
    """

    def chunks(self) -> Iterator[bytes]:
        """The bytes from the start."""
        ...


SignedContent: TypeAlias = bytes | Path | ChunkedContent
"""A document whose digest a manifest carries: bytes, a file, or chunks."""


@dataclass(frozen=True, kw_only=True)
class ManifestReference:
    """One ``ds:Reference`` of a verified manifest (XMLDSig §4.4.3)."""

    uri: str
    """``urn:oid:<uniqueId>`` of a document or of the SubmissionSet."""
    digest_algorithm: str
    """The ``DigestMethod`` algorithm URI."""
    digest_value: str
    """The ``DigestValue`` as written (base64)."""
    transforms: tuple[str, ...] = ()
    """``Transform`` algorithm URIs applied before digesting (canonicalization only)."""


@dataclass(frozen=True, kw_only=True, eq=False)
class VerifiedSignature:
    """What a verified signature establishes."""

    certificate: x509.Certificate
    """The signer's certificate, whose key verified the ``SignatureValue``."""
    chain: tuple[x509.Certificate, ...]
    """The validated path to a trust anchor, leaf first; empty when no trust store was given."""
    signature_method: str
    """The ``SignatureMethod`` algorithm URI."""
    signing_time: datetime | None = None
    """XAdES ``SigningTime``, when the signed properties carry one."""
    purposes: tuple[str, ...] = ()
    """XAdES ``CommitmentTypeIndication`` identifiers (ASTM E1762 OIDs), as signed."""
    manifest: tuple[ManifestReference, ...] = ()
    """The signed manifest's references (SubmissionSet signatures)."""

    @property
    def trusted(self) -> bool:
        """Whether the certificate was validated against a trust store."""
        return bool(self.chain)

    @property
    def signer(self) -> str:
        """The certificate's subject, RFC 4514."""
        return describe(self.certificate)


def manifest_uri(unique_id: str) -> str:
    """The ``URI`` of the manifest reference naming a document or SubmissionSet (DSG 5.5.3).

    ``urn:oid:`` and the OID. DSG leaves uniqueIds that are not OIDs (``OID^extension``,
    ITI TF-3 4.2.3.2.26) to the Affinity Domain: Carnet percent-encodes what follows the OID.

    >>> manifest_uri("1.2.250.1.999.1.1.7")
    'urn:oid:1.2.250.1.999.1.1.7'
    >>> manifest_uri("1.2.250.1.999^A 1")
    'urn:oid:1.2.250.1.999%5EA%201'
    """
    return "urn:oid:" + quote(unique_id, safe=".")


# ------------------------------------------------------------------------------ signing


class _SubmissionSetSigner(XAdESSigner):
    """signxml's XAdES signer, signing a ``ds:Manifest`` placed in a ``ds:Object``.

    signxml's enveloping method would wrap the data in an ``Object`` it references itself;
    DSG peers expect the reference to name the manifest, typed as one. So the manifest is
    signed "detached" (digested where it stands) and moved into the signature by an
    annotator, before ``SignedInfo`` is canonicalized and signed. It is given the signature's
    namespace declarations beforehand, so its inclusive canonical form is the same there.
    """

    def __init__(self, *, key: SigningKey, manifest: etree._Element, purpose: SignaturePurpose):
        super().__init__(
            method=SignatureConstructionMethod.detached,
            signature_algorithm=(
                SignatureMethod.ECDSA_SHA256
                if isinstance(key.private_key, ec.EllipticCurvePrivateKey)
                else SignatureMethod.RSA_SHA256
            ),
            digest_algorithm=DigestAlgorithm.SHA256,
            c14n_algorithm=CanonicalizationMethod.CANONICAL_XML_1_1_WITH_COMMENTS,
            data_object_format=XAdESDataObjectFormat(
                Description="IHE DSG SubmissionSet Signature manifest", MimeType="text/xml"
            ),
        )
        self.manifest = manifest
        self.purpose = purpose
        self.signature_annotators.append(self._place_manifest)
        self.signed_data_object_properties_annotators.append(self._add_commitment_type)

    def _place_manifest(self, sig_root: etree._Element, signing_settings: SigningSettings) -> None:
        reference = sig_root.find(f"{{{DS_NAMESPACE}}}SignedInfo/{{{DS_NAMESPACE}}}Reference")
        assert reference is not None and reference.get("URI") == f"#{MANIFEST_ID}"
        reference.set("Type", _MANIFEST_TYPE)
        etree.SubElement(sig_root, f"{{{DS_NAMESPACE}}}Object").append(self.manifest)

    def _add_commitment_type(
        self,
        signed_data_object_properties: etree._Element,
        sig_root: etree._Element,
        signing_settings: SigningSettings,
    ) -> None:
        """DSG 5.5.2: the purpose of signature as a XAdES ``CommitmentTypeIndication``."""
        properties = signed_data_object_properties
        xades = etree.QName(properties).namespace
        indication = etree.SubElement(properties, f"{{{xades}}}CommitmentTypeIndication")
        type_id = etree.SubElement(indication, f"{{{xades}}}CommitmentTypeId")
        identifier = etree.SubElement(type_id, f"{{{xades}}}Identifier", Qualifier="OIDAsURN")
        identifier.text = f"urn:oid:{self.purpose.value}"
        etree.SubElement(type_id, f"{{{xades}}}Description").text = self.purpose.display_name
        etree.SubElement(indication, f"{{{xades}}}AllSignedDataObjects")


def sign_submission_set(
    *,
    submission_set_unique_id: str,
    documents: Mapping[str, SignedContent],
    key: SigningKey,
    purpose: SignaturePurpose = SignaturePurpose.SOURCE,
) -> bytes:
    """The SubmissionSet Signature document (DSG 5.5.3.1) over ``documents``, as UTF-8 XML.

    ``documents`` maps each document's uniqueId to its bytes (every document of the
    submission but the signature itself); each is read once, in chunks, for its SHA-256.
    """
    namespaces = {"ds": DS_NAMESPACE, "xades": "http://uri.etsi.org/01903/v1.3.2#"}
    manifest = etree.Element(f"{{{DS_NAMESPACE}}}Manifest", Id=MANIFEST_ID, nsmap=namespaces)
    _add_reference(manifest, manifest_uri(submission_set_unique_id), _ZERO_DIGEST)
    for unique_id, content in documents.items():
        digest = _digest(_chunks(content), DigestAlgorithm.SHA256)
        _add_reference(manifest, manifest_uri(unique_id), base64.b64encode(digest).decode())
    signer = _SubmissionSetSigner(key=key, manifest=manifest, purpose=purpose)
    signature = signer.sign(
        manifest,
        key=key.private_key,
        cert=[key.certificate, *key.chain],
        reference_uri=f"#{MANIFEST_ID}",
        always_add_key_value=False,
    )
    return etree.tostring(signature, xml_declaration=True, encoding="UTF-8")


def _add_reference(manifest: etree._Element, uri: str, digest_value: str) -> None:
    reference = etree.SubElement(manifest, f"{{{DS_NAMESPACE}}}Reference", URI=uri)
    etree.SubElement(
        reference, f"{{{DS_NAMESPACE}}}DigestMethod", Algorithm=DigestAlgorithm.SHA256.value
    )
    etree.SubElement(reference, f"{{{DS_NAMESPACE}}}DigestValue").text = digest_value


def _chunks(content: SignedContent) -> Iterator[bytes]:
    if isinstance(content, bytes):
        yield content
    elif isinstance(content, Path):
        with content.open("rb") as file:
            while block := file.read(_CHUNK):
                yield block
    else:
        yield from content.chunks()


_HASHES = {
    DigestAlgorithm.SHA1: "sha1",
    DigestAlgorithm.SHA224: "sha224",
    DigestAlgorithm.SHA256: "sha256",
    DigestAlgorithm.SHA384: "sha384",
    DigestAlgorithm.SHA512: "sha512",
    DigestAlgorithm.SHA3_224: "sha3_224",
    DigestAlgorithm.SHA3_256: "sha3_256",
    DigestAlgorithm.SHA3_384: "sha3_384",
    DigestAlgorithm.SHA3_512: "sha3_512",
}


def _digest(chunks: Iterator[bytes], algorithm: DigestAlgorithm) -> bytes:
    hasher = hashlib.new(_HASHES[algorithm])
    for chunk in chunks:
        hasher.update(chunk)
    return hasher.digest()


# ------------------------------------------------------------------------------ verifying


def verify_submission_signature(
    signature: bytes,
    *,
    submission_set_unique_id: str,
    documents: Mapping[str, SignedContent],
    trust_store: TrustStore | None,
    at: datetime | None = None,
    accept_sha1: bool = True,
) -> VerifiedSignature:
    """Verify a SubmissionSet Signature against the submission it came with (DSG 5.5.5).

    ``documents`` maps the uniqueId of every other document of the submission to its bytes.
    ``trust_store`` None skips the certificate path (the result's ``trusted`` is False): the
    caller decides whether that is acceptable. ``at`` is the validation time (now).

    Raises :class:`~cda.errors.SignatureError`: ``MalformedSignature``, ``SignatureValueError``,
    ``UntrustedCertificate``, ``SigningCertificateMismatch`` or a ``ManifestError``
    (``DigestMismatch``, ``DocumentNotCovered``, ``UnexpectedReference``).
    """
    try:
        root = parse_xml(signature)
    except XmlError as error:
        raise MalformedSignature(f"the signature document is not usable XML: {error}") from None
    if root.tag != f"{{{DS_NAMESPACE}}}Signature":
        raise MalformedSignature(
            f"the signature document's root is {root.tag!r}, not an XMLDSig ds:Signature"
        )
    verified, results = _verify_core(
        root, root, trust_store=trust_store, at=at, accept_sha1=accept_sha1
    )
    manifests = [result for result in results if result.tag == f"{{{DS_NAMESPACE}}}Manifest"]
    if len(manifests) != 1:
        raise MalformedSignature(
            f"the signature's SignedInfo covers {len(manifests)} ds:Manifest elements; "
            "a SubmissionSet Signature covers exactly one (ITI TF-3 5.5.3.1)"
        )
    properties = _signed_properties(results)
    if properties is None:
        raise MalformedSignature(
            "the signature is not XAdES: its SignedInfo covers no xades:SignedProperties "
            "(ITI TF-3 5.5: XAdES signatures)"
        )
    references = _check_manifest(
        manifests[0],
        submission_set_unique_id=submission_set_unique_id,
        documents=documents,
        accept_sha1=accept_sha1,
    )
    return _with_properties(verified, properties, manifest=references)


def find_enveloped_signature(document: etree._Element) -> etree._Element | None:
    """The ``ds:Signature`` child of a document's root element, if it has one."""
    return document.find(f"{{{DS_NAMESPACE}}}Signature")


def verify_enveloped_signature(
    document: etree._Element,
    *,
    trust_store: TrustStore | None,
    at: datetime | None = None,
    accept_sha1: bool = True,
) -> VerifiedSignature | None:
    """Verify the enveloped XMLDSig signature of ``document`` (a CDA root), if it has one.

    The signature must cover the whole document (a reference ``URI=""`` with the
    enveloped-signature transform, XMLDSig §6.6.4): a signature over a part would let the
    rest change unnoticed. XAdES properties, when signed, are checked as for submissions.
    Returns None when the root has no ``ds:Signature`` child.
    """
    signature = find_enveloped_signature(document)
    if signature is None:
        return None
    whole = [
        reference
        for reference in signature.iterfind(
            f"{{{DS_NAMESPACE}}}SignedInfo/{{{DS_NAMESPACE}}}Reference"
        )
        if reference.get("URI") == ""
        and _ENVELOPED_TRANSFORM
        in (t.get("Algorithm") for t in reference.iterfind(f".//{{{DS_NAMESPACE}}}Transform"))
    ]
    if not whole:
        raise MalformedSignature(
            "the document's enveloped ds:Signature does not cover the whole document "
            '(no Reference URI="" with the enveloped-signature transform)'
        )
    verified, results = _verify_core(
        document, signature, trust_store=trust_store, at=at, accept_sha1=accept_sha1
    )
    properties = _signed_properties(results)
    return verified if properties is None else _with_properties(verified, properties)


@dataclass(frozen=True, kw_only=True, eq=False)
class _Result:
    """One verified ``SignedInfo`` reference: what it covered, as signed."""

    element: etree._Element | None

    @property
    def tag(self) -> str | None:
        return None if self.element is None else str(self.element.tag)


def _verify_core(
    root: etree._Element,
    signature: etree._Element,
    *,
    trust_store: TrustStore | None,
    at: datetime | None,
    accept_sha1: bool,
) -> tuple[VerifiedSignature, list[_Result]]:
    """XMLDSig core validation (§3.2) and the signer's certificate path."""
    _check_shape(signature)
    certificates = _key_info_certificates(signature)
    signer = next(
        (certificate for certificate in certificates if not is_authority(certificate)),
        certificates[0],
    )
    others = [certificate for certificate in certificates if certificate is not signer]
    chain = () if trust_store is None else trust_store.verify(signer, others, at=at)
    config = SignatureConfiguration(
        location="./",
        expect_references=True,
        signature_methods=frozenset(
            method
            for method in SignatureMethod
            if not method.name.startswith(("HMAC", "DSA"))
            and (accept_sha1 or "SHA1" not in method.name)
        ),
        digest_algorithms=frozenset(
            algorithm
            for algorithm in DigestAlgorithm
            if accept_sha1 or algorithm is not DigestAlgorithm.SHA1
        ),
        verification_time=at,
    )
    try:
        # The XMLDSig schema is checked by _check_shape, not signxml: DMP software writes a
        # text-only ds:SignatureProperty (schema-invalid, and not signed) that it would refuse.
        results = XMLVerifier().verify(
            root, x509_cert=signer, expect_config=config, validate_schema=False
        )
    except InvalidDigest as error:
        raise SignatureValueError(
            f"signature value check failed: {error}; what the signature covers (the "
            "ds:Manifest or the XAdES properties) was changed after signing"
        ) from None
    except InvalidSignature as error:
        raise SignatureValueError(
            f"signature value check failed: the SignatureValue does not verify with the key of "
            f"{describe(signer)} ({error})"
        ) from None
    except InvalidCertificate as error:
        raise UntrustedCertificate(f"untrusted certificate: {error}") from None
    except (InvalidInput, SignXMLException, etree.LxmlError, ValueError, KeyError) as error:
        raise MalformedSignature(f"the signature cannot be verified as given: {error}") from None
    method = signature.find(f"{{{DS_NAMESPACE}}}SignedInfo/{{{DS_NAMESPACE}}}SignatureMethod")
    verified = VerifiedSignature(
        certificate=signer,
        chain=chain,
        signature_method="" if method is None else method.get("Algorithm", ""),
    )
    listed = results if isinstance(results, list) else [results]
    return verified, [_Result(element=result.signed_xml) for result in listed]


_SIGNATURE_SHAPE = re.compile(r"SignedInfo SignatureValue( KeyInfo)?( Object)*")
_SIGNED_INFO_SHAPE = re.compile(r"CanonicalizationMethod SignatureMethod( Reference)+")


def _check_shape(signature: etree._Element) -> None:
    """The element structure the XMLDSig schema gives ``Signature`` and ``SignedInfo``
    (§4.1, §4.3): one of each part, in order, so no second ``SignedInfo`` can hide."""

    def shape(element: etree._Element) -> str:
        names = []
        for child in element.iterchildren(etree.Element):  # not comments, not PIs
            name = etree.QName(child)
            names.append(name.localname if name.namespace == DS_NAMESPACE else "?")
        return " ".join(names)

    signed_info = signature.find(f"{{{DS_NAMESPACE}}}SignedInfo")
    if not _SIGNATURE_SHAPE.fullmatch(shape(signature)) or (
        signed_info is None or not _SIGNED_INFO_SHAPE.fullmatch(shape(signed_info))
    ):
        raise MalformedSignature(
            "the ds:Signature is not shaped as XMLDSig requires (SignedInfo with "
            "CanonicalizationMethod, SignatureMethod and References, then SignatureValue, "
            "KeyInfo, Objects)"
        )


def _key_info_certificates(signature: etree._Element) -> list[x509.Certificate]:
    """The certificates of ``ds:KeyInfo/ds:X509Data`` (XMLDSig §4.5.4), in order."""
    texts = [
        element.text or ""
        for element in signature.iterfind(
            f"{{{DS_NAMESPACE}}}KeyInfo/{{{DS_NAMESPACE}}}X509Data/{{{DS_NAMESPACE}}}X509Certificate"
        )
    ]
    if not texts:
        raise MalformedSignature(
            "the signature carries no ds:X509Certificate in its ds:KeyInfo: the signer "
            "cannot be identified (XAdES requires the signing certificate)"
        )
    certificates = []
    for text in texts:
        try:
            der = base64.b64decode("".join(text.split()), validate=True)
            certificates.append(x509.load_der_x509_certificate(der))
        except (binascii.Error, ValueError) as error:
            raise MalformedSignature(
                f"a ds:X509Certificate of the signature is not a base64 DER certificate: {error}"
            ) from None
    return certificates


def _signed_properties(results: Sequence[_Result]) -> etree._Element | None:
    """The XAdES ``SignedProperties`` the signature covers, in any XAdES version."""
    for result in results:
        element = result.element
        if element is not None:
            name = etree.QName(element)
            if name.localname == "SignedProperties" and name.namespace in _XADES_NAMESPACES:
                return element
    return None


def _local(parent: etree._Element, *names: str) -> etree._Element | None:
    """The first descendant along ``names`` (local names, any namespace)."""
    found: etree._Element | None = parent
    for name in names:
        if found is None:
            return None
        found = next((child for child in found if etree.QName(child).localname == name), None)
    return found


def _with_properties(
    verified: VerifiedSignature,
    properties: etree._Element,
    *,
    manifest: tuple[ManifestReference, ...] = (),
) -> VerifiedSignature:
    """Check the signed XAdES properties (TS 101 903 §7.2) and add what they say."""
    signature_properties = _local(properties, "SignedSignatureProperties")
    if signature_properties is None:
        raise MalformedSignature("the XAdES SignedProperties have no SignedSignatureProperties")
    _check_signing_certificate(signature_properties, verified.certificate)
    signing_time = None
    time_element = _local(signature_properties, "SigningTime")
    time_text = None if time_element is None else time_element.text
    if time_text:
        try:
            signing_time = datetime.fromisoformat(time_text.strip())
        except ValueError:
            raise MalformedSignature(
                f"the XAdES SigningTime {time_text!r} is not an xsd:dateTime"
            ) from None
        if signing_time.tzinfo is None:
            signing_time = signing_time.replace(tzinfo=UTC)
    purposes = []
    data_object_properties = _local(properties, "SignedDataObjectProperties")
    for indication in () if data_object_properties is None else data_object_properties:
        if etree.QName(indication).localname == "CommitmentTypeIndication":
            identifier = _local(indication, "CommitmentTypeId", "Identifier")
            if identifier is not None and identifier.text:
                purposes.append(identifier.text.strip().removeprefix("urn:oid:"))
    return VerifiedSignature(
        certificate=verified.certificate,
        chain=verified.chain,
        signature_method=verified.signature_method,
        signing_time=signing_time,
        purposes=tuple(purposes),
        manifest=manifest,
    )


def _check_signing_certificate(
    signature_properties: etree._Element, certificate: x509.Certificate
) -> None:
    """XAdES-BES: the signed ``SigningCertificate`` (or ``…V2``) digest is the signer's."""
    signing_certificate = _local(signature_properties, "SigningCertificate")
    if signing_certificate is None:
        signing_certificate = _local(signature_properties, "SigningCertificateV2")
    cert_digest = (
        None if signing_certificate is None else _local(signing_certificate, "Cert", "CertDigest")
    )
    if cert_digest is None:
        raise MalformedSignature(
            "the XAdES signed properties name no SigningCertificate (required by XAdES-BES, "
            "ETSI TS 101 903 §4.4.1)"
        )
    method = _local(cert_digest, "DigestMethod")
    value = _local(cert_digest, "DigestValue")
    try:
        algorithm = DigestAlgorithm(None if method is None else method.get("Algorithm"))
        text = "" if value is None else value.text or ""
        expected = base64.b64decode("".join(text.split()))
    except (ValueError, binascii.Error):
        raise MalformedSignature(
            "the XAdES SigningCertificate digest has an unknown algorithm or is not base64"
        ) from None
    actual = _digest(iter([certificate.public_bytes(Encoding.DER)]), algorithm)
    if actual != expected:
        raise SigningCertificateMismatch(
            f"the XAdES SigningCertificate is not the certificate whose key signed: its "
            f"digest does not match {describe(certificate)}"
        )


def _check_manifest(
    manifest: _Result,
    *,
    submission_set_unique_id: str,
    documents: Mapping[str, SignedContent],
    accept_sha1: bool,
) -> tuple[ManifestReference, ...]:
    """DSG 5.5.5 level 3: the manifest names this SubmissionSet and exactly these documents."""
    assert manifest.element is not None
    references: dict[str, ManifestReference] = {}
    for element in manifest.element.iterfind(f"{{{DS_NAMESPACE}}}Reference"):
        reference = _manifest_reference(element)
        if reference.uri in references:
            raise MalformedSignature(f"the manifest names {reference.uri} twice")
        references[reference.uri] = reference
    submission_set_uri = manifest_uri(submission_set_unique_id)
    if submission_set_uri not in references:
        raise ManifestError(
            f"the manifest does not name this SubmissionSet ({submission_set_uri}): the "
            "signature was made for another submission (ITI TF-3 5.5.3.1)"
        )
    expected = {manifest_uri(unique_id): unique_id for unique_id in documents}
    for uri in references:
        if uri != submission_set_uri and uri not in expected:
            raise UnexpectedReference(
                f"the manifest names {uri}, which is not a document of this submission: "
                "the signed submission was not this one",
                uri=uri,
            )
    for uri, unique_id in expected.items():
        covering = references.get(uri)
        if covering is None:
            raise DocumentNotCovered(
                f"document not covered: uniqueId {unique_id} has no reference ({uri}) in the "
                "signature's manifest",
                unique_id=unique_id,
            )
        _check_digest(covering, unique_id, documents[unique_id], accept_sha1=accept_sha1)
    return tuple(references.values())


def _manifest_reference(element: etree._Element) -> ManifestReference:
    uri = element.get("URI")
    method = element.find(f"{{{DS_NAMESPACE}}}DigestMethod")
    value = element.find(f"{{{DS_NAMESPACE}}}DigestValue")
    if not uri or method is None or value is None:
        raise MalformedSignature(
            "a manifest ds:Reference lacks its URI, DigestMethod or DigestValue (XMLDSig §4.4.3)"
        )
    return ManifestReference(
        uri=uri,
        digest_algorithm=method.get("Algorithm", ""),
        digest_value="".join((value.text or "").split()),
        transforms=tuple(
            transform.get("Algorithm", "")
            for transform in element.iterfind(
                f"{{{DS_NAMESPACE}}}Transforms/{{{DS_NAMESPACE}}}Transform"
            )
        ),
    )


def _check_digest(
    reference: ManifestReference, unique_id: str, content: SignedContent, *, accept_sha1: bool
) -> None:
    try:
        algorithm = DigestAlgorithm(reference.digest_algorithm)
    except ValueError:
        raise MalformedSignature(
            f"the manifest reference {reference.uri} uses the unknown digest algorithm "
            f"{reference.digest_algorithm!r}"
        ) from None
    if algorithm is DigestAlgorithm.SHA1 and not accept_sha1:
        raise MalformedSignature(f"the manifest reference {reference.uri} uses SHA-1, not accepted")
    try:
        expected = base64.b64decode(reference.digest_value, validate=True)
    except binascii.Error:
        raise MalformedSignature(
            f"the DigestValue of manifest reference {reference.uri} is not base64"
        ) from None
    if reference.transforms:
        actual = _digest(iter([_canonical(reference, unique_id, content)]), algorithm)
    else:
        actual = _digest(_chunks(content), algorithm)
    if actual != expected:
        raise DigestMismatch(
            f"digest mismatch for uniqueId {unique_id}: the signature's manifest has "
            f"{algorithm.name} {reference.digest_value}, the document received has "
            f"{base64.b64encode(actual).decode()}; the document is not the one signed",
            unique_id=unique_id,
        )


def _canonical(reference: ManifestReference, unique_id: str, content: SignedContent) -> bytes:
    """The document canonicalized as its reference's transforms say (DMP: CDA with
    Canonical XML with comments); canonicalization of a whole document is all we apply."""
    try:
        methods = [CanonicalizationMethod(algorithm) for algorithm in reference.transforms]
    except ValueError:
        raise MalformedSignature(
            f"the manifest reference {reference.uri} asks for transforms "
            f"{list(reference.transforms)}; only XML canonicalization is supported"
        ) from None
    try:
        document = parse_xml(b"".join(_chunks(content)))
    except XmlError as error:
        raise DigestMismatch(
            f"digest mismatch for uniqueId {unique_id}: the manifest canonicalizes it as XML, "
            f"but the document received is not usable XML ({error})",
            unique_id=unique_id,
        ) from None
    method = methods[-1]
    return etree.tostring(
        document.getroottree(),
        method="c14n",
        exclusive=method.value.startswith("http://www.w3.org/2001/10/xml-exc-c14n#"),
        with_comments=method.value.endswith("#WithComments"),
    )
