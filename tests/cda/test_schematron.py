"""CI-SIS ISO schematrons over CDA documents, one rule a test.

The shipped schematrons run on the documents of ``tests/data/cda`` (sources in its README);
the corpus-wide comparison with ANS's results is ``test_schematron_corpus.py``.
"""

from __future__ import annotations

import dataclasses
import threading
from pathlib import Path

import pytest
from lxml import etree

from cda import schematron as schematron_module
from cda.document import parse_cda
from cda.schematron import (
    STRUCTURATION_MINIMALE,
    VOLET_SCHEMATRONS,
    Schematron,
    SchematronError,
    compile_schematron,
    run_schematron,
    schematron_named,
    schematrons_for,
    validate_schematrons,
    volet_schematron,
)
from cda.validation import Severity, ValidationReport
from schemas.loader import schema_file

DATA = Path(__file__).resolve().parents[1] / "data" / "cda"
LEVEL_3 = DATA / "AVC-SUNV_2022.01.xml"
LEVEL_1_PDF = DATA / "BIO-CR-BIO_2021.01_CDA-R2-Niveau-1.xml"
SCHEMATRON_INVALID = DATA / "AVC-SUNV_2022.01_schematron-invalid.xml"
SCHEMATRONS_DIR = schema_file("cda/CDA_extended.xsd").parents[1] / "cisis" / "schematrons"

# Upstream includes missing or differing in case (CI-SIS SCHEMATRON_INCLUDE_ISSUES.tsv).
KNOWN_BROKEN = {
    "CI-SIS_BIO-CR-BIO_2023.01",
    "CI-SIS_CARD-F-PRC-TAP_2022.01",
    "CI-SIS_CNAM-HR_2021.01",
    "CI-SIS_CSE-CS8_2022.01",
    "CI-SIS_CSE-CS8_2024.01",
    "CI-SIS_CSE-CS8_2025.01",
    "CI-SIS_OBP-SAP_2024.01",
}


def document(path: Path):
    return parse_cda(path.read_bytes())


def header(*template_ids: str, code: str = "34133-9"):
    """A bare ClinicalDocument with these ``root`` or ``root|extension`` templateIds."""
    templates = "".join(
        f'<templateId root="{root}"' + (f' extension="{extension}"/>' if extension else "/>")
        for root, _, extension in (template_id.partition("|") for template_id in template_ids)
    )
    return parse_cda(
        f'<ClinicalDocument xmlns="urn:hl7-org:v3">{templates}<code code="{code}"/>'
        "</ClinicalDocument>".encode()
    )


def test_volet_is_chosen_by_its_templateid_and_version() -> None:
    assert volet_schematron(document(LEVEL_3)) == schematron_named("CI-SIS_AVC-SUNV_2022.01")
    cr_bio = header("1.2.250.1.213.1.1.1.1", "1.2.250.1.213.1.1.1.55|2024.01")
    assert volet_schematron(cr_bio) == schematron_named("CI-SIS_BIO-CR-BIO_2024.01")


def test_cr_bio_without_version_extension_is_cr_bio_2021() -> None:
    cr_bio = header("1.2.250.1.213.1.1.1.55")
    assert volet_schematron(cr_bio) == schematron_named("CI-SIS_BIO-CR-BIO_2021.01")


def test_unknown_volet_version_selects_no_volet() -> None:
    assert volet_schematron(header("1.2.250.1.213.1.1.1.55|2099.01")) is None


def test_volet_without_templateid_is_recognised_by_its_loinc_code() -> None:
    telemedicine = header("1.3.6.1.4.1.19376.1.2.20", code="85208-7")
    assert volet_schematron(telemedicine) == schematron_named("CI-SIS_TLM-CR_2022.01")


def test_level_1_document_gets_only_structuration_minimale() -> None:
    cda = document(LEVEL_1_PDF)
    assert volet_schematron(cda) is None
    assert schematrons_for(cda) == (STRUCTURATION_MINIMALE,)


def test_level_3_document_gets_structuration_minimale_then_its_volet() -> None:
    assert schematrons_for(document(LEVEL_3)) == (
        STRUCTURATION_MINIMALE,
        schematron_named("CI-SIS_AVC-SUNV_2022.01"),
    )


def test_valid_level_3_document_passes_its_schematrons() -> None:
    assert validate_schematrons(document(LEVEL_3)) == ValidationReport(findings=(), valid=True)


def test_valid_level_1_document_passes_structuration_minimale() -> None:
    assert validate_schematrons(document(LEVEL_1_PDF)) == ValidationReport(findings=(), valid=True)


def test_failed_assert_is_an_error_located_by_xpath_and_line() -> None:
    report = run_schematron(
        document(SCHEMATRON_INVALID), schematron_named("CI-SIS_AVC-SUNV_2022.01")
    )
    assert not report.valid
    (finding,) = report.findings
    assert finding.severity is Severity.ERROR
    assert finding.location == "/cda:ClinicalDocument"
    assert finding.line == 11
    assert finding.rule == "Entete_AVC-SUNV"  # the pattern, the assertion having no id
    assert '@code ="34133-9"' in finding.message


