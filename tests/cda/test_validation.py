"""CDA R2 schema validation with the CI-SIS extensions (``CDA_extended.xsd``), one rule a test.

Documents are in ``tests/data/cda`` (sources in its README): a level-3 and a level-1 CI-SIS
example, and two invalid documents derived from the level-3 one.
"""

from __future__ import annotations

import dataclasses
import threading
from pathlib import Path
from typing import Any

import pytest
from lxml import etree

from cda import validation
from cda.document import parse_cda
from cda.validation import (
    CDA_SCHEMA,
    Finding,
    Severity,
    ValidationReport,
    node_location,
    validate_schema,
)
from schemas.loader import load_schema

DATA = Path(__file__).resolve().parents[1] / "data" / "cda"
LEVEL_3 = DATA / "AVC-SUNV_2022.01.xml"
LEVEL_1_PDF = DATA / "BIO-CR-BIO_2021.01_CDA-R2-Niveau-1.xml"
XSD_INVALID = DATA / "AVC-SUNV_2022.01_xsd-invalid.xml"


def document(path: Path):
    return parse_cda(path.read_bytes())


def test_schema_accepts_a_level_3_document() -> None:
    cda = document(LEVEL_3)
    assert not cda.is_level_1
    assert validate_schema(cda) == ValidationReport(findings=(), valid=True)


def test_schema_accepts_a_level_1_pdf_document() -> None:
    cda = document(LEVEL_1_PDF)
    assert cda.is_level_1
    assert validate_schema(cda) == ValidationReport(findings=(), valid=True)


def test_schema_refusal_locates_an_unexpected_element_by_xpath_and_line() -> None:
    report = validate_schema(document(XSD_INVALID))
    assert not report.valid
    (foo,) = [finding for finding in report.findings if "foo" in finding.message]
    assert foo.severity is Severity.ERROR
    assert foo.location == "/cda:ClinicalDocument/cda:foo"
    assert foo.line == 38
    assert "effectiveTime" in foo.message  # what was expected instead
    assert foo.rule is None


def test_schema_refusal_names_an_attribute_value_outside_its_type() -> None:
    report = validate_schema(document(XSD_INVALID))
    (timestamp,) = [finding for finding in report.findings if "2018-10-03" in finding.message]
    assert timestamp.location == "/cda:ClinicalDocument/cda:effectiveTime"
    assert timestamp.line == 40


def test_schema_refuses_a_document_without_body() -> None:
    cda = parse_cda(
        b'<ClinicalDocument xmlns="urn:hl7-org:v3">'
        b'<typeId root="2.16.840.1.113883.1.3" extension="POCD_HD000040"/></ClinicalDocument>'
    )
    report = validate_schema(cda)
    assert not report.valid
    assert report.findings[0].location.startswith("/cda:ClinicalDocument")


def test_schema_refusal_falls_back_to_libxml2_when_xmlschema_sees_nothing(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    class Silent:
        def iter_errors(self, root: Any) -> list[Any]:
            return []

    monkeypatch.setattr(validation, "_xmlschema_validator", Silent)
    report = validate_schema(document(XSD_INVALID))
    assert not report.valid
    (finding,) = report.findings  # libxml2 stops at the first content-model error
    assert (finding.location, finding.line) == ("/cda:ClinicalDocument/cda:foo", 38)
    assert "foo" in finding.message


def test_schema_validates_the_cda_a_self_presenting_document_carries() -> None:
    # CI-SIS "auto-présentable": an XSLT stylesheet holding the CDA in data:Contenu.
    cda = etree.tostring(document(XSD_INVALID).root)
    wrapped = parse_cda(
        b'<xsl:stylesheet xmlns:xsl="http://www.w3.org/1999/XSL/Transform" version="1.0"'
        b' xmlns:data="urn:asip-sante:ci-sis">\n<data:Contenu>' + cda + b"</data:Contenu>"
        b"</xsl:stylesheet>"
    )
    report = validate_schema(wrapped)
    assert not report.valid
    locations = {finding.location for finding in report.findings}
    assert "/xsl:stylesheet/data:Contenu/cda:ClinicalDocument/cda:foo" in locations
    assert all(finding.line for finding in report.findings)


def test_schema_is_compiled_once_per_process() -> None:
    assert load_schema(CDA_SCHEMA) is load_schema(CDA_SCHEMA)


def test_schema_validation_is_thread_safe() -> None:
    valid, invalid = document(LEVEL_3), document(XSD_INVALID)
    expected = validate_schema(invalid)
    results: list[tuple[ValidationReport, ValidationReport]] = []

    def work() -> None:
        for _ in range(5):
            results.append((validate_schema(valid), validate_schema(invalid)))

    threads = [threading.Thread(target=work) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(results) == 20
    assert all(good.valid and bad == expected for good, bad in results)


def test_report_with_only_warnings_is_valid() -> None:
    warning = Finding(severity=Severity.WARNING, message="m", location="/", line=None, rule="r")
    assert ValidationReport.of([warning]) == ValidationReport(findings=(warning,), valid=True)


def test_report_with_an_error_is_invalid() -> None:
    error = Finding(severity=Severity.ERROR, message="m", location="/", line=1, rule=None)
    assert not ValidationReport.of([error]).valid


def test_merged_report_is_invalid_when_any_part_is() -> None:
    error = Finding(severity=Severity.ERROR, message="m", location="/", line=1, rule=None)
    merged = ValidationReport.merge(
        [ValidationReport(findings=(), valid=True), ValidationReport.of([error])]
    )
    assert merged == ValidationReport(findings=(error,), valid=False)


def test_findings_and_reports_are_frozen() -> None:
    finding = Finding(severity=Severity.INFO, message="m", location="/", line=None, rule=None)
    with pytest.raises(dataclasses.FrozenInstanceError):
        finding.message = "other"  # type: ignore[misc]
    with pytest.raises(dataclasses.FrozenInstanceError):
        ValidationReport.of([]).valid = False  # type: ignore[misc]


def test_severity_values_are_the_schematron_role_words() -> None:
    assert [severity.value for severity in Severity] == ["error", "warning", "info"]


def test_location_indexes_only_siblings_that_share_a_name() -> None:
    cda = parse_cda(
        b'<ClinicalDocument xmlns="urn:hl7-org:v3" xmlns:sdtc="urn:hl7-org:sdtc">'
        b"<title/><component/><component><sdtc:raceCode/></component></ClinicalDocument>"
    )
    race = cda.root[2][0]
    assert node_location(cda.root[0]) == ("/cda:ClinicalDocument/cda:title", 1)
    assert node_location(race) == ("/cda:ClinicalDocument/cda:component[2]/sdtc:raceCode", 1)
