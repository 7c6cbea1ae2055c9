"""``CDA_extended.xsd`` over the CI-SIS example corpus (``shared/cisis``).

ANS's ``validation_results.csv`` records every example as schema-valid (the self-presenting
ones, an ``xsl:stylesheet`` wrapping the document, as "n/a": Carnet validates the CDA they
carry); its XSD-invalid negative example must be refused with a located reason.
Skipped when ``../shared`` (beside the project) is absent.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from cda.document import parse_cda
from cda.validation import Severity, validate_schema

CISIS = Path(__file__).resolve().parents[3] / "shared" / "cisis"

if not (CISIS / "ExemplesCDA").is_dir():
    pytest.skip(
        f"the CI-SIS corpus is absent ({CISIS}): these tests need shared/ beside the project",
        allow_module_level=True,
    )

EXAMPLES = sorted((CISIS / "ExemplesCDA").glob("*.xml"))


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda path: path.name)
def test_every_cisis_example_is_schema_valid(path: Path) -> None:
    report = validate_schema(parse_cda(path.read_bytes()))
    assert report.valid, report.findings


def test_xsd_invalid_negative_example_is_refused_with_a_located_reason() -> None:
    cda = parse_cda((CISIS / "negative_examples" / "NEG_CR-BIO_xsd-invalid.xml").read_bytes())
    report = validate_schema(cda)
    assert not report.valid
    (finding,) = report.findings
    assert finding.severity is Severity.ERROR
    assert finding.location == "/cda:ClinicalDocument/cda:foo"
    assert finding.line == 47
    assert "foo" in finding.message and "effectiveTime" in finding.message


@pytest.mark.parametrize(
    "name", ["NEG_CR-BIO_bad-confidentialityCode.xml", "NEG_CR-BIO_no-INS.xml"]
)
def test_schema_valid_negative_examples_pass_the_schema(name: str) -> None:
    # Their defects are for the schematrons and the DMP rules, not for the schema.
    assert validate_schema(parse_cda((CISIS / "negative_examples" / name).read_bytes())).valid
