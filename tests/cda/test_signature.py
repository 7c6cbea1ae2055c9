"""ITI TF-3 5.5 (IHE DSG): SubmissionSet Signatures and enveloped CDA signatures, a rule a test.

Keys and certificates are generated for the session (``tests/signing_pki.py``).
"""

from __future__ import annotations

import base64
import dataclasses
import datetime
import hashlib
from collections.abc import Iterator
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from lxml import etree
from signxml.algorithms import SignatureConstructionMethod
from signxml.signer import XMLSigner
from signxml.xades.xades import XAdESSigner

from cda.certificates import SigningKey, TrustStore, load_signing_key, load_trust_store
from cda.errors import (
    DigestMismatch,
    DocumentNotCovered,
    MalformedSignature,
    ManifestError,
    SignatureValueError,
    SigningCertificateMismatch,
    SigningMaterialError,
    UnexpectedReference,
    UntrustedCertificate,
)
from cda.signature import (
    DS_NAMESPACE,
    SignaturePurpose,
    manifest_uri,
    sign_submission_set,
    verify_enveloped_signature,
    verify_submission_signature,
)
from tests.signing_pki import NOW, Pki, issue, make_pki, rsa_key

DS = {"ds": DS_NAMESPACE, "xades": "http://uri.etsi.org/01903/v1.3.2#"}
SUBMISSION_SET = "1.2.250.1.999.7.1"
CDA = (
    b'<?xml version="1.0" encoding="UTF-8"?>\n'
    b'<ClinicalDocument xmlns="urn:hl7-org:v3"><!-- a comment -->'
    b'<id root="1.2.250.1.999.7.2"/><title>Compte rendu</title></ClinicalDocument>\n'
)
DOCUMENTS = {"1.2.250.1.999.7.2": CDA, "1.2.250.1.999.7.3": bytes(range(256)) * 160}


@pytest.fixture(scope="module")
def pki(tmp_path_factory: pytest.TempPathFactory) -> Pki:
    return make_pki(tmp_path_factory.mktemp("pki"))


@pytest.fixture(scope="module")
def trust(pki: Pki) -> TrustStore:
    return load_trust_store(pki.trust_store)


@pytest.fixture(scope="module")
def signature(pki: Pki) -> bytes:
    return sign_submission_set(
        submission_set_unique_id=SUBMISSION_SET, documents=DOCUMENTS, key=pki.signer
    )


def verify(signature: bytes, trust: TrustStore | None, **changes: object) -> object:
    arguments: dict[str, object] = {
        "submission_set_unique_id": SUBMISSION_SET,
        "documents": DOCUMENTS,
        "trust_store": trust,
    }
    return verify_submission_signature(signature, **{**arguments, **changes})  # type: ignore[arg-type]


# ------------------------------------------------------------------------- the signature


def test_submission_signature_verifies_and_names_its_signer_and_purpose(
    signature: bytes, trust: TrustStore, pki: Pki
) -> None:
    result = verify_submission_signature(
        signature, submission_set_unique_id=SUBMISSION_SET, documents=DOCUMENTS, trust_store=trust
    )
    assert result.trusted
    assert result.certificate == pki.signer.certificate
    assert result.chain == (pki.signer.certificate, pki.intermediate[0], pki.root)
    assert result.purposes == (SignaturePurpose.SOURCE.value,)
    assert result.signing_time is not None
    assert abs(result.signing_time - datetime.datetime.now(datetime.UTC)) < datetime.timedelta(
        minutes=5
    )
    assert {reference.uri for reference in result.manifest} == {
        manifest_uri(SUBMISSION_SET),
        *(manifest_uri(unique_id) for unique_id in DOCUMENTS),
    }


