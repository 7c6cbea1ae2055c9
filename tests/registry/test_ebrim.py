"""ITI TF-3 4.2 / ebRIM 3.0: metadata to and from ebRIM XML."""

from __future__ import annotations

from copy import deepcopy
from pathlib import Path

import pytest
from lxml import etree

from registry import ebrim
from registry.errors import RegistryError
from registry.vocabulary import (
    AssociationType,
    ErrorCode,
    ReturnType,
    StoredQueryId,
    SubmissionSetStatus,
)
from schemas import load_schema, parse_xml
from tests import submissions as build

DATA = Path(__file__).parent.parent / "data" / "ipf"
SUBMISSIONS = [
    *sorted(p.name for p in DATA.glob("SubmitObjectsRequest*.xml")),
    "submission-set.xml",
]


def load(name: str) -> etree._Element:
    return parse_xml((DATA / name).read_bytes())


def test_ipf_submission_is_read_with_every_attribute() -> None:
    submission = ebrim.parse_submission(load("SubmitObjectsRequest_ebrs30.xml"))
    entry = submission.documents[0]
    assert entry.entry_uuid == "Document01"
    assert entry.patient_id == "SELF-5^^^&1.3.6.1.4.1.21367.2005.3.7&ISO"
    assert entry.creation_time == "20051224"
    assert entry.class_code is not None and entry.class_code.code == "History and Physical"
    assert entry.class_code.scheme == "Connect-a-thon classCodes"
    assert entry.authors[0].person == "Gerald Smitty"
    assert entry.authors[0].institutions == ("Cleveland Clinic", "Parma Community")
    # "authorSpeciality", the older spelling, is read as authorSpecialty.
    assert entry.authors[0].specialties == ("Orthopedic",)
    assert len(entry.source_patient_info) == 5
    assert submission.submission_set.source_id
    kinds = {a.kind for a in submission.associations}
    assert AssociationType.HAS_MEMBER in kinds


@pytest.mark.parametrize("name", SUBMISSIONS)
def test_submission_round_trips_through_ebrim(name: str) -> None:
    submission = ebrim.parse_submission(load(name))
    assert ebrim.parse_submission(ebrim.submission_element(submission)) == submission


def test_extra_slots_round_trip() -> None:
    submission = ebrim.parse_submission(load("submission-set.xml"))
    names = {s.name for obj in submission.objects() for s in obj.extra_slots}
    assert {"urn:nist:extraDESlot", "urn:nist:extraSSSlot", "urn:nist:extraAssocSlot"} <= names
    again = ebrim.parse_submission(ebrim.submission_element(submission))
    assert {s.name for obj in again.objects() for s in obj.extra_slots} == names


def test_fully_populated_model_round_trips_and_is_schema_valid() -> None:
    submission = build.submission(folders=(build.folder(),))
    element = ebrim.submission_element(submission)
    load_schema("xds/lcm.xsd").assertValid(etree.ElementTree(element))
    assert ebrim.parse_submission(element) == submission


def test_leaf_class_query_response_is_schema_valid() -> None:
    submission = build.submission(folders=(build.folder(),))
    response = ebrim.adhoc_query_response(
        submission.objects(), status="urn:oasis:names:tc:ebxml-regrep:ResponseStatusType:Success"
    )
    load_schema("xds/query.xsd").assertValid(etree.ElementTree(response))


def test_registry_package_without_classification_node_is_metadata_error() -> None:
    element = ebrim.submission_element(build.submission())
    for classification in element.iter(
        "{urn:oasis:names:tc:ebxml-regrep:xsd:rim:3.0}Classification"
    ):
        if classification.get("classificationNode"):
            classification.getparent().remove(classification)
    with pytest.raises(RegistryError) as caught:
        ebrim.parse_submission(element)
    assert caught.value.errors[0].error_code is ErrorCode.REGISTRY_METADATA_ERROR
    assert "neither as SubmissionSet nor as Folder" in caught.value.reason


def test_submission_set_classified_by_loose_classification_is_read() -> None:
    # ITI TF-3 4.2.3.3: the SubmissionSet classification may stand alone in the list.
    submission = ebrim.parse_submission(load("SubmitObjectsRequest_ebrs30.xml"))
    assert submission.submission_set.entry_uuid == "SubmissionSet01"


def test_single_valued_slot_with_two_values_is_metadata_error() -> None:
    element = ebrim.submission_element(build.submission())
    slot = element.find(".//{*}Slot[@name='creationTime']/{*}ValueList")
    etree.SubElement(slot, "{urn:oasis:names:tc:ebxml-regrep:xsd:rim:3.0}Value").text = "2024"
    with pytest.raises(RegistryError) as caught:
        ebrim.parse_submission(element)
    assert "creationTime" in caught.value.reason and caught.value.location == "Document01"


