"""RFC 5280 — the X.509 material of XML signatures: signing keys, trust stores, path validation.

ITI TF-3 5.5.5 asks a Content Consumer to confirm "that the signer was authentic": its
certificate must chain to a certification authority the deployment trusts (for the DMP, the
IGC-Santé authorities of the ANS). That policy lives here:

* :func:`load_trust_store` reads a PEM bundle, or a directory of PEM/DER certificates, into a
  :class:`TrustStore` whose every certificate is a trust anchor (an intermediate authority put
  there is trusted as such);
* :meth:`TrustStore.verify` validates the path from a signing certificate through the
  intermediates the signature carries to an anchor, with ``cryptography``'s RFC 5280
  verifier: validity dates, signatures, basic constraints and key usage of the authorities
  (the Web PKI profile of CA certificates), and a signer whose key usage, when present,
  allows signing (``digitalSignature`` or ``nonRepudiation``);
* :func:`load_signing_key` reads the private key and certificate a Document Source signs with.

Both loaders cache by path for the life of the process: parsing a PEM key costs tens of
milliseconds, far more than a signature.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TypeAlias

from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.x509 import verification

from cda.errors import SigningMaterialError, UntrustedCertificate

__all__ = [
    "PrivateKey",
    "SigningKey",
    "TrustStore",
    "describe",
    "is_authority",
    "load_signing_key",
    "load_trust_store",
]

PrivateKey: TypeAlias = rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey
"""The key types XAdES signatures use here (RSA PKCS#1 v1.5, ECDSA)."""

_CERTIFICATE_SUFFIXES = frozenset({".pem", ".crt", ".cer", ".der"})


def is_authority(certificate: x509.Certificate) -> bool:
    """Whether ``certificate`` is a CA's (RFC 5280 §4.2.1.9 basicConstraints cA), not a signer's."""
    try:
        constraints = certificate.extensions.get_extension_for_class(x509.BasicConstraints)
    except x509.ExtensionNotFound:
        return False
    return constraints.value.ca


def describe(certificate: x509.Certificate) -> str:
    """The subject of ``certificate`` as RFC 4514 text, for messages."""
    try:
        return certificate.subject.rfc4514_string()
    except ValueError:
        return f"<unreadable subject, serial {certificate.serial_number}>"


@dataclass(frozen=True, kw_only=True, eq=False)
class SigningKey:
    """What a Document Source signs with: its private key and certificate chain."""

    private_key: PrivateKey
    """The key whose public half is ``certificate``'s."""
    certificate: x509.Certificate
    """The signer's certificate, first in the signature's ``ds:X509Data``."""
    chain: tuple[x509.Certificate, ...] = ()
    """Intermediate authorities sent along, so a verifier can build the path."""


@dataclass(frozen=True, kw_only=True, eq=False)
class TrustStore:
    """The certification authorities signatures must chain to (ITI TF-3 5.5.5 local policy)."""

    anchors: tuple[x509.Certificate, ...]
    """Every certificate of the store; each is a trust anchor."""
    source: str
    """Where the store was read from, for messages."""

    @functools.cached_property
    def _store(self) -> verification.Store:
        return verification.Store(list(self.anchors))

    def verify(
        self,
        certificate: x509.Certificate,
        intermediates: Sequence[x509.Certificate] = (),
        *,
        at: datetime | None = None,
    ) -> tuple[x509.Certificate, ...]:
        """The validated path from ``certificate`` to an anchor, leaf first.

        Raises :class:`~cda.errors.UntrustedCertificate` naming the certificate and why
        (expired, unknown issuer, an authority that may not sign certificates…).
        """
        moment = at or datetime.now(UTC)
        if moment < certificate.not_valid_before_utc or moment > certificate.not_valid_after_utc:
            raise UntrustedCertificate(
                f"the signing certificate {describe(certificate)} is valid from "
                f"{certificate.not_valid_before_utc:%Y-%m-%d %H:%M:%S} to "
                f"{certificate.not_valid_after_utc:%Y-%m-%d %H:%M:%S} UTC, not at "
                f"{moment:%Y-%m-%d %H:%M:%S} UTC"
            )
        verifier = (
            verification.PolicyBuilder()
            .store(self._store)
            .time(moment)
            .extension_policies(
                ca_policy=verification.ExtensionPolicy.webpki_defaults_ca(),
                ee_policy=_SIGNER_POLICY,
            )
            .build_client_verifier()
        )
        try:
            verified = verifier.verify(certificate, list(intermediates))
        except verification.VerificationError as error:
            raise UntrustedCertificate(
                f"the signing certificate {describe(certificate)} (issued by "
                f"{certificate.issuer.rfc4514_string()}) does not chain to the trust store "
                f"{self.source}: {error}"
            ) from None
        return tuple(verified.chain)


def _signer_key_usage(
    _policy: verification.Policy, _certificate: x509.Certificate, usage: x509.KeyUsage | None
) -> None:
    """RFC 5280 §4.2.1.3: a key that signs documents has digitalSignature or nonRepudiation."""
    if usage is not None and not (usage.digital_signature or usage.content_commitment):
        raise ValueError("its key usage allows neither digitalSignature nor nonRepudiation")


# A document signer is not a TLS client: no extended key usage or subjectAltName is required.
_SIGNER_POLICY = verification.ExtensionPolicy.permit_all().may_be_present(
    x509.KeyUsage, verification.Criticality.AGNOSTIC, _signer_key_usage
)


@functools.cache
def load_trust_store(path: Path) -> TrustStore:
    """The trust store at ``path``: a PEM bundle, or a directory of ``.pem``/``.crt``/``.cer``/
    ``.der`` files (PEM, or DER one certificate a file). Read once per process and path.

    Raises :class:`~cda.errors.SigningMaterialError` when nothing readable is there.
    """
    resolved = path.expanduser().resolve()
    if resolved.is_dir():
        files = sorted(
            child
            for child in resolved.iterdir()
            if child.is_file() and child.suffix.lower() in _CERTIFICATE_SUFFIXES
        )
    else:
        files = [resolved]
    anchors: list[x509.Certificate] = []
    for file in files:
        anchors.extend(_read_certificates(file))
    if not anchors:
        raise SigningMaterialError(f"trust store {resolved} holds no certificate")
    return TrustStore(anchors=tuple(anchors), source=str(resolved))


def _read_certificates(file: Path) -> list[x509.Certificate]:
    try:
        data = file.read_bytes()
    except OSError as error:
        raise SigningMaterialError(f"cannot read {file}: {error.strerror}") from None
    try:
        if b"-----BEGIN" in data:
            return list(x509.load_pem_x509_certificates(data))
        return [x509.load_der_x509_certificate(data)]
    except ValueError as error:
        raise SigningMaterialError(f"{file} is not an X.509 certificate file: {error}") from None


@functools.cache
def load_signing_key(
    key_path: Path, certificate_path: Path, *, password: bytes | None = None
) -> SigningKey:
    """The PEM private key at ``key_path`` and the PEM certificate (then any chain) at
    ``certificate_path``. Read once per process and paths.

    Raises :class:`~cda.errors.SigningMaterialError` when a file cannot be read, the key is
    neither RSA nor EC, or the certificate is not the key's.
    """
    try:
        key_data = key_path.read_bytes()
        certificate_data = certificate_path.read_bytes()
    except OSError as error:
        raise SigningMaterialError(f"cannot read {error.filename}: {error.strerror}") from None
    try:
        private_key = serialization.load_pem_private_key(key_data, password=password)
    except (ValueError, TypeError) as error:
        raise SigningMaterialError(f"{key_path} is not a usable PEM private key: {error}") from None
    if not isinstance(private_key, rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey):
        raise SigningMaterialError(
            f"{key_path} holds a {type(private_key).__name__}; XAdES signing here takes RSA or EC"
        )
    try:
        certificates = x509.load_pem_x509_certificates(certificate_data)
    except ValueError as error:
        raise SigningMaterialError(
            f"{certificate_path} is not a PEM certificate file: {error}"
        ) from None
    certificate, *chain = certificates
    if certificate.public_key() != private_key.public_key():
        raise SigningMaterialError(
            f"the certificate {describe(certificate)} in {certificate_path} is not the "
            f"certificate of the key in {key_path}"
        )
    return SigningKey(private_key=private_key, certificate=certificate, chain=tuple(chain))