def test_signature_is_an_enveloping_xades_signature_over_a_typed_manifest(
    signature: bytes,
) -> None:
    root = etree.fromstring(signature)
    assert root.tag == f"{{{DS_NAMESPACE}}}Signature"
    [manifest_reference] = root.xpath(
        "ds:SignedInfo/ds:Reference[@Type='http://www.w3.org/2000/09/xmldsig#Manifest']",
        namespaces=DS,
    )
    assert manifest_reference.get("URI") == "#IHEManifest"
    assert root.xpath("ds:Object/ds:Manifest/@Id", namespaces=DS) == ["IHEManifest"]
    assert root.xpath("ds:SignedInfo/ds:CanonicalizationMethod/@Algorithm", namespaces=DS) == [
        "http://www.w3.org/2006/12/xml-c14n11#WithComments"
    ]  # DSG 5.5.2
    assert root.xpath(
        "ds:Object/xades:QualifyingProperties/xades:SignedProperties//"
        "xades:CommitmentTypeIndication/xades:CommitmentTypeId/xades:Identifier/text()",
        namespaces=DS,
    ) == ["urn:oid:1.2.840.10065.1.12.1.14"]


def test_manifest_names_the_submission_set_with_a_zero_hash_and_each_document_with_its_sha256(
    signature: bytes,
) -> None:
    references = {
        reference.get("URI"): (
            reference.find("ds:DigestMethod", DS).get("Algorithm"),
            reference.findtext("ds:DigestValue", namespaces=DS),
        )
        for reference in etree.fromstring(signature).iterfind(
            "ds:Object/ds:Manifest/ds:Reference", DS
        )
    }
    sha256 = "http://www.w3.org/2001/04/xmlenc#sha256"
    assert references == {
        f"urn:oid:{SUBMISSION_SET}": (sha256, "AA=="),
        **{
            f"urn:oid:{unique_id}": (
                sha256,
                base64.b64encode(hashlib.sha256(data).digest()).decode(),
            )
            for unique_id, data in DOCUMENTS.items()
        },
    }


def test_signature_from_a_file_or_chunks_equals_the_one_from_bytes(
    pki: Pki, tmp_path: Path
) -> None:
    file = tmp_path / "cr.xml"
    file.write_bytes(CDA)

    class Chunks:
        def chunks(self) -> Iterator[bytes]:
            data = DOCUMENTS["1.2.250.1.999.7.3"]
            yield from (data[i : i + 1000] for i in range(0, len(data), 1000))

    signature = sign_submission_set(
        submission_set_unique_id=SUBMISSION_SET,
        documents={"1.2.250.1.999.7.2": file, "1.2.250.1.999.7.3": Chunks()},
        key=pki.signer,
    )
    verify(signature, None)


# --------------------------------------------------------------------- level 1: integrity


def test_one_byte_changed_in_a_document_is_a_digest_mismatch_naming_its_unique_id(
    signature: bytes, trust: TrustStore
) -> None:
    changed = {**DOCUMENTS, "1.2.250.1.999.7.3": b"\x01" + DOCUMENTS["1.2.250.1.999.7.3"][1:]}
    with pytest.raises(DigestMismatch) as caught:
        verify(signature, trust, documents=changed)
    assert caught.value.unique_id == "1.2.250.1.999.7.3"
    assert "digest mismatch for uniqueId 1.2.250.1.999.7.3" in caught.value.reason


def test_a_manifest_digest_changed_after_signing_fails_the_signature_value(
    signature: bytes, trust: TrustStore
) -> None:
    root = etree.fromstring(signature)
    value = root.find("ds:Object/ds:Manifest/ds:Reference[2]/ds:DigestValue", DS)
    value.text = base64.b64encode(b"\x00" * 32).decode()
    with pytest.raises(SignatureValueError) as caught:
        verify(etree.tostring(root), trust)
    assert "#IHEManifest" in caught.value.reason


def test_a_changed_signature_value_fails(signature: bytes, trust: TrustStore) -> None:
    root = etree.fromstring(signature)
    value = root.find("ds:SignatureValue", DS)
    raw = bytearray(base64.b64decode(value.text))
    raw[10] ^= 0xFF
    value.text = base64.b64encode(bytes(raw)).decode()
    with pytest.raises(SignatureValueError, match="SignatureValue does not verify"):
        verify(etree.tostring(root), trust)


