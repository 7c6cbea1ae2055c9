"""Mutual TLS over the wire (issue 5 item 4): the server's own TLS, and the client certificate a
trusted proxy forwards, which must be the VIHF's signer when ``match_client_certificate`` is on.

Live ``carnet serve`` processes on loopback. The TLS PKI is ``tests/tls_pki.py``'s; the VIHF
signer is ``tests/signing_pki.py``'s. In header mode the test client stands for nginx: it
connects from ``127.0.0.1`` (the trusted proxy) or, to play an untrusted peer, from
``127.0.0.2`` (any 127/8 address reaches the loopback listener).
"""

from __future__ import annotations

import ssl
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote

import httpx
import pytest
from cryptography import x509
from cryptography.hazmat.primitives import serialization

from carnet.client import XdsClient
from carnet.client_errors import SoapFaultError
from carnet.dev_identity import signed_vihf
from tests.live_server import LiveServer, live_server
from tests.signing_pki import Pki, issue, make_pki
from tests.soap.test_dmp_access import AUDIENCE, DOCTOR, PATIENT, professional, subcode
from tests.tls_pki import TlsIdentity, TlsPki, make_tls_pki

HEADER = "X-SSL-Client-Cert"


@pytest.fixture(scope="module")
def tls_pki(tmp_path_factory: pytest.TempPathFactory) -> TlsPki:
    return make_tls_pki(tmp_path_factory.mktemp("tls-pki"))


@pytest.fixture(scope="module")
def pki(tmp_path_factory: pytest.TempPathFactory) -> Pki:
    return make_pki(tmp_path_factory.mktemp("pki"))


def client_context(tls_pki: TlsPki, identity: TlsIdentity | None) -> ssl.SSLContext:
    """What a client trusting the server's CA sends, with ``identity``'s certificate if any."""
    context = ssl.create_default_context(cafile=str(tls_pki.server_ca_file))
    if identity is not None:
        context.load_cert_chain(*identity.files)
    return context


# ---- the server's own TLS --------------------------------------------------------------------


@pytest.fixture(scope="module", params=["granian", "gunicorn"])
def tls_node(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory, tls_pki: TlsPki
) -> Iterator[LiveServer]:
    environment = {
        "CARNET_SERVER": request.param,
        "CARNET_TLS_CERTIFICATE": str(tls_pki.server.certificate_file),
        "CARNET_TLS_KEY": str(tls_pki.server.key_file),
        "CARNET_TLS_CLIENT_CA": str(tls_pki.client_ca_file),
    }
    with live_server(
        tmp_path_factory.mktemp(f"tls-{request.param}"),
        profile="ihe",
        workers=1,
        extra_env=environment,
        tls=client_context(tls_pki, tls_pki.client),
    ) as running:
        yield running


def test_tls_serves_https_to_a_client_certificate_of_the_client_ca(
    tls_node: LiveServer, tls_pki: TlsPki
) -> None:
    assert tls_node.url.startswith("https://")
    context = client_context(tls_pki, tls_pki.client)
    with httpx.Client(verify=context, timeout=10) as http:
        assert http.get(tls_node.url + "/xds/registry?wsdl").status_code == 200
        # The ihe profile identifies nobody: a query without VIHF is answered.
        with XdsClient(tls_node.url, http=http) as xds:
            assert xds.find_documents("unknown^^^&1.2.3&ISO") == []


def test_tls_handshake_refuses_a_client_without_certificate(
    tls_node: LiveServer, tls_pki: TlsPki
) -> None:
    with pytest.raises(httpx.TransportError):
        httpx.get(
            tls_node.url + "/xds/registry?wsdl", verify=client_context(tls_pki, None), timeout=10
        )


def test_tls_handshake_refuses_a_client_certificate_of_another_ca(
    tls_node: LiveServer, tls_pki: TlsPki
) -> None:
    with pytest.raises(httpx.TransportError):
        httpx.get(
            tls_node.url + "/xds/registry?wsdl",
            verify=client_context(tls_pki, tls_pki.stranger),
            timeout=10,
        )


def test_plain_http_is_not_answered_by_a_tls_node(tls_node: LiveServer) -> None:
    with pytest.raises(httpx.TransportError):
        httpx.get(tls_node.url.replace("https://", "http://") + "/xds/registry?wsdl", timeout=5)


# ---- the client certificate forwarded by a trusted proxy, bound to the VIHF ------------------


@pytest.fixture(scope="module")
def proxied_node(tmp_path_factory: pytest.TempPathFactory, pki: Pki) -> Iterator[LiveServer]:
    environment = {
        "CARNET_TRUST_STORE": str(pki.trust_store),
        "CARNET_VIHF_AUDIENCE": AUDIENCE,
        "CARNET_CLIENT_CERTIFICATE_HEADER": HEADER,
        "CARNET_TRUSTED_PROXIES": "127.0.0.1, ::1",
        "CARNET_MATCH_CLIENT_CERTIFICATE": "on",
    }
    with live_server(
        tmp_path_factory.mktemp("proxied"), profile="dmp", workers=1, extra_env=environment
    ) as running:
        yield running


