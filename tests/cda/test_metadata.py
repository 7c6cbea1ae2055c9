"""ITI TF-3 4.2.3.2 and the CI-SIS mapping: the XDS metadata a CDA header implies (cda/metadata.py).

The documents are ours (``tests/data/cda/metadata``, expected values written by hand in
``tests/cda/expected_metadata.py``); a last test runs over every official CI-SIS example when
the reference folder ``../shared`` is there.
"""

from __future__ import annotations

from pathlib import Path

import pytest

import cda
from cda.coded_value import CodedValue
from cda.document import parse_cda
from cda.errors import CdaMetadataError, NotCdaError
from cda.metadata import CdaMetadata, ReferenceIdType, cda_metadata, utc_dtm
from cda.value_sets import check_codes
from tests.cda.expected_metadata import DATA, EXPECTED, TRE_A01, TRE_A06, TRE_A11

SHARED_EXAMPLES = Path(__file__).resolve().parents[3] / "shared" / "cisis" / "ExemplesCDA"
LDL = "LDL-SES_discharge_letter.xml"
PDF = "CR-BIO_level1_pdf.xml"
TROD = "BIO-TROD_rapid_test.xml"


def text(name: str) -> str:
    return (DATA / name).read_text(encoding="utf-8")


def metadata(name: str, *replacements: tuple[str, str]) -> CdaMetadata:
    """The metadata of a test document, after replacing text in it."""
    source = text(name)
    for old, new in replacements:
        assert old in source, old
        source = source.replace(old, new)
    return cda_metadata(parse_cda(source.encode("utf-8")))


def pair(code: CodedValue | None) -> tuple[str, str] | None:
    return None if code is None else (code.code, code.code_system)


# ----------------------------------------------------------------------------- by hand


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_header_gives_the_values_of_the_ci_sis_mappings(name: str) -> None:
    found = metadata(name)
    expected = EXPECTED[name]
    assert found.unique_id == expected["uniqueId"]
    assert found.patient_id == expected["patientId"]
    assert pair(found.type_code) == expected["typeCode"]
    assert pair(found.class_code) == expected["classCode"]
    assert pair(found.format_code) == expected["formatCode"]
    assert pair(found.healthcare_facility_type_code) == expected["healthcareFacilityTypeCode"]
    assert pair(found.practice_setting_code) == expected["practiceSettingCode"]


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_our_documents_have_every_code_in_the_dmp_value_sets(name: str) -> None:
    assert check_codes(metadata(name)) == []


# ----------------------------------------------------------------------------- uniqueId


def test_unique_id_is_root_caret_extension_when_the_id_has_one() -> None:
    assert metadata(LDL).unique_id == "1.2.250.1.999.4.1^LDL-2024-0042-2"


def test_unique_id_is_the_root_alone_without_extension() -> None:
    assert metadata(PDF).unique_id == "1.2.250.1.999.5.1.20240704.17"


def test_header_without_a_document_id_is_refused() -> None:
    with pytest.raises(CdaMetadataError, match="ClinicalDocument/id"):
        metadata(PDF, ('<id root="1.2.250.1.999.5.1.20240704.17"/>', '<id nullFlavor="NI"/>'))


def test_a_document_that_is_not_a_clinical_document_is_refused() -> None:
    with pytest.raises(NotCdaError):
        parse_cda(b"<ClinicalDocument/>")


# ----------------------------------------------------------------------------- codes


def test_type_code_is_the_clinical_document_code_with_its_display_name() -> None:
    assert metadata(LDL).type_code == CodedValue(
        code="11490-0",
        code_system="2.16.840.1.113883.6.1",
        display_name="Lettre de liaison à la sortie d'un établissement de soins",
    )


def test_class_code_comes_from_the_type_code_through_ass_x16() -> None:
    assert metadata(TROD).class_code == CodedValue(
        code="52", code_system="1.2.250.1.213.1.1.4.1", display_name="Certificat, déclaration"
    )


def test_class_code_is_none_for_a_type_code_ass_x16_does_not_map() -> None:
    found = metadata(LDL, ('code="11490-0"', 'code="99999-9"'))
    assert found.type_code is not None and found.class_code is None


def test_format_code_comes_from_the_template_id_through_ass_a11() -> None:
    found = metadata(LDL).format_code
    assert found is not None
    assert (found.code, found.code_system) == (
        "urn:asip:ci-sis:ldl-ses:2017",
        "1.2.250.1.213.1.1.4.2.282",
    )
    assert found.display_name  # the label of JDV_J60


def test_format_code_of_a_template_ass_a11_added_in_version_5() -> None:
    assert pair(metadata(TROD).format_code) == ("urn:ans:ci-sis:trod:2024", TRE_A06)


def test_format_code_of_a_level_1_document_comes_from_its_media_type() -> None:
    assert pair(metadata(PDF).format_code) == ("urn:ihe:iti:xds-sd:pdf:2008", TRE_A11)
    as_text = metadata(PDF, ('mediaType="application/pdf"', 'mediaType="text/plain"'))
    assert pair(as_text.format_code) == ("urn:ihe:iti:xds-sd:text:2008", TRE_A11)