def test_structuration_minimale_checks_codes_against_their_value_set() -> None:
    report = run_schematron(document(SCHEMATRON_INVALID), STRUCTURATION_MINIMALE)
    (finding,) = report.findings
    assert finding.severity is Severity.ERROR
    assert finding.location == "/cda:ClinicalDocument/cda:confidentialityCode"
    assert finding.line == 41
    assert "2.16.840.1.113883.1.11.10228" in finding.message


def test_volet_schematron_flags_a_level_1_report_lacking_its_templateid() -> None:
    # ANS validation_results.csv: CR-BIO 2021.01 finds 1 failed assert in its level-1 example.
    report = run_schematron(document(LEVEL_1_PDF), schematron_named("CI-SIS_BIO-CR-BIO_2021.01"))
    (finding,) = report.findings
    assert "1.3.6.1.4.1.19376.1.3.3" in finding.message
    assert finding.location == "/cda:ClinicalDocument"


def test_findings_in_a_self_presenting_document_are_located_in_the_file() -> None:
    cda = etree.tostring(document(SCHEMATRON_INVALID).root)
    wrapped = parse_cda(
        b'<xsl:stylesheet xmlns:xsl="http://www.w3.org/1999/XSL/Transform" version="1.0"'
        b' xmlns:data="urn:asip-sante:ci-sis">\n<data:Contenu>' + cda + b"</data:Contenu>"
        b"</xsl:stylesheet>"
    )
    (finding,) = run_schematron(wrapped, schematron_named("CI-SIS_AVC-SUNV_2022.01")).findings
    assert finding.location == "/xsl:stylesheet/data:Contenu/cda:ClinicalDocument"
    assert finding.line == 2


def test_warning_role_does_not_invalidate_the_document() -> None:
    data = LEVEL_3.read_bytes()
    title = "<title>Fiche de sortie d'unité neuro-vasculaire</title>".encode()
    report = run_schematron(
        parse_cda(data.replace(title, title + b"<foo/>", 1)), STRUCTURATION_MINIMALE
    )
    assert report.valid
    (finding,) = report.findings
    assert finding.severity is Severity.WARNING
    assert finding.location == "/cda:ClinicalDocument/cda:foo"


@pytest.mark.parametrize(
    ("role", "severity"),
    [
        (None, Severity.ERROR),
        ("error", Severity.ERROR),
        ("fatal", Severity.ERROR),
        ("warning", Severity.WARNING),
        ("info", Severity.INFO),
        ("information", Severity.INFO),
    ],
)
def test_finding_severity_follows_the_assertion_role(role: str | None, severity: Severity) -> None:
    assert schematron_module._severity(role) is severity


def test_compiled_schematron_is_cached_per_process() -> None:
    volet = schematron_named("CI-SIS_AVC-SUNV_2022.01")
    compile_schematron(volet)
    compiled = schematron_module._compiled[volet.path]
    compile_schematron(volet)
    run_schematron(document(LEVEL_3), volet)
    assert schematron_module._compiled[volet.path] is compiled


def test_schematron_runs_concurrently_from_threads() -> None:
    cda = document(SCHEMATRON_INVALID)
    volet = schematron_named("CI-SIS_AVC-SUNV_2022.01")
    expected = run_schematron(cda, volet)
    results: list[ValidationReport] = []
    errors: list[BaseException] = []

    def work() -> None:
        try:
            for _ in range(5):
                results.append(run_schematron(cda, volet))
        except BaseException as error:  # reported below, in the test's thread
            errors.append(error)

    threads = [threading.Thread(target=work) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    assert results == [expected] * 20


def test_broken_upstream_schematron_raises_schematron_error_each_time() -> None:
    broken = schematron_named("CI-SIS_OBP-SAP_2024.01")
    with pytest.raises(SchematronError, match="cannot be compiled: Cannot resolve URI"):
        compile_schematron(broken)
    with pytest.raises(SchematronError, match=r"S_birthOrganizer_OBP-SAP\.sch"):
        run_schematron(document(LEVEL_3), broken)


def test_unknown_schematron_name_is_refused() -> None:
    with pytest.raises(SchematronError, match="no schematron named"):
        schematron_named("CI-SIS_NOPE_2099.01")


def test_every_shipped_volet_schematron_has_a_record() -> None:
    shipped = {path.stem for path in SCHEMATRONS_DIR.glob("CI-SIS_*.sch")}
    assert shipped == {volet.name for volet in VOLET_SCHEMATRONS}
    for record in (STRUCTURATION_MINIMALE, *VOLET_SCHEMATRONS):
        assert (SCHEMATRONS_DIR.parents[1] / record.path).is_file(), record.path


def test_every_volet_is_identified_by_a_templateid_or_a_code() -> None:
    for volet in VOLET_SCHEMATRONS:
        assert (volet.template_id is None) != (volet.document_code is None), volet.name
        assert volet.versions, volet.name


def test_schematron_records_are_frozen() -> None:
    with pytest.raises(dataclasses.FrozenInstanceError):
        STRUCTURATION_MINIMALE.name = "other"  # type: ignore[misc]
    assert isinstance(STRUCTURATION_MINIMALE, Schematron)


@pytest.mark.slow
def test_every_shipped_volet_schematron_compiles_except_the_known_broken() -> None:
    broken = set()
    for volet in VOLET_SCHEMATRONS:
        try:
            compile_schematron(volet)
        except SchematronError:
            broken.add(volet.name)
    assert broken == KNOWN_BROKEN
