"""ITI TF-2a 3.18.4.1.2.3.5: the grammar and cardinality rules of stored-query parameters."""

from __future__ import annotations

import doctest

import pytest

from registry import query_parameters
from registry.errors import StoredQueryError, StoredQueryMissingParam, StoredQueryParamNumber
from registry.query_parameters import (
    ParameterSpec,
    QueryParameter,
    ValueKind,
    like_matches,
    parse_arguments,
    parse_value,
)
from registry.storage import codec
from registry.vocabulary import ErrorCode

P = QueryParameter


def test_doctests_pass() -> None:
    for module in (query_parameters, codec):
        failures, _ = doctest.testmod(module, raise_on_error=False)
        assert failures == 0, module.__name__


# --------------------------------------------------------------------------- values


@pytest.mark.parametrize(
    ("text", "values"),
    [
        ("'abc'", ("abc",)),
        ("  'abc'  ", ("abc",)),
        ("''", ("",)),
        ("'it''s'", ("it's",)),
        ("''''", ("'",)),
        ("20041224", ("20041224",)),
        ("1", ("1",)),
        ("('a')", ("a",)),
        ("('a','b')", ("a", "b")),
        ("( 'a' ,\n 'b' )", ("a", "b")),
        ("('a^^1.2', 'b^^1.3')", ("a^^1.2", "b^^1.3")),
        ("('with (parens), commas')", ("with (parens), commas",)),
        ("(2004, 2005)", ("2004", "2005")),
        (
            "'urn:oasis:names:tc:ebxml-regrep:StatusType:Approved'",
            ("urn:oasis:names:tc:ebxml-regrep:StatusType:Approved",),
        ),
    ],
)
def test_value_grammar(text: str, values: tuple[str, ...]) -> None:
    assert parse_value(text, location="$p") == values


@pytest.mark.parametrize(
    "text",
    ["", "   ", "'unterminated", "('a'", "('a',)", "()", "('a' 'b')", "'a' 'b'", "'a'x", "(,)"],
)
def test_malformed_value_is_registry_error_at_the_parameter(text: str) -> None:
    with pytest.raises(StoredQueryError) as caught:
        parse_value(text, location="$XDSDocumentEntryClassCode")
    assert type(caught.value) is StoredQueryError
    assert caught.value.error_code is ErrorCode.REGISTRY_ERROR
    assert caught.value.location == "$XDSDocumentEntryClassCode"


# --------------------------------------------------------------------------- cardinality

SINGLE = ParameterSpec(parameter=P.DOCUMENT_ENTRY_PATIENT_ID, required=True)
MULTIPLE = ParameterSpec(parameter=P.DOCUMENT_ENTRY_CLASS_CODE, multiple=True)
AND_OR = ParameterSpec(parameter=P.DOCUMENT_ENTRY_EVENT_CODE_LIST, multiple=True, and_or=True)
TIME = ParameterSpec(parameter=P.DOCUMENT_ENTRY_CREATION_TIME_FROM, kind=ValueKind.TIME)
NUMBER = ParameterSpec(parameter=P.METADATA_LEVEL, kind=ValueKind.NUMBER)
SPECS = (SINGLE, MULTIPLE, AND_OR, TIME, NUMBER)
PATIENT = "'p^^^&1.2&ISO'"


def test_required_parameter_missing() -> None:
    with pytest.raises(StoredQueryMissingParam) as caught:
        parse_arguments({"$XDSDocumentEntryClassCode": ["'a'"]}, specs=SPECS)
    assert caught.value.location == "$XDSDocumentEntryPatientId"


def test_required_parameter_with_no_value_is_missing() -> None:
    with pytest.raises(StoredQueryMissingParam):
        parse_arguments({"$XDSDocumentEntryPatientId": []}, specs=SPECS)


def test_single_valued_parameter_rejects_two_value_elements() -> None:
    with pytest.raises(StoredQueryParamNumber) as caught:
        parse_arguments({"$XDSDocumentEntryPatientId": [PATIENT, PATIENT]}, specs=SPECS)
    assert caught.value.location == "$XDSDocumentEntryPatientId"


def test_single_valued_parameter_rejects_a_list_of_two() -> None:
    with pytest.raises(StoredQueryParamNumber):
        parse_arguments({"$XDSDocumentEntryPatientId": ["('a', 'b')"]}, specs=SPECS)


def test_single_valued_parameter_accepts_a_list_of_one() -> None:
    arguments = parse_arguments({"$XDSDocumentEntryPatientId": ["('a')"]}, specs=SPECS)
    assert arguments.one(P.DOCUMENT_ENTRY_PATIENT_ID) == "a"


def test_multi_valued_parameter_is_the_union_of_its_values() -> None:
    arguments = parse_arguments(
        {
            "$XDSDocumentEntryPatientId": [PATIENT],
            "$XDSDocumentEntryClassCode": ["('a', 'b')", "('b', 'c')", "'d'"],
        },
        specs=SPECS,
    )
    assert arguments.any_of(P.DOCUMENT_ENTRY_CLASS_CODE) == ("a", "b", "c", "d")
    assert arguments.any_of(P.DOCUMENT_ENTRY_TYPE_CODE) is None


