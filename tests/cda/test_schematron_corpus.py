"""The CI-SIS example corpus against ANS's own results (``shared/cisis/validation_results.csv``).

For every ``shared/cisis/ExemplesCDA/*.xml`` and ``negative_examples/*.xml`` (a self-presenting
one, an XSLT stylesheet wrapping its CDA, counts as the CDA it carries), the csv records
which volet schematron applies and how many assertions fail under it and under "Structuration
minimale" (``compile-error`` where upstream includes are broken). Carnet's compiled schematrons
must give the same counts. No ``successful-report`` fires on this corpus, so the count of
findings is the count of failed assertions.

Also here: the shipped schemas and schematrons are verbatim copies of the reference folder.
Skipped when ``../shared`` (beside the project) is absent.
"""

from __future__ import annotations

import csv
import filecmp
import unicodedata
from pathlib import Path

import pytest

from cda.document import parse_cda
from cda.schematron import (
    STRUCTURATION_MINIMALE,
    SchematronError,
    run_schematron,
    schematron_named,
    volet_schematron,
)

ROOT = Path(__file__).resolve().parents[2]
CISIS = ROOT.parent / "shared" / "cisis"
SCHEMAS = ROOT / "schemas"

if not (CISIS / "validation_results.csv").is_file():
    pytest.skip(
        f"the CI-SIS corpus is absent ({CISIS}): these tests need shared/ beside the project",
        allow_module_level=True,
    )

pytestmark = pytest.mark.slow

# Where Carnet's choice of volet (templateId and its version) differs from the csv's, which
# goes by file name: a level-1 document carries no volet templateId, and these two 2024.01
# examples carry CR-BIO's templateId without the version extension (the 2021.01 convention).
VOLET_CHOICE_DIFFERS = {
    "BIO-CR-BIO_2021.01_CDA-R2-Niveau-1.xml": None,
    "BIO-CR-BIO_2024.01_TSH_1.xml": "CI-SIS_BIO-CR-BIO_2021.01",
    "BIO-CR-BIO_2024.01_TSH_2.xml": "CI-SIS_BIO-CR-BIO_2021.01",
}


def _key(name: str) -> str:
    return unicodedata.normalize("NFC", name)


def _results() -> dict[str, dict[str, str]]:
    with (CISIS / "validation_results.csv").open(encoding="utf-8", newline="") as table:
        rows = list(csv.reader(table))
    header, body = rows[0], rows[1:]
    results = {}
    for row in body:
        name = row[0].split(" (NOT copied")[0].rsplit("/", 1)[-1]
        results[_key(name)] = dict(zip(header, row, strict=True))
    return results


RESULTS = _results()
CISIS_EXAMPLES = sorted((CISIS / "ExemplesCDA").glob("*.xml"))
EXAMPLES = CISIS_EXAMPLES + sorted((CISIS / "negative_examples").glob("*.xml"))


def _expected_count(cell: str) -> int | str:
    """``"0"``, ``"1 | first message"`` or ``"compile-error (…)"``."""
    cell = cell.strip()
    return "compile-error" if cell.startswith("compile-error") else int(cell.split("|")[0])


def _volet_name(row: dict[str, str]) -> str | None:
    sch = row["volet_schematron"]
    return sch.removesuffix(".sch") if sch.endswith(".sch") else None


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda path: path.name)
def test_volet_schematron_gives_the_failed_assert_count_ans_records(path: Path) -> None:
    row = RESULTS[_key(path.name)]
    volet = _volet_name(row)
    if volet is None:
        pytest.skip("no volet schematron for this example")
    expected = _expected_count(row["volet_failed_asserts"])
    if expected == "compile-error":
        with pytest.raises(SchematronError, match="cannot be compiled"):
            run_schematron(parse_cda(path.read_bytes()), schematron_named(volet))
        return
    report = run_schematron(parse_cda(path.read_bytes()), schematron_named(volet))
    assert len(report.findings) == expected, [finding.message for finding in report.findings]


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda path: path.name)
def test_structuration_minimale_gives_the_failed_assert_count_ans_records(path: Path) -> None:
    row = RESULTS[_key(path.name)]
    expected = _expected_count(row["structuration_minimale_failed_asserts"])
    report = run_schematron(parse_cda(path.read_bytes()), STRUCTURATION_MINIMALE)
    assert len(report.findings) == expected, [finding.message for finding in report.findings]
    for finding in report.findings:
        assert finding.location.startswith("/cda:ClinicalDocument")
        assert finding.line is not None


# The csv runs no volet on the negative examples: that says nothing of which volet applies.
@pytest.mark.parametrize("path", CISIS_EXAMPLES, ids=lambda path: path.name)
def test_volet_is_chosen_from_the_header_as_ans_does(path: Path) -> None:
    row = RESULTS[_key(path.name)]
    expected = VOLET_CHOICE_DIFFERS.get(_key(path.name), _volet_name(row))
    chosen = volet_schematron(parse_cda(path.read_bytes()))
    assert (chosen.name if chosen else None) == expected


def test_shipped_cda_schema_is_a_verbatim_copy() -> None:
    shipped = sorted((SCHEMAS / "cda").rglob("*.xsd"))
    assert len(shipped) == 14
    for path in shipped:
        source = CISIS / "infrastructure" / "cda" / path.relative_to(SCHEMAS / "cda")
        assert filecmp.cmp(path, source, shallow=False), path


def test_shipped_schematrons_and_value_sets_are_verbatim_copies() -> None:
    shipped = [path for path in (SCHEMAS / "cisis").rglob("*") if path.is_file()]
    assert len(shipped) > 1000
    for path in shipped:
        source = CISIS / path.relative_to(SCHEMAS / "cisis")
        assert filecmp.cmp(path, source, shallow=False), path
