"""ITI TF-3 4.2.3.2: a CDA header's metadata as a registry DocumentEntry (cda_metadata.py)."""

from __future__ import annotations

import pytest

from cda.document import parse_cda
from cda.errors import CdaMetadataError
from cda.metadata import CdaMetadata, cda_metadata
from registry.model import Code
from registry.validation import validate_submission
from repository.cda_metadata import document_entry_from_cda
from tests import submissions as build
from tests.cda.expected_metadata import DATA, EXPECTED


def header(name: str) -> CdaMetadata:
    return cda_metadata(parse_cda((DATA / name).read_bytes()))


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_document_entry_carries_the_mapped_codes_with_their_systems_as_coding_schemes(
    name: str,
) -> None:
    entry = document_entry_from_cda(header(name), entry_uuid="Document01")
    expected = EXPECTED[name]
    assert entry.unique_id == expected["uniqueId"]
    assert entry.patient_id == expected["patientId"]
    for attribute, code in (
        ("typeCode", entry.type_code),
        ("classCode", entry.class_code),
        ("formatCode", entry.format_code),
        ("healthcareFacilityTypeCode", entry.healthcare_facility_type_code),
        ("practiceSettingCode", entry.practice_setting_code),
    ):
        assert code is not None and (code.code, code.scheme) == expected[attribute], attribute


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_document_entry_passes_the_registrys_validation(name: str) -> None:
    entry = document_entry_from_cda(header(name), entry_uuid="Document01")
    completed = entry.with_(hash="da39a3ee5e6b4b0d3255bfef95601890afd80709", size=1,
                            repository_unique_id=build.REPOSITORY_ID)  # fmt: skip
    validate_submission(build.submission(completed, patient_id=entry.patient_id))


def test_document_entry_copies_times_names_and_identifiers() -> None:
    entry = document_entry_from_cda(header("LDL-SES_discharge_letter.xml"), entry_uuid="D1")
    assert entry.entry_uuid == "D1"
    assert (entry.creation_time, entry.service_start_time, entry.service_stop_time) == (
        "20240315133000",
        "20240308081500",
        "20240315110000",
    )
    assert entry.mime_type == "text/xml" and entry.language_code == "fr-FR"
    assert entry.source_patient_id == "IPP-778899^^^&1.2.250.1.999.4.2&ISO"
    assert entry.confidentiality_codes == (
        Code(code="R", scheme="2.16.840.1.113883.5.25", display_name="Restreint"),
    )
    assert entry.legal_authenticator is not None and entry.reference_ids


def test_author_specialty_is_written_code_display_system() -> None:
    entry = document_entry_from_cda(header("LDL-SES_discharge_letter.xml"), entry_uuid="D1")
    [author] = entry.authors
    assert author.specialties == ("G15_10/SM41^Médecin - Pneumologie (SM)^1.2.250.1.213.1.1.4.5",)
    assert author.institutions == (
        "Centre hospitalier de Test^^^^^&1.2.250.1.71.4.2.2&ISO^IDNST^^^1999000017",
    )
    assert author.roles == ()


def test_a_given_patient_id_replaces_the_headers_ins() -> None:
    other = "P-1^^^&1.3.6.1.4.1.21367.2005.3.7&ISO"
    entry = document_entry_from_cda(
        header("CR-BIO_level1_pdf.xml"), entry_uuid="D1", patient_id=other
    )
    assert entry.patient_id == other


def test_without_ins_nor_patient_id_there_is_no_document_entry() -> None:
    metadata = header("CR-BIO_level1_pdf.xml")
    no_ins = CdaMetadata(unique_id=metadata.unique_id)
    with pytest.raises(CdaMetadataError, match="no INS"):
        document_entry_from_cda(no_ins, entry_uuid="D1")
