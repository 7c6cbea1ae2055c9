"""ITI TF-3 5.5.6 and 5.5.3.1 (IHE DSG) — the SubmissionSet Signature as XDS metadata, on ITI-41.

A signed submission carries its signature (:mod:`cda.signature`) as one more document, with
a DocumentEntry of its own and a ``signs`` association from that entry to the SubmissionSet.
The DMP describes it with fixed codes (ANS DRIMbox; DMP value sets J57, J58, J60, concept
map X16), which this module names once:

* classCode ``urn:oid:1.3.6.1.4.1.19376.1.2.1.1.1`` "Digital Signature" (scheme ``URN``),
  typeCode ``E1762`` "Full Document" (``ASTM``, DSG 5.5.6.1.3), formatCode
  ``http://www.w3.org/2000/09/xmldsig#`` "Default Signature Style" (``URN``; DSG's own
  ``urn:ihe:iti:dsg:detached:2014`` is recognised too);
* mimeType ``text/xml``, languageCode ``art`` (DSG 5.5.6.1.6, .8), eventCodeList the purpose
  of signature and title its name (5.5.6.1.5, .7);
* confidentialityCode ``N`` plus ``MASQUE_PS`` and ``INVISIBLE_PATIENT`` (TRE_A07,
  ``1.2.250.1.213.1.1.4.13``), which keep it out of professionals' and patients' listings.

:func:`add_signature_entry` adds that entry and its associations to a submission (the
Document Source side: ``carnet.signing``). :class:`SubmissionSignatureCheck` is the
repository's rule (a :class:`~repository.provide_and_register.SubmissionCheck`): it finds
the entries that sign the SubmissionSet, verifies each against the documents received in the
same request and the trust store, and refuses a broken one with
:class:`~repository.errors.SubmissionSignatureError` (``XDSRepositoryMetadataError``) whose
reason names what failed. XML documents that carry an enveloped XMLDSig signature have it
verified too. Whether a signature is required, and whether its signer must be trusted, is the
profile's choice (``ihe``: no, and trusted only when a trust store is configured; ``dmp``: yes).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import replace
from datetime import UTC, datetime

from cda.certificates import TrustStore
from cda.document import CDA_NAMESPACE
from cda.errors import (
    DigestMismatch,
    DocumentNotCovered,
    SignatureError,
    UntrustedCertificate,
)
from cda.signature import (
    DS_NAMESPACE,
    PURPOSE_CODING_SCHEME,
    SignatureFormat,
    SignaturePurpose,
    find_enveloped_signature,
    verify_enveloped_signature,
    verify_submission_signature,
)
from registry.model import Association, Code, DocumentEntry, Submission
from registry.vocabulary import AssociationType, SubmissionSetStatus
from repository.errors import SubmissionSignatureError
from repository.provide_and_register import DocumentContent
from schemas.loader import XmlError, parse_xml

__all__ = [
    "SIGNATURE_CLASS_CODE",
    "SIGNATURE_CONFIDENTIALITY_CODES",
    "SIGNATURE_FORMAT_CODE",
    "SIGNATURE_LANGUAGE_CODE",
    "SIGNATURE_MIME_TYPE",
    "SIGNATURE_TYPE_CODE",
    "SubmissionSignatureCheck",
    "add_signature_entry",
    "signature_entries",
]

SIGNATURE_CLASS_CODE = Code(
    code="urn:oid:1.3.6.1.4.1.19376.1.2.1.1.1", scheme="URN", display_name="Digital Signature"
)
"""DMP JDV_J57 (TRE_A10 NomenclatureURN): the classCode of a signature document."""

SIGNATURE_TYPE_CODE = Code(code="E1762", scheme="ASTM", display_name="Full Document")
"""ITI TF-3 5.5.6.1.3: typeCode where no workflow-specific one applies."""

SIGNATURE_FORMAT_CODE = Code(
    code=SignatureFormat.XMLDSIG.value, scheme="URN", display_name="Default Signature Style"
)
"""DMP JDV_J60: the formatCode of the SubmissionSet Signature."""

SIGNATURE_MIME_TYPE = "text/xml"
"""ITI TF-3 5.5.6.1.6."""

SIGNATURE_LANGUAGE_CODE = "art"
"""ITI TF-3 5.5.6.1.8: "artificial"."""

_VISIBILITY = "1.2.250.1.213.1.1.4.13"  # TRE_A07-StatutVisibiliteDocument (JDV_J58)
SIGNATURE_CONFIDENTIALITY_CODES = (
    Code(code="N", scheme="2.16.840.1.113883.5.25", display_name="Normal"),
    Code(code="MASQUE_PS", scheme=_VISIBILITY, display_name="Masqué aux professionnels de santé"),
    Code(code="INVISIBLE_PATIENT", scheme=_VISIBILITY, display_name="Non visible par le patient"),
)
"""DMP JDV_J58: the signature is a technical document, hidden from every listing."""

_SIGNATURE_FORMATS = frozenset({SignatureFormat.XMLDSIG.value, SignatureFormat.DSG_DETACHED.value})
_XML_MIME_TYPES = frozenset({"text/xml", "application/xml", "application/hl7-v3+xml"})
_MAX_SIGNATURE_BYTES = 16 * 1024 * 1024
_DS_MARK = DS_NAMESPACE.encode()


def add_signature_entry(
    submission: Submission,
    *,
    entry_id: str,
    unique_id: str,
    purpose: SignaturePurpose = SignaturePurpose.SOURCE,
    creation_time: str | None = None,
) -> Submission:
    """``submission`` with the DocumentEntry of its SubmissionSet Signature, a member of the
    SubmissionSet, and the ``signs`` association from it to the SubmissionSet (DSG 5.5.6).

    Patient, facility and practice setting come from the first document (the registry
    requires them); the author is the SubmissionSet's, or the first document's (5.5.6.1.4:
    the author should represent the signer). ``creation_time`` defaults to now (UTC).
    """
    submission_set = submission.submission_set
    first = submission.documents[0] if submission.documents else None
    entry = DocumentEntry(
        entry_uuid=entry_id,
        unique_id=unique_id,
        patient_id=submission_set.patient_id,
        mime_type=SIGNATURE_MIME_TYPE,
        creation_time=creation_time or datetime.now(UTC).strftime("%Y%m%d%H%M%S"),
        language_code=SIGNATURE_LANGUAGE_CODE,
        source_patient_id=(first.source_patient_id if first else None) or submission_set.patient_id,
        title=purpose.display_name,
        class_code=SIGNATURE_CLASS_CODE,
        type_code=SIGNATURE_TYPE_CODE,
        format_code=SIGNATURE_FORMAT_CODE,
        healthcare_facility_type_code=first.healthcare_facility_type_code if first else None,
        practice_setting_code=first.practice_setting_code if first else None,
        confidentiality_codes=SIGNATURE_CONFIDENTIALITY_CODES,
        event_codes=(
            Code(
                code=purpose.value,
                scheme=PURPOSE_CODING_SCHEME,
                display_name=purpose.display_name,
            ),
        ),
        authors=submission_set.authors or (first.authors if first else ()),
    )
    associations = (
        Association(
            entry_uuid=f"{entry_id}-HasMember",
            association_type=AssociationType.HAS_MEMBER.value,
            source_id=submission_set.entry_uuid,
            target_id=entry_id,
            submission_set_status=SubmissionSetStatus.ORIGINAL,
        ),
        Association(
            entry_uuid=f"{entry_id}-Signs",
            association_type=AssociationType.SIGNS.value,
            source_id=entry_id,
            target_id=submission_set.entry_uuid,
        ),
    )
    return replace(
        submission,
        documents=(*submission.documents, entry),
        associations=(*submission.associations, *associations),
    )


def signature_entries(submission: Submission) -> tuple[DocumentEntry, ...]:
    """The DocumentEntries that sign the SubmissionSet: sources of a ``signs`` association
    whose target is the SubmissionSet (DSG 5.5.6.4), in submission order."""
    signers = {
        association.source_id
        for association in submission.associations
        if association.kind is AssociationType.SIGNS
        and association.target_id == submission.submission_set.entry_uuid
    }
    return tuple(entry for entry in submission.documents if entry.entry_uuid in signers)


class SubmissionSignatureCheck:
    """The repository's signature rule for ITI-41 (a ``SubmissionCheck``).

    ``require_signature``: refuse a submission no entry signs (the DMP's rule).
    ``require_trust``: refuse any signature whose signer cannot be checked against
    ``trust_store`` (with no trust store, nothing can be trusted). Without it, a signature
    is still verified — integrity and manifest — and its signer too when a store is given.
    """

    def __init__(
        self,
        *,
        trust_store: TrustStore | None,
        require_signature: bool = False,
        require_trust: bool = False,
        accept_sha1: bool = True,
    ) -> None:
        self.trust_store = trust_store
        self.require_signature = require_signature
        self.require_trust = require_trust
        self.accept_sha1 = accept_sha1

    def __call__(self, submission: Submission, documents: Mapping[str, DocumentContent]) -> None:
        """Refuse the submission with a ``SubmissionSignatureError`` if a signature fails."""
        signers = signature_entries(submission)
        if not signers and self.require_signature:
            raise SubmissionSignatureError(
                "signature required: no DocumentEntry signs the SubmissionSet (the DMP requires "
                "a SubmissionSet Signature, ITI TF-3 5.5.3.1: a DocumentEntry with formatCode "
                f"{SignatureFormat.XMLDSIG.value} and a signs association to the SubmissionSet)",
                location=submission.submission_set.entry_uuid,
            )
        if self.require_trust and self.trust_store is None and signers:
            raise SubmissionSignatureError(
                "untrusted certificate: this repository has no trust store configured "
                "(CARNET_TRUST_STORE), so no signer can be trusted",
                location=signers[0].entry_uuid,
            )
        signer_ids = {entry.entry_uuid for entry in signers}
        signed = {
            entry.unique_id: documents[entry.entry_uuid]
            for entry in submission.documents
            if entry.entry_uuid not in signer_ids
        }
        by_unique_id = {entry.unique_id: entry.entry_uuid for entry in submission.documents}
        for entry in signers:
            self._verify_submission_signature(
                entry, documents[entry.entry_uuid], submission, signed, by_unique_id
            )
        for entry in submission.documents:
            if entry.entry_uuid not in signer_ids and entry.mime_type in _XML_MIME_TYPES:
                self._verify_enveloped(entry, documents[entry.entry_uuid])

    def _verify_submission_signature(
        self,
        entry: DocumentEntry,
        content: DocumentContent,
        submission: Submission,
        signed: Mapping[str, DocumentContent],
        by_unique_id: Mapping[str, str],
    ) -> None:
        where = f"SubmissionSet signature {entry.unique_id}"
        format_code = entry.format_code.code if entry.format_code is not None else None
        if format_code not in _SIGNATURE_FORMATS:
            raise SubmissionSignatureError(
                f"{where}: DocumentEntry {entry.entry_uuid} signs the SubmissionSet but its "
                f"formatCode is {format_code!r}, not a signature format "
                f"({', '.join(sorted(_SIGNATURE_FORMATS))})",
                location=entry.entry_uuid,
            )
        if content.size > _MAX_SIGNATURE_BYTES:
            raise SubmissionSignatureError(
                f"{where}: {content.size} bytes is too large for a signature document",
                location=entry.entry_uuid,
            )
        try:
            verify_submission_signature(
                b"".join(content.chunks()),
                submission_set_unique_id=submission.submission_set.unique_id,
                documents=signed,
                trust_store=self.trust_store,
                accept_sha1=self.accept_sha1,
            )
        except SignatureError as error:
            location = entry.entry_uuid
            if isinstance(error, DigestMismatch | DocumentNotCovered):
                location = by_unique_id.get(error.unique_id, location)
            raise SubmissionSignatureError(f"{where}: {error.reason}", location=location) from None

    def _verify_enveloped(self, entry: DocumentEntry, content: DocumentContent) -> None:
        """An enveloped XMLDSig signature of an XML document, verified when there is one."""
        if not _mentions_xmldsig(content.chunks()):
            return
        try:
            root = parse_xml(b"".join(content.chunks()))
        except XmlError:
            return  # not XML: nothing signed inside; the CDA rules judge the document itself
        if (
            root.tag != f"{{{CDA_NAMESPACE}}}ClinicalDocument"
            or find_enveloped_signature(root) is None
        ):
            return
        try:
            if self.require_trust and self.trust_store is None:
                raise UntrustedCertificate(
                    "untrusted certificate: this repository has no trust store configured "
                    "(CARNET_TRUST_STORE), so no signer can be trusted"
                )
            verify_enveloped_signature(
                root, trust_store=self.trust_store, accept_sha1=self.accept_sha1
            )
        except SignatureError as error:
            raise SubmissionSignatureError(
                f"enveloped signature of document {entry.unique_id}: {error.reason}",
                location=entry.entry_uuid,
            ) from None


def _mentions_xmldsig(chunks: Iterator[bytes]) -> bool:
    """Whether the XMLDSig namespace occurs in the bytes (a cheap test before parsing)."""
    tail = b""
    for chunk in chunks:
        window = tail + chunk
        if _DS_MARK in window:
            return True
        tail = window[-(len(_DS_MARK) - 1) :]
    return False
