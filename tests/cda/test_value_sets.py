"""The CI-SIS and DMP value sets and the ANS concept maps (cda/value_sets.py, cda/concept_maps.py).

Counts and codes below were read off the shipped files (``cda/data/terminologies``), which are
copies of the ANS publications (``PROVENANCE.md`` there).
"""

from __future__ import annotations

import subprocess
import sys

import pytest

from cda.coded_value import CodedValue
from cda.concept_maps import (
    UNSTRUCTURED_MEDIA_TYPES,
    XDS_SD_TEMPLATE_ID,
    cda_format_codes,
    class_code_for,
    format_code_for,
)
from cda.document import parse_cda
from cda.metadata import cda_metadata
from cda.value_sets import (
    DMP_BINDINGS,
    ValueSetId,
    XdsAttribute,
    check_code,
    check_codes,
    terminology_file,
    value_set,
)
from tests.cda.expected_metadata import DATA, LOINC, TRE_A03, TRE_A11

HL7_CONFIDENTIALITY = "2.16.840.1.113883.5.25"


# ----------------------------------------------------------------------------- loading


@pytest.mark.parametrize("identifier", list(ValueSetId))
def test_every_shipped_value_set_loads_with_its_concepts(identifier: ValueSetId) -> None:
    loaded = value_set(identifier)
    assert loaded.id is identifier
    assert loaded.concepts
    assert all(code and system for code, system in loaded.concepts)


def test_svs_value_set_gives_its_concepts_and_labels() -> None:
    type_codes = value_set(ValueSetId.J07_TYPE_CODE)
    assert type_codes.name == "JDV_J07_XdsTypeCode_CISIS"
    assert len(type_codes.concepts) == 114
    assert CodedValue(code="11502-2", code_system=LOINC) in type_codes
    assert type_codes.display_name("SYNTH", "1.2.250.1.213.1.1.4.12") == "Synthèse"


def test_fhir_value_set_names_its_code_systems_by_oid() -> None:
    class_codes = value_set(ValueSetId.J57_CLASS_CODE_DMP)
    assert CodedValue(code="10", code_system=TRE_A03) in class_codes
    assert CodedValue(code="urn:oid:1.3.6.1.4.1.19376.1.2.1.1.1", code_system="URN") in (
        class_codes
    )
    formats = value_set(ValueSetId.J60_FORMAT_CODE_DMP)
    assert CodedValue(code="urn:ihe:lab:xd-lab:2008", code_system=TRE_A11) in formats


def test_confidentiality_sets_of_ci_sis_and_dmp_hold_the_same_six_codes() -> None:
    cisis = value_set(ValueSetId.J08_CONFIDENTIALITY_CODE).concepts
    dmp = value_set(ValueSetId.J58_CONFIDENTIALITY_CODE_DMP).concepts
    assert set(cisis) == set(dmp) and len(dmp) == 6


def test_value_sets_are_loaded_once() -> None:
    assert value_set(ValueSetId.J02_HEALTHCARE_FACILITY_TYPE_CODE) is value_set(
        ValueSetId.J02_HEALTHCARE_FACILITY_TYPE_CODE
    )


