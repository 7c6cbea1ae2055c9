"""ITI TF-2b 3.42 and ITI TF-2a 3.18 — this node's SOAP client of a Document Registry elsewhere.

When ``carnet serve`` is given a registry URL, its Document Repository registers
the metadata of each ITI-41 there (Register Document Set-b, ITI-42) and asks it,
to settle registrations whose answer was lost, which documents it has (Registry
Stored Query GetDocuments, ITI-18). :class:`RegistryClient` is that
:class:`~repository.remote_registration.RegistryConnection`: plain SOAP 1.2
requests (``application/soap+xml``) with WS-Addressing (ITI TF-2x Appendix V),
built with :mod:`soap.envelope` and :mod:`soap.addressing`, metadata written and
read by ``registry.ebrim``.

What comes back is sorted by what it says of the registry's state, which is what
the repository's atomicity rests on:

* Success returns;
* ``status=Failure`` raises the registry's errors as the ``registry.errors``
  classes of their codes (:func:`soap.faults.read_registry_errors`), so the
  ITI-41 answer carries the registry's own codes; a Sender fault (the registry
  would not process our request) is an ``XDSRegistryError`` naming it. Nothing
  was registered;
* no connection (refused, DNS, connect timeout) is
  :class:`~repository.errors.RegistryNotAvailable`: nothing was sent;
* a lost or unusable answer — read timeout, connection broken after sending, a
  Receiver fault, an HTTP answer that is not SOAP or not the expected ebRS
  response — is :class:`~repository.errors.RegistryNotAvailable` with ``in_doubt``:
  the registry may have committed.

``carnet.app`` builds one client per server process (``create_app`` runs once per
worker): its ``httpx.Client`` pools keep-alive connections and is shared by the
worker's threads.
"""

from __future__ import annotations

import logging
from collections.abc import Collection, Iterator, Sequence

import httpx
from lxml import etree

from registry.ebrim import adhoc_query_request, parse_registry_objects, submission_element
from registry.ebrim import names as ebrim_names
from registry.errors import RegistryError, RegistryErrorList, ResultNotSinglePatient
from registry.model import DocumentEntry, Submission
from registry.query_parameters import QueryParameter
from registry.query_values import quote_list
from registry.vocabulary import (
    ErrorSeverity,
    ResponseStatus,
    StoredQueryId,
    TransactionAction,
)
from repository.errors import RegistryNotAvailable
from schemas import XmlError, parse_xml
from soap.addressing import request_headers
from soap.envelope import build_envelope, parse_envelope, serialize
from soap.faults import FaultCode, SoapFault, read_registry_errors
from soap.mime import parse_media_type
from soap.mtom import parse_mtom
from soap.namespaces import Namespace, clark

__all__ = ["DEFAULT_TIMEOUT", "RegistryClient"]

_log = logging.getLogger(__name__)

DEFAULT_TIMEOUT = httpx.Timeout(60.0, connect=5.0)
"""An unreachable registry is told in 5 s; a registration may take up to a minute."""

_MAX_ANSWER_BYTES = 64 * 1024 * 1024
_QUERY_BATCH = 100
"""uniqueIds per GetDocuments: answers stay a few hundred KB."""

# Failures before anything reached the registry: it cannot have committed.
_NOT_SENT = (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout, httpx.UnsupportedProtocol)
_UNDERSTOOD_HEADERS = (f"{{{Namespace.WSA.value}}}*",)
_REGISTRY_RESPONSE = clark(ebrim_names.RS, "RegistryResponse")
_QUERY_RESPONSE = clark(ebrim_names.QUERY, "AdhocQueryResponse")
_FAULT = clark(Namespace.SOAP12, "Fault")


