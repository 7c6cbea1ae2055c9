"""An XDS.b client on httpx: the same code drives the tests, the CLI and integrators.

It speaks SOAP 1.2 with WS-Addressing (ITI TF-2x Appendix V) through the envelope and
MTOM code of ``soap/``, so requests are what our server expects of any peer:

* ITI-41 Provide and Register Document Set-b (ITI TF-2b 3.41): documents as MTOM/XOP parts
  streamed from their files, with a known ``Content-Length`` (``carnet/provide.py``);
* ITI-42 Register Document Set-b (ITI TF-2b 3.42), ITI-57 Update Document Set and ITI-62
  Delete Document Set (Metadata Update / Remove Metadata supplements);
* ITI-18 Registry Stored Query (ITI TF-2a 3.18): every stored query with typed parameters,
  the LeafClass answer read back into ``registry.model`` (``carnet/responses.py``), and the
  raw :meth:`XdsClient.stored_query`;
* ITI-43 Retrieve Document Set (ITI TF-2b 3.43): the MTOM answer read as a stream, each
  document written to disk and checked against the registry's hash and size
  (``carnet/retrieve.py``);
* ITI-44 Patient Identity Feed HL7 V3 (ITI TF-2b 3.44).

Refusals are exceptions of ``carnet/client_errors.py``: :class:`RegistryFailure` carries the
IHE error codes, :class:`SoapFaultError` a SOAP fault, :class:`TransportFailure` an
unreachable or non-SOAP peer, :class:`DocumentIntegrityError` a retrieved document that does
not match its metadata.
"""

from __future__ import annotations

import copy
import logging
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType, TracebackType

import httpx
from lxml import etree

from carnet.client_errors import (
    ClientError,
    DocumentIntegrityError,
    MalformedResponse,
    RegistryErrorInfo,
    RegistryFailure,
    SoapFaultError,
    TransportFailure,
)
from carnet.provide import DocumentContent, provide_and_register_request
from carnet.responses import (
    QueryResponse,
    RegistryResult,
    read_query_response,
    read_registry_errors,
    read_registry_response,
)
from carnet.retrieve import RetrieveResult, retrieve_request, save_documents
from carnet.signing import signed_submission
from carnet.stored_queries import StoredQueries
from cda.certificates import SigningKey
from registry.ebrim import adhoc_query_request, submission_element
from registry.model import DocumentEntry, Submission
from registry.query_values import quote_list
from registry.vocabulary import (
    ErrorCode,
    ErrorSeverity,
    Namespace,
    ResponseStatus,
    ReturnType,
    StoredQueryId,
    TransactionAction,
)
from schemas import XmlError, parse_xml
from soap.addressing import request_headers
from soap.envelope import build_envelope, serialize
from soap.faults import SoapFault
from soap.mime import parse_media_type
from soap.mtom import Attachment, parse_mtom
from soap.mtom_writer import OutgoingAttachment, build_mtom
from soap.namespaces import Namespace as SoapNamespace
from soap.namespaces import clark
from soap.ws_security import security_header

__all__ = [
    "Action",
    "Answer",
    "ClientError",
    "DocumentIntegrityError",
    "MalformedResponse",
    "QueryResponse",
    "RegistryErrorInfo",
    "RegistryFailure",
    "RegistryResult",
    "RetrieveResult",
    "SoapFaultError",
    "TransportFailure",
    "XdsClient",
    "quote_list",
]

_log = logging.getLogger(__name__)

_SOAP12 = "application/soap+xml; charset=UTF-8"


Action = TransactionAction
"""The ``wsa:Action`` of each request the client sends (named in ``registry.vocabulary``)."""


@dataclass(frozen=True, kw_only=True)
class Answer:
    """A SOAP answer: the Body's child and, for an MTOM answer, its binary parts."""

    body: etree._Element
    attachments: Mapping[str, Attachment]
    http_status: int


