"""RFC 5280 test PKI — a local certification authority standing in for the IGC-Santé.

A DMP caller signs its VIHF and its submissions with a "cachet" certificate issued by the
ANS's IGC-Santé (DMP.md §2.1); a node trusts that authority. For development and tests,
``carnet dev-ca init --data DIR`` makes the same shape locally, under ``DIR/dev-ca/``:

* ``ca.pem`` / ``ca-key.pem`` — the authority (EC P-256, 5 years);
* ``trust-store.pem`` — the authority alone: give it to ``carnet serve --trust-store``;
* ``signer.pem`` / ``signer-key.pem`` — a signing identity issued by it (RSA 2048 as DMP
  software uses, 2 years), for VIHF assertions (``carnet dev-assertion``) and for submission
  signatures (``carnet submit --sign-key signer-key.pem --sign-cert signer.pem``).

Keys are written unencrypted with mode 0600: this is a test authority, never a real one.
Certificates carry the extensions ``cda.certificates.TrustStore.verify`` requires (RFC 5280
basic constraints and key usage, key identifiers).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.x509.oid import NameOID

from cda.certificates import PrivateKey, SigningKey, load_signing_key

__all__ = ["DevCa", "dev_ca", "init_dev_ca"]

_CA_LIFETIME = timedelta(days=5 * 365)
_SIGNER_LIFETIME = timedelta(days=2 * 365)
_BACKDATE = timedelta(hours=1)  # tolerate a peer whose clock is slightly behind


@dataclass(frozen=True, kw_only=True)
class DevCa:
    """The files of the test authority under ``directory`` (``<data>/dev-ca``)."""

    directory: Path

    @property
    def ca_certificate(self) -> Path:
        return self.directory / "ca.pem"

    @property
    def ca_key(self) -> Path:
        return self.directory / "ca-key.pem"

    @property
    def trust_store(self) -> Path:
        """PEM bundle to configure as ``trust_store``."""
        return self.directory / "trust-store.pem"

    @property
    def signer_certificate(self) -> Path:
        """The signer's certificate, for ``--sign-cert``."""
        return self.directory / "signer.pem"

    @property
    def signer_key(self) -> Path:
        """The signer's private key, for ``--sign-key``."""
        return self.directory / "signer-key.pem"

    def exists(self) -> bool:
        """Whether every file is there."""
        return all(
            path.is_file()
            for path in (
                self.ca_certificate,
                self.ca_key,
                self.trust_store,
                self.signer_certificate,
                self.signer_key,
            )
        )

    def signing_key(self) -> SigningKey:
        """The signer's key and certificate (``cda.certificates.load_signing_key``)."""
        return load_signing_key(self.signer_key, self.signer_certificate)


def dev_ca(data_dir: Path) -> DevCa:
    """The test authority's files under ``data_dir`` (which may not exist yet)."""
    return DevCa(directory=data_dir / "dev-ca")


def init_dev_ca(data_dir: Path, *, force: bool = False, now: datetime | None = None) -> DevCa:
    """Create the test authority and its signer under ``data_dir/dev-ca``.

    An existing complete one is kept unless ``force``: scripts may call this every run.
    """
    ca = dev_ca(data_dir)
    if ca.exists() and not force:
        return ca
    moment = now or datetime.now(UTC)
    ca.directory.mkdir(parents=True, exist_ok=True)
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca_name = _name("Carnet dev CA")
    ca_certificate = _certificate(
        subject=ca_name,
        key=ca_key,
        issuer=(ca_name, ca_key),
        authority=True,
        not_before=moment - _BACKDATE,
        not_after=moment + _CA_LIFETIME,
    )
    signer_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    signer_certificate = _certificate(
        subject=_name("Carnet dev DMP SIGN"),
        key=signer_key,
        issuer=(ca_name, ca_key),
        authority=False,
        not_before=moment - _BACKDATE,
        not_after=moment + _SIGNER_LIFETIME,
    )
    ca_pem = ca_certificate.public_bytes(serialization.Encoding.PEM)
    _write(ca.ca_certificate, ca_pem)
    _write(ca.trust_store, ca_pem)
    _write(ca.signer_certificate, signer_certificate.public_bytes(serialization.Encoding.PEM))
    _write(ca.ca_key, _key_pem(ca_key), private=True)
    _write(ca.signer_key, _key_pem(signer_key), private=True)
    return ca


def _name(common_name: str) -> x509.Name:
    return x509.Name(
        [
            x509.NameAttribute(NameOID.COUNTRY_NAME, "FR"),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, "Carnet development"),
            x509.NameAttribute(NameOID.COMMON_NAME, common_name),
        ]
    )


def _certificate(
    *,
    subject: x509.Name,
    key: PrivateKey,
    issuer: tuple[x509.Name, PrivateKey],
    authority: bool,
    not_before: datetime,
    not_after: datetime,
) -> x509.Certificate:
    issuer_name, issuer_key = issuer
    usage = x509.KeyUsage(
        digital_signature=not authority,
        content_commitment=not authority,
        key_encipherment=False,
        data_encipherment=False,
        key_agreement=False,
        key_cert_sign=authority,
        crl_sign=authority,
        encipher_only=False,
        decipher_only=False,
    )
    return (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(issuer_name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(not_before)
        .not_valid_after(not_after)
        .add_extension(x509.BasicConstraints(ca=authority, path_length=None), critical=True)
        .add_extension(usage, critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(issuer_key.public_key()),
            critical=False,
        )
        .sign(issuer_key, hashes.SHA256())
    )


def _key_pem(key: PrivateKey) -> bytes:
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )


def _write(path: Path, data: bytes, *, private: bool = False) -> None:
    """Write ``data`` to ``path`` atomically; a key is readable by its owner only."""
    temporary = path.with_name(path.name + ".tmp")
    descriptor = os.open(
        temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600 if private else 0o644
    )
    with os.fdopen(descriptor, "wb") as stream:
        stream.write(data)
    os.replace(temporary, path)
