"""ITI TF-2b 3.41, 3.43 and 3.86 — the Document Repository's SOAP endpoint.

Binds Provide and Register Document Set-b (ITI-41), Retrieve Document Set
(ITI-43) and Remove Documents (ITI-86, IHE RMD) to their actions (ITI TF-2x
Appendix V) at one endpoint,
``/xds/repository``. ITI-41 must come as MTOM/XOP (a plain SOAP request gets a
Sender fault saying so); its ``xdsb:Document`` elements are ``xop:Include``
references to MIME parts, or inline base64 (ITI TF-2b 3.41.4.1.2). ITI-43
requests are accepted as MTOM or plain SOAP — Appendix V has consumers send
MTOM, but the request carries no binary and several stacks send it plain — and
answered as MTOM, each document a binary part streamed from its stored file
(ITI TF-2b 3.43.4.2). ITI-86 carries no binary either way and is answered
with an ``rs:RegistryResponse``.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Mapping, Sequence
from contextlib import ExitStack

from lxml import etree

from registry.audit import Outcome
from registry.audit import Transaction as AuditTransaction
from registry.ebrim import parse_submission
from registry.ebrim import registry_response as ebrs_registry_response
from registry.errors import RegistryErrorList
from registry.storage.database import Database
from registry.vocabulary import Namespace, ResponseStatus, TransactionAction
from repository.document_store import DocumentStore
from repository.errors import DocumentUniqueIdError, RepositoryMetadataError
from repository.provide_and_register import (
    DocumentContent,
    SubmissionCheck,
    provide_and_register,
)
from repository.registration import DocumentRegistry, InProcessRegistry
from repository.remove_documents import parse_remove_documents_request, remove_documents
from repository.retrieve import (
    DocumentRequest,
    RetrieveResult,
    parse_retrieve_request,
    retrieve_documents,
)
from soap.access_control import AccessGuard, GuardFactory
from soap.audit_trail import about_submission, error_codes, record_change
from soap.base64_binary import inline_attachment
from soap.faults import SoapFault, registry_error_list
from soap.mtom import xop_include
from soap.mtom_writer import OutgoingAttachment
from soap.namespaces import clark
from soap.transactions import Service, SoapRequest, SoapResponse, Transaction

__all__ = ["repository_service"]

_XDSB = Namespace.XDS_B
_REGISTRY_RESPONSE = etree.QName(Namespace.RS.value, "RegistryResponse")
_RETRIEVE_RESPONSE = etree.QName(_XDSB.value, "RetrieveDocumentSetResponse")
_PROVIDE_REQUEST = clark(_XDSB, "ProvideAndRegisterDocumentSetRequest")
_SUBMIT_OBJECTS = clark(Namespace.LCM, "SubmitObjectsRequest")
_DOCUMENT = clark(_XDSB, "Document")
# RFC 2045 §5.1 type/subtype, without parameters: what may go in a part's Content-Type.
_MEDIA_TYPE = re.compile(r"[A-Za-z0-9!#$&^_.+-]+/[A-Za-z0-9!#$&^_.+-]+")


class _Repository:
    """The handlers of the repository endpoint, sharing its store and registry."""

    def __init__(
        self,
        database: Database,
        *,
        store: DocumentStore,
        registry: DocumentRegistry,
        repository_unique_id: str,
        spool_bytes: int,
        checks: Sequence[SubmissionCheck],
        access: GuardFactory | None,
    ) -> None:
        self.access = access
        self.database = database
        self.checks = checks
        self.store = store
        self.registry = registry
        self.repository_unique_id = repository_unique_id
        self.spool_bytes = spool_bytes

    def provide_and_register(self, request: SoapRequest) -> SoapResponse:
        """ITI-41: read the metadata and documents, store and register (ITI TF-2b 3.41.4.1.3)."""
        body = request.body
        if body.tag != _PROVIDE_REQUEST:
            raise SoapFault(
                "ITI-41 expects an xdsb:ProvideAndRegisterDocumentSetRequest, not "
                f"{etree.QName(body).localname}"
            )
        submit = body.find(_SUBMIT_OBJECTS)
        if submit is None:
            raise SoapFault(
                "the ProvideAndRegisterDocumentSetRequest has no lcm:SubmitObjectsRequest"
            )
        submission = parse_submission(submit)
        about_submission(request, submission)
        if self.access is not None:
            guard = self.access(request.caller)
            with self.database.snapshot() as store:
                guard.check_feed(store, submission)
        with ExitStack() as inline:
            provide_and_register(
                submission,
                self._documents(request, inline),
                store=self.store,
                registry=self.registry,
                repository_unique_id=self.repository_unique_id,
                checks=self.checks,
                in_transaction=lambda store: record_change(request, store),
            )
        return SoapResponse(body=ebrs_registry_response(status=ResponseStatus.SUCCESS.value))

    def _documents(self, request: SoapRequest, inline: ExitStack) -> Mapping[str, DocumentContent]:
        """Each ``xdsb:Document`` by id: its MTOM part, or its inline base64 decoded."""
        documents: dict[str, DocumentContent] = {}
        for element in request.body.iterchildren(_DOCUMENT):
            document_id = element.get("id") or ""
            if not document_id:
                raise SoapFault("an xdsb:Document has no id attribute (ITI TF-2b 3.41.4.1.2)")
            if document_id in documents:
                raise RepositoryMetadataError(
                    f"two xdsb:Document elements have the id {document_id}", location=document_id
                )
            content: DocumentContent | None = request.attachment_for(element)
            if content is None:
                attachment = inline_attachment(
                    element.text or "",
                    content_id=f"xdsb:Document {document_id}",
                    spool_bytes=self.spool_bytes,
                )
                inline.callback(attachment.close)
                content = attachment
            documents[document_id] = content
        return documents

    def retrieve(self, request: SoapRequest) -> SoapResponse:
        """ITI-43: answer the documents found as MTOM parts (ITI TF-2b 3.43.4.2)."""
        requests = parse_retrieve_request(request.body)
        if request.audit is not None:
            request.audit.about(document_ids=[item.document_unique_id for item in requests])
        unseen: list[DocumentUniqueIdError] = []
        if self.access is not None:
            requests, unseen = self._visible(self.access(request.caller), requests)
            if not requests and unseen:
                raise RegistryErrorList(unseen)
        try:
            result = retrieve_documents(
                self.database,
                self.store,
                requests,
                repository_unique_id=self.repository_unique_id,
                registry=self.registry,
            )
        except RegistryErrorList as failure:
            if unseen:
                raise RegistryErrorList([*failure.errors, *unseen]) from None
            raise
        if unseen:
            result = RetrieveResult(documents=result.documents, errors=(*result.errors, *unseen))
        if request.audit is not None:  # recorded once answered: the documents returned
            request.audit.about(
                document_ids=[document.request.document_unique_id for document in result.documents]
            )
            if result.errors:
                request.audit.conclude(
                    outcome=Outcome.SUCCESS if result.documents else Outcome.REFUSED,
                    detail=error_codes(result.errors),
                )
        try:
            return _retrieve_response(result)
        except BaseException:
            result.close()
            raise

    def _visible(
        self, guard: AccessGuard, requests: Sequence[DocumentRequest]
    ) -> tuple[tuple[DocumentRequest, ...], list[DocumentUniqueIdError]]:
        """The requests for documents the caller may see, and the others answered as unknown
        (DMP: "retrieve of a document the caller may not see is answered as unknown"), with
        the very error an unknown uniqueId gets (ITI TF-2b 3.43.4.2.3)."""
        with self.database.snapshot() as store:
            entries = {
                entry.unique_id: entry
                for entry in store.documents_by_unique_id({r.document_unique_id for r in requests})
            }
            kept: list[DocumentRequest] = []
            unseen: list[DocumentUniqueIdError] = []
            for item in requests:
                entry = entries.get(item.document_unique_id)
                if entry is None or guard.may_see(store, entry):
                    kept.append(item)
                else:
                    unseen.append(
                        DocumentUniqueIdError(
                            f"no document with uniqueId {item.document_unique_id} is stored "
                            f"in repository {item.repository_unique_id}",
                            location=item.document_unique_id,
                        )
                    )
        return tuple(kept), unseen

    def remove_documents(self, request: SoapRequest) -> SoapResponse:
        """ITI-86: remove the documents whose metadata is gone (IHE RMD 3.86.4.1.3)."""
        result = remove_documents(
            self.database,
            self.store,
            parse_remove_documents_request(request.body),
            registry=self.registry,
            repository_unique_id=self.repository_unique_id,
        )
        response = ebrs_registry_response(status=result.status.value)
        if result.errors and request.audit is not None:
            request.audit.conclude(
                outcome=(
                    Outcome.SUCCESS
                    if result.status is ResponseStatus.PARTIAL_SUCCESS
                    else Outcome.REFUSED
                ),
                detail=error_codes(result.errors),
            )
        if result.errors:
            response.append(registry_error_list(result.errors))
        return SoapResponse(body=response)


def _retrieve_response(result: RetrieveResult) -> SoapResponse:
    """``xdsb:RetrieveDocumentSetResponse``: the RegistryResponse, then a DocumentResponse each."""
    response = etree.Element(
        clark(_XDSB, "RetrieveDocumentSetResponse"),
        nsmap={"xdsb": _XDSB.value, "rs": Namespace.RS.value},
    )
    status = etree.SubElement(
        response, clark(Namespace.RS, "RegistryResponse"), status=result.status.value
    )
    if result.errors:
        status.append(registry_error_list(result.errors))
    attachments: list[OutgoingAttachment] = []
    for document in result.documents:
        item = etree.SubElement(response, clark(_XDSB, "DocumentResponse"))
        request = document.request
        for name, value in (
            ("HomeCommunityId", request.home_community_id),
            ("RepositoryUniqueId", request.repository_unique_id),
            ("DocumentUniqueId", request.document_unique_id),
            ("mimeType", document.mime_type),
        ):
            if value is not None:
                etree.SubElement(item, clark(_XDSB, name)).text = value
        content_id = f"{uuid.uuid4().hex}@carnet"
        etree.SubElement(item, clark(_XDSB, "Document")).append(xop_include(content_id))
        attachments.append(
            OutgoingAttachment(
                content_id=content_id,
                content=document.content,
                content_type=(
                    document.mime_type
                    if _MEDIA_TYPE.fullmatch(document.mime_type)
                    else "application/octet-stream"
                ),
            )
        )
    return SoapResponse(body=response, attachments=tuple(attachments))


def repository_service(
    database: Database,
    *,
    store: DocumentStore,
    repository_unique_id: str,
    registry: DocumentRegistry | None = None,
    spool_bytes: int = 1024 * 1024,
    checks: Sequence[SubmissionCheck] = (),
    path: str = "/xds/repository",
    access: GuardFactory | None = None,
) -> Service:
    """The Document Repository endpoint: ITI-41 (MTOM only), ITI-43 and ITI-86.

    ``registry`` is where ITI-41 registers the metadata, and what ITI-43 and ITI-86
    ask about what is registered; by default this node's registry, in ``database``
    (``soap.registry_client`` reaches one on another node). ``spool_bytes`` is how
    much of an inline document is kept in memory before it is spooled to disk.
    ``checks`` are the profile's extra rules for ITI-41 (see
    ``repository.provide_and_register.SubmissionCheck``). With ``access`` (the DMP profile),
    ITI-41 feeds only what the caller's guard lets it feed and ITI-43 answers a document the
    caller may not see as unknown (``soap/access_control.py``).
    """
    repository = _Repository(
        database,
        store=store,
        registry=registry or InProcessRegistry(database, repository_unique_id=repository_unique_id),
        repository_unique_id=repository_unique_id,
        spool_bytes=spool_bytes,
        checks=tuple(checks),
        access=access,
    )
    return Service(
        path=path,
        name="Document Repository",
        transactions=(
            Transaction(
                name="ITI-41 Provide and Register Document Set-b",
                action=TransactionAction.PROVIDE_AND_REGISTER,
                response_action=TransactionAction.PROVIDE_AND_REGISTER.response,
                response_element=_REGISTRY_RESPONSE,
                handler=repository.provide_and_register,
                audited_as=AuditTransaction.ITI_41,
                requires_mtom=True,
            ),
            Transaction(
                name="ITI-43 Retrieve Document Set",
                action=TransactionAction.RETRIEVE,
                response_action=TransactionAction.RETRIEVE.response,
                response_element=_RETRIEVE_RESPONSE,
                handler=repository.retrieve,
                audited_as=AuditTransaction.ITI_43,
            ),
            Transaction(
                name="ITI-86 Remove Documents",
                action=TransactionAction.REMOVE_DOCUMENTS,
                response_action=TransactionAction.REMOVE_DOCUMENTS.response,
                response_element=_REGISTRY_RESPONSE,
                handler=repository.remove_documents,
                audited_as=AuditTransaction.ITI_86,
            ),
        ),
        wsdl=("wsdl/iti41.wsdl", "wsdl/iti43.wsdl", "wsdl/iti86.wsdl"),
    )
