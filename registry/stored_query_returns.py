"""ITI TF-2a 3.18.4.1.2.3.7 — what each stored query returns, read from the store.

``stored_queries.py`` holds the table of queries and their parameters; this
module holds, for each query, how its checked arguments select the
SubmissionSets, Folders, DocumentEntries and Associations it returns (the
"Returns" paragraph of each query in 3.18.4.1.2.3.7). The rules common to
all queries (default ``$XDSDocumentEntryType``, ``$MetadataLevel``) are told
in ``stored_queries.py``.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from registry.model import Association, DocumentEntry, Folder, RegistryObject, SubmissionSet
from registry.query_parameters import QueryArguments, QueryParameter, like_matches
from registry.storage import (
    DocumentCriteria,
    FolderCriteria,
    RegistryStore,
    SubmissionSetCriteria,
    TimeRange,
)
from registry.vocabulary import AssociationType, AvailabilityStatus, ObjectType

__all__ = [
    "Found",
    "QueryContext",
    "find_documents",
    "find_folders",
    "find_submission_sets",
    "get_all",
    "get_associations",
    "get_documents",
    "get_documents_and_associations",
    "get_folder_and_contents",
    "get_folders",
    "get_folders_for_document",
    "get_related_documents",
    "get_submission_set_and_contents",
    "get_submission_sets",
]

P = QueryParameter
_HAS_MEMBER = (AssociationType.HAS_MEMBER.value,)
_DEPRECATED = AvailabilityStatus.DEPRECATED.value
_STABLE_ONLY = (ObjectType.STABLE_DOCUMENT_ENTRY.value,)


@dataclass(frozen=True, kw_only=True, slots=True)
class QueryContext:
    """What every query needs besides its own parameters."""

    level: int
    """``$MetadataLevel``: 1 (default) or 2."""
    limit: int
    """How many rows a single read may return before the result is too large anyway."""

    @property
    def current_only(self) -> bool:
        return self.level == 1


@dataclass(frozen=True, kw_only=True, slots=True)
class Found:
    """The objects a stored query selected, by kind, before they are shaped for the response."""

    submission_sets: Sequence[SubmissionSet] = ()
    folders: Sequence[Folder] = ()
    documents: Sequence[DocumentEntry] = ()
    associations: Sequence[Association] = ()

    def objects(self) -> tuple[RegistryObject, ...]:
        """LeafClass order (SubmissionSets, Folders, DocumentEntries, Associations), no repeats."""
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


def _object_types(arguments: QueryArguments) -> tuple[str, ...]:
    """``$XDSDocumentEntryType``, stable DocumentEntries only when absent."""
    return arguments.any_of(P.DOCUMENT_ENTRY_TYPE) or _STABLE_ONLY


def _range(arguments: QueryArguments, start: QueryParameter, end: QueryParameter) -> TimeRange:
    return TimeRange(start=arguments.one(start), end=arguments.one(end))


def _find_documents_criteria(arguments: QueryArguments, context: QueryContext) -> DocumentCriteria:
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
    context: QueryContext,
    *,
    entry_uuids: tuple[str, ...] | None = None,
    unique_ids: tuple[str, ...] | None = None,
    logical_ids: tuple[str, ...] | None = None,
    object_types: tuple[str, ...] | None = None,
    format_codes: tuple[str, ...] | None = None,
    confidentiality_codes: tuple[tuple[str, ...], ...] = (),
    every_version: bool = False,
) -> list[DocumentEntry]:
    return store.find_documents(
        DocumentCriteria(
            entry_uuids=entry_uuids,
            unique_ids=unique_ids,
            logical_ids=logical_ids,
            object_types=object_types,
            format_codes=format_codes,
            confidentiality_codes=confidentiality_codes,
            latest_only=context.current_only and not every_version,
            online_only=context.current_only,
        ),
        limit=context.limit,
    )


def _folders_by_id(
    store: RegistryStore,
    context: QueryContext,
    *,
    entry_uuids: tuple[str, ...] | None = None,
    unique_ids: tuple[str, ...] | None = None,
    logical_ids: tuple[str, ...] | None = None,
    every_version: bool = False,
) -> list[Folder]:
    return store.find_folders(
        FolderCriteria(
            entry_uuids=entry_uuids,
            unique_ids=unique_ids,
            logical_ids=logical_ids,
            latest_only=context.current_only and not every_version,
            excluded_statuses=(_DEPRECATED,) if context.current_only and not every_version else (),
        ),
        limit=context.limit,
    )


def _current(associations: Iterable[Association], context: QueryContext) -> list[Association]:
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


def find_documents(store: RegistryStore, arguments: QueryArguments, context: QueryContext) -> Found:
    """ITI TF-2a 3.18.4.1.2.3.7.1 FindDocuments (and .14 FindDocumentsByReferenceId)."""
    criteria = _find_documents_criteria(arguments, context)
    return Found(documents=store.find_documents(criteria, limit=context.limit))


def find_submission_sets(
    store: RegistryStore, arguments: QueryArguments, context: QueryContext
) -> Found:
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
    return Found(submission_sets=found)


def find_folders(store: RegistryStore, arguments: QueryArguments, context: QueryContext) -> Found:
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
    return Found(folders=store.find_folders(criteria, limit=context.limit))


def get_all(store: RegistryStore, arguments: QueryArguments, context: QueryContext) -> Found:
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
    return Found(
        submission_sets=submission_sets,
        folders=folders,
        documents=documents,
        associations=_linking(associations, sources=ids, targets=ids),
    )


def get_documents(store: RegistryStore, arguments: QueryArguments, context: QueryContext) -> Found:
    """ITI TF-2a 3.18.4.1.2.3.7.5 GetDocuments.

    Metadata Update: entryUUIDs name versions, each returned as asked; a
    uniqueId gives the latest version at ``$MetadataLevel`` 1 and every version
    at 2; a logicalID gives every version of its logical DocumentEntry.
    """
    entry_uuids = arguments.any_of(P.DOCUMENT_ENTRY_ENTRY_UUID)
    logical_ids = arguments.any_of(P.DOCUMENT_ENTRY_LOGICAL_ID)
    return Found(
        documents=_documents_by_id(
            store,
            context,
            entry_uuids=entry_uuids,
            unique_ids=arguments.any_of(P.DOCUMENT_ENTRY_UNIQUE_ID),
            logical_ids=logical_ids,
            every_version=entry_uuids is not None or logical_ids is not None,
        )
    )


def get_folders(store: RegistryStore, arguments: QueryArguments, context: QueryContext) -> Found:
    """ITI TF-2a 3.18.4.1.2.3.7.6 GetFolders; versions as for GetDocuments."""
    entry_uuids = arguments.any_of(P.FOLDER_ENTRY_UUID)
    logical_ids = arguments.any_of(P.FOLDER_LOGICAL_ID)
    return Found(
        folders=_folders_by_id(
            store,
            context,
            entry_uuids=entry_uuids,
            unique_ids=arguments.any_of(P.FOLDER_UNIQUE_ID),
            logical_ids=logical_ids,
            every_version=entry_uuids is not None or logical_ids is not None,
        )
    )


def get_associations(
    store: RegistryStore, arguments: QueryArguments, context: QueryContext
) -> Found:
    """ITI TF-2a 3.18.4.1.2.3.7.7 GetAssociations: those with an object at either end."""
    uuids = arguments.any_of(P.UUID) or ()
    return Found(associations=_current(store.associations_touching(uuids), context))


def get_documents_and_associations(
    store: RegistryStore, arguments: QueryArguments, context: QueryContext
) -> Found:
    """ITI TF-2a 3.18.4.1.2.3.7.8 GetDocumentsAndAssociations."""
    documents = get_documents(store, arguments, context).documents
    associations = store.associations_touching(_uuids(documents)) if documents else []
    return Found(documents=documents, associations=_current(associations, context))


def get_submission_sets(
    store: RegistryStore, arguments: QueryArguments, context: QueryContext
) -> Found:
    """ITI TF-2a 3.18.4.1.2.3.7.9 GetSubmissionSets: those holding the objects, and the links."""
    uuids = arguments.any_of(P.UUID) or ()
    members = _current(store.associations_to(uuids, types=_HAS_MEMBER), context)
    submission_sets = store.submission_sets([a.source_id for a in members])
    holders = set(_uuids(submission_sets))
    return Found(
        submission_sets=submission_sets,
        associations=[a for a in members if a.source_id in holders],
    )


def get_submission_set_and_contents(
    store: RegistryStore, arguments: QueryArguments, context: QueryContext
) -> Found:
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
        return Found()
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
    return Found(
        submission_sets=submission_sets,
        folders=_folders_by_id(store, context, entry_uuids=targets),
        documents=documents,
        associations=[a for a in members if a.target_id not in hidden] + held,
    )


def get_folder_and_contents(
    store: RegistryStore, arguments: QueryArguments, context: QueryContext
) -> Found:
    """ITI TF-2a 3.18.4.1.2.3.7.11 GetFolderAndContents."""
    folders = _folders_by_id(
        store,
        context,
        entry_uuids=arguments.any_of(P.FOLDER_ENTRY_UUID),
        unique_ids=arguments.any_of(P.FOLDER_UNIQUE_ID),
    )
    if not folders:
        return Found()
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
    return Found(
        folders=folders,
        documents=documents,
        associations=[a for a in members if a.target_id in shown],
    )


def _the_document(
    store: RegistryStore, arguments: QueryArguments, context: QueryContext
) -> list[DocumentEntry]:
    """The DocumentEntry named by ``$XDSDocumentEntryEntryUUID`` or ``…UniqueId``."""
    return _documents_by_id(
        store,
        context,
        entry_uuids=arguments.any_of(P.DOCUMENT_ENTRY_ENTRY_UUID),
        unique_ids=arguments.any_of(P.DOCUMENT_ENTRY_UNIQUE_ID),
    )


def get_folders_for_document(
    store: RegistryStore, arguments: QueryArguments, context: QueryContext
) -> Found:
    """ITI TF-2a 3.18.4.1.2.3.7.12 GetFoldersForDocument."""
    documents = _the_document(store, arguments, context)
    if not documents:
        return Found()
    members = _current(store.associations_to(_uuids(documents), types=_HAS_MEMBER), context)
    return Found(
        folders=_folders_by_id(store, context, entry_uuids=tuple(a.source_id for a in members))
    )


def get_related_documents(
    store: RegistryStore, arguments: QueryArguments, context: QueryContext
) -> Found:
    """ITI TF-2a 3.18.4.1.2.3.7.13 GetRelatedDocuments.

    The DocumentEntry, the Associations of the given types that have it at
    either end, and the DocumentEntries at their other end; nothing when no
    such Association exists.
    """
    originals = _the_document(store, arguments, context)
    if not originals:
        return Found()
    original = originals[0].entry_uuid
    types = arguments.any_of(P.ASSOCIATION_TYPES) or ()
    associations = _current(store.associations_touching((original,), types=types), context)
    if not associations:
        return Found()
    others = tuple(a.target_id if a.source_id == original else a.source_id for a in associations)
    documents = _documents_by_id(
        store,
        context,
        entry_uuids=(original, *others),
        object_types=_object_types(arguments),
    )
    documents.sort(key=lambda entry: entry.entry_uuid != original)
    return Found(documents=documents, associations=associations)
