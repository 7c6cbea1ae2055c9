"""``carnet submit --sign-key --sign-cert`` and the IHE DSG SubmissionSet Signature on the wire:
a real ``carnet serve --profile dmp --trust-store`` judges what ``carnet`` (or ``XdsClient``)
sends, one rule a test. Keys and CAs are generated for the module (``tests/signing_pki.py``)."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from lxml import etree

from carnet.client import XdsClient
from carnet.client_errors import RegistryFailure
from carnet.exit_codes import ExitCode
from carnet.file_metadata import files_submission
from carnet.signing import signed_submission
from cda.signature import DS_NAMESPACE
from registry.vocabulary import ErrorCode
from repository.submission_signature import SIGNATURE_CLASS_CODE
from tests.carnet.test_cli_cda_metadata import CI_SIS_EXAMPLE, CI_SIS_PATIENT
from tests.live_server import LiveServer, live_server
from tests.signing_pki import Pki, make_pki
from tests.soap.test_registry_endpoint import feed_patient, new_patient_id

METADATA_ERROR = ErrorCode.REPOSITORY_METADATA_ERROR.value


def carnet(*arguments: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "carnet", *arguments],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


@pytest.fixture(scope="module")
def pki(tmp_path_factory: pytest.TempPathFactory) -> Pki:
    return make_pki(tmp_path_factory.mktemp("pki"))


@pytest.fixture(scope="module")
def dmp_node(tmp_path_factory: pytest.TempPathFactory, pki: Pki) -> Iterator[LiveServer]:
    """``carnet serve --profile dmp`` trusting the test root CA (``CARNET_TRUST_STORE``)."""
    with live_server(
        tmp_path_factory.mktemp("dmp-node"),
        profile="dmp",
        workers=1,
        threads=4,
        # The signature rules alone; callers' VIHFs: tests/soap/test_dmp_access.py.
        extra_env={"CARNET_TRUST_STORE": str(pki.trust_store), "CARNET_CHECK_VIHF": "off"},
    ) as running:
        yield running


@pytest.fixture
def client(dmp_node: LiveServer) -> Iterator[XdsClient]:
    with XdsClient(dmp_node.url) as xds:
        yield xds


@pytest.fixture
def patient_id(client: XdsClient) -> str:
    patient = new_patient_id()
    feed_patient(client, patient)
    return patient


@pytest.fixture
def report(tmp_path: Path) -> Path:
    path = tmp_path / "compte-rendu.txt"
    path.write_text("Compte rendu de consultation du 15 janvier.\n" * 1000, encoding="utf-8")
    return path


def refusal(client: XdsClient, submission: object, documents: object) -> tuple[str, str]:
    """``(code, reason)`` of the single error the node answers."""
    with pytest.raises(RegistryFailure) as caught:
        client.provide_and_register(submission, documents)  # type: ignore[arg-type]
    [error] = caught.value.errors
    return error.code, error.context


def test_submission_signed_by_carnet_submit_is_accepted(
    dmp_node: LiveServer, client: XdsClient, pki: Pki, patient_id: str, report: Path
) -> None:
    done = carnet(
        "submit", str(report), "--patient", patient_id,
        "--sign-key", str(pki.key_file), "--sign-cert", str(pki.certificate_file),
        "--url", dmp_node.url,
    )  # fmt: skip
    assert done.returncode == ExitCode.OK, done.stderr
    [line] = done.stdout.splitlines()  # the signature's entry is not printed
    unique_id = line.split("\t")[0]
    found = {entry.unique_id: entry for entry in client.find_documents(patient_id)}
    assert unique_id in found
    [signature] = [e for e in found.values() if e.class_code == SIGNATURE_CLASS_CODE]
    assert signature.type_code is not None and signature.type_code.code == "E1762"
    assert {c.code for c in signature.confidentiality_codes} >= {"MASQUE_PS", "INVISIBLE_PATIENT"}


def test_cda_submitted_with_patient_auto_and_signed_is_accepted_by_a_dmp_node(
    dmp_node: LiveServer, client: XdsClient, pki: Pki
) -> None:
    """Issue 4's client: metadata from the CDA header, IHE DSG signature, DMP rules all pass."""
    feed_patient(client, CI_SIS_PATIENT)
    done = carnet(
        "submit", str(CI_SIS_EXAMPLE), "--patient", "auto",
        "--sign-key", str(pki.key_file), "--sign-cert", str(pki.certificate_file),
        "--url", dmp_node.url,
    )  # fmt: skip
    assert done.returncode == ExitCode.OK, done.stderr
    found = {entry.unique_id: entry for entry in client.find_documents(CI_SIS_PATIENT)}
    assert "1.2.250.1.213.1.1.1.46.2023.1.1" in found
    assert any(e.class_code == SIGNATURE_CLASS_CODE for e in found.values())


