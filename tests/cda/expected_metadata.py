"""What the CI-SIS mappings give for the CDA documents of ``tests/data/cda/metadata``, by hand.

Each value was read off the document and the published table it goes through, not computed:
typeCode is ``ClinicalDocument/code``; classCode its ASS_X16 row; formatCode the ASS_A11 row
of the document's model (templateId; for level 1 the ``nonXMLBody`` mediaType, group TRE_R221);
healthcareFacilityTypeCode ``healthCareFacility/code`` (JDV_J02); practiceSettingCode the
``standardIndustryClassCode`` of ``serviceEvent/performer`` (JDV_J04), or failing it the
author's organisation's; patientId the INS of ``recordTarget/patientRole/id``; uniqueId
``ClinicalDocument/id`` as ``root^extension`` (ITI TF-3 4.2.3.2.26).
"""

from __future__ import annotations

from pathlib import Path

DATA = Path(__file__).resolve().parent.parent / "data" / "cda" / "metadata"

LOINC = "2.16.840.1.113883.6.1"
TRE_A03 = "1.2.250.1.213.1.1.4.1"  # classCode
TRE_A06 = "1.2.250.1.213.1.1.4.2.282"  # CI-SIS formatCodes
TRE_A11 = "1.3.6.1.4.1.19376.1.2.3"  # IHE formatCodes
TRE_R02 = "1.2.250.1.71.4.2.4"  # healthcareFacilityTypeCode
TRE_A01 = "1.2.250.1.213.1.1.4.9"  # practiceSettingCode

EXPECTED: dict[str, dict[str, object]] = {
    # A discharge letter (LDL-SES): template 1.2.250.1.213.1.1.1.29.
    "LDL-SES_discharge_letter.xml": {
        "uniqueId": "1.2.250.1.999.4.1^LDL-2024-0042-2",
        "patientId": "180127512345602^^^&1.2.250.1.213.1.4.10&ISO",
        "typeCode": ("11490-0", LOINC),
        # ASS_X16: 11490-0 "Physician Discharge summary" -> 10 "Compte rendu"
        "classCode": ("10", TRE_A03),
        # ASS_A11: 1.2.250.1.213.1.1.1.29 -> urn:asip:ci-sis:ldl-ses:2017 (TRE_A06)
        "formatCode": ("urn:asip:ci-sis:ldl-ses:2017", TRE_A06),
        "healthcareFacilityTypeCode": ("SA03", TRE_R02),
        "practiceSettingCode": ("ETABLISSEMENT", TRE_A01),
    },
    # A level-1 lab report carrying a PDF: template 1.3.6.1.4.1.19376.1.2.20, mediaType PDF.
    "CR-BIO_level1_pdf.xml": {
        "uniqueId": "1.2.250.1.999.5.1.20240704.17",
        "patientId": "299991234500087^^^&1.2.250.1.213.1.4.9&ISO",
        "typeCode": ("11502-2", LOINC),
        # ASS_X16: 11502-2 "Laboratory report" -> 10 "Compte rendu"
        "classCode": ("10", TRE_A03),
        # ASS_A11 group TRE_R221: N1 with an embedded PDF -> urn:ihe:iti:xds-sd:pdf:2008
        "formatCode": ("urn:ihe:iti:xds-sd:pdf:2008", TRE_A11),
        "healthcareFacilityTypeCode": ("SA25", TRE_R02),
        # no serviceEvent performer: the author's organisation's standardIndustryClassCode
        "practiceSettingCode": ("AMBULATOIRE", TRE_A01),
    },
    # A pharmacy's rapid diagnostic test (BIO-TROD 2024.01): template 1.2.250.1.213.1.1.1.59.
    "BIO-TROD_rapid_test.xml": {
        "uniqueId": "1.2.250.1.999.6.1.8842",
        "patientId": "275019700100034^^^&1.2.250.1.213.1.4.8&ISO",
        "typeCode": ("96173-0", LOINC),
        # ASS_X16: 96173-0 "Clinical pathology Evaluation note" -> 52 "Certificat, déclaration"
        "classCode": ("52", TRE_A03),
        # ASS_A11 v5.0.0: 1.2.250.1.213.1.1.1.59 -> urn:ans:ci-sis:trod:2024 (TRE_A06)
        "formatCode": ("urn:ans:ci-sis:trod:2024", TRE_A06),
        "healthcareFacilityTypeCode": ("SA33", TRE_R02),
        "practiceSettingCode": ("DEPISTAGE", TRE_A01),
    },
}
