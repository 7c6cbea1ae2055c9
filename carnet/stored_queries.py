"""ITI TF-2a 3.18.4.1.2.3.7 — the fourteen XDS stored queries, with typed parameters.

Each method writes its parameters in the grammar of ITI TF-2a 3.18.4.1.2.3.5
(``registry/query_values.py``) under the names of ``registry.query_parameters.QueryParameter``,
sends ITI-18 through :meth:`StoredQueries.query` (implemented by
:class:`~carnet.client.XdsClient`) and returns the LeafClass answer read into
``registry.model``: a list when the query returns one kind of object, the whole
:class:`~carnet.responses.QueryResponse` when it returns several. Code parameters take
:class:`~registry.model.Code` values or ``code^^scheme`` strings; times take DTM strings or
datetimes (UTC); statuses default to Approved.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime

from carnet.responses import QueryResponse
from registry.model import Association, Code, DocumentEntry, Folder, SubmissionSet
from registry.query_parameters import QueryParameter
from registry.query_values import code_value, dtm, quote, quote_list
from registry.vocabulary import (
    AssociationType,
    AvailabilityStatus,
    ObjectType,
    ReturnType,
    StoredQueryId,
)

__all__ = ["Codes", "Statuses", "StoredQueries", "Time"]

P = QueryParameter

Codes = Sequence[Code | str]
"""Codes of a query parameter: :class:`~registry.model.Code` or ``code^^scheme`` strings."""
Statuses = Sequence[AvailabilityStatus | str]
"""availabilityStatus values (ITI TF-3 4.2.3.2.2)."""
Time = datetime | str
"""A DTM string (any precision) or a datetime, sent in UTC."""


class _Parameters:
    """Stored-query parameters being written (ITI TF-2a 3.18.4.1.2.3.5)."""

    def __init__(self) -> None:
        self.values: dict[str, str | list[str]] = {}

    def text(self, parameter: QueryParameter, value: str | None) -> None:
        if value is not None:
            self.values[parameter.value] = quote(value)

    def texts(self, parameter: QueryParameter, values: Iterable[str]) -> None:
        listed = [str(v) for v in values]
        if listed:
            self.values[parameter.value] = quote_list(listed)

    def codes(self, parameter: QueryParameter, codes: Codes) -> None:
        self.texts(parameter, (code_value(c) for c in codes))

    def time(self, parameter: QueryParameter, value: Time | None) -> None:
        if value is not None:
            self.values[parameter.value] = dtm(value)

    def level(self, value: int | None) -> None:
        if value is not None:
            self.values[P.METADATA_LEVEL.value] = str(value)


class StoredQueries:
    """The stored queries of ITI TF-2a 3.18.4.1.2.3.7, one method each."""

    def query(
        self,
        query_id: StoredQueryId | str,
        parameters: Mapping[str, str | Sequence[str]],
        *,
        return_type: ReturnType = ReturnType.LEAF_CLASS,
    ) -> QueryResponse:
        """ITI-18 with raw parameter values; the client sends it."""
        raise NotImplementedError

    def find_documents(
        self,
        patient_id: str,
        *,
        statuses: Statuses = (AvailabilityStatus.APPROVED,),
        class_codes: Codes = (),
        type_codes: Codes = (),
        practice_setting_codes: Codes = (),
        healthcare_facility_type_codes: Codes = (),
        event_codes: Codes = (),
        confidentiality_codes: Codes = (),
        format_codes: Codes = (),
        author_persons: Sequence[str] = (),
        creation_time_from: Time | None = None,
        creation_time_to: Time | None = None,
        service_start_time_from: Time | None = None,
        service_start_time_to: Time | None = None,
        service_stop_time_from: Time | None = None,
        service_stop_time_to: Time | None = None,
        entry_types: Sequence[ObjectType] = (),
        metadata_level: int | None = None,
    ) -> list[DocumentEntry]:
        """FindDocuments (ITI TF-2a 3.18.4.1.2.3.7.1): the patient's DocumentEntries.

        Each code list is OR-ed (event and confidentiality codes in one ``Value``); times
        are From inclusive, To exclusive; ``entry_types`` defaults to stable entries.
        """
        parameters = _Parameters()
        parameters.text(P.DOCUMENT_ENTRY_PATIENT_ID, patient_id)
        self._document_filters(
            parameters,
            statuses=statuses,
            class_codes=class_codes,
            type_codes=type_codes,
            practice_setting_codes=practice_setting_codes,
            healthcare_facility_type_codes=healthcare_facility_type_codes,
            event_codes=event_codes,
            confidentiality_codes=confidentiality_codes,
            format_codes=format_codes,
            author_persons=author_persons,
            times={
                P.DOCUMENT_ENTRY_CREATION_TIME_FROM: creation_time_from,
                P.DOCUMENT_ENTRY_CREATION_TIME_TO: creation_time_to,
                P.DOCUMENT_ENTRY_SERVICE_START_TIME_FROM: service_start_time_from,
                P.DOCUMENT_ENTRY_SERVICE_START_TIME_TO: service_start_time_to,
                P.DOCUMENT_ENTRY_SERVICE_STOP_TIME_FROM: service_stop_time_from,
                P.DOCUMENT_ENTRY_SERVICE_STOP_TIME_TO: service_stop_time_to,
            },
            entry_types=entry_types,
        )
        parameters.level(metadata_level)
        return list(self.query(StoredQueryId.FIND_DOCUMENTS, parameters.values).documents)

    def find_documents_by_reference_id(
        self,
        patient_id: str,
        reference_ids: Sequence[str],
        *,
        statuses: Statuses = (AvailabilityStatus.APPROVED,),
        entry_types: Sequence[ObjectType] = (),
        metadata_level: int | None = None,
    ) -> list[DocumentEntry]:
        """FindDocumentsByReferenceId (ITI TF-2a 3.18.4.1.2.3.7.14): by ``referenceIdList``."""
        parameters = _Parameters()
        parameters.text(P.DOCUMENT_ENTRY_PATIENT_ID, patient_id)
        parameters.texts(P.DOCUMENT_ENTRY_REFERENCE_ID_LIST, reference_ids)
        parameters.texts(P.DOCUMENT_ENTRY_STATUS, statuses)
        parameters.texts(P.DOCUMENT_ENTRY_TYPE, entry_types)
        parameters.level(metadata_level)
        query = StoredQueryId.FIND_DOCUMENTS_BY_REFERENCE_ID
        return list(self.query(query, parameters.values).documents)

    @staticmethod
    def _document_filters(
        parameters: _Parameters,
        *,
        statuses: Statuses,
        class_codes: Codes,
        type_codes: Codes,
        practice_setting_codes: Codes,
        healthcare_facility_type_codes: Codes,
        event_codes: Codes,
        confidentiality_codes: Codes,
        format_codes: Codes,
        author_persons: Sequence[str],
        times: Mapping[QueryParameter, Time | None],
        entry_types: Sequence[ObjectType],
    ) -> None:
        parameters.texts(P.DOCUMENT_ENTRY_STATUS, statuses)
        parameters.codes(P.DOCUMENT_ENTRY_CLASS_CODE, class_codes)
        parameters.codes(P.DOCUMENT_ENTRY_TYPE_CODE, type_codes)
        parameters.codes(P.DOCUMENT_ENTRY_PRACTICE_SETTING_CODE, practice_setting_codes)
        parameters.codes(
            P.DOCUMENT_ENTRY_HEALTHCARE_FACILITY_TYPE_CODE, healthcare_facility_type_codes
        )
        parameters.codes(P.DOCUMENT_ENTRY_EVENT_CODE_LIST, event_codes)
        parameters.codes(P.DOCUMENT_ENTRY_CONFIDENTIALITY_CODE, confidentiality_codes)
        parameters.codes(P.DOCUMENT_ENTRY_FORMAT_CODE, format_codes)
        parameters.texts(P.DOCUMENT_ENTRY_AUTHOR_PERSON, author_persons)
        for parameter, value in times.items():
            parameters.time(parameter, value)
        parameters.texts(P.DOCUMENT_ENTRY_TYPE, entry_types)

    def find_submission_sets(
        self,
        patient_id: str,
        *,
        statuses: Statuses = (AvailabilityStatus.APPROVED,),
        source_ids: Sequence[str] = (),
        submission_time_from: Time | None = None,
        submission_time_to: Time | None = None,
        author_person: str | None = None,
        content_type_codes: Codes = (),
        metadata_level: int | None = None,
    ) -> list[SubmissionSet]:
        """FindSubmissionSets (ITI TF-2a 3.18.4.1.2.3.7.2)."""
        parameters = _Parameters()
        parameters.text(P.SUBMISSION_SET_PATIENT_ID, patient_id)
        parameters.texts(P.SUBMISSION_SET_STATUS, statuses)
        parameters.texts(P.SUBMISSION_SET_SOURCE_ID, source_ids)
        parameters.time(P.SUBMISSION_SET_SUBMISSION_TIME_FROM, submission_time_from)
        parameters.time(P.SUBMISSION_SET_SUBMISSION_TIME_TO, submission_time_to)
        parameters.text(P.SUBMISSION_SET_AUTHOR_PERSON, author_person)
        parameters.codes(P.SUBMISSION_SET_CONTENT_TYPE, content_type_codes)
        parameters.level(metadata_level)
        query = StoredQueryId.FIND_SUBMISSION_SETS
        return list(self.query(query, parameters.values).submission_sets)

    def find_folders(
        self,
        patient_id: str,
        *,
        statuses: Statuses = (AvailabilityStatus.APPROVED,),
        last_update_time_from: Time | None = None,
        last_update_time_to: Time | None = None,
        codes: Codes = (),
        metadata_level: int | None = None,
    ) -> list[Folder]:
        """FindFolders (ITI TF-2a 3.18.4.1.2.3.7.3); ``codes`` are OR-ed."""
        parameters = _Parameters()
        parameters.text(P.FOLDER_PATIENT_ID, patient_id)
        parameters.texts(P.FOLDER_STATUS, statuses)
        parameters.time(P.FOLDER_LAST_UPDATE_TIME_FROM, last_update_time_from)
        parameters.time(P.FOLDER_LAST_UPDATE_TIME_TO, last_update_time_to)
        parameters.codes(P.FOLDER_CODE_LIST, codes)
        parameters.level(metadata_level)
        return list(self.query(StoredQueryId.FIND_FOLDERS, parameters.values).folders)

    def get_all(
        self,
        patient_id: str,
        *,
        document_statuses: Statuses = (AvailabilityStatus.APPROVED,),
        submission_set_statuses: Statuses = (AvailabilityStatus.APPROVED,),
        folder_statuses: Statuses = (AvailabilityStatus.APPROVED,),
        format_codes: Codes = (),
        confidentiality_codes: Codes = (),
        entry_types: Sequence[ObjectType] = (),
        metadata_level: int | None = None,
    ) -> QueryResponse:
        """GetAll (ITI TF-2a 3.18.4.1.2.3.7.4): everything of one patient."""
        parameters = _Parameters()
        parameters.text(P.PATIENT_ID, patient_id)
        parameters.texts(P.DOCUMENT_ENTRY_STATUS, document_statuses)
        parameters.texts(P.SUBMISSION_SET_STATUS, submission_set_statuses)
        parameters.texts(P.FOLDER_STATUS, folder_statuses)
        parameters.codes(P.DOCUMENT_ENTRY_FORMAT_CODE, format_codes)
        parameters.codes(P.DOCUMENT_ENTRY_CONFIDENTIALITY_CODE, confidentiality_codes)
        parameters.texts(P.DOCUMENT_ENTRY_TYPE, entry_types)
        parameters.level(metadata_level)
        return self.query(StoredQueryId.GET_ALL, parameters.values)

    def get_documents(
        self,
        *,
        entry_uuids: Sequence[str] = (),
        unique_ids: Sequence[str] = (),
        logical_ids: Sequence[str] = (),
        metadata_level: int | None = None,
    ) -> list[DocumentEntry]:
        """GetDocuments (ITI TF-2a 3.18.4.1.2.3.7.5): by entryUUID, uniqueId or logicalID.

        Give exactly one of the three; unknown ids are simply absent from the answer.
        """
        parameters = _Parameters()
        parameters.texts(P.DOCUMENT_ENTRY_ENTRY_UUID, entry_uuids)
        parameters.texts(P.DOCUMENT_ENTRY_UNIQUE_ID, unique_ids)
        parameters.texts(P.DOCUMENT_ENTRY_LOGICAL_ID, logical_ids)
        parameters.level(metadata_level)
        return list(self.query(StoredQueryId.GET_DOCUMENTS, parameters.values).documents)

    def get_folders(
        self,
        *,
        entry_uuids: Sequence[str] = (),
        unique_ids: Sequence[str] = (),
        logical_ids: Sequence[str] = (),
        metadata_level: int | None = None,
    ) -> list[Folder]:
        """GetFolders (ITI TF-2a 3.18.4.1.2.3.7.6): by entryUUID, uniqueId or logicalID."""
        parameters = _Parameters()
        parameters.texts(P.FOLDER_ENTRY_UUID, entry_uuids)
        parameters.texts(P.FOLDER_UNIQUE_ID, unique_ids)
        parameters.texts(P.FOLDER_LOGICAL_ID, logical_ids)
        parameters.level(metadata_level)
        return list(self.query(StoredQueryId.GET_FOLDERS, parameters.values).folders)

    def get_associations(self, uuids: Sequence[str]) -> list[Association]:
        """GetAssociations (ITI TF-2a 3.18.4.1.2.3.7.7): associations of these objects."""
        parameters = _Parameters()
        parameters.texts(P.UUID, uuids)
        return list(self.query(StoredQueryId.GET_ASSOCIATIONS, parameters.values).associations)

    def get_documents_and_associations(
        self, *, entry_uuids: Sequence[str] = (), unique_ids: Sequence[str] = ()
    ) -> QueryResponse:
        """GetDocumentsAndAssociations (ITI TF-2a 3.18.4.1.2.3.7.8)."""
        parameters = _Parameters()
        parameters.texts(P.DOCUMENT_ENTRY_ENTRY_UUID, entry_uuids)
        parameters.texts(P.DOCUMENT_ENTRY_UNIQUE_ID, unique_ids)
        return self.query(StoredQueryId.GET_DOCUMENTS_AND_ASSOCIATIONS, parameters.values)

    def get_submission_sets(self, uuids: Sequence[str]) -> QueryResponse:
        """GetSubmissionSets (ITI TF-2a 3.18.4.1.2.3.7.9): the SubmissionSets holding these
        DocumentEntries or Folders, with the HasMember associations linking them."""
        parameters = _Parameters()
        parameters.texts(P.UUID, uuids)
        return self.query(StoredQueryId.GET_SUBMISSION_SETS, parameters.values)

    def get_submission_set_and_contents(
        self,
        *,
        entry_uuid: str | None = None,
        unique_id: str | None = None,
        format_codes: Codes = (),
        confidentiality_codes: Codes = (),
        entry_types: Sequence[ObjectType] = (),
    ) -> QueryResponse:
        """GetSubmissionSetAndContents (ITI TF-2a 3.18.4.1.2.3.7.10)."""
        parameters = _Parameters()
        parameters.text(P.SUBMISSION_SET_ENTRY_UUID, entry_uuid)
        parameters.text(P.SUBMISSION_SET_UNIQUE_ID, unique_id)
        parameters.codes(P.DOCUMENT_ENTRY_FORMAT_CODE, format_codes)
        parameters.codes(P.DOCUMENT_ENTRY_CONFIDENTIALITY_CODE, confidentiality_codes)
        parameters.texts(P.DOCUMENT_ENTRY_TYPE, entry_types)
        return self.query(StoredQueryId.GET_SUBMISSION_SET_AND_CONTENTS, parameters.values)

    def get_folder_and_contents(
        self,
        *,
        entry_uuid: str | None = None,
        unique_id: str | None = None,
        format_codes: Codes = (),
        confidentiality_codes: Codes = (),
        entry_types: Sequence[ObjectType] = (),
    ) -> QueryResponse:
        """GetFolderAndContents (ITI TF-2a 3.18.4.1.2.3.7.11)."""
        parameters = _Parameters()
        parameters.text(P.FOLDER_ENTRY_UUID, entry_uuid)
        parameters.text(P.FOLDER_UNIQUE_ID, unique_id)
        parameters.codes(P.DOCUMENT_ENTRY_FORMAT_CODE, format_codes)
        parameters.codes(P.DOCUMENT_ENTRY_CONFIDENTIALITY_CODE, confidentiality_codes)
        parameters.texts(P.DOCUMENT_ENTRY_TYPE, entry_types)
        return self.query(StoredQueryId.GET_FOLDER_AND_CONTENTS, parameters.values)

    def get_folders_for_document(
        self, *, entry_uuid: str | None = None, unique_id: str | None = None
    ) -> list[Folder]:
        """GetFoldersForDocument (ITI TF-2a 3.18.4.1.2.3.7.12)."""
        parameters = _Parameters()
        parameters.text(P.DOCUMENT_ENTRY_ENTRY_UUID, entry_uuid)
        parameters.text(P.DOCUMENT_ENTRY_UNIQUE_ID, unique_id)
        query = StoredQueryId.GET_FOLDERS_FOR_DOCUMENT
        return list(self.query(query, parameters.values).folders)

    def get_related_documents(
        self,
        *,
        entry_uuid: str | None = None,
        unique_id: str | None = None,
        association_types: Sequence[AssociationType | str],
        entry_types: Sequence[ObjectType] = (),
    ) -> QueryResponse:
        """GetRelatedDocuments (ITI TF-2a 3.18.4.1.2.3.7.13): the document's relatives
        through ``association_types`` (RPLC, XFRM, APND, …), with those associations."""
        parameters = _Parameters()
        parameters.text(P.DOCUMENT_ENTRY_ENTRY_UUID, entry_uuid)
        parameters.text(P.DOCUMENT_ENTRY_UNIQUE_ID, unique_id)
        parameters.texts(P.ASSOCIATION_TYPES, association_types)
        parameters.texts(P.DOCUMENT_ENTRY_TYPE, entry_types)
        return self.query(StoredQueryId.GET_RELATED_DOCUMENTS, parameters.values)