def test_only_first_value_list_and_localized_string_are_read_comments_skipped() -> None:
    rim = "{urn:oasis:names:tc:ebxml-regrep:xsd:rim:3.0}"
    element = ebrim.submission_element(build.submission())
    slot = element.find(".//{*}ExtrinsicObject/{*}Slot[@name='creationTime']")
    slot.insert(0, etree.Comment("before"))
    etree.SubElement(etree.SubElement(slot, f"{rim}ValueList"), f"{rim}Value").text = "2024"
    slot[1].insert(0, etree.Comment("inside"))
    name = element.find(".//{*}ExtrinsicObject/{*}Name")
    name.insert(0, etree.Comment("before"))
    etree.SubElement(name, f"{rim}LocalizedString", value="second")
    entry = ebrim.parse_submission(element).documents[0]
    assert entry.creation_time == build.submission().documents[0].creation_time
    assert entry.title == build.submission().documents[0].title


def test_slot_sent_twice_on_a_code_is_metadata_error() -> None:
    element = ebrim.submission_element(build.submission())
    slot = element.find(".//{*}ExtrinsicObject/{*}Classification/{*}Slot[@name='codingScheme']")
    slot.getparent().insert(0, deepcopy(slot))
    with pytest.raises(RegistryError) as caught:
        ebrim.parse_submission(element)
    assert "codingScheme" in caught.value.reason and "twice" in caught.value.reason


def test_two_submission_sets_is_metadata_error() -> None:
    first = ebrim.submission_element(build.submission())
    second = ebrim.submission_element(build.submission())
    package = second.find(".//{*}RegistryPackage")
    package.set("id", "SubmissionSet02")
    for child in package.iter():
        if child.get("classifiedObject") == "SubmissionSet01":
            child.set("classifiedObject", "SubmissionSet02")
    first.find("{*}RegistryObjectList").append(package)
    with pytest.raises(RegistryError, match="exactly one SubmissionSet"):
        ebrim.parse_submission(first)


def test_submission_set_status_must_be_original_or_reference() -> None:
    element = ebrim.submission_element(build.submission())
    element.find(".//{*}Slot[@name='SubmissionSetStatus']/{*}ValueList/{*}Value").text = "Copy"
    with pytest.raises(RegistryError, match="Original or Reference"):
        ebrim.parse_submission(element)
    assert SubmissionSetStatus.ORIGINAL.value == "Original"


def test_adhoc_query_is_read() -> None:
    query = ebrim.parse_adhoc_query(load("iti18request.xml"))
    assert query.query_id == StoredQueryId.FIND_DOCUMENTS.value
    assert query.return_type is ReturnType.LEAF_CLASS
    assert query.parameters["$XDSDocumentEntryStatus"] == (
        "('urn:oasis:names:tc:ebxml-regrep:StatusType:Approved')",
    )


def test_adhoc_query_unknown_return_type_is_refused() -> None:
    element = load("iti18request.xml")
    element.find("{*}ResponseOption").set("returnType", "RegistryObject")
    with pytest.raises(RegistryError, match="returnType"):
        ebrim.parse_adhoc_query(element)


def test_markup_characters_in_values_round_trip() -> None:
    tricky = 'A <b> & "quoted"\n\ttab\r'
    entry = build.document_entry(title=tricky, comments=tricky)
    submission = build.submission(entry)
    again = ebrim.parse_submission(ebrim.submission_element(submission))
    assert again.documents[0].title == tricky
    assert again.documents[0].comments == tricky


def test_adhoc_query_request_reads_back_as_the_query_it_writes() -> None:
    """ITI TF-2a 3.18.4.1.2: what clients send is what the registry reads, values as given."""
    request = ebrim.adhoc_query_request(
        "urn:uuid:14d4debf-8f97-4251-9a74-a90016b0af0d",
        {
            "$XDSDocumentEntryPatientId": "'P^^^&1.2&ISO'",
            "$XDSDocumentEntryStatus": ["('a')", "('b')"],
        },
        return_type=ReturnType.OBJECT_REF,
    )
    query = ebrim.parse_adhoc_query(request)
    assert query.query_id == "urn:uuid:14d4debf-8f97-4251-9a74-a90016b0af0d"
    assert query.return_type is ReturnType.OBJECT_REF
    assert query.parameters == {
        "$XDSDocumentEntryPatientId": ("'P^^^&1.2&ISO'",),
        "$XDSDocumentEntryStatus": ("('a')", "('b')"),
    }