def test_signing_certificate_must_be_the_signers(
    pki: Pki, trust: TrustStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    """XAdES-BES binds the certificate: a SigningCertificate naming another one is refused."""
    original = XAdESSigner.add_signing_certificate
    other = pki.signer_issued().certificate

    def name_another(
        self: XAdESSigner, properties: object, sig_root: object, signing_settings: object
    ) -> None:
        settings = dataclasses.replace(signing_settings, cert_chain=[other])  # type: ignore[type-var]
        original(self, properties, sig_root=sig_root, signing_settings=settings)

    monkeypatch.setattr(XAdESSigner, "add_signing_certificate", name_another)
    signature = sign_submission_set(
        submission_set_unique_id=SUBMISSION_SET, documents=DOCUMENTS, key=pki.signer
    )
    with pytest.raises(SigningCertificateMismatch):
        verify(signature, trust)


def test_signature_without_xades_properties_is_not_a_dsg_signature(
    pki: Pki, trust: TrustStore
) -> None:
    manifest = etree.fromstring(
        f'<ds:Manifest xmlns:ds="{DS_NAMESPACE}" Id="IHEManifest"/>'.encode()
    )
    plain = XMLSigner(method=SignatureConstructionMethod.enveloping).sign(
        manifest, key=pki.signer.private_key, cert=[pki.signer.certificate, *pki.signer.chain]
    )
    with pytest.raises(MalformedSignature):
        verify(etree.tostring(plain), trust)


def test_document_that_is_not_a_signature_is_malformed(trust: TrustStore) -> None:
    with pytest.raises(MalformedSignature, match="not an XMLDSig ds:Signature"):
        verify(CDA, trust)


# ---------------------------------------------------------------------- level 2: the signer


def test_certificate_of_another_pki_is_untrusted(pki: Pki, trust: TrustStore) -> None:
    signature = sign_submission_set(
        submission_set_unique_id=SUBMISSION_SET, documents=DOCUMENTS, key=pki.stranger
    )
    with pytest.raises(UntrustedCertificate, match="does not chain to the trust store"):
        verify(signature, trust)


def test_expired_certificate_is_untrusted(pki: Pki, trust: TrustStore) -> None:
    signature = sign_submission_set(
        submission_set_unique_id=SUBMISSION_SET, documents=DOCUMENTS, key=pki.signer
    )
    with pytest.raises(UntrustedCertificate, match="is valid from"):
        verify(signature, trust, at=NOW + datetime.timedelta(days=60))


def test_certificate_whose_key_may_not_sign_is_untrusted(pki: Pki, trust: TrustStore) -> None:
    key = pki.signer_issued(can_sign=False)
    signature = sign_submission_set(
        submission_set_unique_id=SUBMISSION_SET, documents=DOCUMENTS, key=key
    )
    with pytest.raises(UntrustedCertificate, match="digitalSignature"):
        verify(signature, trust)


def test_signer_without_its_intermediate_is_untrusted(pki: Pki, trust: TrustStore) -> None:
    alone = SigningKey(private_key=pki.signer.private_key, certificate=pki.signer.certificate)
    signature = sign_submission_set(
        submission_set_unique_id=SUBMISSION_SET, documents=DOCUMENTS, key=alone
    )
    with pytest.raises(UntrustedCertificate):
        verify(signature, trust)


def test_without_a_trust_store_integrity_is_still_verified(signature: bytes) -> None:
    result = verify_submission_signature(
        signature, submission_set_unique_id=SUBMISSION_SET, documents=DOCUMENTS, trust_store=None
    )
    assert not result.trusted
    with pytest.raises(DigestMismatch):
        verify(signature, None, documents={**DOCUMENTS, "1.2.250.1.999.7.2": CDA + b" "})


# ------------------------------------------------------------------- level 3: the documents


def test_document_the_manifest_does_not_name_is_not_covered(
    signature: bytes, trust: TrustStore
) -> None:
    with pytest.raises(DocumentNotCovered) as caught:
        verify(signature, trust, documents={**DOCUMENTS, "1.2.250.1.999.7.9": b"added"})
    assert caught.value.unique_id == "1.2.250.1.999.7.9"
    assert "document not covered" in caught.value.reason


def test_manifest_naming_a_document_not_received_is_refused(
    signature: bytes, trust: TrustStore
) -> None:
    with pytest.raises(UnexpectedReference) as caught:
        verify(signature, trust, documents={"1.2.250.1.999.7.2": CDA})
    assert caught.value.uri == "urn:oid:1.2.250.1.999.7.3"


def test_signature_of_another_submission_set_is_refused(
    signature: bytes, trust: TrustStore
) -> None:
    with pytest.raises(ManifestError, match="does not name this SubmissionSet"):
        verify(signature, trust, submission_set_unique_id="1.2.250.1.999.7.99")


# --------------------------------------------------------------- signatures of DMP software


def _c14n(element: etree._Element) -> bytes:
    return etree.tostring(element, method="c14n", with_comments=True)


def dmp_style_signature(key: rsa.RSAPrivateKey, certificate: x509.Certificate) -> bytes:
    """A SubmissionSet Signature shaped as DMP software writes it (ANS DRIMbox ``XadesSign``):
    XAdES 1.1.1, RSA-SHA1, SHA-1 digests, the CDA canonicalized with comments."""
    ds, xades = DS_NAMESPACE, "http://uri.etsi.org/01903/v1.1.1#"
    c14n = "http://www.w3.org/TR/2001/REC-xml-c14n-20010315#WithComments"
    sha1 = "http://www.w3.org/2000/09/xmldsig#sha1"

    def sha1_b64(data: bytes) -> str:
        return base64.b64encode(hashlib.sha1(data).digest()).decode()

    def reference(parent: etree._Element, uri: str, digest: str, **extra: str) -> etree._Element:
        element = etree.SubElement(parent, f"{{{ds}}}Reference", URI=uri, **extra)
        if "transform" in extra:
            del element.attrib["transform"]
            transforms = etree.SubElement(element, f"{{{ds}}}Transforms")
            etree.SubElement(transforms, f"{{{ds}}}Transform", Algorithm=c14n)
        etree.SubElement(element, f"{{{ds}}}DigestMethod", Algorithm=sha1)
        etree.SubElement(element, f"{{{ds}}}DigestValue").text = digest
        return element

    signature = etree.Element(f"{{{ds}}}Signature", nsmap={"ds": ds}, Id="Signature01")
    signed_info = etree.SubElement(signature, f"{{{ds}}}SignedInfo")
    etree.SubElement(signed_info, f"{{{ds}}}CanonicalizationMethod", Algorithm=c14n)
    etree.SubElement(
        signed_info,
        f"{{{ds}}}SignatureMethod",
        Algorithm="http://www.w3.org/2000/09/xmldsig#rsa-sha1",
    )
    manifest_ref = reference(signed_info, "#IHEManifest", "", Type=f"{ds}Manifest")
    properties_ref = reference(
        signed_info, "#S0-SignedProperties", "", Type=f"{xades}SignedProperties"
    )
    value = etree.SubElement(signature, f"{{{ds}}}SignatureValue")
    key_info = etree.SubElement(signature, f"{{{ds}}}KeyInfo")
    etree.SubElement(
        etree.SubElement(key_info, f"{{{ds}}}X509Data"), f"{{{ds}}}X509Certificate"
    ).text = base64.b64encode(certificate.public_bytes(serialization.Encoding.DER)).decode()
    purpose = etree.SubElement(
        etree.SubElement(
            etree.SubElement(signature, f"{{{ds}}}Object"), f"{{{ds}}}SignatureProperties"
        ),
        f"{{{ds}}}SignatureProperty",
        Id="purposeOfSignature",
        Target="#Signature01",
    )
    purpose.text = "1.2.840.10065.1.12.1.14"
    manifest = etree.SubElement(
        etree.SubElement(signature, f"{{{ds}}}Object"), f"{{{ds}}}Manifest", Id="IHEManifest"
    )
    reference(manifest, f"urn:oid:{SUBMISSION_SET}", "AA==")
    canonical_cda = etree.tostring(
        etree.fromstring(CDA).getroottree(), method="c14n", with_comments=True
    )
    reference(manifest, "urn:oid:1.2.250.1.999.7.2", sha1_b64(canonical_cda), transform="c14n")
    reference(manifest, "urn:oid:1.2.250.1.999.7.3", sha1_b64(DOCUMENTS["1.2.250.1.999.7.3"]))
    qualifying = etree.SubElement(
        etree.SubElement(signature, f"{{{ds}}}Object"),
        f"{{{xades}}}QualifyingProperties",
        nsmap={"xades": xades},
        Target="#Signature01",
    )
    signed_properties = etree.SubElement(
        qualifying, f"{{{xades}}}SignedProperties", Id="S0-SignedProperties"
    )
    signature_properties = etree.SubElement(
        signed_properties, f"{{{xades}}}SignedSignatureProperties"
    )
    etree.SubElement(
        signature_properties, f"{{{xades}}}SigningTime"
    ).text = "2025-01-15T10:00:00.000+01:00"
    cert = etree.SubElement(
        etree.SubElement(signature_properties, f"{{{xades}}}SigningCertificate"), f"{{{xades}}}Cert"
    )
    digest = etree.SubElement(cert, f"{{{xades}}}CertDigest")
    etree.SubElement(digest, f"{{{xades}}}DigestMethod", Algorithm=sha1)
    etree.SubElement(digest, f"{{{xades}}}DigestValue").text = sha1_b64(
        certificate.public_bytes(serialization.Encoding.DER)
    )
    serial = etree.SubElement(cert, f"{{{xades}}}IssuerSerial")
    etree.SubElement(serial, f"{{{ds}}}X509IssuerName").text = certificate.issuer.rfc4514_string()
    etree.SubElement(serial, f"{{{ds}}}X509SerialNumber").text = str(certificate.serial_number)
    etree.SubElement(
        etree.SubElement(signature_properties, f"{{{xades}}}SignaturePolicyIdentifier"),
        f"{{{xades}}}SignaturePolicyImplied",
    )
    etree.SubElement(signed_properties, f"{{{xades}}}SignedDataObjectProperties")

    manifest_ref.find(f"{{{ds}}}DigestValue").text = sha1_b64(_c14n(manifest))
    properties_ref.find(f"{{{ds}}}DigestValue").text = sha1_b64(_c14n(signed_properties))
    value.text = base64.b64encode(
        key.sign(_c14n(signed_info), padding.PKCS1v15(), hashes.SHA1())
    ).decode()
    return etree.tostring(signature)


def test_dmp_style_signature_with_sha1_and_xades_1_1_1_verifies(pki: Pki) -> None:
    key = rsa_key()
    certificate = issue("DRIMbox-like signer", key, issuer=pki.intermediate)
    chain_store = TrustStore(anchors=(pki.intermediate[0],), source="intermediate")
    result = verify(dmp_style_signature(key, certificate), chain_store)
    assert result.certificate == certificate  # type: ignore[attr-defined]
    assert result.signing_time == datetime.datetime(  # type: ignore[attr-defined]
        2025, 1, 15, 10, tzinfo=datetime.timezone(datetime.timedelta(hours=1))
    )


def test_sha1_signatures_are_refused_when_not_accepted(pki: Pki) -> None:
    key = rsa_key()
    certificate = issue("DRIMbox-like signer", key, issuer=pki.intermediate)
    with pytest.raises(MalformedSignature, match="SHA1"):
        verify(dmp_style_signature(key, certificate), None, accept_sha1=False)


def test_a_canonicalized_reference_still_detects_a_changed_cda(pki: Pki) -> None:
    key = rsa_key()
    certificate = issue("DRIMbox-like signer", key, issuer=pki.intermediate)
    changed = {**DOCUMENTS, "1.2.250.1.999.7.2": CDA.replace(b"Compte", b"Compta")}
    with pytest.raises(DigestMismatch):
        verify(dmp_style_signature(key, certificate), None, documents=changed)


# ----------------------------------------------------------------- enveloped CDA signatures


def signed_cda(key: SigningKey, *, reference_uri: str | None = None) -> etree._Element:
    document = etree.fromstring(CDA.replace(b"<title>", b'<section ID="s1"/><title>'))
    return XMLSigner().sign(
        document,
        key=key.private_key,
        cert=[key.certificate, *key.chain],
        reference_uri=reference_uri,
    )


def test_enveloped_signature_of_a_cda_verifies(pki: Pki, trust: TrustStore) -> None:
    result = verify_enveloped_signature(signed_cda(pki.signer), trust_store=trust)
    assert result is not None and result.trusted
    assert result.certificate == pki.signer.certificate


def test_cda_without_a_signature_has_nothing_to_verify(trust: TrustStore) -> None:
    assert verify_enveloped_signature(etree.fromstring(CDA), trust_store=trust) is None


def test_changed_text_of_a_signed_cda_fails(pki: Pki, trust: TrustStore) -> None:
    document = signed_cda(pki.signer)
    document.find("{urn:hl7-org:v3}title").text = "Compte rendu modifié"
    with pytest.raises(SignatureValueError):
        verify_enveloped_signature(document, trust_store=trust)


def test_enveloped_signature_over_part_of_the_cda_is_refused(pki: Pki, trust: TrustStore) -> None:
    with pytest.raises(MalformedSignature, match="whole document"):
        verify_enveloped_signature(signed_cda(pki.signer, reference_uri="#s1"), trust_store=trust)


def test_enveloped_signature_by_a_stranger_is_untrusted(pki: Pki, trust: TrustStore) -> None:
    with pytest.raises(UntrustedCertificate):
        verify_enveloped_signature(signed_cda(pki.stranger), trust_store=trust)


# ------------------------------------------------------------------------ keys and stores


def test_trust_store_may_be_a_directory_of_certificates(pki: Pki, tmp_path: Path) -> None:
    directory = tmp_path / "cas"
    directory.mkdir()
    (directory / "root.crt").write_bytes(pki.root.public_bytes(serialization.Encoding.PEM))
    (directory / "intermediate.cer").write_bytes(
        pki.intermediate[0].public_bytes(serialization.Encoding.DER)
    )
    (directory / "README").write_text("not a certificate")
    store = load_trust_store(directory)
    assert set(store.anchors) == {pki.root, pki.intermediate[0]}


def test_trust_store_is_read_once_per_path(pki: Pki) -> None:
    assert load_trust_store(pki.trust_store) is load_trust_store(pki.trust_store)


def test_trust_store_without_a_certificate_is_refused(tmp_path: Path) -> None:
    (tmp_path / "empty").mkdir()
    with pytest.raises(SigningMaterialError, match="holds no certificate"):
        load_trust_store(tmp_path / "empty")


def test_signing_key_is_loaded_with_its_chain_once(pki: Pki) -> None:
    key = load_signing_key(pki.key_file, pki.certificate_file)
    assert key.certificate == pki.signer.certificate
    assert key.chain == (pki.intermediate[0],)
    assert load_signing_key(pki.key_file, pki.certificate_file) is key


def test_signing_key_and_certificate_must_match(pki: Pki) -> None:
    with pytest.raises(SigningMaterialError, match="is not the certificate of the key"):
        load_signing_key(pki.stranger_key_file, pki.certificate_file)