def test_format_code_is_none_for_a_model_ass_a11_does_not_know() -> None:
    found = metadata(LDL, ('root="1.2.250.1.213.1.1.1.29"', 'root="1.2.250.1.999.9.9"'))
    assert found.format_code is None


def test_confidentiality_and_language_codes_are_copied() -> None:
    found = metadata(LDL)
    assert pair(found.confidentiality_code) == ("R", "2.16.840.1.113883.5.25")
    assert found.language_code == "fr-FR"


def test_healthcare_facility_type_code_comes_from_the_encompassing_encounter() -> None:
    assert metadata(LDL).healthcare_facility_type_code == CodedValue(
        code="SA03", code_system="1.2.250.1.71.4.2.4", display_name="Etablissement privé PSPH"
    )


def test_practice_setting_code_comes_from_the_service_event_performer() -> None:
    assert pair(metadata(TROD).practice_setting_code) == ("DEPISTAGE", TRE_A01)


def test_practice_setting_code_falls_back_to_the_authors_organisation() -> None:
    assert pair(metadata(PDF).practice_setting_code) == ("AMBULATOIRE", TRE_A01)


def test_event_codes_are_the_service_event_codes() -> None:
    assert [pair(code) for code in metadata(LDL).event_codes] == [("IMP", "2.16.840.1.113883.5.4")]


# ----------------------------------------------------------------------------- times


def test_creation_time_is_the_effective_time_in_utc() -> None:
    assert metadata(LDL).creation_time == "20240315133000"  # +0100
    assert metadata(PDF).creation_time == "20240704071500"  # +0200, summer
    assert metadata(TROD).creation_time == "20240101023000"  # -0300, into the next year


def test_service_times_are_the_service_event_low_and_high_in_utc() -> None:
    found = metadata(LDL)
    assert (found.service_start_time, found.service_stop_time) == (
        "20240308081500",
        "20240315110000",
    )


def test_service_start_time_of_a_point_in_time_event() -> None:
    found = metadata(TROD)
    assert (found.service_start_time, found.service_stop_time) == ("20240101021500", None)


def test_utc_dtm_keeps_a_date_or_a_time_without_offset_as_written() -> None:
    assert utc_dtm("20240315") == "20240315"
    assert utc_dtm("20240315143000") == "20240315143000"
    assert utc_dtm("2024031514+0530") == "202403150830"  # a half-hour zone needs the minutes


def test_utc_dtm_refuses_what_is_not_an_hl7_ts() -> None:
    for value in ("2024-03-15", "20241315", "202403151"):
        with pytest.raises(CdaMetadataError):
            utc_dtm(value)


def test_malformed_effective_time_is_refused_naming_it() -> None:
    with pytest.raises(CdaMetadataError, match="effectiveTime"):
        metadata(
            LDL, ('<effectiveTime value="20240315143000+0100"/>', '<effectiveTime value="x"/>')
        )


# ----------------------------------------------------------------------------- patient


def test_patient_id_is_the_ins_as_a_cx() -> None:
    assert metadata(LDL).patient_id == "180127512345602^^^&1.2.250.1.213.1.4.10&ISO"
    assert metadata(PDF).patient_id == "299991234500087^^^&1.2.250.1.213.1.4.9&ISO"  # NIA


def test_patient_id_is_none_without_an_ins() -> None:
    found = metadata(LDL, ('<id root="1.2.250.1.213.1.4.10" extension="180127512345602"/>', ""))
    assert found.patient_id is None
    assert found.patient_ids == ("IPP-778899^^^&1.2.250.1.999.4.2&ISO",)


def test_source_patient_id_is_the_local_id_else_the_ins() -> None:
    assert metadata(LDL).source_patient_id == "IPP-778899^^^&1.2.250.1.999.4.2&ISO"
    assert metadata(PDF).source_patient_id == "299991234500087^^^&1.2.250.1.213.1.4.9&ISO"


def test_source_patient_info_gives_ids_names_birth_date_and_sex() -> None:
    assert metadata(LDL).source_patient_info == (
        "PID-3|180127512345602^^^&1.2.250.1.213.1.4.10&ISO",
        "PID-3|IPP-778899^^^&1.2.250.1.999.4.2&ISO",
        "PID-5|MARTIN^Louis^^^^^L",
        "PID-5|MARTIN-DURAND^Louis^^^^^D",
        "PID-7|19800127",
        "PID-8|M",
    )


# ----------------------------------------------------------------------------- people


def test_author_person_is_an_xcn_with_the_national_id() -> None:
    [author] = metadata(LDL).authors
    assert author.person == "810000000001^LEROY^Claire^^^^^^&1.2.250.1.71.4.2.1&ISO^D^^^IDNPS"


