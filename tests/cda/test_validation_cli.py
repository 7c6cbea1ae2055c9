"""``carnet cda validate FILE… [--schematron]``, in process through ``carnet.cli.main``.

One line per file on stdout: ``FILE: OK``, or ``FILE: severity location: message`` per finding
(``FILE: error /: reason`` for a file not validated). Exit 0 when every file is valid, 1 when
one is not or could not be validated, 2 for bad usage.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from carnet.cli import main
from carnet.exit_codes import ExitCode

DATA = Path(__file__).resolve().parents[1] / "data" / "cda"
LEVEL_3 = DATA / "AVC-SUNV_2022.01.xml"
LEVEL_1_PDF = DATA / "BIO-CR-BIO_2021.01_CDA-R2-Niveau-1.xml"
XSD_INVALID = DATA / "AVC-SUNV_2022.01_xsd-invalid.xml"
SCHEMATRON_INVALID = DATA / "AVC-SUNV_2022.01_schematron-invalid.xml"


def lines(capsys: pytest.CaptureFixture[str]) -> list[str]:
    out, err = capsys.readouterr()
    assert err == ""
    return out.splitlines()


def test_validate_prints_ok_for_each_valid_file_and_exits_0(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["cda", "validate", str(LEVEL_3), str(LEVEL_1_PDF)]) == ExitCode.OK
    assert lines(capsys) == [f"{LEVEL_3}: OK", f"{LEVEL_1_PDF}: OK"]


def test_validate_prints_each_schema_finding_with_its_xpath_and_exits_1(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["cda", "validate", str(XSD_INVALID)]) == ExitCode.REFUSED
    printed = lines(capsys)
    assert len(printed) == 2
    assert f"{XSD_INVALID}: error /cda:ClinicalDocument/cda:foo: Unexpected child" in "\n".join(
        printed
    )
    assert any(
        line.startswith(f"{XSD_INVALID}: error /cda:ClinicalDocument/cda:effectiveTime: ")
        for line in printed
    )


def test_validate_runs_the_schematrons_only_when_asked(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["cda", "validate", str(SCHEMATRON_INVALID)]) == ExitCode.OK
    assert lines(capsys) == [f"{SCHEMATRON_INVALID}: OK"]
    assert main(["cda", "validate", "--schematron", str(SCHEMATRON_INVALID)]) == ExitCode.REFUSED
    printed = lines(capsys)
    assert printed[0].startswith(
        f"{SCHEMATRON_INVALID}: error /cda:ClinicalDocument/cda:confidentialityCode: "
    )
    assert printed[1].startswith(f"{SCHEMATRON_INVALID}: error /cda:ClinicalDocument: ")
    assert "34133-9" in printed[1]


def test_validate_with_schematron_prints_ok_for_a_conformant_document(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["cda", "validate", str(LEVEL_3), "--schematron"]) == ExitCode.OK
    assert lines(capsys) == [f"{LEVEL_3}: OK"]


def test_validate_exits_1_when_any_file_is_invalid(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["cda", "validate", str(LEVEL_3), str(XSD_INVALID)]) == ExitCode.REFUSED
    printed = lines(capsys)
    assert printed[0] == f"{LEVEL_3}: OK"
    assert all(line.startswith(f"{XSD_INVALID}: error ") for line in printed[1:])


def test_validate_refuses_an_unreadable_file_with_a_reason(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    missing = tmp_path / "missing.xml"
    assert main(["cda", "validate", str(missing)]) == ExitCode.REFUSED
    assert lines(capsys) == [f"{missing}: error /: cannot read the file: No such file or directory"]


def test_validate_refuses_xml_that_is_not_cda_with_a_reason(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    other = tmp_path / "other.xml"
    other.write_bytes(b'<Envelope xmlns="http://www.w3.org/2003/05/soap-envelope"/>')
    assert main(["cda", "validate", str(other)]) == ExitCode.REFUSED
    (line,) = lines(capsys)
    assert line.startswith(f"{other}: error /: root element is ")
    assert "ClinicalDocument" in line


def test_validate_refuses_malformed_xml_with_its_position(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    broken = tmp_path / "broken.xml"
    broken.write_bytes(b'<ClinicalDocument xmlns="urn:hl7-org:v3">')
    assert main(["cda", "validate", str(broken)]) == ExitCode.REFUSED
    (line,) = lines(capsys)
    assert line.startswith(f"{broken}: error /: malformed XML: ")


def test_validate_without_a_file_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_:
        main(["cda", "validate"])
    assert exit_.value.code == ExitCode.USAGE
    assert "FILE" in capsys.readouterr().err
