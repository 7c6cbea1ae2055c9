"""ITI TF-2a 3.18 and ITI TF-2b 3.42, 3.44, 3.57, 3.62 — the Document Registry's SOAP endpoints.

Binds the registry's transactions to their actions (ITI TF-2x Appendix V):
Registry Stored Query (ITI-18), Register Document Set-b (ITI-42), Update
Document Set (ITI-57, XDS Metadata Update) and Delete Document Set (ITI-62,
Remove Metadata) at the registry endpoint, Patient Identity Feed HL7 V3
(ITI-44) at the patient feed endpoint. Each request runs in one database
transaction: a submission, update or removal is applied whole or not at all.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence

from lxml import etree

from registry.audit import Transaction as AuditTransaction
from registry.ebrim import (
    adhoc_query_response_xml,
    parse_adhoc_query,
    parse_remove_objects,
    parse_submission,
)
from registry.ebrim import registry_response as ebrs_registry_response
from registry.metadata_update import STATUSES, update_document_set
from registry.model import (
    Association,
    DocumentEntry,
    Folder,
    ObjectRef,
    RegistryObject,
    Submission,
    SubmissionSet,
)
from registry.patient_feed import handle_patient_feed
from registry.register import prepare_registration, register_prepared
from registry.remove_metadata import remove_metadata
from registry.storage.database import Database
from registry.storage.store import RegistryStore
from registry.stored_queries import QueryResult, run_stored_query
from registry.validation import validate_submission
from registry.vocabulary import (
    AssociationType,
    Namespace,
    ResponseStatus,
    ReturnType,
    TransactionAction,
)
from soap.access_control import AccessGuard, GuardFactory
from soap.audit_trail import about_submission, record_change
from soap.transactions import Service, SoapRequest, SoapResponse, Transaction

__all__ = ["patient_feed_service", "registry_service"]

_REGISTRY_RESPONSE = etree.QName(Namespace.RS.value, "RegistryResponse")
_ADHOC_QUERY_RESPONSE = etree.QName(Namespace.QUERY.value, "AdhocQueryResponse")
_ACKNOWLEDGEMENT = etree.QName("urn:hl7-org:v3", "MCCI_IN000002UV01")


class _Registry:
    """The handlers of the registry endpoint, sharing one database."""

    def __init__(
        self,
        database: Database,
        *,
        max_query_results: int,
        access: GuardFactory | None,
        update_statuses: Collection[str] = STATUSES,
    ) -> None:
        self.database = database
        self.max_query_results = max_query_results
        self.access = access
        self.update_statuses = update_statuses

    def register(self, request: SoapRequest) -> SoapResponse:
        """ITI-42: parse, validate and register the submission (ITI TF-2b 3.42.4.1.3)."""
        submission = parse_submission(request.body)
        about_submission(request, submission)
        if self.access is not None:
            guard = self.access(request.caller)
            with self.database.snapshot() as store:
                guard.check_feed(store, submission)
        validate_submission(submission)
        prepared = prepare_registration(submission)  # before the writer lock

        def work(store: RegistryStore) -> None:
            register_prepared(store, prepared)
            record_change(request, store)  # committed with the registration, or not at all

        self.database.write(work)
        return SoapResponse(body=ebrs_registry_response(status=ResponseStatus.SUCCESS.value))

    def update(self, request: SoapRequest) -> SoapResponse:
        """ITI-57: parse, check and apply the metadata update (ITI TF-2b 3.57.4.1.3).

        The access policy and the audit record run in the update's own unit of work:
        the policy judges the state the update changes, and the record commits with it.
        """
        submission = parse_submission(request.body)
        about_submission(request, submission)
        guard = self.access(request.caller) if self.access is not None else None

        def before(store: RegistryStore) -> None:
            self._name_status_targets(request, store, submission)
            if guard is not None:
                guard.check_update(store, submission)

        update_document_set(
            self.database,
            submission,
            statuses=self.update_statuses,
            before=before,
            after=lambda store: record_change(request, store),
        )
        return SoapResponse(body=ebrs_registry_response(status=ResponseStatus.SUCCESS.value))

    @staticmethod
    def _name_status_targets(
        request: SoapRequest, store: RegistryStore, submission: Submission
    ) -> None:
        """Name in the audit record the documents an UpdateAvailabilityStatus changes.

        Their association carries only entryUUIDs; the patient is shown uniqueIds (a TD3.3c
        deletion or TD3.3d archiving must say which document it was).
        """
        targets = [
            association.target_id
            for association in submission.associations
            if association.kind is AssociationType.UPDATE_AVAILABILITY_STATUS
        ]
        if request.audit is None or not targets:
            return
        changed = [entry.unique_id for entry in store.documents(targets)]
        request.audit.about(
            document_ids=[*(entry.unique_id for entry in submission.documents), *changed]
        )

    def delete(self, request: SoapRequest) -> SoapResponse:
        """ITI-62: remove the objects the request names, all or none (ITI TF-2b 3.62.4.1.3)."""
        refs = parse_remove_objects(request.body)
        guard = self.access(request.caller) if self.access is not None else None
        # The documents named, the policy's check, the removal and its audit record: one unit
        # of work, so the check judges the state the removal changes.
        with self.database.unit_of_work() as store:
            if request.audit is not None or guard is not None:
                entries = store.documents([ref.id for ref in refs])
                if request.audit is not None:
                    request.audit.about(
                        patient_id=next((entry.patient_id for entry in entries), None),
                        document_ids=[entry.unique_id for entry in entries],
                    )
                if guard is not None:
                    guard.check_delete(store, entries)
            remove_metadata(store, refs)
            record_change(request, store)
        return SoapResponse(body=ebrs_registry_response(status=ResponseStatus.SUCCESS.value))

    def stored_query(self, request: SoapRequest) -> SoapResponse:
        """ITI-18: run the stored query in a read transaction (ITI TF-2a 3.18.4.1.3)."""
        query = parse_adhoc_query(request.body)
        queried = _queried_patients(query.parameters)
        if request.audit is not None:
            request.audit.about(
                patient_id=queried[0] if len(set(queried)) == 1 else None, query_id=query.query_id
            )
        guard = self.access(request.caller) if self.access is not None else None
        if guard is not None:
            guard.check_patients(queried)
        with self.database.snapshot() as store:
            result = run_stored_query(
                store,
                query_id=query.query_id,
                parameters=query.parameters,
                # Filtering needs the objects themselves; ObjectRefs are made from what is kept.
                return_type=ReturnType.LEAF_CLASS if guard is not None else query.return_type,
                max_results=self.max_query_results,
            )
            if guard is not None:
                objects = _visible(guard, store, result.objects)
                if query.return_type == ReturnType.OBJECT_REF:
                    refs = tuple(
                        ObjectRef(id=obj.entry_uuid, home=obj.home_community_id) for obj in objects
                    )
                    result = QueryResult(return_type=query.return_type, refs=refs)
                else:
                    result = QueryResult(return_type=query.return_type, objects=objects)
        if request.audit is not None:  # recorded once answered: what the caller was shown
            documents = [obj for obj in result.objects if isinstance(obj, DocumentEntry)]
            request.audit.about(document_ids=[entry.unique_id for entry in documents])
        return SoapResponse(
            body=adhoc_query_response_xml(
                result.objects, result.refs, status=ResponseStatus.SUCCESS.value
            )
        )


def _queried_patients(parameters: Mapping[str, Sequence[str]]) -> list[str]:
    """The patient ids a stored query names (``$XDSDocumentEntryPatientId``, ``$patientId``…),
    unquoted (ITI TF-2a 3.18.4.1.2.3.5: values are SQL-quoted strings, lists in parentheses)."""
    found: list[str] = []
    for name, values in parameters.items():
        if name.lower().endswith("patientid"):
            for value in values:
                for item in value.strip().strip("()").split(","):
                    if patient := item.strip().strip("'").strip():
                        found.append(patient)
    return found


def _visible(
    guard: AccessGuard, store: RegistryStore, objects: Sequence[RegistryObject]
) -> tuple[RegistryObject, ...]:
    """What the caller may see of ``objects`` (DMP: hidden documents are answered as absent,
    and so are the associations that would betray them)."""
    hidden: set[str] = set()
    readable: dict[str, bool] = {}
    kept: list[RegistryObject] = []
    for obj in objects:
        if isinstance(obj, DocumentEntry):
            if guard.may_see(store, obj):
                kept.append(obj)
            else:
                hidden.add(obj.entry_uuid)
        elif isinstance(obj, SubmissionSet | Folder):
            if obj.patient_id not in readable:
                readable[obj.patient_id] = guard.may_read_record(store, obj.patient_id)
            if readable[obj.patient_id]:
                kept.append(obj)
            else:
                hidden.add(obj.entry_uuid)
    for obj in objects:
        if isinstance(obj, Association) and not {obj.source_id, obj.target_id} & hidden:
            kept.append(obj)
    order = {id(obj): index for index, obj in enumerate(objects)}
    return tuple(sorted(kept, key=lambda obj: order[id(obj)]))


def registry_service(
    database: Database,
    *,
    max_query_results: int,
    path: str = "/xds/registry",
    access: GuardFactory | None = None,
    update_statuses: Collection[str] = STATUSES,
) -> Service:
    """The Document Registry endpoint: ITI-18, ITI-42, ITI-57 and ITI-62.

    With ``access`` (the DMP profile), ITI-18 answers only what the caller's guard lets it see,
    and ITI-42, ITI-57 and ITI-62 change only what it lets the caller change
    (``soap/access_control.py``). ``update_statuses`` are the availability statuses ITI-57
    may set: IHE's by default, ``registry.metadata_update.DMP_STATUSES`` under the DMP
    profile (TD3.3c/d)."""
    registry = _Registry(
        database,
        max_query_results=max_query_results,
        access=access,
        update_statuses=update_statuses,
    )
    return Service(
        path=path,
        name="Document Registry",
        transactions=(
            Transaction(
                name="ITI-18 Registry Stored Query",
                action=TransactionAction.REGISTRY_STORED_QUERY,
                response_action=TransactionAction.REGISTRY_STORED_QUERY.response,
                response_element=_ADHOC_QUERY_RESPONSE,
                handler=registry.stored_query,
                audited_as=AuditTransaction.ITI_18,
            ),
            Transaction(
                name="ITI-42 Register Document Set-b",
                action=TransactionAction.REGISTER,
                response_action=TransactionAction.REGISTER.response,
                response_element=_REGISTRY_RESPONSE,
                handler=registry.register,
                audited_as=AuditTransaction.ITI_42,
            ),
            Transaction(
                name="ITI-57 Update Document Set",
                action=TransactionAction.UPDATE,
                response_action=TransactionAction.UPDATE.response,
                response_element=_REGISTRY_RESPONSE,
                handler=registry.update,
                audited_as=AuditTransaction.ITI_57,
            ),
            Transaction(
                name="ITI-62 Delete Document Set",
                action=TransactionAction.DELETE,
                response_action=TransactionAction.DELETE.response,
                response_element=_REGISTRY_RESPONSE,
                handler=registry.delete,
                audited_as=AuditTransaction.ITI_62,
            ),
        ),
        wsdl=("wsdl/iti18.wsdl", "wsdl/iti42.wsdl", "wsdl/iti57.wsdl", "wsdl/iti62.wsdl"),
    )


def patient_feed_service(
    database: Database,
    *,
    assigning_authorities: Collection[str] | None = None,
    path: str = "/xds/patient-feed",
) -> Service:
    """The ITI-44 Patient Identity Feed HL7 V3 endpoint of the registry."""

    def feed(request: SoapRequest) -> SoapResponse:
        with database.unit_of_work() as store:
            acknowledgement = handle_patient_feed(
                store, request.body, assigning_authorities=assigning_authorities
            )
        return SoapResponse(body=acknowledgement)

    interactions = ("PRPA_IN201301UV02", "PRPA_IN201302UV02", "PRPA_IN201304UV02")
    names = ("add", "revise", "merge")
    return Service(
        path=path,
        name="Patient Identity Feed",
        transactions=tuple(
            Transaction(
                name=f"ITI-44 Patient Identity Feed HL7 V3 ({name})",
                action=f"urn:hl7-org:v3:{interaction}",
                response_action="urn:hl7-org:v3:MCCI_IN000002UV01",
                response_element=_ACKNOWLEDGEMENT,
                handler=feed,
            )
            for interaction, name in zip(interactions, names, strict=True)
        ),
        wsdl="hl7v3/iti44/iti44-xds.wsdl",
    )
