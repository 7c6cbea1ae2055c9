"""``carnet cda render FILE [--out PATH]``: as a real process where stdout is the contract,
in process (``carnet.cli.main``) for the other outcomes."""

from __future__ import annotations

import base64
import subprocess
import sys
from pathlib import Path

import pytest

from carnet.cli import main
from carnet.exit_codes import ExitCode
from tests.html_conformance import check_page

DATA = Path(__file__).resolve().parents[1] / "data" / "cda"
VAC_NOTE = DATA / "VAC-NOTE_2023.01.xml"
LEVEL_1_PDF = DATA / "level1_pdf.xml"


def carnet(*arguments: str) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(
        [sys.executable, "-m", "carnet", *arguments],
        capture_output=True,
        timeout=120,
        check=False,
    )


def test_render_writes_the_html_page_to_stdout() -> None:
    done = carnet("cda", "render", str(VAC_NOTE))
    assert done.returncode == ExitCode.OK, done.stderr
    page = check_page(done.stdout.decode("utf-8"))
    assert page.findtext(".//title") == "NOTE DE VACCINATION"
    assert done.stderr == b""


def test_render_writes_a_level_1_pdf_as_the_pdf_itself() -> None:
    done = carnet("cda", "render", str(LEVEL_1_PDF))
    assert done.returncode == ExitCode.OK, done.stderr
    text = LEVEL_1_PDF.read_text().split('representation="B64">')[1].split("</text>")[0]
    assert done.stdout == base64.b64decode("".join(text.split()))


def test_render_out_writes_the_file_instead(
    tmp_path: Path, capsysbinary: pytest.CaptureFixture[bytes]
) -> None:
    out = tmp_path / "page.html"
    assert main(["cda", "render", str(VAC_NOTE), "--out", str(out)]) == ExitCode.OK
    assert capsysbinary.readouterr() == (b"", b"")
    check_page(out.read_text(encoding="utf-8"))


def test_render_refuses_xml_that_is_not_cda_with_exit_1(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    other = tmp_path / "other.xml"
    other.write_bytes(b'<Envelope xmlns="http://www.w3.org/2003/05/soap-envelope"/>')
    assert main(["cda", "render", str(other)]) == ExitCode.REFUSED
    output = capsys.readouterr()
    assert "not a CDA R2 ClinicalDocument" in output.err
    assert output.out == ""


@pytest.mark.parametrize(
    "content",
    [b"<ClinicalDocument xmlns='urn:hl7-org:v3'>", b"<!DOCTYPE x [<!ENTITY a 'b'>]><x/>"],
    ids=["malformed", "doctype"],
)
def test_render_refuses_malformed_or_unsafe_xml_with_exit_1(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], content: bytes
) -> None:
    path = tmp_path / "refused.xml"
    path.write_bytes(content)
    assert main(["cda", "render", str(path)]) == ExitCode.REFUSED
    assert capsys.readouterr().err.startswith(f"carnet: {path}: ")


def test_render_of_a_missing_file_is_a_usage_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["cda", "render", str(tmp_path / "missing.xml")]) == ExitCode.USAGE
    assert "cannot read" in capsys.readouterr().err