class XdsClient(StoredQueries):
    """A client of one Carnet node (or any XDS.b registry and repository) at ``base_url``.

    The typed stored queries (``find_documents``, ``get_documents``, …) come from
    :class:`~carnet.stored_queries.StoredQueries`. With ``assertion`` (a signed SAML 2.0
    assertion, the DMP's VIHF, as bytes or element), every request carries it in a
    ``wsse:Security`` header marked mustUnderstand (``soap/ws_security.py``).
    """

    def __init__(
        self,
        base_url: str,
        *,
        registry_path: str = "/xds/registry",
        repository_path: str = "/xds/repository",
        patient_feed_path: str = "/xds/patient-feed",
        timeout: float = 60.0,
        max_envelope_bytes: int = 256 * 1024 * 1024,
        http: httpx.Client | None = None,
        assertion: bytes | etree._Element | None = None,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        # The caller's signed SAML assertion (DMP VIHF), sent in wsse:Security on every request.
        self._security = None if assertion is None else security_header(assertion)
        self.registry_url = self.base_url + registry_path
        self.repository_url = self.base_url + repository_path
        self.patient_feed_url = self.base_url + patient_feed_path
        self.max_envelope_bytes = max_envelope_bytes
        self._http = http or httpx.Client(timeout=timeout)

    def __enter__(self) -> XdsClient:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()

    def close(self) -> None:
        self._http.close()

    # ------------------------------------------------------------------ transport

    def _headers(self, url: str, action: str) -> list[etree._Element]:
        """WS-Addressing 1.0 request headers (ITI TF-2x Appendix V §V.3.2), then the
        ``wsse:Security`` header carrying the assertion given to the client, if any."""
        headers = request_headers(url, action=action)
        if self._security is not None:
            headers.append(copy.deepcopy(self._security))
        return headers

    @contextmanager
    def exchange(
        self,
        url: str,
        action: str,
        body: etree._Element,
        *,
        mtom: bool = False,
        attachments: Sequence[OutgoingAttachment] = (),
    ) -> Iterator[Answer]:
        """Send ``body`` with ``action``; yield the answer, its MTOM parts open until exit.

        With ``mtom`` (or attachments) the request is an MTOM/XOP package streamed to the
        server with an explicit ``Content-Length`` when every part's size is known. An MTOM
        answer is read as a stream by :func:`soap.mtom.parse_mtom`, its parts spooled to
        temporary files. Raises :class:`TransportFailure` when the node cannot be reached or
        does not answer SOAP, :class:`SoapFaultError` when it answers a fault.
        """
        envelope = serialize(build_envelope(body, headers=self._headers(url, action)))
        chunks = None
        if mtom or attachments:
            package = build_mtom(envelope, attachments, action=action)
            headers = {"Content-Type": package.content_type}
            if package.content_length is not None:
                # httpx sends an iterable chunked unless told its length.
                headers["Content-Length"] = str(package.content_length)
            chunks = package.chunks
            content: bytes | Iterator[bytes] = chunks
        else:
            headers = {"Content-Type": f'{_SOAP12}; action="{action}"'}
            content = envelope
        parts: Mapping[str, Attachment] = MappingProxyType({})
        received = None
        try:
            with self._http.stream("POST", url, content=content, headers=headers) as response:
                media_type = parse_media_type(response.headers.get("content-type", ""))
                if media_type.essence == "multipart/related":
                    try:
                        received = parse_mtom(
                            response.iter_bytes(),
                            media_type,
                            max_root_bytes=self.max_envelope_bytes,
                        )
                    except SoapFault as fault:
                        raise MalformedResponse(
                            f"unreadable MTOM answer from {url}: {fault.reason}",
                            url=url,
                            http_status=response.status_code,
                        ) from None
                    root, parts = received.root, received.attachments
                else:
                    root = response.read()
                status = response.status_code
        except httpx.TransportError as error:
            failed = "cannot reach" if isinstance(error, httpx.ConnectError) else "no answer from"
            raise TransportFailure(
                f"{failed} {url}: {error or type(error).__name__}", url=url
            ) from error
        finally:
            if chunks is not None:
                chunks.close()
        try:
            body_child = self._body(root, url, status)
            yield Answer(body=body_child, attachments=parts, http_status=status)
        finally:
            if received is not None:
                received.close()

    def _body(self, root: bytes, url: str, status: int) -> etree._Element:
        try:
            envelope = parse_xml(root, max_bytes=self.max_envelope_bytes)
        except XmlError:
            raise TransportFailure(
                f"HTTP {status} from {url} is not a SOAP answer", url=url, http_status=status
            ) from None
        body_element = envelope.find(clark(SoapNamespace.SOAP12, "Body"))
        if body_element is None or len(body_element) == 0:
            raise MalformedResponse(
                f"HTTP {status} from {url}: the answer has no SOAP 1.2 Body",
                url=url,
                http_status=status,
            )
        child = body_element[0]
        if child.tag == clark(SoapNamespace.SOAP12, "Fault"):
            raise _fault(child, status)
        return child

    def call(self, url: str, action: str, body: etree._Element) -> etree._Element:
        """Send ``body`` as a plain SOAP 1.2 request with ``action``; return the Body's child."""
        with self.exchange(url, action, body) as answer:
            return answer.body

    # ------------------------------------------------------------------ ITI-41 / 42 / 57 / 62

    def provide_and_register(
        self,
        submission: Submission,
        documents: Mapping[str, DocumentContent],
        *,
        signing_key: SigningKey | None = None,
    ) -> RegistryResult:
        """ITI-41 Provide and Register Document Set-b (ITI TF-2b 3.41).

        ``documents`` maps each DocumentEntry's id to a file (streamed, never read whole)
        or bytes. The repository computes ``hash`` and ``size`` and sets its
        ``repositoryUniqueId``; when the submission gives them they must match. With
        ``signing_key``, the submission is sent with its SubmissionSet Signature (IHE DSG,
        as the DMP requires: :func:`carnet.signing.signed_submission`). Raises
        :class:`RegistryFailure` unless Success.
        """
        if signing_key is not None:
            submission, documents = signed_submission(submission, documents, key=signing_key)
        request, attachments = provide_and_register_request(submission, documents)
        with self.exchange(
            self.repository_url, Action.PROVIDE_AND_REGISTER, request, attachments=attachments
        ) as answer:
            return _checked(read_registry_response(answer.body))

    def register(self, submission: Submission | etree._Element) -> RegistryResult:
        """ITI-42 Register Document Set-b; raises :class:`RegistryFailure` unless Success."""
        return self._submit(Action.REGISTER, submission)

    def update(self, submission: Submission | etree._Element) -> RegistryResult:
        """ITI-57 Update Document Set (XDS Metadata Update 3.57.4.1).

        ``submission`` carries the new versions (each with its ``lid`` and a HasMember
        with the ``PreviousVersion`` slot) and/or UpdateAvailabilityStatus associations.
        """
        return self._submit(Action.UPDATE, submission)

    def _submit(self, action: Action, submission: Submission | etree._Element) -> RegistryResult:
        body = (
            submission if isinstance(submission, etree._Element) else submission_element(submission)
        )
        return _checked(read_registry_response(self.call(self.registry_url, action, body)))

    def delete(self, object_ids: Iterable[str]) -> RegistryResult:
        """ITI-62 Delete Document Set: ``lcm:RemoveObjectsRequest`` of these entryUUIDs.

        Remove Metadata and Documents 3.62.4.1.2: the objects are named in a
        ``rim:ObjectRefList``; the registry refuses the whole request if any reference
        cannot be resolved or removal would leave dangling associations.
        """
        lcm, rim = Namespace.LCM.value, Namespace.RIM.value
        request = etree.Element(f"{{{lcm}}}RemoveObjectsRequest", nsmap={"lcm": lcm, "rim": rim})
        refs = etree.SubElement(request, f"{{{rim}}}ObjectRefList")
        for object_id in object_ids:
            etree.SubElement(refs, f"{{{rim}}}ObjectRef", id=object_id)
        response = self.call(self.registry_url, Action.DELETE, request)
        return _checked(read_registry_response(response))

    def remove_documents(
        self,
        repository_unique_id: str,
        document_unique_ids: Iterable[str],
        *,
        home_community_id: str | None = None,
    ) -> RegistryResult:
        """ITI-86 Remove Documents: ask the repository to remove these documents.

        Remove Metadata and Documents 3.86.4.1.2: an ``rmd:RemoveDocumentsRequest`` of
        ``xdsb:DocumentRequest``s; remove their metadata first (:meth:`delete`). Returns
        the result of a Success or PartialSuccess (its errors name the documents not
        removed); raises :class:`RegistryFailure` when none was removed.
        """
        rmd = Namespace.RMD.value
        retrieve = retrieve_request(
            repository_unique_id, document_unique_ids, home_community_id=home_community_id
        )
        request = etree.Element(f"{{{rmd}}}RemoveDocumentsRequest", nsmap={"rmd": rmd})
        request.extend(retrieve.iterchildren())
        result = read_registry_response(
            self.call(self.repository_url, Action.REMOVE_DOCUMENTS, request)
        )
        if result.status == ResponseStatus.PARTIAL_SUCCESS:
            return result
        return _checked(result)

    # ------------------------------------------------------------------ ITI-18, raw

    def stored_query(
        self,
        query_id: str,
        parameters: Mapping[str, str | Sequence[str]],
        *,
        return_type: ReturnType = ReturnType.LEAF_CLASS,
    ) -> etree._Element:
        """ITI-18 Registry Stored Query with raw parameter values (already quoted).

        A parameter given as a sequence is sent as several ``rim:Value``s.
        Returns the ``query:AdhocQueryResponse``; raises :class:`RegistryFailure`
        unless its status is Success or PartialSuccess.
        """
        request = adhoc_query_request(query_id, parameters, return_type=return_type)
        response = self.call(self.registry_url, Action.REGISTRY_STORED_QUERY, request)
        status = response.get("status", "")
        if status not in (ResponseStatus.SUCCESS, ResponseStatus.PARTIAL_SUCCESS):
            raise RegistryFailure(status, read_registry_errors(response))
        return response

    def query(
        self,
        query_id: StoredQueryId | str,
        parameters: Mapping[str, str | Sequence[str]],
        *,
        return_type: ReturnType = ReturnType.LEAF_CLASS,
    ) -> QueryResponse:
        """ITI-18 with raw parameters, the answer read into the model."""
        result = read_query_response(
            self.stored_query(str(query_id), parameters, return_type=return_type)
        )
        for error in result.errors:
            _log.warning("stored query %s: %s: %s", query_id, error.code, error.context)
        return result

    # ------------------------------------------------------------------ ITI-43

    def retrieve(
        self,
        repository_unique_id: str,
        document_unique_ids: Iterable[str],
        out_dir: Path | str,
        *,
        expected: Mapping[str, DocumentEntry] | None = None,
        verify: bool = True,
        home_community_id: str | None = None,
    ) -> RetrieveResult:
        """ITI-43 Retrieve Document Set (ITI TF-2b 3.43): write the documents to ``out_dir``.

        Each document's SHA-1 and size are checked against ``expected`` (uniqueId →
        DocumentEntry) or, when not given and ``verify`` is on, against the registry's
        metadata fetched with GetDocuments. Returns the documents written and, for a
        PartialSuccess, the errors about the others; raises :class:`RegistryFailure` when
        none could be returned and :class:`DocumentIntegrityError` when some bytes
        contradict the metadata (those are not kept; the rest are).
        """
        unique_ids = list(document_unique_ids)
        if expected is None and verify:
            expected = self.entries_by_unique_id(unique_ids)
        result = self._retrieve(
            repository_unique_id, unique_ids, Path(out_dir), expected, home_community_id
        )
        return _retrieved(result)

    def download(
        self,
        document_unique_ids: Iterable[str],
        out_dir: Path | str,
        *,
        repository_unique_id: str | None = None,
    ) -> RetrieveResult:
        """Retrieve documents knowing only their uniqueIds: ITI-18, then ITI-43.

        GetDocuments tells each document's repository (unless ``repository_unique_id`` is
        given), hash and size; each repository is then asked for its documents. A uniqueId
        the registry does not know, with no repository given, is reported as an
        ``XDSDocumentUniqueIdError`` of the result. Raises like :meth:`retrieve`.
        """
        unique_ids = list(dict.fromkeys(document_unique_ids))
        entries = self.entries_by_unique_id(unique_ids)
        groups: dict[str, list[str]] = {}
        unknown: list[RegistryErrorInfo] = []
        for unique_id in unique_ids:
            entry = entries.get(unique_id)
            repository = repository_unique_id
            if repository is None and entry is not None:
                repository = entry.repository_unique_id
            if repository:
                groups.setdefault(repository, []).append(unique_id)
            else:
                unknown.append(
                    RegistryErrorInfo(
                        code=ErrorCode.DOCUMENT_UNIQUE_ID_ERROR.value,
                        context="the registry knows no DocumentEntry with this uniqueId",
                        location=unique_id,
                        severity=ErrorSeverity.ERROR.value,
                    )
                )
        result = RetrieveResult(
            status=ResponseStatus.FAILURE if unknown else ResponseStatus.SUCCESS,
            errors=tuple(unknown),
        )
        for index, (repository, members) in enumerate(groups.items()):
            found = self._retrieve(repository, members, Path(out_dir), entries, None)
            result = found if index == 0 and not unknown else result.merged(found)
        return _retrieved(result)

    def _retrieve(
        self,
        repository_unique_id: str,
        unique_ids: Sequence[str],
        out_dir: Path,
        expected: Mapping[str, DocumentEntry] | None,
        home_community_id: str | None,
    ) -> RetrieveResult:
        request = retrieve_request(
            repository_unique_id, unique_ids, home_community_id=home_community_id
        )
        with self.exchange(self.repository_url, Action.RETRIEVE, request, mtom=True) as answer:
            return save_documents(answer.body, answer.attachments, out_dir, expected=expected)

    def entries_by_unique_id(self, unique_ids: Sequence[str]) -> dict[str, DocumentEntry]:
        """The registry's DocumentEntries for these uniqueIds (GetDocuments), those it knows.

        GetDocuments refuses ids of several patients at once (``XDSResultNotSinglePatient``):
        the ids are then asked one by one.
        """
        if not unique_ids:
            return {}
        try:
            found = self.get_documents(unique_ids=unique_ids)
        except RegistryFailure:
            if len(unique_ids) == 1:
                return {}
            found = []
            for unique_id in unique_ids:
                try:
                    found += self.get_documents(unique_ids=[unique_id])
                except RegistryFailure:
                    continue
        return {entry.unique_id: entry for entry in found}

    # ------------------------------------------------------------------ ITI-44

    def patient_feed(self, message: etree._Element) -> etree._Element:
        """ITI-44: send an HL7v3 PRPA message; return the MCCI_IN000002UV01."""
        action = f"urn:hl7-org:v3:{etree.QName(message).localname}"
        return self.call(self.patient_feed_url, action, message)


def _checked(result: RegistryResult) -> RegistryResult:
    """The result of a Success; :class:`RegistryFailure` for anything else (ITI TF-3 4.2.4)."""
    if result.status != ResponseStatus.SUCCESS:
        raise RegistryFailure(str(result.status), result.errors)
    for error in result.errors:
        _log.warning("%s: %s", error.code, error.context)
    return result


def _retrieved(result: RetrieveResult) -> RetrieveResult:
    if result.mismatches:
        raise DocumentIntegrityError(result.mismatches, result)
    if not result.documents and result.status not in (
        ResponseStatus.SUCCESS,
        ResponseStatus.PARTIAL_SUCCESS,
    ):
        raise RegistryFailure(str(result.status), result.errors)
    return result


def _fault(fault: etree._Element, status: int) -> SoapFaultError:
    env = SoapNamespace.SOAP12.value
    code = fault.findtext(f"{{{env}}}Code/{{{env}}}Value", default="").strip()
    subcodes = tuple(
        (value.text or "").strip()
        for value in fault.iterfind(f".//{{{env}}}Subcode/{{{env}}}Value")
    )
    reason = fault.findtext(f"{{{env}}}Reason/{{{env}}}Text", default="").strip()
    return SoapFaultError(code, subcodes, reason, status)
