"""ITI TF-2b 3.41.4.1.3 and the DMP: a CDA's header against its DocumentEntry (cda_checks.py).

In process first, one test per rule, on our documents (``tests/data/cda/metadata``); then on
the wire, against live ``carnet serve --profile ihe`` and ``--profile dmp`` nodes: a header
contradicted by its metadata, and every negative CI-SIS example a DMP must refuse for its
metadata (``../shared/cisis/negative_examples``, skipped when that folder is absent; the
XSD-invalid one is left to CDA validation).
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest

from carnet.client import XdsClient
from carnet.client_errors import RegistryFailure
from cda.certificates import SigningKey
from cda.document import parse_cda
from cda.metadata import cda_metadata
from registry.errors import RegistryError
from registry.model import Author, Code, DocumentEntry, Submission
from registry.vocabulary import ErrorCode
from repository.cda_checks import CdaHeaderCheck
from repository.cda_metadata import document_entry_from_cda
from tests import submissions as build
from tests.cda.expected_metadata import DATA
from tests.live_server import LiveServer, live_server
from tests.repository.conftest import Content
from tests.signing_pki import Pki, make_pki
from tests.soap.test_registry_endpoint import feed_patient

NEGATIVE_EXAMPLES = Path(__file__).resolve().parents[3] / "shared" / "cisis" / "negative_examples"
LDL = "LDL-SES_discharge_letter.xml"
PDF = "CR-BIO_level1_pdf.xml"
TROD = "BIO-TROD_rapid_test.xml"
LDL_PATIENT = "180127512345602^^^&1.2.250.1.213.1.4.10&ISO"
CI_SIS_PATIENT = "279035121518989^^^&1.2.250.1.213.1.4.10&ISO"  # the CI-SIS examples' INS
IHE = CdaHeaderCheck()
DMP = CdaHeaderCheck(dmp_rules=True)


def source(name: str, *replacements: tuple[str, str]) -> bytes:
    text = (DATA / name).read_text(encoding="utf-8")
    for old, new in replacements:
        assert old in text, old
        text = text.replace(old, new)
    return text.encode("utf-8")


def entry_for(data: bytes, *, patient_id: str | None = None, **changes: object) -> DocumentEntry:
    """The DocumentEntry the header implies (as ``carnet submit --patient auto`` builds it)."""
    entry = document_entry_from_cda(
        cda_metadata(parse_cda(data)), entry_uuid="Document01", patient_id=patient_id
    )
    return replace(entry, **changes)  # type: ignore[arg-type]


def submitted(entry: DocumentEntry) -> Submission:
    return build.submission(entry, patient_id=entry.patient_id)


def reasons(check: CdaHeaderCheck, entry: DocumentEntry, data: bytes) -> list[str]:
    """The refusals of ``check`` (each an XDSRepositoryMetadataError located at the entry)."""
    try:
        check(submitted(entry), {entry.entry_uuid: Content(data)})
    except RegistryError as refused:
        assert {e.error_code for e in refused.errors} == {ErrorCode.REPOSITORY_METADATA_ERROR}
        assert {e.location for e in refused.errors} == {entry.entry_uuid}
        return [e.reason for e in refused.errors]
    return []


# ----------------------------------------------------------------------------- IHE cross-checks


@pytest.mark.parametrize("name", [LDL, PDF, TROD])
@pytest.mark.parametrize("check", [IHE, DMP], ids=["ihe", "dmp"])
def test_entry_that_agrees_with_its_cda_header_is_accepted(
    name: str, check: CdaHeaderCheck
) -> None:
    data = source(name)
    assert reasons(check, entry_for(data), data) == []


def test_unique_id_contradicting_the_header_is_refused_naming_both_values() -> None:
    data = source(LDL)
    [reason] = reasons(IHE, entry_for(data, unique_id="1.2.250.1.999.4.1^OTHER"), data)
    assert reason.startswith("uniqueId of DocumentEntry Document01 is 1.2.250.1.999.4.1^OTHER")
    assert "ClinicalDocument/id gives 1.2.250.1.999.4.1^LDL-2024-0042-2" in reason


def test_patient_id_contradicting_the_headers_id_in_its_domain_is_refused() -> None:
    data = source(LDL)
    other = "280127512345699^^^&1.2.250.1.213.1.4.10&ISO"
    [reason] = reasons(IHE, entry_for(data, patient_id=other), data)
    assert f"patientId of DocumentEntry Document01 is {other}" in reason
    assert LDL_PATIENT in reason


def test_patient_id_of_a_domain_the_header_does_not_use_is_no_contradiction() -> None:
    data = source(LDL)
    assert (
        reasons(IHE, entry_for(data, patient_id="P-12^^^&1.3.6.1.4.1.21367.2005.3.7&ISO"), data)
        == []
    )


def test_type_code_contradicting_the_header_is_refused() -> None:
    data = source(LDL)
    consult = Code(code="11488-4", scheme="2.16.840.1.113883.6.1")
    [reason] = reasons(IHE, entry_for(data, type_code=consult), data)
    assert "typeCode of DocumentEntry Document01 is 11488-4^^2.16.840.1.113883.6.1" in reason
    assert "code gives 11490-0^^2.16.840.1.113883.6.1" in reason


def test_creation_time_in_local_time_is_refused() -> None:
    data = source(LDL)  # effectiveTime 20240315143000+0100
    [reason] = reasons(IHE, entry_for(data, creation_time="20240315143000"), data)
    assert "creationTime of DocumentEntry Document01 is 20240315143000" in reason
    assert "gives 20240315133000" in reason


def test_creation_time_at_a_coarser_precision_agrees() -> None:
    data = source(LDL)
    assert reasons(IHE, entry_for(data, creation_time="20240315"), data) == []


def test_creation_time_of_a_header_without_offset_is_compared_by_date() -> None:
    data = source(
        LDL,
        ('<effectiveTime value="20240315143000+0100"/>', '<effectiveTime value="20240315143000"/>'),
    )
    assert reasons(IHE, entry_for(data, creation_time="20240315133000"), data) == []
    assert reasons(IHE, entry_for(data, creation_time="20240316"), data) != []


def test_confidentiality_code_without_the_headers_is_refused() -> None:
    data = source(LDL)  # confidentialityCode R
    normal = Code(code="N", scheme="2.16.840.1.113883.5.25")
    [reason] = reasons(IHE, entry_for(data, confidentiality_codes=(normal,)), data)
    assert "confidentialityCode of DocumentEntry Document01 is N^^2.16.840.1.113883.5.25" in reason
    assert "gives R^^2.16.840.1.113883.5.25" in reason


def test_visibility_codes_added_to_the_headers_confidentiality_are_accepted() -> None:
    data = source(TROD)
    entry = entry_for(data)
    masked = Code(code="MASQUE_PS", scheme="1.2.250.1.213.1.1.4.13")
    added = entry.with_(confidentiality_codes=(*entry.confidentiality_codes, masked))
    assert reasons(DMP, added, data) == []


def test_every_contradiction_of_an_entry_is_reported_at_once() -> None:
    data = source(LDL)
    entry = entry_for(data, unique_id="1.2.999", creation_time="20200101")
    assert [reason.split(" ")[0] for reason in reasons(IHE, entry, data)] == [
        "uniqueId",
        "creationTime",
    ]


def test_xml_that_is_not_a_clinical_document_is_not_checked_under_ihe() -> None:
    entry = build.document_entry()  # formatCode xds-sd:text, content <ClinicalDocument/>
    assert reasons(IHE, entry, b"<ClinicalDocument/>") == []


class Unreadable(Content):
    def chunks(self, size: int = 7) -> Iterator[bytes]:
        raise AssertionError("this content should not have been read")


def test_a_document_neither_xml_nor_said_cda_is_not_read() -> None:
    entry = build.document_entry(
        mime_type="application/pdf",
        format_code=Code(
            code="urn:ihe:iti:xds:2017:mimeTypeSufficient", scheme="1.3.6.1.4.1.19376.1.2.3"
        ),
    )
    IHE(submitted(entry), {entry.entry_uuid: Unreadable(b"%PDF-1.4")})
    DMP(submitted(entry), {entry.entry_uuid: Unreadable(b"%PDF-1.4")})


def test_a_cda_sent_with_another_format_code_is_still_checked() -> None:
    data = source(LDL)
    sufficient = Code(
        code="urn:ihe:iti:xds:2017:mimeTypeSufficient", scheme="1.3.6.1.4.1.19376.1.2.3"
    )
    entry = entry_for(data, format_code=sufficient, unique_id="1.2.999")
    assert [r.split(" ")[0] for r in reasons(IHE, entry, data)] == ["uniqueId"]


def test_a_cda_header_xds_cannot_use_is_refused() -> None:
    data = source(LDL)
    entry = entry_for(data)
    broken = source(
        LDL, ('<effectiveTime value="20240315143000+0100"/>', '<effectiveTime value="2024-03-15"/>')
    )
    [reason] = reasons(IHE, entry, broken)
    assert "CDA header cannot give XDS metadata" in reason and "effectiveTime" in reason


# ----------------------------------------------------------------------------- DMP rules


def test_dmp_refuses_a_cda_without_an_ins() -> None:
    data = source(LDL, ('<id root="1.2.250.1.213.1.4.10" extension="180127512345602"/>', ""))
    entry = entry_for(data, patient_id=LDL_PATIENT)
    assert reasons(IHE, entry, data) == []
    [reason] = reasons(DMP, entry, data)
    assert "the CDA header carries no INS" in reason


def test_dmp_refuses_a_cda_invalid_against_the_schema_naming_where() -> None:
    data = source(LDL, ("<realmCode", "<unknownElement/><realmCode"))
    entry = entry_for(data)
    assert reasons(IHE, entry, data) == []
    [reason] = reasons(DMP, entry, data)
    assert "not valid against the CDA R2 schema with the French extensions" in reason
    assert "/cda:ClinicalDocument" in reason and "unknownElement" in reason


def test_dmp_refuses_a_patient_id_that_is_not_the_headers_ins() -> None:
    data = source(LDL)
    ipp = "IPP-778899^^^&1.2.250.1.999.4.2&ISO"
    [reason] = reasons(DMP, entry_for(data, patient_id=ipp), data)
    assert f"patientId of DocumentEntry Document01 is {ipp} (no INS)" in reason
    assert LDL_PATIENT in reason


def test_dmp_refuses_a_confidentiality_code_outside_j58() -> None:
    data = source(LDL, ('<confidentialityCode code="R"', '<confidentialityCode code="X"'))
    entry = entry_for(data)
    assert reasons(IHE, entry, data) == []
    [reason] = reasons(DMP, entry, data)
    assert "confidentialityCode X (code system 2.16.840.1.113883.5.25) is not in" in reason
    assert "JDV_J58_ConfidentialityCode_DMP" in reason


def test_dmp_refuses_a_healthcare_facility_type_code_outside_j02() -> None:
    data = source(TROD)
    entry = entry_for(
        data, healthcare_facility_type_code=Code(code="SA99", scheme="1.2.250.1.71.4.2.4")
    )
    [reason] = reasons(DMP, entry, data)
    assert "healthcareFacilityTypeCode SA99" in reason


def test_dmp_refuses_an_author_specialty_outside_j01() -> None:
    data = source(TROD)
    entry = entry_for(data)
    author = Author(
        person=entry.authors[0].person, specialties=("SCH10^Ancien code^1.2.250.1.213.1.1.4.5",)
    )
    [reason] = reasons(DMP, entry.with_(authors=(author,)), data)
    assert "authorSpecialty SCH10" in reason


def test_dmp_refuses_a_class_code_ass_x16_does_not_give_the_type_code() -> None:
    data = source(LDL)
    synthesis = Code(code="11", scheme="1.2.250.1.213.1.1.4.1")
    [reason] = reasons(DMP, entry_for(data, class_code=synthesis), data)
    assert "classCode of DocumentEntry Document01 is 11^^1.2.250.1.213.1.1.4.1" in reason
    assert "ASS_X16 gives typeCode 11490-0^^2.16.840.1.113883.6.1 the classCode 10^^" in reason


def test_dmp_refuses_a_format_code_ass_a11_does_not_give_the_model() -> None:
    data = source(PDF)
    text = Code(code="urn:ihe:iti:xds-sd:text:2008", scheme="1.3.6.1.4.1.19376.1.2.3")
    [reason] = reasons(DMP, entry_for(data, format_code=text), data)
    assert "formatCode of DocumentEntry Document01 is urn:ihe:iti:xds-sd:text:2008" in reason
    assert "payload mediaType application/pdf the formatCode urn:ihe:iti:xds-sd:pdf:2008" in reason


def test_dmp_refuses_a_cda_format_code_on_a_content_that_is_no_cda() -> None:
    entry = build.document_entry()  # formatCode xds-sd:text
    [reason] = reasons(DMP, entry, b"<ClinicalDocument/>")
    assert "say CDA, but the document is not a readable CDA R2 ClinicalDocument" in reason


def test_dmp_refuses_a_cda_too_large_to_check_and_ihe_lets_it_through() -> None:
    data = source(LDL)
    entry = entry_for(data, unique_id="1.2.999")
    small = CdaHeaderCheck(max_document_bytes=100)
    assert reasons(small, entry, data) == []
    [reason] = reasons(CdaHeaderCheck(dmp_rules=True, max_document_bytes=100), entry, data)
    assert "larger than the 100 bytes" in reason


# ----------------------------------------------------------------------------- on the wire


@pytest.fixture(scope="module")
def ihe_node(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """An ihe node told to compare CDA headers (off by default under ihe)."""
    with live_server(
        tmp_path_factory.mktemp("cda-ihe"),
        workers=1,
        threads=2,
        extra_env={"CARNET_CHECK_CDA_HEADERS": "on"},
    ) as node:
        yield node


@pytest.fixture(scope="module")
def pki(tmp_path_factory: pytest.TempPathFactory) -> Pki:
    """The DMP node trusts its root; our submissions are signed by its signer."""
    return make_pki(tmp_path_factory.mktemp("cda-pki"))


@pytest.fixture(scope="module")
def dmp_node(tmp_path_factory: pytest.TempPathFactory, pki: Pki) -> Iterator[LiveServer]:
    environment = {
        "CARNET_PROFILE": "dmp",
        "CARNET_TRUST_STORE": str(pki.trust_store),
        "CARNET_CHECK_VIHF": "off",  # CDA rules alone; VIHFs: tests/soap/test_dmp_access.py
    }
    with live_server(
        tmp_path_factory.mktemp("cda-dmp"),
        workers=1,
        threads=2,
        extra_env=environment,
        profile="dmp",
    ) as node:
        yield node


_fed: set[tuple[str, str]] = set()


def send(
    node: LiveServer, entry: DocumentEntry, data: bytes, *, signer: SigningKey | None = None
) -> RegistryFailure | None:
    """ITI-41 of ``entry`` and ``data`` after feeding its patient; the refusal, if any.

    ``signer`` adds the SubmissionSet Signature a DMP requires (IHE DSG)."""
    with XdsClient(node.url) as client:
        if (node.url, entry.patient_id) not in _fed:
            feed_patient(client, entry.patient_id)
            _fed.add((node.url, entry.patient_id))
        try:
            client.provide_and_register(
                submitted(entry), {entry.entry_uuid: data}, signing_key=signer
            )
        except RegistryFailure as failure:
            return failure
    return None


def test_iti41_accepts_a_cda_whose_metadata_agrees_with_its_header(ihe_node: LiveServer) -> None:
    data = source(TROD)
    assert send(ihe_node, entry_for(data), data) is None


def test_iti41_refuses_metadata_contradicting_the_header_naming_the_field(
    ihe_node: LiveServer,
) -> None:
    data = source(LDL)
    consult = Code(code="11488-4", scheme="2.16.840.1.113883.6.1", display_name="Consult note")
    failure = send(ihe_node, entry_for(data, type_code=consult), data)
    assert failure is not None
    [error] = failure.errors
    assert error.code == ErrorCode.REPOSITORY_METADATA_ERROR.value
    assert "typeCode of DocumentEntry Document01 is 11488-4" in error.context
    assert "11490-0" in error.context


def test_ihe_profile_leaves_cda_headers_unchecked_by_default(server: LiveServer) -> None:
    """Plain XDS.b has no header rule: a test plan's fixed CDA under a fresh uniqueId passes."""
    data = source(LDL)
    entry = entry_for(data).with_(unique_id=f"2.25.{uuid.uuid4().int}")
    assert send(server, entry, data) is None


