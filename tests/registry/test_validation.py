"""ITI TF-3 4.2 / ITI TF-2b 3.42.4.1.3: one test per rule checked on the submission alone."""

from __future__ import annotations

import pytest

from registry.errors import RegistryError
from registry.model import Code, Submission
from registry.validation import validate_submission
from registry.vocabulary import AssociationType, ErrorCode, ObjectType, SubmissionSetStatus
from tests import submissions as build


def errors_of(submission: Submission) -> list[tuple[ErrorCode, str | None, str]]:
    with pytest.raises(RegistryError) as caught:
        validate_submission(submission)
    return [(e.error_code, e.location, e.reason) for e in caught.value.errors]


def codes_of(submission: Submission) -> set[ErrorCode]:
    return {code for code, _, _ in errors_of(submission)}


def test_fully_populated_submission_is_valid() -> None:
    validate_submission(build.submission(folders=(build.folder(),)))


@pytest.mark.parametrize(
    "attribute",
    [
        "unique_id",
        "patient_id",
        "mime_type",
        "class_code",
        "type_code",
        "format_code",
        "healthcare_facility_type_code",
        "practice_setting_code",
        "creation_time",
        "language_code",
        "source_patient_id",
        "hash",
        "size",
        "repository_unique_id",
    ],
)
def test_document_entry_required_attribute_missing_is_metadata_error(attribute: str) -> None:
    empty: object = "" if attribute in {"unique_id", "patient_id", "mime_type"} else None
    entry = build.document_entry(**{attribute: empty})
    errors = errors_of(build.submission(entry))
    assert any(
        code is ErrorCode.REGISTRY_METADATA_ERROR and location == "Document01"
        for code, location, _ in errors
    ), errors


def test_document_entry_requires_confidentiality_code() -> None:
    errors = errors_of(build.submission(build.document_entry(confidentiality_codes=())))
    assert any("confidentialityCode is required" in reason for _, _, reason in errors)


@pytest.mark.parametrize("value", ["2024", "20241015", "20241015101530"])
def test_dtm_at_any_precision_is_accepted(value: str) -> None:
    validate_submission(build.submission(build.document_entry(creation_time=value)))


@pytest.mark.parametrize("value", ["2024-10-15", "20241315", "20241015T1015", "202410151015301"])
def test_malformed_dtm_is_metadata_error(value: str) -> None:
    assert codes_of(build.submission(build.document_entry(creation_time=value))) == {
        ErrorCode.REGISTRY_METADATA_ERROR
    }


@pytest.mark.parametrize(
    "patient_id",
    ["PAT-1", "PAT-1^^^&1.2.3&DNS", "PAT-1^^^1.2.3", "^^^&1.2.3&ISO", "PAT-1^^^&not-an-oid&ISO"],
)
def test_patient_id_must_be_cx_with_iso_authority(patient_id: str) -> None:
    entry = build.document_entry(patient_id=patient_id, source_patient_id=build.PATIENT_ID)
    codes = codes_of(build.submission(entry))
    assert ErrorCode.REGISTRY_METADATA_ERROR in codes


@pytest.mark.parametrize("unique_id", ["not-an-oid", "1.2.3^", "1.2.3^a^b", "1." + "2" * 130])
def test_document_unique_id_must_be_oid_or_oid_extension(unique_id: str) -> None:
    assert ErrorCode.REGISTRY_METADATA_ERROR in codes_of(
        build.submission(build.document_entry(unique_id=unique_id))
    )


def test_document_unique_id_oid_with_extension_is_accepted() -> None:
    validate_submission(build.submission(build.document_entry(unique_id="1.2.250.1.999^ABC-42")))


def test_submission_set_unique_id_must_be_oid() -> None:
    sub = build.submission()
    sub = Submission(
        submission_set=sub.submission_set.with_(unique_id="abc"),
        documents=sub.documents,
        associations=sub.associations,
    )
    assert ErrorCode.REGISTRY_METADATA_ERROR in codes_of(sub)


@pytest.mark.parametrize("attribute", ["source_id", "submission_time", "content_type_code"])
def test_submission_set_required_attribute_missing_is_metadata_error(attribute: str) -> None:
    sub = build.submission()
    empty: object = "" if attribute == "source_id" else None
    sub = Submission(
        submission_set=sub.submission_set.with_(**{attribute: empty}),
        documents=sub.documents,
        associations=sub.associations,
    )
    assert codes_of(sub) == {ErrorCode.REGISTRY_METADATA_ERROR}


def test_folder_requires_title_and_code_list() -> None:
    errors = errors_of(build.submission(folders=(build.folder(title=None, codes=()),)))
    reasons = " ".join(reason for _, _, reason in errors)
    assert "title is required" in reasons and "codeList is required" in reasons


def test_hash_must_be_sha1_hex() -> None:
    assert codes_of(build.submission(build.document_entry(hash="xyz"))) == {
        ErrorCode.REGISTRY_METADATA_ERROR
    }


