"""The errors of CDA handling — one root, so callers catch what this package raises.

Exception tree::

    CdaError                   a CDA document Carnet cannot use as given
    ├── NotCdaError            well-formed XML, but not an HL7 CDA R2 ClinicalDocument
    ├── CdaMetadataError       the header lacks or garbles what XDS metadata needs
    └── SignatureError         an XML signature (XMLDSig, XAdES, IHE DSG) that does not hold
        ├── MalformedSignature          not the shape XMLDSig, XAdES or IHE DSG require
        ├── SignatureValueError         SignatureValue or a SignedInfo digest does not verify
        ├── UntrustedCertificate        the signer's certificate does not chain to the trust store
        ├── SigningCertificateMismatch  the XAdES SigningCertificate is not the signer's
        ├── ManifestError               the ds:Manifest does not match what was received
        │   ├── DigestMismatch          a document's digest differs (``unique_id``)
        │   ├── DocumentNotCovered      a document no manifest reference names (``unique_id``)
        │   └── UnexpectedReference     a reference to nothing received (``uri``)
        └── SigningMaterialError        a key, certificate or trust store that cannot be loaded

Refusals of the XML itself (malformed, DOCTYPE, too large) are
:class:`schemas.loader.XmlError`, raised by the one hardened parser before
this package sees the document.
"""

from __future__ import annotations

__all__ = [
    "CdaError",
    "CdaMetadataError",
    "DigestMismatch",
    "DocumentNotCovered",
    "MalformedSignature",
    "ManifestError",
    "NotCdaError",
    "SignatureError",
    "SignatureValueError",
    "SigningCertificateMismatch",
    "SigningMaterialError",
    "UnexpectedReference",
    "UntrustedCertificate",
]


class CdaError(Exception):
    """A CDA document Carnet cannot use as given; ``reason`` says why."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class NotCdaError(CdaError):
    """The root element is not ``{urn:hl7-org:v3}ClinicalDocument`` (HL7 CDA R2 §4.2)."""


class CdaMetadataError(CdaError):
    """The header cannot give the XDS metadata (ITI TF-3 4.2.3.2): no ``ClinicalDocument/id``,
    or a time, identifier or code that XDS cannot carry."""


class SignatureError(CdaError):
    """An XML signature Carnet cannot accept (W3C XMLDSig, ETSI XAdES, ITI TF-3 5.5 DSG)."""


class MalformedSignature(SignatureError):
    """Not the shape the standards require: no ``ds:Signature``, no signed ``ds:Manifest``,
    no signed XAdES ``SignedProperties``, an unsupported algorithm or transform."""


class SignatureValueError(SignatureError):
    """XMLDSig core validation failed (XMLDSig §3.2): the ``SignatureValue`` does not verify
    with the certificate's key, or a ``SignedInfo`` reference's digest differs (the signed
    ``ds:Manifest`` or XAdES properties were altered after signing)."""


class UntrustedCertificate(SignatureError):
    """The signer's certificate does not chain to the configured trust store, or is not valid
    now (RFC 5280 §6; ITI TF-3 5.5.5 level 2: "the signer was authentic")."""


class SigningCertificateMismatch(SignatureError):
    """The signed XAdES ``SigningCertificate`` names another certificate than the one whose key
    verifies the signature (ETSI TS 101 903 §7.2.2)."""


class ManifestError(SignatureError):
    """The signed ``ds:Manifest`` does not describe the documents received (ITI TF-3 5.5.5
    level 3 and 5.5.3.1: every document listed, unmodified, and nothing else)."""


class DigestMismatch(ManifestError):
    """A document's bytes do not have the digest its manifest reference carries."""

    def __init__(self, reason: str, *, unique_id: str) -> None:
        super().__init__(reason)
        self.unique_id = unique_id


class DocumentNotCovered(ManifestError):
    """A document of the submission that no manifest reference names."""

    def __init__(self, reason: str, *, unique_id: str) -> None:
        super().__init__(reason)
        self.unique_id = unique_id


class UnexpectedReference(ManifestError):
    """A manifest reference names a document or SubmissionSet that was not received."""

    def __init__(self, reason: str, *, uri: str) -> None:
        super().__init__(reason)
        self.uri = uri


class SigningMaterialError(SignatureError):
    """A private key, certificate or trust store that cannot be read or does not fit."""