def _dmp_refusals(failure: RegistryFailure | None) -> list[str]:
    """The reasons of a refusal, each an XDSRepositoryMetadataError."""
    assert failure is not None, "accepted"
    assert set(failure.codes) == {ErrorCode.REPOSITORY_METADATA_ERROR.value}, failure
    return [e.context for e in failure.errors]


def _negative_examples() -> list[Path]:
    if not NEGATIVE_EXAMPLES.is_dir():
        return []
    return sorted(NEGATIVE_EXAMPLES.glob("*.xml"))


@pytest.mark.parametrize(
    "path",
    _negative_examples() or [pytest.param(None, id="no-shared-folder")],
    ids=lambda p: p and p.name,
)
def test_dmp_node_refuses_each_negative_ci_sis_example_with_a_reason(
    dmp_node: LiveServer, pki: Pki, path: Path | None
) -> None:
    if path is None:
        pytest.skip(f"the negative CI-SIS examples are not here ({NEGATIVE_EXAMPLES})")
    data = path.read_bytes()
    # The sender files it under the patient's INS: the header's, or the one it knows.
    header = cda_metadata(parse_cda(data))
    entry = entry_for(data, patient_id=header.patient_id or CI_SIS_PATIENT)
    refusals = _dmp_refusals(send(dmp_node, entry, data, signer=pki.signer))
    expected = (
        "confidentialityCode X"
        if "confidentiality" in path.name
        else "not valid against the CDA R2 schema"
        if "xsd-invalid" in path.name
        else "no INS"
    )
    assert any(expected in reason for reason in refusals), refusals