def test_nothing_is_loaded_at_import_time() -> None:
    code = (
        "import cda, cda.value_sets as v, cda.concept_maps as m; "
        "print(v.value_set.cache_info().currsize, m._type_to_class.cache_info().currsize)"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.split() == ["0", "0"]


def test_terminology_files_are_package_data() -> None:
    assert terminology_file("PROVENANCE.md").startswith(b"# Where these terminologies")


def test_every_coded_attribute_is_bound_to_a_value_set() -> None:
    assert set(DMP_BINDINGS) == set(XdsAttribute)


# ----------------------------------------------------------------------------- checking


def test_check_code_accepts_a_code_of_the_bound_set() -> None:
    normal = CodedValue(code="N", code_system=HL7_CONFIDENTIALITY)
    assert check_code(XdsAttribute.CONFIDENTIALITY_CODE, normal) is None


def test_check_code_refuses_a_code_outside_the_set_naming_attribute_code_and_set() -> None:
    problem = check_code(
        XdsAttribute.CONFIDENTIALITY_CODE, CodedValue(code="X", code_system=HL7_CONFIDENTIALITY)
    )
    assert problem is not None
    assert problem.attribute is XdsAttribute.CONFIDENTIALITY_CODE
    assert problem.value_set is ValueSetId.J58_CONFIDENTIALITY_CODE_DMP
    assert "confidentialityCode X" in problem.reason and "J58" in problem.reason


def test_check_code_wants_the_code_system_too() -> None:
    wrong_system = CodedValue(code="SA01", code_system="1.2.3.4")
    assert check_code(XdsAttribute.HEALTHCARE_FACILITY_TYPE_CODE, wrong_system) is not None


def test_check_code_refuses_a_missing_code() -> None:
    problem = check_code(XdsAttribute.FORMAT_CODE, None)
    assert problem is not None and problem.code is None
    assert "formatCode is missing" in str(problem)


def test_check_codes_reports_a_header_code_outside_its_set() -> None:
    source = (DATA / "LDL-SES_discharge_letter.xml").read_text(encoding="utf-8")
    source = source.replace('<confidentialityCode code="R"', '<confidentialityCode code="X"')
    source = source.replace('code="SA03"', 'code="SA99"')
    problems = check_codes(cda_metadata(parse_cda(source.encode())))
    assert [p.attribute for p in problems] == [
        XdsAttribute.CONFIDENTIALITY_CODE,
        XdsAttribute.HEALTHCARE_FACILITY_TYPE_CODE,
    ]


def test_check_codes_checks_author_specialties() -> None:
    source = (DATA / "BIO-TROD_rapid_test.xml").read_text(encoding="utf-8")
    source = source.replace('code="G15_21"', 'code="G15_99"')
    [problem] = check_codes(cda_metadata(parse_cda(source.encode())))
    assert problem.attribute is XdsAttribute.AUTHOR_SPECIALTY


# ----------------------------------------------------------------------------- concept maps


def test_ass_x16_gives_the_class_of_a_loinc_and_of_a_ci_sis_type_code() -> None:
    vsm = class_code_for(CodedValue(code="SYNTH", code_system="1.2.250.1.213.1.1.4.12"))
    assert vsm == CodedValue(code="11", code_system=TRE_A03, display_name="Synthèse")
    dispensation = class_code_for(CodedValue(code="60593-1", code_system=LOINC))
    assert dispensation is not None and dispensation.code == "43"


def test_ass_x16_wants_the_type_codes_system() -> None:
    assert class_code_for(CodedValue(code="11502-2", code_system="1.2.3")) is None


def test_ass_a11_maps_the_last_mapped_template_of_the_document() -> None:
    # CR-BIO declares IHE XD-LAB then the CI-SIS template: both mean xd-lab.
    found = format_code_for(["1.3.6.1.4.1.19376.1.3.3", "1.2.250.1.213.1.1.1.55"])
    assert found is not None and found.code == "urn:ihe:lab:xd-lab:2008"
    # An imaging report declares DICOM templates ASS_A11 does not map, then the CI-SIS one.
    found = format_code_for(["1.2.840.10008.9.1", "1.2.250.1.213.1.1.1.45"])
    assert found is not None
    assert found.code == "urn:ihe:rad:CDA:ImagingReportStructuredHeadings:2013"


def test_ass_a11_does_not_map_the_level_1_template_alone() -> None:
    assert format_code_for([XDS_SD_TEMPLATE_ID]) is None


def test_every_level_1_media_type_leads_to_an_xds_sd_format_code_of_ass_a11() -> None:
    for media_type, code in UNSTRUCTURED_MEDIA_TYPES.items():
        found = format_code_for([XDS_SD_TEMPLATE_ID], media_type=media_type)
        assert found == CodedValue(
            code=code, code_system=TRE_A11, display_name=found and found.display_name
        )
    assert format_code_for([XDS_SD_TEMPLATE_ID], media_type="image/png") is None


def test_level_1_media_type_ignores_parameters_and_case() -> None:
    found = format_code_for([], media_type="Application/PDF; name=cr.pdf")
    assert found is not None and found.code == "urn:ihe:iti:xds-sd:pdf:2008"


def test_the_models_whose_format_code_the_dmp_set_lacks_are_known() -> None:
    # J60 (2024-09) lacks what ASS_A11 gives a few models: CVA, the DLU "DOM" variants, the
    # DUI export and the 2010 anatomic pathology reports (APSR). A DMP refuses those today.
    formats = {code for code, _system in value_set(ValueSetId.J60_FORMAT_CODE_DMP).concepts}
    outside = sorted(code for code in cda_format_codes() if code not in formats)
    apsr_2010 = [code for code in outside if code.startswith("urn:ihe:pat:apsr:")]
    assert len(apsr_2010) == 21 and all(code.endswith(":2010") for code in apsr_2010)
    assert [code for code in outside if code not in apsr_2010] == [
        "urn:asip:ci-sis:cva:2017",
        "urn:asip:ci-sis:dlu-dlu-dom:2022",
        "urn:asip:ci-sis:dlu-fludr-dom:2022",
        "urn:asip:ci-sis:dlu-fludt-dom:2022",
        "urn:asip:ci-sis:export-dui:2023",
    ]
