"""ITI TF-2a 3.18.4.1.2.3.7: every XDS stored query and every parameter rule.

Each test builds the same small registry content (``world``) on SQLite and on
PostgreSQL, then runs one query through ``run_stored_query``:

- patient A, SubmissionSet SS1 (2004): D1 and D2, Folder F1 holding D1;
- patient A, SubmissionSet SS2 (2005): D3 replacing D1 (RPLC; D1 Deprecated),
  D4 On-Demand, and D2 added to F1 by reference;
- patient B, SubmissionSet SS3: D5.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass

import pytest

from registry.errors import (
    ResultNotSinglePatient,
    StoredQueryError,
    StoredQueryMissingParam,
    StoredQueryParamNumber,
    TooManyResults,
    UnknownStoredQuery,
)
from registry.model import (
    Association,
    Author,
    Code,
    DocumentEntry,
    Folder,
    ObjectRef,
    Submission,
    SubmissionSet,
)
from registry.storage import Database
from registry.stored_queries import STORED_QUERIES, QueryResult, run_stored_query
from registry.vocabulary import (
    AssociationType,
    AvailabilityStatus,
    DocumentAvailability,
    ErrorCode,
    ObjectType,
    ReturnType,
    StoredQueryId,
    SubmissionSetStatus,
)

PATIENT_A = "A-1^^^&1.2.250.1.213.1.4.10&ISO"
PATIENT_B = "B-2^^^&1.2.250.1.213.1.4.10&ISO"
APPROVED = AvailabilityStatus.APPROVED.value
DEPRECATED = AvailabilityStatus.DEPRECATED.value
STABLE = ObjectType.STABLE_DOCUMENT_ENTRY.value
ON_DEMAND = ObjectType.ON_DEMAND_DOCUMENT_ENTRY.value
HAS_MEMBER = AssociationType.HAS_MEMBER.value
RPLC = AssociationType.REPLACE.value
LOINC = "2.16.840.1.113883.6.1"
CONFIDENTIALITY = "2.16.840.1.113883.5.25"
EVENTS = "1.2.250.1.213.2.5"
Q = StoredQueryId


def q(value: str) -> str:
    """A quoted query value (ITI TF-2a 3.18.4.1.2.3.5)."""
    return "'" + value.replace("'", "''") + "'"


def ql(*values: str) -> str:
    """A parenthesised list of quoted values."""
    return "(" + ", ".join(q(value) for value in values) + ")"


def code(value: str, scheme: str) -> Code:
    return Code(code=value, scheme=scheme)


def uid(name: str) -> str:
    return f"urn:uuid:{uuid.uuid5(uuid.NAMESPACE_URL, name)}"


def document(name: str, patient_id: str = PATIENT_A, **attributes: object) -> DocumentEntry:
    values: dict[str, object] = {
        "entry_uuid": uid(name),
        "unique_id": f"1.2.250.1.999.1.{uuid.uuid5(uuid.NAMESPACE_URL, name).int % 10**12}",
        "patient_id": patient_id,
        "mime_type": "text/xml",
        "hash": "da39a3ee5e6b4b0d3255bfef95601890afd80709",
        "size": 1,
        "repository_unique_id": "1.2.250.1.999.2",
        "class_code": code("11488-4", LOINC),
        "type_code": code("11488-4", LOINC),
        "format_code": code("urn:ihe:iti:xds-sd:text:2008", "1.3.6.1.4.1.19376.1.2.3"),
        "healthcare_facility_type_code": code("SA01", "1.2.250.1.71.4.2.4"),
        "practice_setting_code": code("ETABLISSEMENT", "1.2.250.1.213.1.1.4.9"),
        "confidentiality_codes": (code("N", CONFIDENTIALITY),),
        "creation_time": "20041224101500",
    }
    values.update(attributes)
    return DocumentEntry(**values)  # type: ignore[arg-type]


def has_member(name: str, source: str, target: str, *, original: bool = True) -> Association:
    return Association(
        entry_uuid=uid(name),
        association_type=HAS_MEMBER,
        source_id=source,
        target_id=target,
        submission_set_status=SubmissionSetStatus.ORIGINAL
        if original
        else SubmissionSetStatus.REFERENCE,
    )


def submission_set(name: str, patient_id: str = PATIENT_A, **attributes: object) -> SubmissionSet:
    values: dict[str, object] = {
        "entry_uuid": uid(name),
        "unique_id": f"1.2.250.1.999.3.{uuid.uuid5(uuid.NAMESPACE_URL, name).int % 10**12}",
        "source_id": "1.2.250.1.999.4",
        "patient_id": patient_id,
        "submission_time": "20041224120000",
        "content_type_code": code("04", "1.2.250.1.213.1.1.4.12"),
    }
    values.update(attributes)
    return SubmissionSet(**values)  # type: ignore[arg-type]


@dataclass(frozen=True, kw_only=True)
class World:
    database: Database
    ss1: SubmissionSet
    ss2: SubmissionSet
    ss3: SubmissionSet
    d1: DocumentEntry
    d2: DocumentEntry
    d3: DocumentEntry
    d4: DocumentEntry
    d5: DocumentEntry
    f1: Folder
    rplc: Association

    def query(
        self,
        query_id: StoredQueryId | str,
        parameters: Mapping[str, str | Sequence[str]],
        *,
        return_type: ReturnType = ReturnType.LEAF_CLASS,
        max_results: int = 100,
    ) -> QueryResult:
        slots = {
            name: [value] if isinstance(value, str) else list(value)
            for name, value in parameters.items()
        }
        with self.database.snapshot() as store:
            return run_stored_query(
                store,
                query_id=query_id.value if isinstance(query_id, StoredQueryId) else query_id,
                parameters=slots,
                return_type=return_type,
                max_results=max_results,
            )

    def uuids(
        self, query_id: StoredQueryId, parameters: Mapping[str, str | Sequence[str]]
    ) -> list[str]:
        return [obj.entry_uuid for obj in self.query(query_id, parameters).objects]


def build_world(database: Database) -> World:
    welby = Author(person="11375^Welby^Marcus^J^Jr. MD^Dr^^^&1.2.840.113619.6.197&ISO")
    smith = Author(person="22^Smith^Adam^^^^^^&1.2.3&ISO")
    ss1 = submission_set("ss1", title="first", authors=(welby,))
    d1 = document(
        "d1",
        availability_status=AvailabilityStatus.DEPRECATED,
        class_code=code("11488-4", LOINC),
        event_codes=(code("E1", EVENTS), code("E2", EVENTS)),
        confidentiality_codes=(code("N", CONFIDENTIALITY), code("V", CONFIDENTIALITY)),
        authors=(welby,),
        reference_ids=("ORDER-1^^^&1.2.3&ISO^urn:ihe:iti:xds:2013:order",),
        creation_time="20041224",
        service_start_time="200412230800",
        service_stop_time="200412231000",
    )
    d2 = document(
        "d2",
        class_code=code("34133-9", LOINC),
        type_code=code("34133-9", LOINC),
        practice_setting_code=code("GENERAL", "1.2.3"),
        healthcare_facility_type_code=code("SA07", "1.2.250.1.71.4.2.4"),
        format_code=code("urn:ihe:pcc:xphr:2007", "1.3.6.1.4.1.19376.1.2.3"),
        event_codes=(code("E1", EVENTS),),
        confidentiality_codes=(code("R", CONFIDENTIALITY),),
        authors=(smith,),
        reference_ids=("ORDER-2^^^&1.2.3&ISO",),
        creation_time="20050102093000",
        service_start_time="20050101",
        service_stop_time="20050102",
    )
    f1 = Folder(
        entry_uuid=uid("f1"),
        unique_id="1.2.250.1.999.5.1",
        patient_id=PATIENT_A,
        codes=(code("F1", "1.2.3"), code("F2", "1.2.3")),
        last_update_time="20041224120000",
    )
    f1_d1 = has_member("f1-d1", f1.entry_uuid, d1.entry_uuid)
    first = Submission(
        submission_set=ss1,
        documents=(d1, d2),
        folders=(f1,),
        associations=(
            has_member("ss1-d1", ss1.entry_uuid, d1.entry_uuid),
            has_member("ss1-d2", ss1.entry_uuid, d2.entry_uuid),
            has_member("ss1-f1", ss1.entry_uuid, f1.entry_uuid),
            f1_d1,
            has_member("ss1-f1-d1", ss1.entry_uuid, f1_d1.entry_uuid),
        ),
    )
    ss2 = submission_set(
        "ss2",
        submission_time="20050102100000",
        source_id="1.2.250.1.999.6",
        content_type_code=code("05", "1.2.250.1.213.1.1.4.12"),
        authors=(smith,),
    )
    d3 = document("d3", creation_time="20050103", event_codes=(code("E2", EVENTS),))
    d4 = document(
        "d4",
        object_type=ObjectType.ON_DEMAND_DOCUMENT_ENTRY,
        hash=None,
        size=None,
        creation_time=None,
    )
    rplc = Association(
        entry_uuid=uid("rplc"),
        association_type=RPLC,
        source_id=d3.entry_uuid,
        target_id=d1.entry_uuid,
    )
    f1_d2 = has_member("f1-d2", f1.entry_uuid, d2.entry_uuid)
    second = Submission(
        submission_set=ss2,
        documents=(d3, d4),
        associations=(
            has_member("ss2-d3", ss2.entry_uuid, d3.entry_uuid),
            has_member("ss2-d4", ss2.entry_uuid, d4.entry_uuid),
            rplc,
            f1_d2,
            has_member("ss2-f1-d2", ss2.entry_uuid, f1_d2.entry_uuid),
            has_member("ss2-d2", ss2.entry_uuid, d2.entry_uuid, original=False),
        ),
    )
    ss3 = submission_set("ss3", patient_id=PATIENT_B)
    d5 = document("d5", patient_id=PATIENT_B)
    third = Submission(
        submission_set=ss3,
        documents=(d5,),
        associations=(has_member("ss3-d5", ss3.entry_uuid, d5.entry_uuid),),
    )
    with database.unit_of_work() as store:
        for submission in (first, second, third):
            store.add_submission(submission)
    return World(
        database=database,
        ss1=ss1,
        ss2=ss2,
        ss3=ss3,
        d1=d1,
        d2=d2,
        d3=d3,
        d4=d4,
        d5=d5,
        f1=f1,
        rplc=rplc,
    )


@pytest.fixture
def world(database_url: str) -> Iterator[World]:
    database = Database(database_url)
    database.migrate()
    try:
        yield build_world(database)
    finally:
        database.dispose()


def find_documents(world: World, **parameters: str | Sequence[str]) -> list[str]:
    base: dict[str, str | Sequence[str]] = {
        "$XDSDocumentEntryPatientId": q(PATIENT_A),
        "$XDSDocumentEntryStatus": ql(APPROVED, DEPRECATED),
    }
    base.update({f"${name}": value for name, value in parameters.items()})
    return world.uuids(Q.FIND_DOCUMENTS, base)


def ids(*objects: object) -> list[str]:
    return [obj.entry_uuid for obj in objects]  # type: ignore[attr-defined]


# --------------------------------------------------------------------------- the table


def test_every_xds_stored_query_is_in_the_table() -> None:
    assert set(STORED_QUERIES) == {query.value for query in StoredQueryId}
    assert all(query.id.value == key for key, query in STORED_QUERIES.items())


def test_unknown_query_id_is_unknown_stored_query(world: World) -> None:
    with pytest.raises(UnknownStoredQuery) as caught:
        world.query("urn:uuid:00000000-0000-0000-0000-000000000000", {})
    assert caught.value.error_code is ErrorCode.UNKNOWN_STORED_QUERY


# --------------------------------------------------------------------------- FindDocuments


def test_find_documents_requires_patient_id(world: World) -> None:
    with pytest.raises(StoredQueryMissingParam) as caught:
        world.query(Q.FIND_DOCUMENTS, {"$XDSDocumentEntryStatus": ql(APPROVED)})
    assert caught.value.location == "$XDSDocumentEntryPatientId"
    assert caught.value.error_code is ErrorCode.STORED_QUERY_MISSING_PARAM


def test_find_documents_requires_status(world: World) -> None:
    with pytest.raises(StoredQueryMissingParam) as caught:
        world.query(Q.FIND_DOCUMENTS, {"$XDSDocumentEntryPatientId": q(PATIENT_A)})
    assert caught.value.location == "$XDSDocumentEntryStatus"


def test_find_documents_patient_id_is_single_valued(world: World) -> None:
    with pytest.raises(StoredQueryParamNumber) as caught:
        find_documents(world, XDSDocumentEntryPatientId=[q(PATIENT_A), q(PATIENT_B)])
    assert caught.value.location == "$XDSDocumentEntryPatientId"
    assert caught.value.error_code is ErrorCode.STORED_QUERY_PARAM_NUMBER


def test_find_documents_patient_id_list_of_two_is_param_number_error(world: World) -> None:
    with pytest.raises(StoredQueryParamNumber):
        find_documents(world, XDSDocumentEntryPatientId=ql(PATIENT_A, PATIENT_B))


def test_find_documents_returns_the_patients_documents_with_the_status(world: World) -> None:
    approved = find_documents(world, XDSDocumentEntryStatus=ql(APPROVED))
    assert approved == ids(world.d2, world.d3)


def test_find_documents_status_values_are_or(world: World) -> None:
    assert find_documents(world) == ids(world.d1, world.d2, world.d3)


def test_find_documents_status_across_values_is_union(world: World) -> None:
    found = find_documents(world, XDSDocumentEntryStatus=[ql(APPROVED), ql(DEPRECATED)])
    assert found == ids(world.d1, world.d2, world.d3)


def test_find_documents_unknown_status_matches_nothing(world: World) -> None:
    assert find_documents(world, XDSDocumentEntryStatus=ql("urn:example:Nope")) == []
    assert find_documents(world, XDSDocumentEntryStatus=ql("urn:example:Nope", APPROVED)) == ids(
        world.d2, world.d3
    )


def test_find_documents_unknown_patient_is_empty_success(world: World) -> None:
    assert find_documents(world, XDSDocumentEntryPatientId=q("X^^^&1.2.3&ISO")) == []


def test_find_documents_class_code_values_are_or(world: World) -> None:
    found = find_documents(world, XDSDocumentEntryClassCode=ql(f"34133-9^^{LOINC}", "nothing^^1.2"))
    assert found == ids(world.d2)


def test_find_documents_class_code_across_values_is_union(world: World) -> None:
    found = find_documents(
        world, XDSDocumentEntryClassCode=[ql(f"34133-9^^{LOINC}"), ql(f"11488-4^^{LOINC}")]
    )
    assert found == ids(world.d1, world.d2, world.d3)


def test_find_documents_code_needs_its_scheme(world: World) -> None:
    assert find_documents(world, XDSDocumentEntryClassCode=ql("34133-9^^1.2.3")) == []


@pytest.mark.parametrize(
    ("parameter", "value"),
    [
        ("XDSDocumentEntryTypeCode", f"34133-9^^{LOINC}"),
        ("XDSDocumentEntryPracticeSettingCode", "GENERAL^^1.2.3"),
        ("XDSDocumentEntryHealthcareFacilityTypeCode", "SA07^^1.2.250.1.71.4.2.4"),
        ("XDSDocumentEntryFormatCode", "urn:ihe:pcc:xphr:2007^^1.3.6.1.4.1.19376.1.2.3"),
    ],
)
def test_find_documents_single_coded_attributes(world: World, parameter: str, value: str) -> None:
    assert find_documents(world, **{parameter: ql(value)}) == ids(world.d2)


def test_find_documents_event_code_or_within_value(world: World) -> None:
    found = find_documents(world, XDSDocumentEntryEventCodeList=ql(f"E2^^{EVENTS}", "X^^1"))
    assert found == ids(world.d1, world.d3)


def test_find_documents_event_code_and_across_values(world: World) -> None:
    found = find_documents(
        world, XDSDocumentEntryEventCodeList=[ql(f"E1^^{EVENTS}"), ql(f"E2^^{EVENTS}")]
    )
    assert found == ids(world.d1)


def test_find_documents_event_code_and_of_ors(world: World) -> None:
    found = find_documents(
        world,
        XDSDocumentEntryEventCodeList=[ql(f"E1^^{EVENTS}", f"E2^^{EVENTS}"), ql(f"E1^^{EVENTS}")],
    )
    assert found == ids(world.d1, world.d2)


def test_find_documents_confidentiality_code_and_across_values(world: World) -> None:
    either = find_documents(
        world,
        XDSDocumentEntryConfidentialityCode=ql(f"V^^{CONFIDENTIALITY}", f"R^^{CONFIDENTIALITY}"),
    )
    both = find_documents(
        world,
        XDSDocumentEntryConfidentialityCode=[
            ql(f"N^^{CONFIDENTIALITY}"),
            ql(f"V^^{CONFIDENTIALITY}"),
        ],
    )
    assert either == ids(world.d1, world.d2)
    assert both == ids(world.d1)


def test_creation_time_from_is_inclusive(world: World) -> None:
    found = find_documents(world, XDSDocumentEntryCreationTimeFrom="20050102093000")
    assert found == ids(world.d2, world.d3)


def test_creation_time_to_is_exclusive(world: World) -> None:
    found = find_documents(world, XDSDocumentEntryCreationTimeTo="20050102093000")
    assert found == ids(world.d1)


def test_creation_time_range_at_day_precision(world: World) -> None:
    found = find_documents(
        world,
        XDSDocumentEntryCreationTimeFrom="20050102",
        XDSDocumentEntryCreationTimeTo="20050103",
    )
    assert found == ids(world.d2)


def test_creation_time_at_year_precision(world: World) -> None:
    assert find_documents(world, XDSDocumentEntryCreationTimeTo="2005") == ids(world.d1)
    assert find_documents(world, XDSDocumentEntryCreationTimeFrom="2005") == ids(world.d2, world.d3)


def test_time_filter_leaves_out_entries_without_the_attribute(world: World) -> None:
    everything = find_documents(
        world, XDSDocumentEntryType=ql(STABLE, ON_DEMAND), XDSDocumentEntryCreationTimeFrom="1900"
    )
    assert world.d4.entry_uuid not in everything


def test_service_start_time_range(world: World) -> None:
    found = find_documents(
        world,
        XDSDocumentEntryServiceStartTimeFrom="200412230800",
        XDSDocumentEntryServiceStartTimeTo="20041224",
    )
    assert found == ids(world.d1)


def test_service_stop_time_range(world: World) -> None:
    found = find_documents(world, XDSDocumentEntryServiceStopTimeFrom="20041231")
    assert found == ids(world.d2)


def test_time_parameter_may_be_quoted(world: World) -> None:
    assert find_documents(world, XDSDocumentEntryCreationTimeTo="'2005'") == ids(world.d1)


def test_time_parameter_is_single_valued(world: World) -> None:
    with pytest.raises(StoredQueryParamNumber):
        find_documents(world, XDSDocumentEntryCreationTimeFrom=["2004", "2005"])


def test_malformed_time_is_registry_error(world: World) -> None:
    with pytest.raises(StoredQueryError) as caught:
        find_documents(world, XDSDocumentEntryCreationTimeFrom="2004-12-24")
    assert caught.value.error_code is ErrorCode.REGISTRY_ERROR
    assert caught.value.location == "$XDSDocumentEntryCreationTimeFrom"


def test_malformed_value_is_registry_error(world: World) -> None:
    with pytest.raises(StoredQueryError) as caught:
        find_documents(world, XDSDocumentEntryClassCode="('unterminated")
    assert caught.value.error_code is ErrorCode.REGISTRY_ERROR
    assert caught.value.location == "$XDSDocumentEntryClassCode"


def test_find_documents_author_person_like_wildcards(world: World) -> None:
    assert find_documents(world, XDSDocumentEntryAuthorPerson=q("%Welby%")) == ids(world.d1)
    assert find_documents(world, XDSDocumentEntryAuthorPerson=q("2_^Smith%")) == ids(world.d2)
    assert find_documents(world, XDSDocumentEntryAuthorPerson=q("%welby%")) == []


def test_find_documents_author_person_values_are_or(world: World) -> None:
    found = find_documents(world, XDSDocumentEntryAuthorPerson=[q("%Welby%"), q("%Smith%")])
    assert found == ids(world.d1, world.d2)


def test_find_documents_author_person_exact_match(world: World) -> None:
    found = find_documents(world, XDSDocumentEntryAuthorPerson=q(world.d1.authors[0].person or ""))
    assert found == ids(world.d1)


def test_find_documents_type_defaults_to_stable(world: World) -> None:
    assert world.d4.entry_uuid not in find_documents(world)


def test_find_documents_on_demand_type(world: World) -> None:
    assert find_documents(world, XDSDocumentEntryType=ql(ON_DEMAND)) == ids(world.d4)
    both = find_documents(world, XDSDocumentEntryType=ql(STABLE, ON_DEMAND))
    assert both == ids(world.d1, world.d2, world.d3, world.d4)


def test_unknown_parameters_are_ignored(world: World) -> None:
    assert find_documents(world, XDSDocumentEntryUnknownThing=q("x")) == ids(
        world.d1, world.d2, world.d3
    )


def test_metadata_level_must_be_1_or_2(world: World) -> None:
    assert find_documents(world, MetadataLevel="2") == ids(world.d1, world.d2, world.d3)
    with pytest.raises(StoredQueryError) as caught:
        find_documents(world, MetadataLevel="3")
    assert caught.value.location == "$MetadataLevel"
    with pytest.raises(StoredQueryError):
        find_documents(world, MetadataLevel="'one'")


def test_metadata_level_1_hides_offline_documents(database_url: str) -> None:
    database = Database(database_url)
    database.migrate()
    try:
        offline = document("offline", document_availability=DocumentAvailability.OFFLINE.value)
        ss = submission_set("ss-offline")
        with database.unit_of_work() as store:
            store.add_submission(
                Submission(
                    submission_set=ss,
                    documents=(offline,),
                    associations=(has_member("m", ss.entry_uuid, offline.entry_uuid),),
                )
            )
        world = World(database=database, **{name: None for name in _WORLD_OBJECTS})  # type: ignore[arg-type]
        assert find_documents(world) == []
        assert find_documents(world, MetadataLevel="2") == ids(offline)
    finally:
        database.dispose()


_WORLD_OBJECTS = ("ss1", "ss2", "ss3", "d1", "d2", "d3", "d4", "d5", "f1", "rplc")


def test_object_ref_return_type(world: World) -> None:
    result = world.query(
        Q.FIND_DOCUMENTS,
        {"$XDSDocumentEntryPatientId": q(PATIENT_A), "$XDSDocumentEntryStatus": ql(APPROVED)},
        return_type=ReturnType.OBJECT_REF,
    )
    assert result.objects == ()
    assert result.refs == (ObjectRef(id=world.d2.entry_uuid), ObjectRef(id=world.d3.entry_uuid))


def test_leaf_class_returns_the_objects_as_stored(world: World) -> None:
    result = world.query(
        Q.FIND_DOCUMENTS,
        {"$XDSDocumentEntryPatientId": q(PATIENT_A), "$XDSDocumentEntryStatus": ql(DEPRECATED)},
    )
    assert result.objects == (world.d1,)
    assert result.refs == ()


def test_too_many_results(world: World) -> None:
    parameters = {
        "$XDSDocumentEntryPatientId": q(PATIENT_A),
        "$XDSDocumentEntryStatus": ql(APPROVED, DEPRECATED),
    }
    assert len(world.query(Q.FIND_DOCUMENTS, parameters, max_results=3).objects) == 3
    with pytest.raises(TooManyResults) as caught:
        world.query(Q.FIND_DOCUMENTS, parameters, max_results=2)
    assert caught.value.error_code is ErrorCode.TOO_MANY_RESULTS


# ------------------------------------------------------------------ FindDocumentsByReferenceId


def find_by_reference(world: World, *values: str, **extra: str) -> list[str]:
    parameters: dict[str, str | Sequence[str]] = {
        "$XDSDocumentEntryPatientId": q(PATIENT_A),
        "$XDSDocumentEntryStatus": ql(APPROVED, DEPRECATED),
        "$XDSDocumentEntryReferenceIdList": list(values),
    }
    parameters.update({f"${name}": value for name, value in extra.items()})
    return world.uuids(Q.FIND_DOCUMENTS_BY_REFERENCE_ID, parameters)


def test_find_documents_by_reference_id(world: World) -> None:
    found = find_by_reference(world, ql("ORDER-1^^^&1.2.3&ISO^urn:ihe:iti:xds:2013:order"))
    assert found == ids(world.d1)


def test_find_documents_by_reference_id_values_are_union(world: World) -> None:
    found = find_by_reference(
        world,
        ql("ORDER-1^^^&1.2.3&ISO^urn:ihe:iti:xds:2013:order"),
        ql("ORDER-2^^^&1.2.3&ISO", "unknown"),
    )
    assert found == ids(world.d1, world.d2)


def test_find_documents_by_reference_id_applies_find_documents_filters(world: World) -> None:
    found = find_by_reference(
        world,
        ql("ORDER-1^^^&1.2.3&ISO^urn:ihe:iti:xds:2013:order", "ORDER-2^^^&1.2.3&ISO"),
        XDSDocumentEntryStatus=ql(APPROVED),
    )
    assert found == ids(world.d2)


def test_find_documents_by_reference_id_requires_reference_id_list(world: World) -> None:
    with pytest.raises(StoredQueryMissingParam) as caught:
        find_by_reference(world)
    assert caught.value.location == "$XDSDocumentEntryReferenceIdList"


# --------------------------------------------------------------------------- FindSubmissionSets


def find_submission_sets(world: World, **parameters: str | Sequence[str]) -> list[str]:
    base: dict[str, str | Sequence[str]] = {
        "$XDSSubmissionSetPatientId": q(PATIENT_A),
        "$XDSSubmissionSetStatus": ql(APPROVED),
    }
    base.update({f"${name}": value for name, value in parameters.items()})
    return world.uuids(Q.FIND_SUBMISSION_SETS, base)


def test_find_submission_sets_by_patient(world: World) -> None:
    assert find_submission_sets(world) == ids(world.ss1, world.ss2)


def test_find_submission_sets_requires_status(world: World) -> None:
    with pytest.raises(StoredQueryMissingParam) as caught:
        world.query(Q.FIND_SUBMISSION_SETS, {"$XDSSubmissionSetPatientId": q(PATIENT_A)})
    assert caught.value.location == "$XDSSubmissionSetStatus"


def test_find_submission_sets_source_id_values_are_or(world: World) -> None:
    found = find_submission_sets(world, XDSSubmissionSetSourceId=ql("1.2.250.1.999.6", "9.9"))
    assert found == ids(world.ss2)


def test_find_submission_sets_submission_time_range(world: World) -> None:
    found = find_submission_sets(
        world,
        XDSSubmissionSetSubmissionTimeFrom="2005",
        XDSSubmissionSetSubmissionTimeTo="20050102100001",
    )
    assert found == ids(world.ss2)
    assert find_submission_sets(world, XDSSubmissionSetSubmissionTimeTo="20050102100000") == ids(
        world.ss1
    )


def test_find_submission_sets_author_person_like(world: World) -> None:
    assert find_submission_sets(world, XDSSubmissionSetAuthorPerson=q("%^Welby^%")) == ids(
        world.ss1
    )


def test_find_submission_sets_author_person_is_single_valued(world: World) -> None:
    with pytest.raises(StoredQueryParamNumber):
        find_submission_sets(world, XDSSubmissionSetAuthorPerson=ql("%Welby%", "%Smith%"))


def test_find_submission_sets_content_type(world: World) -> None:
    found = find_submission_sets(
        world, XDSSubmissionSetContentType=ql("05^^1.2.250.1.213.1.1.4.12")
    )
    assert found == ids(world.ss2)


# --------------------------------------------------------------------------- FindFolders


def find_folders(world: World, **parameters: str | Sequence[str]) -> list[str]:
    base: dict[str, str | Sequence[str]] = {
        "$XDSFolderPatientId": q(PATIENT_A),
        "$XDSFolderStatus": ql(APPROVED),
    }
    base.update({f"${name}": value for name, value in parameters.items()})
    return world.uuids(Q.FIND_FOLDERS, base)


def test_find_folders_by_patient_and_status(world: World) -> None:
    assert find_folders(world) == ids(world.f1)
    assert find_folders(world, XDSFolderStatus=ql(DEPRECATED)) == []
    assert find_folders(world, XDSFolderPatientId=q(PATIENT_B)) == []


def test_find_folders_requires_patient_id(world: World) -> None:
    with pytest.raises(StoredQueryMissingParam) as caught:
        world.query(Q.FIND_FOLDERS, {"$XDSFolderStatus": ql(APPROVED)})
    assert caught.value.location == "$XDSFolderPatientId"


def test_find_folders_code_list_and_across_values(world: World) -> None:
    assert find_folders(world, XDSFolderCodeList=[ql("F1^^1.2.3"), ql("F2^^1.2.3")]) == ids(
        world.f1
    )
    assert find_folders(world, XDSFolderCodeList=[ql("F1^^1.2.3"), ql("F3^^1.2.3")]) == []
    assert find_folders(world, XDSFolderCodeList=ql("F3^^1.2.3", "F2^^1.2.3")) == ids(world.f1)


def test_find_folders_last_update_time(world: World) -> None:
    assert find_folders(world, XDSFolderLastUpdateTimeFrom="20041224120000") == ids(world.f1)
    assert find_folders(world, XDSFolderLastUpdateTimeTo="20041224120000") == []


# --------------------------------------------------------------------------- GetAll


def get_all(world: World, **parameters: str | Sequence[str]) -> list[str]:
    base: dict[str, str | Sequence[str]] = {
        "$patientId": q(PATIENT_A),
        "$XDSDocumentEntryStatus": ql(APPROVED, DEPRECATED),
        "$XDSSubmissionSetStatus": ql(APPROVED),
        "$XDSFolderStatus": ql(APPROVED),
    }
    base.update({f"${name}": value for name, value in parameters.items()})
    return world.uuids(Q.GET_ALL, base)


def test_get_all_returns_sets_folders_documents_then_associations(world: World) -> None:
    found = get_all(world)
    objects = ids(world.ss1, world.ss2, world.f1, world.d1, world.d2, world.d3)
    assert found[:6] == objects
    associations = found[6:]
    assert world.rplc.entry_uuid in associations
    assert uid("ss1-f1-d1") in associations  # SubmissionSet HasMember of a HasMember
    assert uid("ss2-d4") not in associations  # D4 is On-Demand: not returned, nor its link
    assert len(associations) == 10


def test_get_all_requires_every_status(world: World) -> None:
    for missing in ("$XDSDocumentEntryStatus", "$XDSSubmissionSetStatus", "$XDSFolderStatus"):
        parameters = {
            "$patientId": q(PATIENT_A),
            "$XDSDocumentEntryStatus": ql(APPROVED),
            "$XDSSubmissionSetStatus": ql(APPROVED),
            "$XDSFolderStatus": ql(APPROVED),
        }
        del parameters[missing]
        with pytest.raises(StoredQueryMissingParam) as caught:
            world.query(Q.GET_ALL, parameters)
        assert caught.value.location == missing


def test_get_all_status_filters_documents_and_their_links(world: World) -> None:
    found = get_all(world, XDSDocumentEntryStatus=ql(APPROVED))
    assert world.d1.entry_uuid not in found
    assert world.rplc.entry_uuid not in found
    assert uid("f1-d1") not in found and uid("ss1-f1-d1") not in found


def test_get_all_format_and_confidentiality_filters(world: World) -> None:
    found = get_all(
        world,
        XDSDocumentEntryConfidentialityCode=[
            ql(f"N^^{CONFIDENTIALITY}"),
            ql(f"V^^{CONFIDENTIALITY}"),
        ],
    )
    assert [u for u in found if u in ids(world.d1, world.d2, world.d3)] == ids(world.d1)
    formats = get_all(
        world, XDSDocumentEntryFormatCode=ql("urn:ihe:pcc:xphr:2007^^1.3.6.1.4.1.19376.1.2.3")
    )
    assert [u for u in formats if u in ids(world.d1, world.d2, world.d3)] == ids(world.d2)


def test_get_all_of_other_patient(world: World) -> None:
    found = get_all(world, patientId=q(PATIENT_B))
    assert found == [*ids(world.ss3, world.d5), uid("ss3-d5")]


# --------------------------------------------------------------------------- GetDocuments


def test_get_documents_by_entry_uuid(world: World) -> None:
    found = world.uuids(
        Q.GET_DOCUMENTS,
        {"$XDSDocumentEntryEntryUUID": ql(world.d2.entry_uuid, world.d1.entry_uuid)},
    )
    assert found == ids(world.d1, world.d2)


def test_get_documents_by_unique_id(world: World) -> None:
    found = world.uuids(Q.GET_DOCUMENTS, {"$XDSDocumentEntryUniqueId": ql(world.d3.unique_id)})
    assert found == ids(world.d3)


def test_get_documents_returns_on_demand_entries(world: World) -> None:
    found = world.uuids(Q.GET_DOCUMENTS, {"$XDSDocumentEntryEntryUUID": ql(world.d4.entry_uuid)})
    assert found == ids(world.d4)


def test_get_documents_by_logical_id(world: World) -> None:
    found = world.uuids(Q.GET_DOCUMENTS, {"$XDSDocumentEntryLogicalID": ql(world.d2.entry_uuid)})
    assert found == ids(world.d2)


def test_get_documents_both_uuid_and_unique_id_is_param_number_error(world: World) -> None:
    with pytest.raises(StoredQueryParamNumber) as caught:
        world.query(
            Q.GET_DOCUMENTS,
            {
                "$XDSDocumentEntryEntryUUID": ql(world.d1.entry_uuid),
                "$XDSDocumentEntryUniqueId": ql(world.d1.unique_id),
            },
        )
    assert caught.value.error_code is ErrorCode.STORED_QUERY_PARAM_NUMBER


def test_get_documents_requires_uuid_or_unique_id(world: World) -> None:
    with pytest.raises(StoredQueryMissingParam) as caught:
        world.query(Q.GET_DOCUMENTS, {"$homeCommunityId": q("urn:oid:1.2.3")})
    assert caught.value.location == "$XDSDocumentEntryEntryUUID"


def test_get_documents_unknown_uuid_is_empty_success(world: World) -> None:
    assert world.uuids(Q.GET_DOCUMENTS, {"$XDSDocumentEntryEntryUUID": ql(uid("none"))}) == []


def test_get_documents_accepts_home_community_id(world: World) -> None:
    found = world.uuids(
        Q.GET_DOCUMENTS,
        {
            "$XDSDocumentEntryEntryUUID": ql(world.d1.entry_uuid),
            "$homeCommunityId": q("urn:oid:1.2"),
        },
    )
    assert found == ids(world.d1)


def test_get_documents_home_community_id_is_single_valued(world: World) -> None:
    with pytest.raises(StoredQueryParamNumber):
        world.query(
            Q.GET_DOCUMENTS,
            {
                "$XDSDocumentEntryEntryUUID": ql(world.d1.entry_uuid),
                "$homeCommunityId": ql("urn:oid:1.2", "urn:oid:1.3"),
            },
        )


def test_get_documents_of_two_patients_is_result_not_single_patient(world: World) -> None:
    with pytest.raises(ResultNotSinglePatient) as caught:
        world.query(
            Q.GET_DOCUMENTS,
            {"$XDSDocumentEntryEntryUUID": ql(world.d1.entry_uuid, world.d5.entry_uuid)},
        )
    assert caught.value.error_code is ErrorCode.RESULT_NOT_SINGLE_PATIENT


# --------------------------------------------------------------------------- GetFolders


def test_get_folders_by_uuid_and_unique_id(world: World) -> None:
    assert world.uuids(Q.GET_FOLDERS, {"$XDSFolderEntryUUID": ql(world.f1.entry_uuid)}) == ids(
        world.f1
    )
    assert world.uuids(Q.GET_FOLDERS, {"$XDSFolderUniqueId": ql(world.f1.unique_id)}) == ids(
        world.f1
    )


def test_get_folders_both_uuid_and_unique_id_is_param_number_error(world: World) -> None:
    with pytest.raises(StoredQueryParamNumber):
        world.query(
            Q.GET_FOLDERS,
            {"$XDSFolderEntryUUID": ql(world.f1.entry_uuid), "$XDSFolderUniqueId": ql("1.2")},
        )


def test_get_folders_requires_uuid_or_unique_id(world: World) -> None:
    with pytest.raises(StoredQueryMissingParam):
        world.query(Q.GET_FOLDERS, {})


# --------------------------------------------------------------------------- GetAssociations


def test_get_associations_at_either_end(world: World) -> None:
    found = world.uuids(Q.GET_ASSOCIATIONS, {"$uuid": ql(world.d1.entry_uuid)})
    assert found == [uid("ss1-d1"), uid("f1-d1"), world.rplc.entry_uuid]


def test_get_associations_of_several_objects(world: World) -> None:
    found = world.uuids(
        Q.GET_ASSOCIATIONS, {"$uuid": [ql(world.d5.entry_uuid), ql(world.ss3.entry_uuid)]}
    )
    assert found == [uid("ss3-d5")]


def test_get_associations_requires_uuid(world: World) -> None:
    with pytest.raises(StoredQueryMissingParam) as caught:
        world.query(Q.GET_ASSOCIATIONS, {})
    assert caught.value.location == "$uuid"


# ------------------------------------------------------------------ GetDocumentsAndAssociations


def test_get_documents_and_associations(world: World) -> None:
    found = world.uuids(
        Q.GET_DOCUMENTS_AND_ASSOCIATIONS, {"$XDSDocumentEntryUniqueId": ql(world.d3.unique_id)}
    )
    assert found == [world.d3.entry_uuid, uid("ss2-d3"), world.rplc.entry_uuid]


def test_get_documents_and_associations_both_alternatives_is_param_number_error(
    world: World,
) -> None:
    with pytest.raises(StoredQueryParamNumber):
        world.query(
            Q.GET_DOCUMENTS_AND_ASSOCIATIONS,
            {
                "$XDSDocumentEntryEntryUUID": ql(world.d3.entry_uuid),
                "$XDSDocumentEntryUniqueId": ql(world.d3.unique_id),
            },
        )


def test_get_documents_and_associations_of_two_patients(world: World) -> None:
    with pytest.raises(ResultNotSinglePatient):
        world.query(
            Q.GET_DOCUMENTS_AND_ASSOCIATIONS,
            {"$XDSDocumentEntryEntryUUID": ql(world.d3.entry_uuid, world.d5.entry_uuid)},
        )


# --------------------------------------------------------------------------- GetSubmissionSets


def test_get_submission_sets_of_documents(world: World) -> None:
    found = world.uuids(Q.GET_SUBMISSION_SETS, {"$uuid": ql(world.d2.entry_uuid)})
    assert found == [*ids(world.ss1, world.ss2), uid("ss1-d2"), uid("ss2-d2")]


def test_get_submission_sets_of_a_folder(world: World) -> None:
    found = world.uuids(Q.GET_SUBMISSION_SETS, {"$uuid": ql(world.f1.entry_uuid)})
    assert found == [world.ss1.entry_uuid, uid("ss1-f1")]


def test_get_submission_sets_of_two_patients(world: World) -> None:
    with pytest.raises(ResultNotSinglePatient):
        world.query(Q.GET_SUBMISSION_SETS, {"$uuid": ql(world.d1.entry_uuid, world.d5.entry_uuid)})


# ------------------------------------------------------------------ GetSubmissionSetAndContents


def test_get_submission_set_and_contents(world: World) -> None:
    found = world.uuids(
        Q.GET_SUBMISSION_SET_AND_CONTENTS, {"$XDSSubmissionSetEntryUUID": q(world.ss1.entry_uuid)}
    )
    assert found[:4] == ids(world.ss1, world.f1, world.d1, world.d2)
    assert set(found[4:]) == {
        uid("ss1-d1"),
        uid("ss1-d2"),
        uid("ss1-f1"),
        uid("ss1-f1-d1"),
        uid("f1-d1"),
    }


def test_get_submission_set_and_contents_by_unique_id(world: World) -> None:
    found = world.uuids(
        Q.GET_SUBMISSION_SET_AND_CONTENTS, {"$XDSSubmissionSetUniqueId": q(world.ss3.unique_id)}
    )
    assert found == [*ids(world.ss3, world.d5), uid("ss3-d5")]


def test_get_submission_set_and_contents_includes_documents_by_reference(world: World) -> None:
    found = world.uuids(
        Q.GET_SUBMISSION_SET_AND_CONTENTS, {"$XDSSubmissionSetEntryUUID": q(world.ss2.entry_uuid)}
    )
    assert found[:3] == ids(world.ss2, world.d2, world.d3)  # D4 On-Demand: stable only
    assert set(found[3:]) == {
        uid("ss2-d2"),
        uid("ss2-d3"),
        uid("f1-d2"),
        uid("ss2-f1-d2"),
    }  # F1 itself is no member of SS2: its HasMember to D2, added by SS2, is


def test_get_submission_set_and_contents_format_filter_drops_links(world: World) -> None:
    found = world.uuids(
        Q.GET_SUBMISSION_SET_AND_CONTENTS,
        {
            "$XDSSubmissionSetEntryUUID": q(world.ss1.entry_uuid),
            "$XDSDocumentEntryFormatCode": ql("urn:ihe:pcc:xphr:2007^^1.3.6.1.4.1.19376.1.2.3"),
        },
    )
    assert world.d1.entry_uuid not in found and uid("ss1-d1") not in found
    assert uid("f1-d1") not in found and uid("ss1-f1-d1") not in found
    assert world.d2.entry_uuid in found and uid("ss1-d2") in found


def test_get_submission_set_and_contents_is_single_valued(world: World) -> None:
    with pytest.raises(StoredQueryParamNumber) as caught:
        world.query(
            Q.GET_SUBMISSION_SET_AND_CONTENTS,
            {"$XDSSubmissionSetEntryUUID": ql(world.ss1.entry_uuid, world.ss2.entry_uuid)},
        )
    assert caught.value.location == "$XDSSubmissionSetEntryUUID"


def test_get_submission_set_and_contents_requires_an_id(world: World) -> None:
    with pytest.raises(StoredQueryMissingParam):
        world.query(Q.GET_SUBMISSION_SET_AND_CONTENTS, {})


def test_get_submission_set_and_contents_on_demand_type(world: World) -> None:
    found = world.uuids(
        Q.GET_SUBMISSION_SET_AND_CONTENTS,
        {
            "$XDSSubmissionSetEntryUUID": q(world.ss2.entry_uuid),
            "$XDSDocumentEntryType": ql(ON_DEMAND),
        },
    )
    assert found == [*ids(world.ss2, world.d4), uid("ss2-d4")]


# --------------------------------------------------------------------------- GetFolderAndContents


def test_get_folder_and_contents(world: World) -> None:
    found = world.uuids(Q.GET_FOLDER_AND_CONTENTS, {"$XDSFolderEntryUUID": q(world.f1.entry_uuid)})
    assert found == [*ids(world.f1, world.d1, world.d2), uid("f1-d1"), uid("f1-d2")]


def test_get_folder_and_contents_confidentiality_filter(world: World) -> None:
    found = world.uuids(
        Q.GET_FOLDER_AND_CONTENTS,
        {
            "$XDSFolderUniqueId": q(world.f1.unique_id),
            "$XDSDocumentEntryConfidentialityCode": ql(f"R^^{CONFIDENTIALITY}"),
        },
    )
    assert found == [*ids(world.f1, world.d2), uid("f1-d2")]


def test_get_folder_and_contents_both_ids_is_param_number_error(world: World) -> None:
    with pytest.raises(StoredQueryParamNumber):
        world.query(
            Q.GET_FOLDER_AND_CONTENTS,
            {"$XDSFolderEntryUUID": q(world.f1.entry_uuid), "$XDSFolderUniqueId": q("1.2")},
        )


def test_get_folder_and_contents_unknown_folder_is_empty(world: World) -> None:
    assert world.uuids(Q.GET_FOLDER_AND_CONTENTS, {"$XDSFolderEntryUUID": q(uid("none"))}) == []


# --------------------------------------------------------------------------- GetFoldersForDocument


def test_get_folders_for_document(world: World) -> None:
    assert world.uuids(
        Q.GET_FOLDERS_FOR_DOCUMENT, {"$XDSDocumentEntryEntryUUID": q(world.d2.entry_uuid)}
    ) == ids(world.f1)
    assert world.uuids(
        Q.GET_FOLDERS_FOR_DOCUMENT, {"$XDSDocumentEntryUniqueId": q(world.d1.unique_id)}
    ) == ids(world.f1)
    assert (
        world.uuids(
            Q.GET_FOLDERS_FOR_DOCUMENT, {"$XDSDocumentEntryEntryUUID": q(world.d3.entry_uuid)}
        )
        == []
    )


def test_get_folders_for_document_is_single_valued(world: World) -> None:
    with pytest.raises(StoredQueryParamNumber):
        world.query(
            Q.GET_FOLDERS_FOR_DOCUMENT,
            {"$XDSDocumentEntryEntryUUID": [q(world.d1.entry_uuid), q(world.d2.entry_uuid)]},
        )


# --------------------------------------------------------------------------- GetRelatedDocuments


def test_get_related_documents(world: World) -> None:
    found = world.uuids(
        Q.GET_RELATED_DOCUMENTS,
        {"$XDSDocumentEntryEntryUUID": q(world.d3.entry_uuid), "$AssociationTypes": ql(RPLC)},
    )
    assert found == [*ids(world.d3, world.d1), world.rplc.entry_uuid]


def test_get_related_documents_from_the_target_side(world: World) -> None:
    found = world.uuids(
        Q.GET_RELATED_DOCUMENTS,
        {
            "$XDSDocumentEntryUniqueId": q(world.d1.unique_id),
            "$AssociationTypes": ql(AssociationType.APPEND.value, RPLC),
        },
    )
    assert found == [*ids(world.d1, world.d3), world.rplc.entry_uuid]


def test_get_related_documents_without_relation_is_empty(world: World) -> None:
    found = world.uuids(
        Q.GET_RELATED_DOCUMENTS,
        {
            "$XDSDocumentEntryEntryUUID": q(world.d3.entry_uuid),
            "$AssociationTypes": ql(AssociationType.TRANSFORM.value),
        },
    )
    assert found == []


def test_get_related_documents_requires_association_types(world: World) -> None:
    with pytest.raises(StoredQueryMissingParam) as caught:
        world.query(Q.GET_RELATED_DOCUMENTS, {"$XDSDocumentEntryEntryUUID": q(world.d3.entry_uuid)})
    assert caught.value.location == "$AssociationTypes"


def test_get_related_documents_object_ref(world: World) -> None:
    result = world.query(
        Q.GET_RELATED_DOCUMENTS,
        {"$XDSDocumentEntryEntryUUID": q(world.d3.entry_uuid), "$AssociationTypes": ql(RPLC)},
        return_type=ReturnType.OBJECT_REF,
    )
    assert [ref.id for ref in result.refs] == [*ids(world.d3, world.d1), world.rplc.entry_uuid]
