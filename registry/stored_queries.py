"""ITI TF-2a 3.18.4.1.2.3.7 — the XDS stored queries, as a table of records.

Each ``StoredQuery`` names its query id (``StoredQueryId``), its parameter
table (``query_parameters.ParameterSpec``), the exclusive alternatives of its
``O*`` rows, whether its result must concern a single patient, and the
function that runs it against a ``RegistryStore``. ``run_stored_query`` looks
the id up, checks the parameters, runs the query and shapes the result for
the requested ``returnType`` (ITI TF-2a 3.18.4.1.2.1).

Rules common to all queries:

- ``$XDSDocumentEntryType`` defaults to stable DocumentEntries only
  (ITI TF-2a 3.18.4.1.2.3.6.2); On-Demand ones are returned when asked for.
- ``$MetadataLevel`` (Metadata Update, ITI TF-2a 3.18.4.1.2.3.5.1) is 1 unless
  sent as 2: at level 1 the registry leaves out DocumentEntries and Folders
  that are not the latest version, Offline DocumentEntries, and Deprecated
  Folders and Associations. Until ITI-57 exists no stored object is any of
  those but Offline ones.
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
from dataclasses import dataclass, field
from typing import TypeAlias

from registry.errors import (
    ResultNotSinglePatient,
    StoredQueryError,
    TooManyResults,
    UnknownStoredQuery,
)
from registry.model import (
    Association,
    DocumentEntry,
    Folder,
    ObjectRef,
    RegistryObject,
    SubmissionSet,
)
from registry.query_parameters import (
    ParameterSpec,
    QueryArguments,
    QueryParameter,
    ValueKind,
    like_matches,
    parse_arguments,
)
from registry.storage import (
    DocumentCriteria,
    FolderCriteria,
    RegistryStore,
    SubmissionSetCriteria,
    TimeRange,
)
from registry.vocabulary import (
    AssociationType,
    AvailabilityStatus,
    ObjectType,
    ReturnType,
    StoredQueryId,
)

__all__ = ["STORED_QUERIES", "QueryResult", "StoredQuery", "run_stored_query"]

P = QueryParameter
_HAS_MEMBER = (AssociationType.HAS_MEMBER.value,)
_DEPRECATED = AvailabilityStatus.DEPRECATED.value
_STABLE_ONLY = (ObjectType.STABLE_DOCUMENT_ENTRY.value,)


@dataclass(frozen=True, kw_only=True, slots=True)
class QueryResult:
    """The answer to a stored query, shaped by ``returnType`` (ITI TF-2a 3.18.4.1.2.1)."""

    return_type: ReturnType
    objects: tuple[RegistryObject, ...] = ()
    """LeafClass: SubmissionSets, Folders, DocumentEntries, then Associations."""
    refs: tuple[ObjectRef, ...] = ()
    """ObjectRef: the same objects, in the same order, by id."""


@dataclass(frozen=True, kw_only=True, slots=True)
class _Context:
    """What every query needs besides its own parameters."""

    level: int
    """``$MetadataLevel``: 1 (default) or 2."""
    limit: int
    """How many rows a single read may return before the result is too large anyway."""

    @property
    def current_only(self) -> bool:
        return self.level == 1


@dataclass(kw_only=True, slots=True)
class _Found:
    submission_sets: list[SubmissionSet] = field(default_factory=list)
    folders: list[Folder] = field(default_factory=list)
    documents: list[DocumentEntry] = field(default_factory=list)
    associations: list[Association] = field(default_factory=list)

    def objects(self) -> tuple[RegistryObject, ...]:
        unique: dict[str, RegistryObject] = {}
        groups: tuple[Sequence[RegistryObject], ...] = (
            self.submission_sets,
            self.folders,
            self.documents,
            self.associations,
        )
        for group in groups:
            for obj in group:
                unique.setdefault(obj.entry_uuid, obj)
        return tuple(unique.values())

    def patient_ids(self) -> set[str]:
        """The patients the SubmissionSets, Folders and DocumentEntries found belong to."""
        return (
            {item.patient_id for item in self.submission_sets}
            | {item.patient_id for item in self.folders}
            | {item.patient_id for item in self.documents}
        )


Executor: TypeAlias = Callable[[RegistryStore, QueryArguments, _Context], _Found]


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


# --------------------------------------------------------------------------- criteria


def _object_types(arguments: QueryArguments) -> tuple[str, ...]:
    """``$XDSDocumentEntryType``, stable DocumentEntries only when absent."""
    return arguments.any_of(P.DOCUMENT_ENTRY_TYPE) or _STABLE_ONLY


def _range(arguments: QueryArguments, start: QueryParameter, end: QueryParameter) -> TimeRange:
    return TimeRange(start=arguments.one(start), end=arguments.one(end))


def _find_documents_criteria(arguments: QueryArguments, context: _Context) -> DocumentCriteria:
    """The FindDocuments filters (ITI TF-2a 3.18.4.1.2.3.7.1), shared with ByReferenceId."""
    return DocumentCriteria(
        patient_id=arguments.one(P.DOCUMENT_ENTRY_PATIENT_ID),
        statuses=arguments.any_of(P.DOCUMENT_ENTRY_STATUS),
        object_types=_object_types(arguments),
        class_codes=arguments.any_of(P.DOCUMENT_ENTRY_CLASS_CODE),
        type_codes=arguments.any_of(P.DOCUMENT_ENTRY_TYPE_CODE),
        practice_setting_codes=arguments.any_of(P.DOCUMENT_ENTRY_PRACTICE_SETTING_CODE),
        healthcare_facility_type_codes=arguments.any_of(
            P.DOCUMENT_ENTRY_HEALTHCARE_FACILITY_TYPE_CODE
        ),
        format_codes=arguments.any_of(P.DOCUMENT_ENTRY_FORMAT_CODE),
        creation_time=_range(
            arguments, P.DOCUMENT_ENTRY_CREATION_TIME_FROM, P.DOCUMENT_ENTRY_CREATION_TIME_TO
        ),
        service_start_time=_range(
            arguments,
            P.DOCUMENT_ENTRY_SERVICE_START_TIME_FROM,
            P.DOCUMENT_ENTRY_SERVICE_START_TIME_TO,
        ),
        service_stop_time=_range(
            arguments,
            P.DOCUMENT_ENTRY_SERVICE_STOP_TIME_FROM,
            P.DOCUMENT_ENTRY_SERVICE_STOP_TIME_TO,
        ),
        event_codes=arguments.groups(P.DOCUMENT_ENTRY_EVENT_CODE_LIST),
        confidentiality_codes=arguments.groups(P.DOCUMENT_ENTRY_CONFIDENTIALITY_CODE),
        author_persons=arguments.any_of(P.DOCUMENT_ENTRY_AUTHOR_PERSON),
        reference_ids=arguments.any_of(P.DOCUMENT_ENTRY_REFERENCE_ID_LIST),
        latest_only=context.current_only,
        online_only=context.current_only,
    )


def _documents_by_id(
    store: RegistryStore,
    context: _Context,
    *,
    entry_uuids: tuple[str, ...] | None = None,
    unique_ids: tuple[str, ...] | None = None,
    logical_ids: tuple[str, ...] | None = None,
    object_types: tuple[str, ...] | None = None,
    format_codes: tuple[str, ...] | None = None,
    confidentiality_codes: tuple[tuple[str, ...], ...] = (),
) -> list[DocumentEntry]:
    return store.find_documents(
        DocumentCriteria(
            entry_uuids=entry_uuids,
            unique_ids=unique_ids,
            logical_ids=logical_ids,
            object_types=object_types,
            format_codes=format_codes,
            confidentiality_codes=confidentiality_codes,
            latest_only=context.current_only,
            online_only=context.current_only,
        ),
        limit=context.limit,
    )


def _folders_by_id(
    store: RegistryStore,
    context: _Context,
    *,
    entry_uuids: tuple[str, ...] | None = None,
    unique_ids: tuple[str, ...] | None = None,
    logical_ids: tuple[str, ...] | None = None,
) -> list[Folder]:
    return store.find_folders(
        FolderCriteria(
            entry_uuids=entry_uuids,
            unique_ids=unique_ids,
            logical_ids=logical_ids,
            latest_only=context.current_only,
            excluded_statuses=(_DEPRECATED,) if context.current_only else (),
        ),
        limit=context.limit,
    )


def _current(associations: Iterable[Association], context: _Context) -> list[Association]:
    """Associations the metadata level shows (no Deprecated ones at level 1)."""
    if not context.current_only:
        return list(associations)
    return [a for a in associations if a.availability_status != _DEPRECATED]


def _uuids(objects: Iterable[RegistryObject]) -> tuple[str, ...]:
    return tuple(obj.entry_uuid for obj in objects)


def _linking(
    associations: Sequence[Association], *, sources: set[str], targets: set[str]
) -> list[Association]:
    """Associations from ``sources`` to ``targets``, and HasMembers from ``sources`` to those.

    The second kind is how a SubmissionSet adds a document to a folder: its
    HasMember targets the Folder-to-DocumentEntry association (ITI TF-3 4.2.2.1.1).
    """
    direct = [a for a in associations if a.source_id in sources and a.target_id in targets]
    linked = {a.entry_uuid for a in direct}
    nested = [
        a
        for a in associations
        if a.entry_uuid not in linked and a.source_id in sources and a.target_id in linked
    ]
    return direct + nested


# --------------------------------------------------------------------------- the queries


def _find_documents(store: RegistryStore, arguments: QueryArguments, context: _Context) -> _Found:
    """ITI TF-2a 3.18.4.1.2.3.7.1 FindDocuments (and .14 FindDocumentsByReferenceId)."""
    criteria = _find_documents_criteria(arguments, context)
    return _Found(documents=store.find_documents(criteria, limit=context.limit))


def _find_submission_sets(
    store: RegistryStore, arguments: QueryArguments, context: _Context
) -> _Found:
    """ITI TF-2a 3.18.4.1.2.3.7.2 FindSubmissionSets."""
    author = arguments.one(P.SUBMISSION_SET_AUTHOR_PERSON)
    found = store.find_submission_sets(
        SubmissionSetCriteria(
            patient_id=arguments.one(P.SUBMISSION_SET_PATIENT_ID),
            statuses=arguments.any_of(P.SUBMISSION_SET_STATUS),
            source_ids=arguments.any_of(P.SUBMISSION_SET_SOURCE_ID),
            content_type_codes=arguments.any_of(P.SUBMISSION_SET_CONTENT_TYPE),
            submission_time=_range(
                arguments,
                P.SUBMISSION_SET_SUBMISSION_TIME_FROM,
                P.SUBMISSION_SET_SUBMISSION_TIME_TO,
            ),
        ),
        # The author filter runs here, after the read: no cap on rows read then.
        limit=context.limit if author is None else None,
    )
    if author is not None:
        found = [
            item
            for item in found
            if any(a.person is not None and like_matches(author, a.person) for a in item.authors)
        ]
    return _Found(submission_sets=found)


def _find_folders(store: RegistryStore, arguments: QueryArguments, context: _Context) -> _Found:
    """ITI TF-2a 3.18.4.1.2.3.7.3 FindFolders."""
    criteria = FolderCriteria(
        patient_id=arguments.one(P.FOLDER_PATIENT_ID),
        statuses=arguments.any_of(P.FOLDER_STATUS),
        last_update_time=_range(
            arguments, P.FOLDER_LAST_UPDATE_TIME_FROM, P.FOLDER_LAST_UPDATE_TIME_TO
        ),
        codes=arguments.groups(P.FOLDER_CODE_LIST),
        latest_only=context.current_only,
        excluded_statuses=(_DEPRECATED,) if context.current_only else (),
    )
    return _Found(folders=store.find_folders(criteria, limit=context.limit))


def _get_all(store: RegistryStore, arguments: QueryArguments, context: _Context) -> _Found:
    """ITI TF-2a 3.18.4.1.2.3.7.4 GetAll: a patient's objects and the associations among them."""
    patient_id = arguments.one(P.PATIENT_ID)
    documents = store.find_documents(
        DocumentCriteria(
            patient_id=patient_id,
            statuses=arguments.any_of(P.DOCUMENT_ENTRY_STATUS),
            object_types=_object_types(arguments),
            format_codes=arguments.any_of(P.DOCUMENT_ENTRY_FORMAT_CODE),
            confidentiality_codes=arguments.groups(P.DOCUMENT_ENTRY_CONFIDENTIALITY_CODE),
            latest_only=context.current_only,
            online_only=context.current_only,
        ),
        limit=context.limit,
    )
    submission_sets = store.find_submission_sets(
        SubmissionSetCriteria(
            patient_id=patient_id, statuses=arguments.any_of(P.SUBMISSION_SET_STATUS)
        ),
        limit=context.limit,
    )
    folders = store.find_folders(
        FolderCriteria(
            patient_id=patient_id,
            statuses=arguments.any_of(P.FOLDER_STATUS),
            latest_only=context.current_only,
            excluded_statuses=(_DEPRECATED,) if context.current_only else (),
        ),
        limit=context.limit,
    )
    ids = set(_uuids((*documents, *submission_sets, *folders)))
    associations = _current(store.associations_from(ids), context)
    return _Found(
        submission_sets=submission_sets,
        folders=folders,
        documents=documents,
        associations=_linking(associations, sources=ids, targets=ids),
    )


