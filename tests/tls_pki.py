"""A throwaway TLS PKI for mutual-TLS tests, generated per session: nothing secret is committed.

``make_tls_pki`` issues what a DMP node behind TLS needs: a server certificate for
``127.0.0.1`` (RFC 5280 §4.2.1.6 iPAddress SAN, so httpx's hostname check passes), the client
CA the server accepts (``Settings.tls_client_ca``) with a client certificate under it, and a
client certificate of another CA the server does not accept. Keys are written PKCS#8
(granian reads no other format). Built on ``tests/signing_pki.py``'s ``issue``.
"""

from __future__ import annotations

import datetime
import ipaddress
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from cda.certificates import PrivateKey
from tests.signing_pki import NOW, issue


@dataclass(frozen=True, kw_only=True)
class TlsIdentity:
    """A certificate and its PKCS#8 key, as PEM files."""

    certificate: x509.Certificate
    certificate_file: Path
    key_file: Path

    @property
    def files(self) -> tuple[str, str]:
        """``(certificate, key)`` as httpx's ``cert=`` takes them."""
        return str(self.certificate_file), str(self.key_file)


@dataclass(frozen=True, kw_only=True)
class TlsPki:
    server_ca_file: Path
    """The CA the server certificate chains to (the clients' ``verify=``)."""
    server: TlsIdentity
    """``127.0.0.1``'s certificate."""
    client_ca_file: Path
    """The CA clients must chain to (``Settings.tls_client_ca``)."""
    client: TlsIdentity
    """A client certificate under ``client_ca_file``."""
    stranger: TlsIdentity
    """A client certificate of another CA."""


def _pem(certificate: x509.Certificate) -> bytes:
    return certificate.public_bytes(serialization.Encoding.PEM)


def _key_pem(key: PrivateKey) -> bytes:
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )


def _server_certificate(
    key: ec.EllipticCurvePrivateKey, issuer: tuple[x509.Certificate, PrivateKey]
) -> x509.Certificate:
    return (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")]))
        .issuer_name(issuer[0].subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(NOW - datetime.timedelta(days=1))
        .not_valid_after(NOW + datetime.timedelta(days=30))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
            critical=False,
        )
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
        .sign(issuer[1], hashes.SHA256())
    )


def identity(
    directory: Path, name: str, certificate: x509.Certificate, key: PrivateKey
) -> TlsIdentity:
    """Write ``certificate`` and ``key`` as ``name.cert.pem`` and ``name.key.pem``."""
    certificate_file = directory / f"{name}.cert.pem"
    certificate_file.write_bytes(_pem(certificate))
    key_file = directory / f"{name}.key.pem"
    key_file.write_bytes(_key_pem(key))
    return TlsIdentity(
        certificate=certificate, certificate_file=certificate_file, key_file=key_file
    )


def make_tls_pki(directory: Path) -> TlsPki:
    """Generate the PKI and write its PEM files under ``directory``."""
    directory.mkdir(parents=True, exist_ok=True)
    server_ca_key = ec.generate_private_key(ec.SECP256R1())
    server_ca = issue("Carnet test server CA", server_ca_key, authority=True)
    server_key = ec.generate_private_key(ec.SECP256R1())
    server = _server_certificate(server_key, (server_ca, server_ca_key))
    client_ca_key = ec.generate_private_key(ec.SECP256R1())
    client_ca = issue("Carnet test client CA", client_ca_key, authority=True)
    client_key = ec.generate_private_key(ec.SECP256R1())
    client = issue("Carnet test structure", client_key, issuer=(client_ca, client_ca_key))
    other_ca_key = ec.generate_private_key(ec.SECP256R1())
    other_ca = issue("Somebody else's client CA", other_ca_key, authority=True)
    stranger_key = ec.generate_private_key(ec.SECP256R1())
    stranger = issue("Stranger structure", stranger_key, issuer=(other_ca, other_ca_key))

    server_ca_file = directory / "server-ca.pem"
    server_ca_file.write_bytes(_pem(server_ca))
    client_ca_file = directory / "client-ca.pem"
    client_ca_file.write_bytes(_pem(client_ca))
    return TlsPki(
        server_ca_file=server_ca_file,
        server=identity(directory, "server", server, server_key),
        client_ca_file=client_ca_file,
        client=identity(directory, "client", client, client_key),
        stranger=identity(directory, "stranger", stranger, stranger_key),
    )