def test_dmp_node_refuses_our_documents_turned_negative(dmp_node: LiveServer, pki: Pki) -> None:
    # The patient's id in a local domain instead of the INS (the schema still holds).
    local = '<id root="1.2.250.1.999.4.2" extension="299991234500087"/>'
    no_ins = source(PDF, ('<id root="1.2.250.1.213.1.4.9" extension="299991234500087"/>', local))
    entry = entry_for(no_ins, patient_id="299991234500087^^^&1.2.250.1.213.1.4.9&ISO")
    refusals = _dmp_refusals(send(dmp_node, entry, no_ins, signer=pki.signer))
    assert any("no INS" in r for r in refusals)
    secret = source(TROD, ('<confidentialityCode code="N"', '<confidentialityCode code="Z"'))
    refusals = _dmp_refusals(send(dmp_node, entry_for(secret), secret, signer=pki.signer))
    assert any("confidentialityCode Z" in r for r in refusals)


def test_dmp_node_accepts_a_valid_signed_cda(dmp_node: LiveServer, pki: Pki) -> None:
    data = source(LDL)
    assert send(dmp_node, entry_for(data), data, signer=pki.signer) is None


def test_dmp_node_refuses_an_unsigned_cda_for_its_metadata_first(dmp_node: LiveServer) -> None:
    # The CDA rules run before the signature's: the sender learns what is wrong with the CDA.
    data = source(LDL, ('<confidentialityCode code="R"', '<confidentialityCode code="X"'))
    refusals = _dmp_refusals(send(dmp_node, entry_for(data), data))
    assert any("confidentialityCode X" in r for r in refusals)