def _get_documents(store: RegistryStore, arguments: QueryArguments, context: _Context) -> _Found:
    """ITI TF-2a 3.18.4.1.2.3.7.5 GetDocuments."""
    return _Found(
        documents=_documents_by_id(
            store,
            context,
            entry_uuids=arguments.any_of(P.DOCUMENT_ENTRY_ENTRY_UUID),
            unique_ids=arguments.any_of(P.DOCUMENT_ENTRY_UNIQUE_ID),
            logical_ids=arguments.any_of(P.DOCUMENT_ENTRY_LOGICAL_ID),
        )
    )


def _get_folders(store: RegistryStore, arguments: QueryArguments, context: _Context) -> _Found:
    """ITI TF-2a 3.18.4.1.2.3.7.6 GetFolders."""
    return _Found(
        folders=_folders_by_id(
            store,
            context,
            entry_uuids=arguments.any_of(P.FOLDER_ENTRY_UUID),
            unique_ids=arguments.any_of(P.FOLDER_UNIQUE_ID),
            logical_ids=arguments.any_of(P.FOLDER_LOGICAL_ID),
        )
    )


def _get_associations(store: RegistryStore, arguments: QueryArguments, context: _Context) -> _Found:
    """ITI TF-2a 3.18.4.1.2.3.7.7 GetAssociations: those with a given object at either end."""
    uuids = arguments.any_of(P.UUID) or ()
    return _Found(associations=_current(store.associations_touching(uuids), context))


