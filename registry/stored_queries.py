"""ITI TF-2a 3.18.4.1.2.3.7 — the XDS stored queries, as a table of records.

Each ``StoredQuery`` names its query id (``StoredQueryId``), its parameter
table (``query_parameters.ParameterSpec``), the exclusive alternatives of its
``O*`` rows, whether its result must concern a single patient, and the
function that runs it against a ``RegistryStore``. ``run_stored_query`` looks
the id up, checks the parameters, runs the query and shapes the result for
the requested ``returnType`` (ITI TF-2a 3.18.4.1.2.1).

Rules common to all queries:

- ``$XDSDocumentEntryType`` defaults to stable DocumentEntries only
  (ITI TF-2a 3.18.4.1.2.3.7.1); On-Demand ones are returned when asked for.
- ``$MetadataLevel`` (Metadata Update, ITI TF-2a 3.18.4.1.2.3.5.1) is 1 unless
  sent as 2: at level 1 the registry leaves out DocumentEntries and Folders
  that are not the latest version, Offline DocumentEntries, and Deprecated
  Folders and Associations. GetDocuments and GetFolders return the versions
  their entryUUIDs name, and every version of the logicalIDs they are given,
  at either level (ITI-57 creates versions: ``registry/metadata_update``).
- ``$homeCommunityId`` is accepted where the tables list it and not used: an
  XDS registry answers for its own community.
- Unknown entryUUIDs or uniqueIds give an empty success, not an error.
- Get* queries whose result would name several patients fail with
  ``ResultNotSinglePatient`` (ITI TF-2a 3.18.4.1.3); a result larger than the
  registry's maximum fails with ``TooManyResults``.

LeafClass results list SubmissionSets, then Folders, DocumentEntries and
Associations, each at most once.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import TypeAlias

from registry import stored_query_returns as returns
from registry.errors import (
    ResultNotSinglePatient,
    StoredQueryError,
    TooManyResults,
    UnknownStoredQuery,
)
from registry.model import ObjectRef, RegistryObject
from registry.query_parameters import (
    ParameterSpec,
    QueryArguments,
    QueryParameter,
    ValueKind,
    parse_arguments,
)
from registry.storage import RegistryStore
from registry.stored_query_returns import Found, QueryContext
from registry.vocabulary import ReturnType, StoredQueryId

__all__ = ["STORED_QUERIES", "QueryResult", "StoredQuery", "run_stored_query"]

P = QueryParameter


@dataclass(frozen=True, kw_only=True, slots=True)
class QueryResult:
    """The answer to a stored query, shaped by ``returnType`` (ITI TF-2a 3.18.4.1.2.1)."""

    return_type: ReturnType
    objects: tuple[RegistryObject, ...] = ()
    """LeafClass: SubmissionSets, Folders, DocumentEntries, then Associations."""
    refs: tuple[ObjectRef, ...] = ()
    """ObjectRef: the same objects, in the same order, by id."""


Executor: TypeAlias = Callable[[RegistryStore, QueryArguments, QueryContext], Found]


@dataclass(frozen=True, kw_only=True, slots=True)
class StoredQuery:
    """One stored query of ITI TF-2a 3.18.4.1.2.3.7."""

    id: StoredQueryId
    name: str
    parameters: tuple[ParameterSpec, ...]
    alternatives: tuple[tuple[QueryParameter, ...], ...] = ()
    """Groups of parameters of which exactly one must be given (``O*`` rows)."""
    single_patient: bool = False
    """The result must concern one patient, else ``XDSResultNotSinglePatient``."""
    run: Executor


# --------------------------------------------------------------------------- parameter tables


def _spec(
    parameter: QueryParameter,
    *,
    required: bool = False,
    multiple: bool = False,
    and_or: bool = False,
    kind: ValueKind = ValueKind.TEXT,
) -> ParameterSpec:
    return ParameterSpec(
        parameter=parameter, kind=kind, required=required, multiple=multiple, and_or=and_or
    )


def _time(parameter: QueryParameter) -> ParameterSpec:
    return _spec(parameter, kind=ValueKind.TIME)


_HOME = _spec(P.HOME_COMMUNITY_ID)
_LEVEL = _spec(P.METADATA_LEVEL, kind=ValueKind.NUMBER)
_DOCUMENT_TYPE = _spec(P.DOCUMENT_ENTRY_TYPE, multiple=True)
_FORMAT_CODE = _spec(P.DOCUMENT_ENTRY_FORMAT_CODE, multiple=True)
_CONFIDENTIALITY_CODE = _spec(P.DOCUMENT_ENTRY_CONFIDENTIALITY_CODE, multiple=True, and_or=True)

_FIND_DOCUMENTS_FILTERS = (
    _spec(P.DOCUMENT_ENTRY_CLASS_CODE, multiple=True),
    _spec(P.DOCUMENT_ENTRY_TYPE_CODE, multiple=True),
    _spec(P.DOCUMENT_ENTRY_PRACTICE_SETTING_CODE, multiple=True),
    _time(P.DOCUMENT_ENTRY_CREATION_TIME_FROM),
    _time(P.DOCUMENT_ENTRY_CREATION_TIME_TO),
    _time(P.DOCUMENT_ENTRY_SERVICE_START_TIME_FROM),
    _time(P.DOCUMENT_ENTRY_SERVICE_START_TIME_TO),
    _time(P.DOCUMENT_ENTRY_SERVICE_STOP_TIME_FROM),
    _time(P.DOCUMENT_ENTRY_SERVICE_STOP_TIME_TO),
    _spec(P.DOCUMENT_ENTRY_HEALTHCARE_FACILITY_TYPE_CODE, multiple=True),
    _spec(P.DOCUMENT_ENTRY_EVENT_CODE_LIST, multiple=True, and_or=True),
    _CONFIDENTIALITY_CODE,
    _spec(P.DOCUMENT_ENTRY_AUTHOR_PERSON, multiple=True),
    _FORMAT_CODE,
    _spec(P.DOCUMENT_ENTRY_STATUS, required=True, multiple=True),
    _DOCUMENT_TYPE,
    _LEVEL,
)

_DOCUMENT_IDS = (P.DOCUMENT_ENTRY_ENTRY_UUID, P.DOCUMENT_ENTRY_UNIQUE_ID)
_FOLDER_IDS = (P.FOLDER_ENTRY_UUID, P.FOLDER_UNIQUE_ID)


def _ids(parameters: Iterable[QueryParameter], *, multiple: bool) -> tuple[ParameterSpec, ...]:
    return tuple(_spec(parameter, multiple=multiple) for parameter in parameters)


# --------------------------------------------------------------------------- the table

STORED_QUERIES: Mapping[str, StoredQuery] = {
    query.id.value: query
    for query in (
        StoredQuery(
            id=StoredQueryId.FIND_DOCUMENTS,
            name="FindDocuments",
            parameters=(
                _spec(P.DOCUMENT_ENTRY_PATIENT_ID, required=True),
                *_FIND_DOCUMENTS_FILTERS,
            ),
            run=returns.find_documents,
        ),
        StoredQuery(
            id=StoredQueryId.FIND_DOCUMENTS_BY_REFERENCE_ID,
            name="FindDocumentsByReferenceId",
            parameters=(
                _spec(P.DOCUMENT_ENTRY_PATIENT_ID, required=True),
                _spec(P.DOCUMENT_ENTRY_REFERENCE_ID_LIST, required=True, multiple=True),
                *_FIND_DOCUMENTS_FILTERS,
            ),
            run=returns.find_documents,
        ),
        StoredQuery(
            id=StoredQueryId.FIND_SUBMISSION_SETS,
            name="FindSubmissionSets",
            parameters=(
                _spec(P.SUBMISSION_SET_PATIENT_ID, required=True),
                _spec(P.SUBMISSION_SET_SOURCE_ID, multiple=True),
                _time(P.SUBMISSION_SET_SUBMISSION_TIME_FROM),
                _time(P.SUBMISSION_SET_SUBMISSION_TIME_TO),
                _spec(P.SUBMISSION_SET_AUTHOR_PERSON),
                _spec(P.SUBMISSION_SET_CONTENT_TYPE, multiple=True),
                _spec(P.SUBMISSION_SET_STATUS, required=True, multiple=True),
                _LEVEL,
            ),
            run=returns.find_submission_sets,
        ),
        StoredQuery(
            id=StoredQueryId.FIND_FOLDERS,
            name="FindFolders",
            parameters=(
                _spec(P.FOLDER_PATIENT_ID, required=True),
                _time(P.FOLDER_LAST_UPDATE_TIME_FROM),
                _time(P.FOLDER_LAST_UPDATE_TIME_TO),
                _spec(P.FOLDER_CODE_LIST, multiple=True, and_or=True),
                _spec(P.FOLDER_STATUS, required=True, multiple=True),
                _LEVEL,
            ),
            run=returns.find_folders,
        ),
        StoredQuery(
            id=StoredQueryId.GET_ALL,
            name="GetAll",
            parameters=(
                _spec(P.PATIENT_ID, required=True),
                _spec(P.DOCUMENT_ENTRY_STATUS, required=True, multiple=True),
                _spec(P.SUBMISSION_SET_STATUS, required=True, multiple=True),
                _spec(P.FOLDER_STATUS, required=True, multiple=True),
                _FORMAT_CODE,
                _CONFIDENTIALITY_CODE,
                _DOCUMENT_TYPE,
                _LEVEL,
            ),
            run=returns.get_all,
        ),
        StoredQuery(
            id=StoredQueryId.GET_DOCUMENTS,
            name="GetDocuments",
            parameters=(
                *_ids((*_DOCUMENT_IDS, P.DOCUMENT_ENTRY_LOGICAL_ID), multiple=True),
                _HOME,
                _LEVEL,
            ),
            alternatives=((*_DOCUMENT_IDS, P.DOCUMENT_ENTRY_LOGICAL_ID),),
            single_patient=True,
            run=returns.get_documents,
        ),
        StoredQuery(
            id=StoredQueryId.GET_FOLDERS,
            name="GetFolders",
            parameters=(
                *_ids((*_FOLDER_IDS, P.FOLDER_LOGICAL_ID), multiple=True),
                _HOME,
                _LEVEL,
            ),
            alternatives=((*_FOLDER_IDS, P.FOLDER_LOGICAL_ID),),
            single_patient=True,
            run=returns.get_folders,
        ),
        StoredQuery(
            id=StoredQueryId.GET_ASSOCIATIONS,
            name="GetAssociations",
            parameters=(_spec(P.UUID, required=True, multiple=True), _HOME, _LEVEL),
            single_patient=True,
            run=returns.get_associations,
        ),
        StoredQuery(
            id=StoredQueryId.GET_DOCUMENTS_AND_ASSOCIATIONS,
            name="GetDocumentsAndAssociations",
            parameters=(*_ids(_DOCUMENT_IDS, multiple=True), _HOME, _LEVEL),
            alternatives=(_DOCUMENT_IDS,),
            single_patient=True,
            run=returns.get_documents_and_associations,
        ),
        StoredQuery(
            id=StoredQueryId.GET_SUBMISSION_SETS,
            name="GetSubmissionSets",
            parameters=(_spec(P.UUID, required=True, multiple=True), _HOME, _LEVEL),
            single_patient=True,
            run=returns.get_submission_sets,
        ),
        StoredQuery(
            id=StoredQueryId.GET_SUBMISSION_SET_AND_CONTENTS,
            name="GetSubmissionSetAndContents",
            parameters=(
                *_ids((P.SUBMISSION_SET_ENTRY_UUID, P.SUBMISSION_SET_UNIQUE_ID), multiple=False),
                _FORMAT_CODE,
                _CONFIDENTIALITY_CODE,
                _HOME,
                _DOCUMENT_TYPE,
                _LEVEL,
            ),
            alternatives=((P.SUBMISSION_SET_ENTRY_UUID, P.SUBMISSION_SET_UNIQUE_ID),),
            single_patient=True,
            run=returns.get_submission_set_and_contents,
        ),
        StoredQuery(
            id=StoredQueryId.GET_FOLDER_AND_CONTENTS,
            name="GetFolderAndContents",
            parameters=(
                *_ids(_FOLDER_IDS, multiple=False),
                _FORMAT_CODE,
                _CONFIDENTIALITY_CODE,
                _HOME,
                _DOCUMENT_TYPE,
                _LEVEL,
            ),
            alternatives=(_FOLDER_IDS,),
            single_patient=True,
            run=returns.get_folder_and_contents,
        ),
        StoredQuery(
            id=StoredQueryId.GET_FOLDERS_FOR_DOCUMENT,
            name="GetFoldersForDocument",
            parameters=(*_ids(_DOCUMENT_IDS, multiple=False), _HOME, _LEVEL),
            alternatives=(_DOCUMENT_IDS,),
            single_patient=True,
            run=returns.get_folders_for_document,
        ),
        StoredQuery(
            id=StoredQueryId.GET_RELATED_DOCUMENTS,
            name="GetRelatedDocuments",
            parameters=(
                *_ids(_DOCUMENT_IDS, multiple=False),
                _spec(P.ASSOCIATION_TYPES, required=True, multiple=True),
                _HOME,
                _DOCUMENT_TYPE,
                _LEVEL,
            ),
            alternatives=(_DOCUMENT_IDS,),
            single_patient=True,
            run=returns.get_related_documents,
        ),
    )
}


def run_stored_query(
    store: RegistryStore,
    *,
    query_id: str,
    parameters: Mapping[str, Sequence[str]],
    return_type: ReturnType,
    max_results: int,
) -> QueryResult:
    """Run the stored query ``query_id`` (ITI TF-2a 3.18.4.1.2.3).

    ``parameters`` maps each ``rim:Slot/@name`` of the ``AdhocQuery`` to the
    texts of its ``rim:Value`` elements, as received. ``max_results`` is the
    most objects the registry returns; beyond it the query fails with
    ``TooManyResults``.
    """
    query = STORED_QUERIES.get(query_id)
    if query is None:
        raise UnknownStoredQuery(f"Unknown stored query id {query_id}", location=query_id)
    arguments = parse_arguments(parameters, specs=query.parameters, alternatives=query.alternatives)
    level = arguments.number(P.METADATA_LEVEL)
    if level is None:
        level = 1
    elif level not in (1, 2):
        raise StoredQueryError(
            f"{P.METADATA_LEVEL.value} must be 1 or 2, got {level}",
            location=P.METADATA_LEVEL.value,
        )
    found = query.run(store, arguments, QueryContext(level=level, limit=max_results + 1))
    if query.single_patient:
        patients = found.patient_ids()
        if len(patients) > 1:
            raise ResultNotSinglePatient(
                f"{query.name} would return objects of {len(patients)} patients",
                location=query_id,
            )
    objects = found.objects()
    if len(objects) > max_results:
        raise TooManyResults(
            f"{query.name} matches more than {max_results} objects", location=query_id
        )
    if return_type == ReturnType.OBJECT_REF:
        return QueryResult(
            return_type=return_type,
            refs=tuple(ObjectRef(id=obj.entry_uuid, home=obj.home_community_id) for obj in objects),
        )
    return QueryResult(return_type=return_type, objects=objects)
