"""A throwaway PKI for signature tests, generated per session: nothing secret is committed.

``make_pki`` issues, with ``cryptography``, what a DMP deployment has: a root authority (the
trust store), an intermediate authority, and a signer ("cachet") certificate issued by the
intermediate, sent with it as its chain. ``stranger`` is a signer of another, untrusted PKI.
Key sizes are small where the Web PKI profile allows it (EC P-256 for the authorities) so the
fixtures stay fast; the signers use RSA 2048 as DMP software does.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.x509.oid import NameOID

from cda.certificates import PrivateKey, SigningKey

NOW = datetime.datetime.now(datetime.UTC)


def _name(common_name: str) -> x509.Name:
    return x509.Name(
        [
            x509.NameAttribute(NameOID.COUNTRY_NAME, "FR"),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, "Carnet tests"),
            x509.NameAttribute(NameOID.COMMON_NAME, common_name),
        ]
    )


def _usage(*, sign: bool, certify: bool) -> x509.KeyUsage:
    return x509.KeyUsage(
        digital_signature=sign,
        content_commitment=sign,
        key_encipherment=False,
        data_encipherment=False,
        key_agreement=False,
        key_cert_sign=certify,
        crl_sign=certify,
        encipher_only=False,
        decipher_only=False,
    )


def issue(
    subject: str,
    key: PrivateKey,
    *,
    issuer: tuple[x509.Certificate, PrivateKey] | None = None,
    authority: bool = False,
    can_sign: bool = True,
    not_after: datetime.datetime | None = None,
) -> x509.Certificate:
    """A certificate for ``key``; self-signed when ``issuer`` is None."""
    issuer_name, issuer_key = (
        (_name(subject), key) if issuer is None else (issuer[0].subject, issuer[1])
    )
    builder = (
        x509.CertificateBuilder()
        .subject_name(_name(subject))
        .issuer_name(issuer_name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(NOW - datetime.timedelta(days=1))
        .not_valid_after(not_after or NOW + datetime.timedelta(days=30))
        .add_extension(x509.BasicConstraints(ca=authority, path_length=None), critical=True)
        .add_extension(_usage(sign=can_sign and not authority, certify=authority), critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(issuer_key.public_key()),
            critical=False,
        )
    )
    return builder.sign(issuer_key, hashes.SHA256())


def rsa_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


@dataclass(frozen=True, kw_only=True)
class Pki:
    """A root, an intermediate, a signer under it, and their PEM files in ``directory``."""

    root: x509.Certificate
    intermediate: tuple[x509.Certificate, PrivateKey]
    signer: SigningKey
    stranger: SigningKey
    """A signer issued by an authority the trust store does not hold."""
    trust_store: Path
    """PEM bundle of the root."""
    key_file: Path
    certificate_file: Path
    """The signer's certificate, then the intermediate."""
    stranger_key_file: Path
    stranger_certificate_file: Path

    def signer_issued(self, **options: object) -> SigningKey:
        """Another signer under the intermediate (``issue`` options: ``not_after``…)."""
        key = rsa_key()
        certificate = issue("Carnet test signer", key, issuer=self.intermediate, **options)  # type: ignore[arg-type]
        return SigningKey(private_key=key, certificate=certificate, chain=(self.intermediate[0],))


def _pem(certificates: list[x509.Certificate]) -> bytes:
    return b"".join(c.public_bytes(serialization.Encoding.PEM) for c in certificates)


def _key_pem(key: PrivateKey) -> bytes:
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )


def make_pki(directory: Path) -> Pki:
    """Generate the PKI and write its PEM files under ``directory``."""
    directory.mkdir(parents=True, exist_ok=True)
    root_key = ec.generate_private_key(ec.SECP256R1())
    root = issue("Carnet test root CA", root_key, authority=True)
    intermediate_key = ec.generate_private_key(ec.SECP256R1())
    intermediate = issue(
        "Carnet test signing CA", intermediate_key, issuer=(root, root_key), authority=True
    )
    signer_key = rsa_key()
    signer = issue("Carnet test DMP SIGN", signer_key, issuer=(intermediate, intermediate_key))
    other_root_key = ec.generate_private_key(ec.SECP256R1())
    other_root = issue("Somebody else's CA", other_root_key, authority=True)
    stranger_key = rsa_key()
    stranger = issue("Stranger", stranger_key, issuer=(other_root, other_root_key))

    trust_store = directory / "trust-store.pem"
    trust_store.write_bytes(_pem([root]))
    key_file = directory / "signer.key.pem"
    key_file.write_bytes(_key_pem(signer_key))
    certificate_file = directory / "signer.cert.pem"
    certificate_file.write_bytes(_pem([signer, intermediate]))
    stranger_key_file = directory / "stranger.key.pem"
    stranger_key_file.write_bytes(_key_pem(stranger_key))
    stranger_certificate_file = directory / "stranger.cert.pem"
    stranger_certificate_file.write_bytes(_pem([stranger]))
    return Pki(
        root=root,
        intermediate=(intermediate, intermediate_key),
        signer=SigningKey(private_key=signer_key, certificate=signer, chain=(intermediate,)),
        stranger=SigningKey(private_key=stranger_key, certificate=stranger),
        trust_store=trust_store,
        key_file=key_file,
        certificate_file=certificate_file,
        stranger_key_file=stranger_key_file,
        stranger_certificate_file=stranger_certificate_file,
    )