def _get_documents_and_associations(
    store: RegistryStore, arguments: QueryArguments, context: _Context
) -> _Found:
    """ITI TF-2a 3.18.4.1.2.3.7.8 GetDocumentsAndAssociations."""
    documents = _get_documents(store, arguments, context).documents
    associations = store.associations_touching(_uuids(documents)) if documents else []
    return _Found(documents=documents, associations=_current(associations, context))


def _get_submission_sets(
    store: RegistryStore, arguments: QueryArguments, context: _Context
) -> _Found:
    """ITI TF-2a 3.18.4.1.2.3.7.9 GetSubmissionSets: those holding the objects, and the links."""
    uuids = arguments.any_of(P.UUID) or ()
    members = _current(store.associations_to(uuids, types=_HAS_MEMBER), context)
    submission_sets = store.submission_sets([a.source_id for a in members])
    holders = set(_uuids(submission_sets))
    return _Found(
        submission_sets=submission_sets,
        associations=[a for a in members if a.source_id in holders],
    )


def _get_submission_set_and_contents(
    store: RegistryStore, arguments: QueryArguments, context: _Context
) -> _Found:
    """ITI TF-2a 3.18.4.1.2.3.7.10 GetSubmissionSetAndContents.

    The SubmissionSet, the DocumentEntries and Folders it holds (HasMember),
    the Associations it holds (a Folder's HasMember added by this submission)
    and its HasMembers. The DocumentEntry filters hide entries, and with them
    every Association leading to a hidden entry.
    """
    submission_sets = store.find_submission_sets(
        SubmissionSetCriteria(
            entry_uuids=arguments.any_of(P.SUBMISSION_SET_ENTRY_UUID),
            unique_ids=arguments.any_of(P.SUBMISSION_SET_UNIQUE_ID),
        )
    )
    if not submission_sets:
        return _Found()
    members = _current(store.associations_from(_uuids(submission_sets), types=_HAS_MEMBER), context)
    targets = tuple(a.target_id for a in members)
    stored_held = store.associations(targets)
    documents = _documents_by_id(
        store,
        context,
        entry_uuids=targets,
        object_types=_object_types(arguments),
        format_codes=arguments.any_of(P.DOCUMENT_ENTRY_FORMAT_CODE),
        confidentiality_codes=arguments.groups(P.DOCUMENT_ENTRY_CONFIDENTIALITY_CODE),
    )
    candidates = _documents_by_id(
        store, context, entry_uuids=(*targets, *(a.target_id for a in stored_held))
    )
    hidden = set(_uuids(candidates)) - set(_uuids(documents))
    held = [
        a
        for a in _current(stored_held, context)
        if a.source_id not in hidden and a.target_id not in hidden
    ]
    hidden |= set(_uuids(stored_held)) - set(_uuids(held))
    return _Found(
        submission_sets=submission_sets,
        folders=_folders_by_id(store, context, entry_uuids=targets),
        documents=documents,
        associations=[a for a in members if a.target_id not in hidden] + held,
    )