def test_on_demand_entry_carries_no_hash_nor_size() -> None:
    entry = build.document_entry(object_type=ObjectType.ON_DEMAND_DOCUMENT_ENTRY)
    assert codes_of(build.submission(entry)) == {ErrorCode.REGISTRY_METADATA_ERROR}
    validate_submission(
        build.submission(
            build.document_entry(
                object_type=ObjectType.ON_DEMAND_DOCUMENT_ENTRY, hash=None, size=None
            )
        )
    )


def test_author_person_must_be_xcn() -> None:
    from registry.model import Author

    entry = build.document_entry(authors=(Author(person="^^^"),))
    assert codes_of(build.submission(entry)) == {ErrorCode.REGISTRY_METADATA_ERROR}


def test_author_institution_must_be_xon_with_name() -> None:
    from registry.model import Author

    entry = build.document_entry(authors=(Author(institutions=("^^^^^^^^^1.2.3",)),))
    assert codes_of(build.submission(entry)) == {ErrorCode.REGISTRY_METADATA_ERROR}


def test_document_of_another_patient_is_patient_id_does_not_match() -> None:
    entry = build.document_entry(patient_id=build.OTHER_PATIENT_ID)
    errors = errors_of(build.submission(entry))
    assert (ErrorCode.PATIENT_ID_DOES_NOT_MATCH, "Document01") in {(c, loc) for c, loc, _ in errors}


def test_folder_of_another_patient_is_patient_id_does_not_match() -> None:
    sub = build.submission(folders=(build.folder(patient_id=build.OTHER_PATIENT_ID),))
    assert ErrorCode.PATIENT_ID_DOES_NOT_MATCH in codes_of(sub)


def test_duplicate_unique_id_in_message() -> None:
    first = build.document_entry("Document01", unique_id="1.2.250.1.999.77")
    second = build.document_entry("Document02", unique_id="1.2.250.1.999.77")
    errors = errors_of(build.submission(first, second))
    assert (ErrorCode.REGISTRY_DUPLICATE_UNIQUE_ID_IN_MESSAGE, "1.2.250.1.999.77") in {
        (c, loc) for c, loc, _ in errors
    }


def test_document_not_member_of_submission_set_is_metadata_error() -> None:
    errors = errors_of(build.submission(members=False))
    assert any(loc == "Document01" and "HasMember" in reason for _, loc, reason in errors)


def test_has_member_without_submission_set_status_is_metadata_error() -> None:
    sub = build.submission(members=False)
    sub = Submission(
        submission_set=sub.submission_set,
        documents=sub.documents,
        associations=(build.has_member("a1", "SubmissionSet01", "Document01", status=None),),
    )
    assert any("SubmissionSetStatus" in reason for _, _, reason in errors_of(sub))


def test_reference_status_for_object_of_the_submission_is_metadata_error() -> None:
    sub = build.submission(members=False)
    sub = Submission(
        submission_set=sub.submission_set,
        documents=sub.documents,
        associations=(
            build.has_member(
                "a1", "SubmissionSet01", "Document01", status=SubmissionSetStatus.REFERENCE
            ),
        ),
    )
    assert any("must be Original" in reason for _, _, reason in errors_of(sub))


def test_folder_membership_must_be_member_of_submission_set() -> None:
    sub = build.submission(
        folders=(build.folder(),),
        associations=(build.has_member("fm", "Folder01", "Document01", status=None),),
    )
    errors = errors_of(sub)
    assert any(loc == "fm" and "folder membership" in reason for _, loc, reason in errors)
    fixed = Submission(
        submission_set=sub.submission_set,
        documents=sub.documents,
        folders=sub.folders,
        associations=(*sub.associations, build.has_member("ss-fm", "SubmissionSet01", "fm")),
    )
    validate_submission(fixed)


def test_unknown_association_type_is_metadata_error() -> None:
    sub = build.submission(
        associations=(
            build.Association(
                entry_uuid="x",
                association_type="urn:example:Likes",
                source_id="Document01",
                target_id="SubmissionSet01",
            ),
        )
    )
    assert any("may not be submitted" in reason for _, _, reason in errors_of(sub))


def test_relationship_source_must_be_document_of_the_submission() -> None:
    sub = build.submission(
        associations=(
            build.relationship(
                "r",
                AssociationType.REPLACE,
                "SubmissionSet01",
                "urn:uuid:7edca82f-054d-47f2-a032-9b2a5b5186c1",
            ),
        )
    )
    assert any("source of a REPLACE" in reason for _, _, reason in errors_of(sub))


def test_same_document_replaced_twice_is_metadata_error() -> None:
    target = "urn:uuid:7edca82f-054d-47f2-a032-9b2a5b5186c1"
    d1, d2 = build.document_entry("Document01"), build.document_entry("Document02")
    sub = build.submission(
        d1,
        d2,
        associations=(
            build.relationship("r1", AssociationType.REPLACE, "Document01", target),
            build.relationship("r2", AssociationType.REPLACE, "Document02", target),
        ),
    )
    assert any("replaced twice" in reason for _, _, reason in errors_of(sub))


def test_code_without_scheme_is_metadata_error() -> None:
    entry = build.document_entry(class_code=Code(code="X", scheme=""))
    assert codes_of(build.submission(entry)) == {ErrorCode.REGISTRY_METADATA_ERROR}
