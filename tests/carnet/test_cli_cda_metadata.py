"""``carnet cda metadata`` and ``carnet submit --patient auto``, run as real processes.

The documents are ours, with the values the CI-SIS mappings give them written by hand
(``tests/cda/expected_metadata.py``), and one official CI-SIS example copied into
``tests/data/cda/metadata``; ``submit`` speaks to a live ``carnet serve``.
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from carnet.client import XdsClient
from carnet.exit_codes import ExitCode
from tests.cda.expected_metadata import DATA, EXPECTED
from tests.live_server import LiveServer, live_server
from tests.soap.test_registry_endpoint import feed_patient

CI_SIS_EXAMPLE = DATA / "CI-SIS_VAC-NOTE_2023.01.xml"
CI_SIS_PATIENT = "279035121518989^^^&1.2.250.1.213.1.4.10&ISO"


def carnet(*arguments: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "carnet", *arguments],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def described(path: Path, *options: str) -> dict[str, Any]:
    done = carnet("cda", "metadata", str(path), *options)
    assert done.returncode == ExitCode.OK, done.stderr
    output: dict[str, Any] = json.loads(done.stdout)
    return output


def pair(code: dict[str, str]) -> tuple[str, str]:
    return code["code"], code["codingScheme"]


# ----------------------------------------------------------------------------- cda metadata


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_cda_metadata_gives_what_the_ci_sis_mappings_give(name: str) -> None:
    output = described(DATA / name)
    expected = EXPECTED[name]
    assert output["uniqueId"] == expected["uniqueId"]
    assert output["patientId"] == expected["patientId"]
    for attribute in (
        "typeCode",
        "classCode",
        "formatCode",
        "healthcareFacilityTypeCode",
        "practiceSettingCode",
    ):
        assert pair(output[attribute]) == expected[attribute], attribute


def test_cda_metadata_of_a_ci_sis_example() -> None:
    output = described(CI_SIS_EXAMPLE)
    assert output["uniqueId"] == "1.2.250.1.213.1.1.1.46.2023.1.1"
    assert output["patientId"] == CI_SIS_PATIENT
    # ASS_X16: 87273-9 "Immunization note" -> 52; ASS_A11: 1.2.250.1.213.1.1.1.46 -> vac-note
    assert pair(output["classCode"]) == ("52", "1.2.250.1.213.1.1.4.1")
    assert pair(output["formatCode"]) == (
        "urn:asip:ci-sis:vac-note:2021",
        "1.2.250.1.213.1.1.4.2.282",
    )
    assert pair(output["healthcareFacilityTypeCode"]) == ("SA07", "1.2.250.1.71.4.2.4")
    assert pair(output["practiceSettingCode"]) == ("AMBULATOIRE", "1.2.250.1.213.1.1.4.9")


def test_cda_metadata_json_has_stable_keys_and_codes_as_objects() -> None:
    output = described(DATA / "LDL-SES_discharge_letter.xml")
    assert list(output) == [
        "uniqueId",
        "patientId",
        "sourcePatientId",
        "sourcePatientInfo",
        "mimeType",
        "title",
        "creationTime",
        "serviceStartTime",
        "serviceStopTime",
        "languageCode",
        "typeCode",
        "classCode",
        "formatCode",
        "healthcareFacilityTypeCode",
        "practiceSettingCode",
        "confidentialityCode",
        "eventCodeList",
        "author",
        "legalAuthenticator",
        "referenceIdList",
        "cdaHeader",
    ]
    assert output["typeCode"] == {
        "code": "11490-0",
        "codingScheme": "2.16.840.1.113883.6.1",
        "displayName": "Lettre de liaison à la sortie d'un établissement de soins",
    }
    assert list(output["author"][0]) == [
        "authorPerson",
        "authorInstitution",
        "authorRole",
        "authorSpecialty",
        "authorTelecommunication",
    ]
    assert output["cdaHeader"]["replaces"] == "1.2.250.1.999.4.1^LDL-2024-0042-1"
    assert output["creationTime"] == "20240315133000"


def test_cda_metadata_without_ins_prints_a_null_patient_id(tmp_path: Path) -> None:
    text = (DATA / "CR-BIO_level1_pdf.xml").read_text(encoding="utf-8")
    document = tmp_path / "no-ins.xml"
    document.write_text(text.replace('root="1.2.250.1.213.1.4.9"', 'root="1.2.250.1.999.5.9"'))
    done = carnet("cda", "metadata", str(document))
    assert done.returncode == ExitCode.OK, done.stderr
    assert json.loads(done.stdout)["patientId"] is None
    assert "no INS" in done.stderr


def test_cda_metadata_check_exits_1_for_a_code_outside_the_value_sets(tmp_path: Path) -> None:
    text = (DATA / "BIO-TROD_rapid_test.xml").read_text(encoding="utf-8")
    document = tmp_path / "secret.xml"
    document.write_text(
        text.replace('<confidentialityCode code="N"', '<confidentialityCode code="X"')
    )
    assert carnet("cda", "metadata", str(document)).returncode == ExitCode.OK
    checked = carnet("cda", "metadata", str(document), "--check")
    assert checked.returncode == ExitCode.REFUSED
    assert "confidentialityCode X" in checked.stderr


def test_cda_metadata_of_a_file_that_is_no_cda_exits_1(tmp_path: Path) -> None:
    document = tmp_path / "other.xml"
    document.write_bytes(b"<ClinicalDocument/>")
    done = carnet("cda", "metadata", str(document))
    assert done.returncode == ExitCode.REFUSED
    assert "not a CDA R2 ClinicalDocument" in done.stderr


def test_cda_metadata_of_a_missing_file_exits_2(tmp_path: Path) -> None:
    assert carnet("cda", "metadata", str(tmp_path / "none.xml")).returncode == ExitCode.USAGE


# ------------------------------------------------------------------------- submit --patient auto


@pytest.fixture(scope="module")
def node(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    with live_server(tmp_path_factory.mktemp("cli-cda"), workers=1, threads=2) as running:
        yield running


def test_submit_patient_auto_registers_a_ci_sis_example_from_its_header(
    node: LiveServer,
) -> None:
    with XdsClient(node.url) as client:
        feed_patient(client, CI_SIS_PATIENT)
        done = carnet("submit", str(CI_SIS_EXAMPLE), "--patient", "auto", "--url", node.url)
        assert done.returncode == ExitCode.OK, done.stderr
        assert done.stdout.split("\t")[0] == "1.2.250.1.213.1.1.1.46.2023.1.1"
        [entry] = client.find_documents(CI_SIS_PATIENT)
    assert entry.unique_id == "1.2.250.1.213.1.1.1.46.2023.1.1"
    assert entry.class_code is not None and entry.class_code.code == "52"
    assert entry.format_code is not None
    assert entry.format_code.code == "urn:asip:ci-sis:vac-note:2021"
    assert entry.creation_time == "20210409143500"
    assert entry.title == "NOTE DE VACCINATION"


def test_submit_patient_auto_refuses_a_cda_without_ins(tmp_path: Path) -> None:
    text = (DATA / "CR-BIO_level1_pdf.xml").read_text(encoding="utf-8")
    document = tmp_path / "no-ins.xml"
    document.write_text(text.replace('root="1.2.250.1.213.1.4.9"', 'root="1.2.250.1.999.5.9"'))
    done = carnet("submit", str(document), "--patient", "auto", "--url", "http://127.0.0.1:9")
    assert done.returncode == ExitCode.USAGE
    assert "INS" in done.stderr


def test_submit_patient_auto_refuses_documents_of_two_patients() -> None:
    done = carnet(
        "submit",
        str(DATA / "LDL-SES_discharge_letter.xml"),
        str(DATA / "BIO-TROD_rapid_test.xml"),
        "--patient",
        "auto",
        "--url",
        "http://127.0.0.1:9",
    )
    assert done.returncode == ExitCode.USAGE
    assert "2 patients" in done.stderr


def test_submit_patient_auto_cannot_be_combined_with_a_metadata_file(tmp_path: Path) -> None:
    metadata = tmp_path / "meta.xml"
    metadata.write_bytes(b"<x/>")
    done = carnet(
        "submit", str(CI_SIS_EXAMPLE), "--patient", "auto", "--metadata", str(metadata),
        "--url", "http://127.0.0.1:9",
    )  # fmt: skip
    assert done.returncode == ExitCode.USAGE