def _get_folder_and_contents(
    store: RegistryStore, arguments: QueryArguments, context: _Context
) -> _Found:
    """ITI TF-2a 3.18.4.1.2.3.7.11 GetFolderAndContents."""
    folders = _folders_by_id(
        store,
        context,
        entry_uuids=arguments.any_of(P.FOLDER_ENTRY_UUID),
        unique_ids=arguments.any_of(P.FOLDER_UNIQUE_ID),
    )
    if not folders:
        return _Found()
    members = _current(store.associations_from(_uuids(folders), types=_HAS_MEMBER), context)
    documents = _documents_by_id(
        store,
        context,
        entry_uuids=tuple(a.target_id for a in members),
        object_types=_object_types(arguments),
        format_codes=arguments.any_of(P.DOCUMENT_ENTRY_FORMAT_CODE),
        confidentiality_codes=arguments.groups(P.DOCUMENT_ENTRY_CONFIDENTIALITY_CODE),
    )
    shown = set(_uuids(documents))
    return _Found(
        folders=folders,
        documents=documents,
        associations=[a for a in members if a.target_id in shown],
    )


def _the_document(
    store: RegistryStore, arguments: QueryArguments, context: _Context
) -> list[DocumentEntry]:
    """The DocumentEntry named by ``$XDSDocumentEntryEntryUUID`` or ``…UniqueId``."""
    return _documents_by_id(
        store,
        context,
        entry_uuids=arguments.any_of(P.DOCUMENT_ENTRY_ENTRY_UUID),
        unique_ids=arguments.any_of(P.DOCUMENT_ENTRY_UNIQUE_ID),
    )


