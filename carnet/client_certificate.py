"""RFC 8446 §4.4.2 client certificates bound to the VIHF: the channel's holder signed the assertion.

Issue 5 item 4: with mutual TLS, the certificate the client authenticated the channel with
must be the one that signed its VIHF, so a VIHF lifted from another structure's traffic is
useless without that structure's TLS key (the binding the SAML V2.0 Holder-of-Key Assertion
Profile §2.5 makes with TLS client authentication).

Where the certificate comes from: neither granian nor gunicorn put the verified peer
certificate in the WSGI environ (granian passes no TLS variable; gunicorn only its raw socket,
``gunicorn.socket``), so the app sees it the way it does behind the standard deployment: a
proxy (nginx) terminates mutual TLS and forwards the certificate it verified as URL-encoded PEM
(``$ssl_client_escaped_cert``) in ``Settings.client_certificate_header``. The header is
believed from ``Settings.trusted_proxies`` only: from any other peer it is ignored, as if
absent.

What "the same certificate" means: the same public key (DER ``SubjectPublicKeyInfo``). The
property wanted is that whoever holds the TLS channel's private key signed the assertion; that
is a property of the key, not of a certificate's serial number or validity dates. Each
certificate is verified against its own anchors elsewhere (the proxy against the client CA,
``soap/saml.py`` the signer against the trust store), so a certificate re-issued for the same
key still names the same holder, and one for another key never matches.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Sequence
from dataclasses import dataclass
from urllib.parse import unquote

from cryptography import x509
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from soap.identity_errors import ClientCertificateMismatch, MissingClientCertificate
from soap.transactions import SoapRequest

__all__ = ["ClientCertificateBinding", "public_key_der"]

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


@dataclass(frozen=True, kw_only=True)
class ClientCertificateBinding:
    """Requires a request's TLS client certificate, forwarded by a trusted proxy, to hold the
    key of the certificate that signed its VIHF."""

    header: str
    """The HTTP header the proxy forwards the certificate in (``X-SSL-Client-Cert``)."""
    trusted_proxies: Sequence[Network]
    """The peers whose header is believed (``Settings.trusted_proxies``)."""

    def client_certificate(self, request: SoapRequest) -> x509.Certificate:
        """The certificate a trusted proxy forwarded with ``request``.

        Raises :class:`~soap.identity_errors.MissingClientCertificate` when there is none this
        node may believe; the reason never says which proxy or header is expected.
        """
        if not self._from_trusted_proxy(request.remote_addr):
            raise MissingClientCertificate(
                "a TLS client certificate is required",
                internal=f"{self.header} ignored: {request.remote_addr} is not a trusted proxy",
            )
        value = request.http_headers.get(self.header.lower())
        if not value:
            raise MissingClientCertificate(
                "a TLS client certificate is required", internal=f"no {self.header} header"
            )
        try:
            return x509.load_pem_x509_certificate(unquote(value).encode("ascii"))
        except (ValueError, UnicodeEncodeError) as error:
            raise MissingClientCertificate(
                "a TLS client certificate is required",
                internal=f"unreadable {self.header}: {error}",
            ) from None

    def check(self, request: SoapRequest, signer: x509.Certificate | None) -> None:
        """Refuse ``request`` unless its client certificate holds ``signer``'s public key.

        Raises :class:`~soap.identity_errors.ClientCertificateMismatch` (or
        :class:`~soap.identity_errors.MissingClientCertificate`).
        """
        certificate = self.client_certificate(request)
        if signer is None or public_key_der(certificate) != public_key_der(signer):
            raise ClientCertificateMismatch(
                "the TLS client certificate is not the one that signed the VIHF",
                internal=f"client {certificate.subject.rfc4514_string()}, signer "
                f"{signer.subject.rfc4514_string() if signer is not None else None}",
            )

    def _from_trusted_proxy(self, address: str | None) -> bool:
        if address is None:
            return False
        try:
            peer = ipaddress.ip_address(address.split("%", 1)[0])
        except ValueError:
            return False
        if isinstance(peer, ipaddress.IPv6Address) and peer.ipv4_mapped is not None:
            peer = peer.ipv4_mapped  # a dual-stack socket's view of an IPv4 peer
        return any(peer in network for network in self.trusted_proxies)


def public_key_der(certificate: x509.Certificate) -> bytes:
    """The certificate's ``SubjectPublicKeyInfo`` in DER (RFC 5280 §4.1.2.7)."""
    return certificate.public_key().public_bytes(Encoding.DER, PublicFormat.SubjectPublicKeyInfo)