def escaped(certificate: x509.Certificate) -> str:
    """nginx's ``$ssl_client_escaped_cert``: the PEM, URL-encoded."""
    return quote(certificate.public_bytes(serialization.Encoding.PEM).decode("ascii"), safe="")


def find_documents(
    node: LiveServer, pki: Pki, *, certificate: x509.Certificate | None, source: str = "127.0.0.1"
) -> None:
    """A professional's FindDocuments, its VIHF signed by ``pki.signer``, the client certificate
    forwarded in the header (when given) from ``source``."""
    headers = {HEADER: escaped(certificate)} if certificate is not None else {}
    transport = httpx.HTTPTransport(local_address=source)
    assertion = signed_vihf(professional(DOCTOR), key=pki.signer, audience=AUDIENCE)
    with (
        httpx.Client(transport=transport, headers=headers, timeout=30) as http,
        XdsClient(node.url, http=http, assertion=assertion) as xds,
    ):
        xds.find_documents(PATIENT)


def refused(
    node: LiveServer, pki: Pki, *, certificate: x509.Certificate | None, source: str = "127.0.0.1"
) -> SoapFaultError:
    with pytest.raises(SoapFaultError) as caught:
        find_documents(node, pki, certificate=certificate, source=source)
    fault = caught.value
    assert fault.http_status == 400
    assert fault.code.endswith("Sender")
    assert subcode(fault) == "FailedAuthentication"
    for secret in ("CN=", "Carnet test", "Stranger", HEADER, "127.0.0", "Traceback"):
        assert secret not in fault.reason
    return fault


def test_client_certificate_matching_the_vihf_signer_is_accepted(
    proxied_node: LiveServer, pki: Pki
) -> None:
    find_documents(proxied_node, pki, certificate=pki.signer.certificate)


def test_client_certificate_reissued_for_the_signers_key_is_accepted(
    proxied_node: LiveServer, pki: Pki
) -> None:
    # Same key, another certificate (serial, dates): the same holder (carnet/client_certificate.py).
    reissued = issue("Carnet test DMP SIGN", pki.signer.private_key, issuer=pki.intermediate)
    assert reissued != pki.signer.certificate
    find_documents(proxied_node, pki, certificate=reissued)


def test_client_certificate_other_than_the_vihf_signer_is_refused(
    proxied_node: LiveServer, pki: Pki
) -> None:
    fault = refused(proxied_node, pki, certificate=pki.stranger.certificate)
    assert "not the one that signed" in fault.reason


def test_client_certificate_missing_is_refused(proxied_node: LiveServer, pki: Pki) -> None:
    fault = refused(proxied_node, pki, certificate=None)
    assert "client certificate is required" in fault.reason


def test_client_certificate_header_from_an_untrusted_address_is_ignored(
    proxied_node: LiveServer, pki: Pki
) -> None:
    fault = refused(proxied_node, pki, certificate=pki.signer.certificate, source="127.0.0.2")
    assert "client certificate is required" in fault.reason


def test_client_certificate_header_unreadable_is_refused(
    proxied_node: LiveServer, pki: Pki
) -> None:
    assertion = signed_vihf(professional(DOCTOR), key=pki.signer, audience=AUDIENCE)
    with (
        httpx.Client(headers={HEADER: "not%20a%20certificate"}, timeout=30) as http,
        XdsClient(proxied_node.url, http=http, assertion=assertion) as xds,
        pytest.raises(SoapFaultError) as caught,
    ):
        xds.find_documents(PATIENT)
    assert subcode(caught.value) == "FailedAuthentication"


def test_client_certificate_is_not_checked_before_the_vihf(
    proxied_node: LiveServer, pki: Pki
) -> None:
    # No VIHF at all: refused for that, whatever the header says.
    with (
        httpx.Client(headers={HEADER: escaped(pki.signer.certificate)}, timeout=30) as http,
        XdsClient(proxied_node.url, http=http) as xds,
        pytest.raises(SoapFaultError) as caught,
    ):
        xds.find_documents(PATIENT)
    assert subcode(caught.value) == "InvalidSecurity"


def test_wsdl_needs_no_client_certificate(proxied_node: LiveServer) -> None:
    assert httpx.get(proxied_node.url + "/xds/registry?wsdl", timeout=10).status_code == 200


def test_ihe_profile_ignores_the_client_certificate_header(
    tmp_path_factory: pytest.TempPathFactory, tmp_path: Path
) -> None:
    environment = {
        "CARNET_CLIENT_CERTIFICATE_HEADER": HEADER,
        "CARNET_TRUSTED_PROXIES": "127.0.0.1",
    }
    with (
        live_server(tmp_path / "ihe", profile="ihe", workers=1, extra_env=environment) as node,
        XdsClient(node.url) as xds,
    ):
        assert xds.find_documents("unknown^^^&1.2.3&ISO") == []
