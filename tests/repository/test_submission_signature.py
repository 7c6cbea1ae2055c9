"""ITI TF-3 5.5.6 and 5.5.5 (IHE DSG) on ITI-41: the signature's DocumentEntry and the
repository's check, in process (the wire: ``tests/soap/test_submission_signature_wire.py``)."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

import pytest
from lxml import etree

from carnet.signing import signed_submission
from cda.certificates import TrustStore, load_trust_store
from cda.signature import DS_NAMESPACE, SignaturePurpose
from registry.errors import RegistryError
from registry.model import Code, Submission
from registry.vocabulary import AssociationType, ErrorCode
from repository.errors import SubmissionSignatureError
from repository.folder_store import FolderDocumentStore
from repository.provide_and_register import DocumentContent, provide_and_register
from repository.registration import InProcessRegistry
from repository.submission_signature import (
    SIGNATURE_CLASS_CODE,
    SIGNATURE_CONFIDENTIALITY_CODES,
    SIGNATURE_FORMAT_CODE,
    SIGNATURE_TYPE_CODE,
    SubmissionSignatureCheck,
    add_signature_entry,
    signature_entries,
)
from tests import submissions as build
from tests.repository.conftest import REPOSITORY_ID, Content
from tests.signing_pki import Pki, make_pki

REPORT = b"<ClinicalDocument>compte rendu</ClinicalDocument>"
SCAN = bytes(range(256)) * 100


@pytest.fixture(scope="module")
def pki(tmp_path_factory: pytest.TempPathFactory) -> Pki:
    return make_pki(tmp_path_factory.mktemp("pki"))


@pytest.fixture(scope="module")
def trust(pki: Pki) -> TrustStore:
    return load_trust_store(pki.trust_store)


def unsigned() -> tuple[Submission, dict[str, Path | bytes]]:
    first = build.document_entry("Document01", content=REPORT, hash=None, size=None)
    second = build.document_entry(
        "Document02", content=SCAN, hash=None, size=None, mime_type="application/pdf"
    )
    second = second.with_(repository_unique_id=None)
    submission = build.submission(first.with_(repository_unique_id=None), second)
    return submission, {"Document01": REPORT, "Document02": SCAN}


def signed(pki: Pki) -> tuple[Submission, dict[str, DocumentContent]]:
    submission, documents = signed_submission(*unsigned(), key=pki.signer)
    return submission, {key: Content(value) for key, value in documents.items()}  # type: ignore[arg-type]


def contents(documents: Mapping[str, Path | bytes]) -> dict[str, DocumentContent]:
    return {key: Content(value) for key, value in documents.items()}  # type: ignore[arg-type]


def refusal(
    check: SubmissionSignatureCheck,
    submission: Submission,
    documents: Mapping[str, DocumentContent],
) -> SubmissionSignatureError:
    with pytest.raises(SubmissionSignatureError) as caught:
        check(submission, documents)
    assert caught.value.error_code is ErrorCode.REPOSITORY_METADATA_ERROR
    return caught.value


def ihe(trust: TrustStore | None) -> SubmissionSignatureCheck:
    return SubmissionSignatureCheck(trust_store=trust)


def dmp(trust: TrustStore | None) -> SubmissionSignatureCheck:
    return SubmissionSignatureCheck(trust_store=trust, require_signature=True, require_trust=True)


# ------------------------------------------------------------------ the signature's entry


def test_signature_entry_carries_the_dmp_codes_and_signs_the_submission_set() -> None:
    submission, _ = unsigned()
    with_entry = add_signature_entry(submission, entry_id="Signature", unique_id="1.2.3.4")
    entry = with_entry.documents[-1]
    assert entry.class_code == SIGNATURE_CLASS_CODE
    assert (
        entry.type_code
        == SIGNATURE_TYPE_CODE
        == Code(code="E1762", scheme="ASTM", display_name="Full Document")
    )
    assert entry.format_code == SIGNATURE_FORMAT_CODE
    assert entry.format_code.code == "http://www.w3.org/2000/09/xmldsig#"
    assert [(c.code, c.scheme) for c in entry.confidentiality_codes] == [
        ("N", "2.16.840.1.113883.5.25"),
        ("MASQUE_PS", "1.2.250.1.213.1.1.4.13"),
        ("INVISIBLE_PATIENT", "1.2.250.1.213.1.1.4.13"),
    ]
    assert entry.confidentiality_codes == SIGNATURE_CONFIDENTIALITY_CODES
    assert (entry.mime_type, entry.language_code, entry.title) == ("text/xml", "art", "Source")
    assert [(c.code, c.scheme) for c in entry.event_codes] == [
        (SignaturePurpose.SOURCE.value, "1.2.840.10065.1.12")
    ]
    links = {(a.association_type, a.source_id, a.target_id) for a in with_entry.associations}
    assert (AssociationType.SIGNS.value, "Signature", "SubmissionSet01") in links
    assert (AssociationType.HAS_MEMBER.value, "SubmissionSet01", "Signature") in links


def test_signature_entries_are_those_that_sign_the_submission_set(pki: Pki) -> None:
    submission, _ = signed(pki)
    assert [entry.entry_uuid for entry in signature_entries(submission)] == [
        "SubmissionSetSignature"
    ]
    assert signature_entries(unsigned()[0]) == ()


def test_signed_submission_adds_the_signature_document(pki: Pki) -> None:
    submission, documents = signed_submission(*unsigned(), key=pki.signer)
    signature = documents["SubmissionSetSignature"]
    assert isinstance(signature, bytes)
    assert etree.fromstring(signature).tag == f"{{{DS_NAMESPACE}}}Signature"
    assert len(submission.documents) == 3


# ------------------------------------------------------------------------------ accepted


def test_signed_submission_is_stored_and_registered_with_its_signature(
    pki: Pki,
    trust: TrustStore,
    store: FolderDocumentStore,
    registry: InProcessRegistry,
) -> None:
    submission, documents = signed(pki)
    registered = provide_and_register(
        submission,
        documents,
        store=store,
        registry=registry,
        repository_unique_id=REPOSITORY_ID,
        checks=(dmp(trust),),
    )
    assert len(registered.documents) == 3
    kinds = {a.association_type for a in registered.associations}
    assert AssociationType.SIGNS.value in kinds


def test_unsigned_submission_is_accepted_when_no_signature_is_required(
    trust: TrustStore,
) -> None:
    submission, documents = unsigned()
    ihe(trust)(submission, contents(documents))


def test_signature_is_verified_without_a_trust_store_when_trust_is_not_required(
    pki: Pki,
) -> None:
    submission, documents = signed(pki)
    ihe(None)(submission, documents)
    documents["Document02"] = Content(b"\x01" + SCAN[1:])
    refusal(ihe(None), submission, documents)


# ------------------------------------------------------------------------------ refused


def test_unsigned_submission_is_refused_when_a_signature_is_required(trust: TrustStore) -> None:
    submission, documents = unsigned()
    error = refusal(dmp(trust), submission, contents(documents))
    assert error.reason.startswith("signature required")
    assert error.location == "SubmissionSet01"


def test_one_byte_changed_in_a_document_is_refused_naming_its_unique_id(
    pki: Pki, trust: TrustStore
) -> None:
    submission, documents = signed(pki)
    documents["Document02"] = Content(SCAN[:-1] + b"\x00")
    error = refusal(dmp(trust), submission, documents)
    unique_id = submission.documents[1].unique_id
    assert f"digest mismatch for uniqueId {unique_id}" in error.reason
    assert error.location == "Document02"


def test_a_changed_manifest_digest_is_refused_as_a_signature_value_failure(
    pki: Pki, trust: TrustStore
) -> None:
    submission, documents = signed(pki)
    signature = b"".join(documents["SubmissionSetSignature"].chunks())
    root = etree.fromstring(signature)
    value = root.find(
        f".//{{{DS_NAMESPACE}}}Manifest/{{{DS_NAMESPACE}}}Reference[2]/"
        f"{{{DS_NAMESPACE}}}DigestValue"
    )
    assert value is not None
    value.text = "AAAA" + (value.text or "")[4:]
    documents["SubmissionSetSignature"] = Content(etree.tostring(root))
    error = refusal(dmp(trust), submission, documents)
    assert "signature value check failed" in error.reason
    assert error.location == "SubmissionSetSignature"


def test_untrusted_certificate_is_refused(pki: Pki, trust: TrustStore) -> None:
    submission, documents = signed_submission(*unsigned(), key=pki.stranger)
    error = refusal(dmp(trust), submission, contents(documents))
    assert "does not chain to the trust store" in error.reason


def test_required_trust_without_a_trust_store_is_refused(pki: Pki) -> None:
    submission, documents = signed(pki)
    error = refusal(dmp(None), submission, documents)
    assert error.reason.startswith("untrusted certificate: this repository has no trust store")


def test_document_added_after_signing_is_not_covered(pki: Pki, trust: TrustStore) -> None:
    submission, documents = signed(pki)
    extra = build.document_entry("Document03", content=b"late", hash=None, size=None)
    submission = submission.__class__(
        submission_set=submission.submission_set,
        documents=(*submission.documents, extra.with_(repository_unique_id=None)),
        associations=(
            *submission.associations,
            build.has_member("ss-member-late", "SubmissionSet01", "Document03"),
        ),
    )
    documents["Document03"] = Content(b"late")
    error = refusal(dmp(trust), submission, documents)
    assert f"document not covered: uniqueId {extra.unique_id}" in error.reason
    assert error.location == "Document03"


def test_entry_signing_the_submission_set_must_have_a_signature_format_code(
    pki: Pki, trust: TrustStore
) -> None:
    submission, documents = signed(pki)
    entry = submission.documents[-1]
    wrong = entry.with_(format_code=Code(code="urn:ihe:iti:xds-sd:text:2008", scheme="x"))
    submission = submission.__class__(
        submission_set=submission.submission_set,
        documents=(*submission.documents[:-1], wrong),
        associations=submission.associations,
    )
    error = refusal(ihe(trust), submission, documents)
    assert "not a signature format" in error.reason


def test_signed_submission_refused_by_the_repository_leaves_nothing_stored(
    pki: Pki,
    trust: TrustStore,
    store: FolderDocumentStore,
    registry: InProcessRegistry,
) -> None:
    submission, documents = signed(pki)
    documents["Document01"] = Content(REPORT + b" ")
    with pytest.raises(RegistryError) as caught:
        provide_and_register(
            submission,
            documents,
            store=store,
            registry=registry,
            repository_unique_id=REPOSITORY_ID,
            checks=(dmp(trust),),
        )
    assert [e.error_code for e in caught.value.errors] == [ErrorCode.REPOSITORY_METADATA_ERROR]
    assert not any(store.exists(content.sha1) for content in documents.values())


# ------------------------------------------------------------ enveloped signatures in CDA


def test_enveloped_signature_of_a_cda_is_verified_when_present(pki: Pki, trust: TrustStore) -> None:
    from signxml.signer import XMLSigner

    document = etree.fromstring(
        b'<ClinicalDocument xmlns="urn:hl7-org:v3"><title>CR</title></ClinicalDocument>'
    )
    signed_cda = etree.tostring(
        XMLSigner().sign(
            document,
            key=pki.signer.private_key,
            cert=[pki.signer.certificate, *pki.signer.chain],
        )
    )
    submission, documents = unsigned()
    ihe(trust)(submission, contents({**documents, "Document01": signed_cda}))
    tampered = signed_cda.replace(b">CR<", b">CR modifie<")
    error = refusal(ihe(trust), submission, contents({**documents, "Document01": tampered}))
    assert error.reason.startswith(
        f"enveloped signature of document {submission.documents[0].unique_id}"
    )
    assert error.location == "Document01"