def test_and_or_parameter_keeps_one_or_group_per_value() -> None:
    arguments = parse_arguments(
        {
            "$XDSDocumentEntryPatientId": [PATIENT],
            "$XDSDocumentEntryEventCodeList": [
                "('a^^s', 'b^^s')",
                "('c^^s')",
            ],
        },
        specs=SPECS,
    )
    assert arguments.groups(P.DOCUMENT_ENTRY_EVENT_CODE_LIST) == (("a^^s", "b^^s"), ("c^^s",))
    assert arguments.groups(P.DOCUMENT_ENTRY_CONFIDENTIALITY_CODE) == ()


def test_time_parameter_must_be_a_dtm() -> None:
    for bad in ("'2004-12-24'", "20041324", "2004122", "200412241015001"):
        with pytest.raises(StoredQueryError) as caught:
            parse_arguments(
                {
                    "$XDSDocumentEntryPatientId": [PATIENT],
                    "$XDSDocumentEntryCreationTimeFrom": [bad],
                },
                specs=SPECS,
            )
        assert caught.value.error_code is ErrorCode.REGISTRY_ERROR
        assert caught.value.location == "$XDSDocumentEntryCreationTimeFrom"


def test_time_parameter_at_any_precision() -> None:
    for good in ("2004", "200412", "20041224", "2004122410", "200412241015", "20041224101500"):
        arguments = parse_arguments(
            {"$XDSDocumentEntryPatientId": [PATIENT], "$XDSDocumentEntryCreationTimeFrom": [good]},
            specs=SPECS,
        )
        assert arguments.one(P.DOCUMENT_ENTRY_CREATION_TIME_FROM) == good


def test_number_parameter() -> None:
    arguments = parse_arguments(
        {"$XDSDocumentEntryPatientId": [PATIENT], "$MetadataLevel": ["2"]}, specs=SPECS
    )
    assert arguments.number(P.METADATA_LEVEL) == 2
    with pytest.raises(StoredQueryError):
        parse_arguments(
            {"$XDSDocumentEntryPatientId": [PATIENT], "$MetadataLevel": ["'two'"]}, specs=SPECS
        )


def test_parameters_the_query_does_not_define_are_ignored() -> None:
    arguments = parse_arguments(
        {"$XDSDocumentEntryPatientId": [PATIENT], "$Whatever": ["not even ( parsed"]}, specs=SPECS
    )
    assert set(arguments.values) == {P.DOCUMENT_ENTRY_PATIENT_ID}


# --------------------------------------------------------------------------- alternatives

IDS = (
    ParameterSpec(parameter=P.DOCUMENT_ENTRY_ENTRY_UUID, multiple=True),
    ParameterSpec(parameter=P.DOCUMENT_ENTRY_UNIQUE_ID, multiple=True),
)
CHOICE = ((P.DOCUMENT_ENTRY_ENTRY_UUID, P.DOCUMENT_ENTRY_UNIQUE_ID),)


def test_one_of_the_alternatives_is_required() -> None:
    with pytest.raises(StoredQueryMissingParam) as caught:
        parse_arguments({}, specs=IDS, alternatives=CHOICE)
    assert caught.value.location == "$XDSDocumentEntryEntryUUID"


def test_both_alternatives_is_param_number_error() -> None:
    with pytest.raises(StoredQueryParamNumber) as caught:
        parse_arguments(
            {
                "$XDSDocumentEntryEntryUUID": ["'urn:uuid:a'"],
                "$XDSDocumentEntryUniqueId": ["'1.2'"],
            },
            specs=IDS,
            alternatives=CHOICE,
        )
    assert caught.value.location == "$XDSDocumentEntryUniqueId"


def test_either_alternative_alone_is_accepted() -> None:
    for name in ("$XDSDocumentEntryEntryUUID", "$XDSDocumentEntryUniqueId"):
        arguments = parse_arguments({name: ["('x', 'y')"]}, specs=IDS, alternatives=CHOICE)
        assert arguments.any_of(QueryParameter(name)) == ("x", "y")


# --------------------------------------------------------------------------- LIKE


@pytest.mark.parametrize(
    ("pattern", "value", "matches"),
    [
        ("%", "", True),
        ("abc", "abc", True),
        ("abc", "abcd", False),
        ("a%", "abcd", True),
        ("%d", "abcd", True),
        ("a_c", "abc", True),
        ("a_c", "abbc", False),
        ("a.c", "abc", False),
        ("a*c", "abc", False),
        ("^Welby^%", "^Welby^Marcus", True),
        ("%WELBY%", "^Welby^", False),
    ],
)
def test_like_wildcards(pattern: str, value: str, matches: bool) -> None:
    assert like_matches(pattern, value) is matches