def test_unsigned_submission_is_refused_by_a_dmp_node(
    dmp_node: LiveServer, patient_id: str, report: Path
) -> None:
    done = carnet("submit", str(report), "--patient", patient_id, "--url", dmp_node.url)
    assert done.returncode == ExitCode.REFUSED
    assert f"{METADATA_ERROR}: signature required" in done.stderr


def test_document_changed_by_one_byte_after_signing_is_refused(
    client: XdsClient, pki: Pki, patient_id: str, report: Path
) -> None:
    submission, documents = signed_submission(
        *files_submission([report], patient_id=patient_id), key=pki.signer
    )
    data = bytearray(report.read_bytes())
    data[100] ^= 0x20
    code, reason = refusal(client, submission, {**documents, "Document01": bytes(data)})
    assert code == METADATA_ERROR
    unique_id = submission.documents[0].unique_id
    assert f"digest mismatch for uniqueId {unique_id}" in reason


def test_manifest_digest_changed_after_signing_is_refused(
    client: XdsClient, pki: Pki, patient_id: str, report: Path
) -> None:
    submission, documents = signed_submission(
        *files_submission([report], patient_id=patient_id), key=pki.signer
    )
    signature = documents["SubmissionSetSignature"]
    assert isinstance(signature, bytes)
    root = etree.fromstring(signature)
    [value] = root.xpath(
        "ds:Object/ds:Manifest/ds:Reference[2]/ds:DigestValue", namespaces={"ds": DS_NAMESPACE}
    )
    value.text = "A" + value.text[1:] if value.text[0] != "A" else "B" + value.text[1:]
    tampered = {**documents, "SubmissionSetSignature": etree.tostring(root)}
    code, reason = refusal(client, submission, tampered)
    assert code == METADATA_ERROR
    assert "signature value check failed" in reason and "#IHEManifest" in reason


def test_certificate_of_an_untrusted_authority_is_refused(
    dmp_node: LiveServer, pki: Pki, patient_id: str, report: Path
) -> None:
    done = carnet(
        "submit", str(report), "--patient", patient_id,
        "--sign-key", str(pki.stranger_key_file), "--sign-cert", str(pki.stranger_certificate_file),
        "--url", dmp_node.url,
    )  # fmt: skip
    assert done.returncode == ExitCode.REFUSED
    assert METADATA_ERROR in done.stderr
    assert "does not chain to the trust store" in done.stderr


def test_signed_submission_is_accepted_by_an_ihe_node_without_trust_store(
    server: LiveServer, pki: Pki, report: Path
) -> None:
    """Profile ``ihe``: a signature is verified when present (integrity, manifest)."""
    with XdsClient(server.url) as xds:
        patient = new_patient_id()
        feed_patient(xds, patient)
        submission, documents = files_submission([report], patient_id=patient)
        xds.provide_and_register(submission, documents, signing_key=pki.signer)
        signed, signed_documents = signed_submission(submission, documents, key=pki.signer)
        data = report.read_bytes()
        code, reason = refusal(xds, signed, {**signed_documents, "Document01": data + b"!"})
    assert code == METADATA_ERROR and "digest mismatch" in reason


def test_sign_key_without_sign_cert_is_a_usage_error(pki: Pki, report: Path) -> None:
    done = carnet("submit", str(report), "--patient", "X^^^&1.2.3&ISO", "--sign-key",
                  str(pki.key_file))  # fmt: skip
    assert done.returncode == ExitCode.USAGE
    assert "--sign-key and --sign-cert go together" in done.stderr


def test_sign_key_that_is_not_the_certificates_is_a_usage_error(pki: Pki, report: Path) -> None:
    done = carnet(
        "submit", str(report), "--patient", "X^^^&1.2.3&ISO",
        "--sign-key", str(pki.stranger_key_file), "--sign-cert", str(pki.certificate_file),
    )  # fmt: skip
    assert done.returncode == ExitCode.USAGE
    assert "is not the certificate of the key" in done.stderr