def _get_folders_for_document(
    store: RegistryStore, arguments: QueryArguments, context: _Context
) -> _Found:
    """ITI TF-2a 3.18.4.1.2.3.7.12 GetFoldersForDocument."""
    documents = _the_document(store, arguments, context)
    if not documents:
        return _Found()
    members = _current(store.associations_to(_uuids(documents), types=_HAS_MEMBER), context)
    return _Found(
        folders=_folders_by_id(store, context, entry_uuids=tuple(a.source_id for a in members))
    )


def _get_related_documents(
    store: RegistryStore, arguments: QueryArguments, context: _Context
) -> _Found:
    """ITI TF-2a 3.18.4.1.2.3.7.13 GetRelatedDocuments.

    The DocumentEntry, the Associations of the given types that have it at
    either end, and the DocumentEntries at their other end; nothing when no
    such Association exists.
    """
    originals = _the_document(store, arguments, context)
    if not originals:
        return _Found()
    original = originals[0].entry_uuid
    types = arguments.any_of(P.ASSOCIATION_TYPES) or ()
    associations = _current(store.associations_touching((original,), types=types), context)
    if not associations:
        return _Found()
    others = tuple(a.target_id if a.source_id == original else a.source_id for a in associations)
    documents = _documents_by_id(
        store,
        context,
        entry_uuids=(original, *others),
        object_types=_object_types(arguments),
    )
    documents.sort(key=lambda entry: entry.entry_uuid != original)
    return _Found(documents=documents, associations=associations)


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
            run=_find_documents,
        ),
        StoredQuery(
            id=StoredQueryId.FIND_DOCUMENTS_BY_REFERENCE_ID,
            name="FindDocumentsByReferenceId",
            parameters=(
                _spec(P.DOCUMENT_ENTRY_PATIENT_ID, required=True),
                _spec(P.DOCUMENT_ENTRY_REFERENCE_ID_LIST, required=True, multiple=True),
                *_FIND_DOCUMENTS_FILTERS,
            ),
            run=_find_documents,
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
            run=_find_submission_sets,
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
            run=_find_folders,
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
            run=_get_all,
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
            run=_get_documents,
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
            run=_get_folders,
        ),
        StoredQuery(
            id=StoredQueryId.GET_ASSOCIATIONS,
            name="GetAssociations",
            parameters=(_spec(P.UUID, required=True, multiple=True), _HOME, _LEVEL),
            single_patient=True,
            run=_get_associations,
        ),
        StoredQuery(
            id=StoredQueryId.GET_DOCUMENTS_AND_ASSOCIATIONS,
            name="GetDocumentsAndAssociations",
            parameters=(*_ids(_DOCUMENT_IDS, multiple=True), _HOME, _LEVEL),
            alternatives=(_DOCUMENT_IDS,),
            single_patient=True,
            run=_get_documents_and_associations,
        ),
        StoredQuery(
            id=StoredQueryId.GET_SUBMISSION_SETS,
            name="GetSubmissionSets",
            parameters=(_spec(P.UUID, required=True, multiple=True), _HOME, _LEVEL),
            single_patient=True,
            run=_get_submission_sets,
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
            run=_get_submission_set_and_contents,
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
            run=_get_folder_and_contents,
        ),
        StoredQuery(
            id=StoredQueryId.GET_FOLDERS_FOR_DOCUMENT,
            name="GetFoldersForDocument",
            parameters=(*_ids(_DOCUMENT_IDS, multiple=False), _HOME, _LEVEL),
            alternatives=(_DOCUMENT_IDS,),
            single_patient=True,
            run=_get_folders_for_document,
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
            run=_get_related_documents,
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
    found = query.run(store, arguments, _Context(level=level, limit=max_results + 1))
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