class RegistryClient:
    """A Document Registry at ``url`` (its ``/xds/registry`` endpoint), over SOAP 1.2."""

    def __init__(
        self,
        url: str,
        *,
        timeout: httpx.Timeout = DEFAULT_TIMEOUT,
        max_answer_bytes: int = _MAX_ANSWER_BYTES,
        http: httpx.Client | None = None,
    ) -> None:
        self.url = url
        self.max_answer_bytes = max_answer_bytes
        self._http = http or httpx.Client(timeout=timeout)

    def close(self) -> None:
        """Close the pooled connections."""
        self._http.close()

    def register(self, submission: Submission) -> None:
        """ITI-42 Register Document Set-b; return on Success (ITI TF-2b 3.42.4.2)."""
        answer = self._exchange(TransactionAction.REGISTER, submission_element(submission))
        if answer.tag != _REGISTRY_RESPONSE:
            raise self._garbage(f"answered {etree.QName(answer).localname} to ITI-42")
        self._check_status(answer, allowed=(ResponseStatus.SUCCESS,))

    def get_documents(self, unique_ids: Collection[str]) -> list[DocumentEntry]:
        """ITI-18 GetDocuments by uniqueId (ITI TF-2a 3.18.4.1.2.3.7.5), LeafClass.

        Ids of several patients are asked one by one when the registry refuses them
        together (``XDSResultNotSinglePatient``).
        """
        found: list[DocumentEntry] = []
        for batch in _batches(list(dict.fromkeys(unique_ids)), _QUERY_BATCH):
            try:
                found += self._get_documents(batch)
            except ResultNotSinglePatient:
                for unique_id in batch:
                    found += self._get_documents([unique_id])
        return found

    def _get_documents(self, unique_ids: Sequence[str]) -> list[DocumentEntry]:
        answer = self._exchange(TransactionAction.REGISTRY_STORED_QUERY, _get_documents(unique_ids))
        if answer.tag != _QUERY_RESPONSE:
            raise self._garbage(f"answered {etree.QName(answer).localname} to ITI-18")
        self._check_status(answer, allowed=(ResponseStatus.SUCCESS, ResponseStatus.PARTIAL_SUCCESS))
        try:
            objects = parse_registry_objects(answer.find(ebrim_names.REGISTRY_OBJECT_LIST))
        except RegistryError as error:
            raise self._garbage(f"answered an unreadable DocumentEntry: {error.reason}") from None
        return list(objects.documents)

    # ------------------------------------------------------------------ transport

    def _exchange(self, action: TransactionAction, body: etree._Element) -> etree._Element:
        """POST ``body`` as a SOAP 1.2 request with ``action``; the answer's Body child."""
        envelope = serialize(build_envelope(body, headers=request_headers(self.url, action=action)))
        headers = {"Content-Type": f'application/soap+xml; charset=UTF-8; action="{action}"'}
        try:
            with self._http.stream("POST", self.url, content=envelope, headers=headers) as answer:
                status = answer.status_code
                content_type = answer.headers.get("content-type", "")
                data = self._read(answer.iter_bytes())
        except _NOT_SENT as error:
            raise RegistryNotAvailable(
                f"cannot reach the registry at {self.url}: {error or type(error).__name__}"
            ) from error
        except httpx.TransportError as error:
            raise RegistryNotAvailable(
                f"no answer from the registry at {self.url}: {error or type(error).__name__}",
                in_doubt=True,
            ) from error
        return self._body(status, content_type, data)

    def _read(self, chunks: Iterator[bytes]) -> bytes:
        data = bytearray()
        for chunk in chunks:
            data += chunk
            if len(data) > self.max_answer_bytes:
                raise self._garbage(f"answered more than {self.max_answer_bytes} bytes")
        return bytes(data)

    def _body(self, status: int, content_type: str, data: bytes) -> etree._Element:
        """The Body child of a SOAP 1.2 answer, plain or MTOM; faults raised."""
        media_type = parse_media_type(content_type)
        try:
            if media_type.essence == "multipart/related":
                package = parse_mtom([data], media_type, max_root_bytes=self.max_answer_bytes)
                try:
                    data = package.root
                finally:
                    package.close()
            envelope = parse_envelope(
                parse_xml(data, max_bytes=self.max_answer_bytes), understood=_UNDERSTOOD_HEADERS
            )
        except (XmlError, SoapFault):
            raise self._garbage(f"answered HTTP {status} that is not a SOAP 1.2 answer") from None
        if envelope.body.tag == _FAULT:
            raise self._fault(envelope.body)
        return envelope.body

    def _check_status(self, answer: etree._Element, *, allowed: tuple[ResponseStatus, ...]) -> None:
        """Return on an allowed status, logging any warning; raise the errors of a Failure."""
        status = answer.get("status", "")
        errors = read_registry_errors(answer)
        if status in allowed:
            for warning in errors:
                _log.log(
                    logging.WARNING if warning.severity is ErrorSeverity.WARNING else logging.ERROR,
                    "registry at %s: %r",
                    self.url,
                    warning,
                )
            return
        if status != ResponseStatus.FAILURE:
            raise self._garbage(f"answered the status {status!r}")
        if not errors:
            raise RegistryError(f"the registry at {self.url} answered Failure without an error")
        raise errors[0] if len(errors) == 1 else RegistryErrorList(errors)

    def _fault(self, fault: etree._Element) -> RegistryError:
        """A SOAP fault of the registry: a Sender fault refuses, a Receiver fault leaves doubt."""
        env = Namespace.SOAP12.value
        code = fault.findtext(f"{{{env}}}Code/{{{env}}}Value", default="").strip()
        reason = fault.findtext(f"{{{env}}}Reason/{{{env}}}Text", default="").strip()
        said = f"the registry at {self.url} answered a SOAP fault {code}: {reason}"
        if code.rpartition(":")[2] == FaultCode.RECEIVER.value:
            return RegistryNotAvailable(said, in_doubt=True)
        return RegistryError(said)

    def _garbage(self, what: str) -> RegistryNotAvailable:
        return RegistryNotAvailable(f"the registry at {self.url} {what}", in_doubt=True)


def _get_documents(unique_ids: Sequence[str]) -> etree._Element:
    """``query:AdhocQueryRequest`` for GetDocuments by ``$XDSDocumentEntryUniqueId``."""
    return adhoc_query_request(
        StoredQueryId.GET_DOCUMENTS.value,
        {QueryParameter.DOCUMENT_ENTRY_UNIQUE_ID.value: quote_list(unique_ids)},
    )


def _batches(values: Sequence[str], size: int) -> Iterator[Sequence[str]]:
    for start in range(0, len(values), size):
        yield values[start : start + size]