def test_author_with_a_structures_own_id_is_typed_ei() -> None:
    [author] = metadata(TROD).authors
    assert author.person == ("3999000033/PH0042^FAURE^Hugo^^^^^^&1.2.250.1.71.4.2.1&ISO^D^^^EI")


def test_author_device_is_named_by_its_model_and_software() -> None:
    person = (
        "<assignedPerson>\n        <name>\n          <given>Marc</given>\n"
        "          <family>PETIT</family>\n        </name>\n      </assignedPerson>\n"
        "      <representedOrganization>"
    )
    device = (
        "<assignedAuthoringDevice><manufacturerModelName>Analyseur X</manufacturerModelName>"
        "<softwareName>SGL</softwareName></assignedAuthoringDevice><representedOrganization>"
    )
    [author] = metadata(PDF, (person, device)).authors
    assert author.person == "810000000003^Analyseur X^SGL^^^^^^&1.2.250.1.71.4.2.1&ISO^U^^^RI"


def test_author_institution_is_an_xon_with_the_structure_id() -> None:
    [author] = metadata(LDL).authors
    assert author.institution == (
        "Centre hospitalier de Test^^^^^&1.2.250.1.71.4.2.2&ISO^IDNST^^^1999000017"
    )


def test_author_specialty_is_the_assigned_author_code() -> None:
    [author] = metadata(LDL).authors
    assert pair(author.specialty) == ("G15_10/SM41", "1.2.250.1.213.1.1.4.5")


def test_author_role_is_the_function_code_display_name() -> None:
    function = (
        '<time value="20240315143000+0100"/>\n    <assignedAuthor>',
        '<functionCode code="PCP" codeSystem="2.16.840.1.113883.5.88" '
        'displayName="Médecin traitant"/><time value="20240315143000+0100"/><assignedAuthor>',
    )
    [author] = metadata(LDL, function).authors
    assert author.role == "Médecin traitant"


def test_author_telecoms_are_xtn() -> None:
    [author] = metadata(LDL).authors
    assert author.telecoms == (
        "^WPN^PH^^^^^^^^^0140000001",
        "^NET^Internet^claire.leroy@hopital.mssante.fr",
    )


def test_legal_authenticator_is_an_xcn() -> None:
    assert metadata(LDL).legal_authenticator == (
        "810000000002^BERNARD^Paul^^^^^^&1.2.250.1.71.4.2.1&ISO^D^^^IDNPS"
    )


def test_hl7_delimiters_in_names_are_escaped() -> None:
    [author] = metadata(LDL, ("<family>LEROY</family>", "<family>LE^ROY&amp;CO</family>")).authors
    assert author.person is not None
    assert author.person.split("^")[1] == "LE\\S\\ROY\\T\\CO"


# ----------------------------------------------------------------------------- the rest


def test_reference_ids_name_the_order_and_the_encounter() -> None:
    assert metadata(LDL).reference_ids == (
        f"ADM-2024-7788^^^&1.2.250.1.999.4.3&ISO^{ReferenceIdType.ORDER}",
        f"SEJ-2024-5566^^^&1.2.250.1.999.4.4&ISO^{ReferenceIdType.ENCOUNTER}",
    )


def test_title_and_mime_type() -> None:
    found = metadata(LDL)
    assert found.title == "Lettre de liaison — sortie du service de pneumologie"
    assert found.mime_type == "text/xml"


def test_set_id_version_and_the_replaced_document() -> None:
    found = metadata(LDL)
    assert found.set_id == "1.2.250.1.999.4.1^LDL-2024-0042"
    assert found.version_number == "2"
    assert found.replaces == "1.2.250.1.999.4.1^LDL-2024-0042-1"
    assert metadata(PDF).replaces is None


def test_cda_exports_the_metadata_api() -> None:
    for name in ("CdaMetadata", "CdaAuthor", "CodedValue", "cda_metadata", "check_codes"):
        assert name in cda.__all__


# ----------------------------------------------------------------------------- CI-SIS corpus


def _examples() -> list[Path]:
    return sorted(SHARED_EXAMPLES.glob("*.xml")) if SHARED_EXAMPLES.is_dir() else []


@pytest.mark.parametrize(
    "path", _examples() or [pytest.param(None, id="no-shared-folder")], ids=lambda p: p and p.name
)
def test_every_ci_sis_example_gives_its_metadata_with_codes_in_the_value_sets(
    path: Path | None,
) -> None:
    if path is None:
        pytest.skip(f"the CI-SIS examples are not here ({SHARED_EXAMPLES}): corpus test skipped")
    try:
        document = parse_cda(path.read_bytes())
    except NotCdaError:
        pytest.skip(f"{path.name} is a self-presenting XSLT wrapper, not a ClinicalDocument")
    found = cda_metadata(document)
    assert found.unique_id
    assert found.patient_id is not None, "every CI-SIS example carries an INS"
    assert found.creation_time and found.title
    assert found.authors and found.legal_authenticator
    assert check_codes(found) == [], "the official examples are all valid"
