"""``carnet dev-ca`` and ``carnet dev-assertion`` (``carnet/cli_dev.py``), and the client
attaching the assertion they give (``XdsClient(assertion=…)``): issue 5, item 8."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest
from cryptography import x509
from lxml import etree

from carnet.cli import main
from carnet.client import XdsClient
from carnet.dev_ca import dev_ca
from carnet.exit_codes import ExitCode
from carnet.vihf import AccessMode, Code, CodeSystem, read_vihf
from cda.certificates import load_signing_key, load_trust_store
from schemas import parse_xml
from soap.envelope import build_envelope, parse_envelope, serialize
from soap.namespaces import Namespace, clark
from soap.saml import AssertionPolicy, verify_assertion
from soap.ws_security import SECURITY_HEADER, find_assertion, understood_headers

AUDIENCE = "http://127.0.0.1:8080"
ASSERTION_OPTIONS = [
    "--subject",
    "899700000001",
    "--profession",
    "10",
    "--specialty",
    "SM26",
    "--structure",
    "10B0000001",
    "--mode",
    "centre_15",
    "--patient",
    "279035121518989",
    "--audience",
    AUDIENCE,
    "--valid-minutes",
    "5",
]


@pytest.fixture(scope="module")
def data(tmp_path_factory: pytest.TempPathFactory) -> Path:
    directory = tmp_path_factory.mktemp("dev-identity")
    assert main(["dev-ca", "init", "--data", str(directory)]) == ExitCode.OK
    return directory


def dev_assertion(data: Path, capsys: pytest.CaptureFixture[str]) -> bytes:
    capsys.readouterr()
    assert main(["dev-assertion", "--data", str(data), *ASSERTION_OPTIONS]) == ExitCode.OK
    return capsys.readouterr().out.encode()


def test_dev_ca_init_writes_a_trust_store_and_a_signer_it_trusts(data: Path) -> None:
    ca = dev_ca(data)
    assert ca.exists()
    key = load_signing_key(ca.signer_key, ca.signer_certificate)
    chain = load_trust_store(ca.trust_store).verify(key.certificate)
    assert chain[-1] == x509.load_pem_x509_certificate(ca.ca_certificate.read_bytes())
    for private in (ca.signer_key, ca.ca_key):
        assert stat.S_IMODE(private.stat().st_mode) == 0o600


def test_dev_ca_init_prints_the_paths_scripts_need(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["dev-ca", "init", "--data", str(tmp_path)]) == ExitCode.OK
    lines = dict(line.split("\t") for line in capsys.readouterr().out.splitlines())
    ca = dev_ca(tmp_path)
    assert lines == {
        "trust_store": str(ca.trust_store),
        "sign_key": str(ca.signer_key),
        "sign_cert": str(ca.signer_certificate),
    }


def test_dev_ca_init_keeps_an_existing_authority(
    data: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    before = dev_ca(data).ca_certificate.read_bytes()
    assert main(["dev-ca", "init", "--data", str(data)]) == ExitCode.OK
    assert "kept" in capsys.readouterr().err
    assert dev_ca(data).ca_certificate.read_bytes() == before


def test_dev_assertion_verifies_and_reads(data: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assertion = parse_xml(dev_assertion(data, capsys))
    policy = AssertionPolicy(
        trust_store=load_trust_store(dev_ca(data).trust_store), audience=AUDIENCE
    )
    identity = read_vihf(verify_assertion(assertion, policy=policy))
    assert identity.subject_id == "899700000001"
    assert identity.structure_id == "10B0000001"
    assert identity.profession == Code(code="10", system=CodeSystem.TRE_G15_PROFESSION.value)
    assert identity.specialty == Code(code="SM26", system=CodeSystem.TRE_R01_SPECIALTY.value)
    assert identity.access_mode is AccessMode.CENTRE_15
    assert identity.patient_ins == ("279035121518989", "1.2.250.1.213.1.4.10")


def test_dev_assertion_without_a_test_authority_is_a_usage_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(["dev-assertion", "--data", str(tmp_path), *ASSERTION_OPTIONS])
    assert code == ExitCode.USAGE
    assert "dev-ca init" in capsys.readouterr().err


def test_client_sends_the_assertion_in_wsse_security(
    data: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    client = XdsClient(AUDIENCE, assertion=dev_assertion(data, capsys))
    try:
        headers = client._headers(client.registry_url, "urn:ihe:iti:2007:RegistryStoredQuery")
        # Each request gets its own copy: the envelope takes ownership of its headers.
        again = client._headers(client.registry_url, "urn:ihe:iti:2007:RegistryStoredQuery")
    finally:
        client.close()
    assert [h.tag for h in headers].count(SECURITY_HEADER) == 1
    assert headers[-1] is not again[-1]
    wire = serialize(build_envelope(etree.Element("{urn:example}Ping"), headers=headers))
    understood = {clark(Namespace.WSA, "*"), *understood_headers(vihf_enabled=True)}
    envelope = parse_envelope(parse_xml(wire), understood=understood)
    policy = AssertionPolicy(
        trust_store=load_trust_store(dev_ca(data).trust_store), audience=AUDIENCE
    )
    assertion = verify_assertion(find_assertion(envelope.headers), policy=policy)
    assert assertion.subject == "899700000001"
