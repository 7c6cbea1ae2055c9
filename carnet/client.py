"""An XDS.b client on httpx: the same code drives the tests, the CLI and integrators.

It speaks SOAP 1.2 with WS-Addressing (ITI TF-2x Appendix V) through the
envelope code of ``soap/``, so requests are what our server expects of any
peer. Registry refusals come back as :class:`RegistryFailure` carrying the
IHE error codes; SOAP faults as :class:`SoapFaultError`.

Exception tree::

    ClientError
    ├── SoapFaultError      the peer answered a SOAP fault
    └── RegistryFailure     an ebRS response with status Failure (errors: IHE codes)
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from types import TracebackType

import httpx
from lxml import etree

from registry.ebrim import submission_element
from registry.model import Submission
from registry.vocabulary import Namespace, ResponseStatus, ReturnType
from schemas import parse_xml
from soap.addressing import new_message_id
from soap.envelope import build_envelope, serialize
from soap.namespaces import Namespace as SoapNamespace
from soap.namespaces import clark

__all__ = [
    "ClientError",
    "RegistryErrorInfo",
    "RegistryFailure",
    "SoapFaultError",
    "XdsClient",
    "quote_list",
]

_SOAP12 = "application/soap+xml; charset=UTF-8"


class ClientError(Exception):
    """Root of the client's errors."""


class SoapFaultError(ClientError):
    """The server answered a SOAP 1.2 fault."""

    def __init__(self, code: str, subcodes: tuple[str, ...], reason: str, status: int) -> None:
        super().__init__(f"{code} {' '.join(subcodes)}: {reason}".strip())
        self.code = code
        self.subcodes = subcodes
        self.reason = reason
        self.http_status = status


@dataclass(frozen=True, kw_only=True, slots=True)
class RegistryErrorInfo:
    """One ``rs:RegistryError`` of a response (ITI TF-3 4.2.4)."""

    code: str
    context: str
    location: str | None
    severity: str


class RegistryFailure(ClientError):
    """An ebRS response with status Failure (or PartialSuccess, when asked to raise)."""

    def __init__(self, status: str, errors: tuple[RegistryErrorInfo, ...]) -> None:
        summary = "; ".join(f"{e.code}: {e.context}" for e in errors) or status
        super().__init__(summary)
        self.status = status
        self.errors = errors

    @property
    def codes(self) -> tuple[str, ...]:
        return tuple(e.code for e in self.errors)


def quote_list(values: Sequence[str]) -> str:
    """A stored-query list value ``('a','b')`` (ITI TF-2a 3.18.4.1.2.3.5).

    >>> quote_list(["urn:x", "it's"])
    "('urn:x','it''s')"
    """
    return "(" + ",".join("'" + v.replace("'", "''") + "'" for v in values) + ")"


def _registry_errors(response: etree._Element) -> tuple[RegistryErrorInfo, ...]:
    return tuple(
        RegistryErrorInfo(
            code=e.get("errorCode", ""),
            context=e.get("codeContext", ""),
            location=e.get("location"),
            severity=e.get("severity", ""),
        )
        for e in response.iter(f"{{{Namespace.RS.value}}}RegistryError")
    )


class XdsClient:
    """A client of one Carnet node (or any XDS.b registry) at ``base_url``."""

    def __init__(
        self,
        base_url: str,
        *,
        registry_path: str = "/xds/registry",
        patient_feed_path: str = "/xds/patient-feed",
        timeout: float = 60.0,
        http: httpx.Client | None = None,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.registry_url = self.base_url + registry_path
        self.patient_feed_url = self.base_url + patient_feed_path
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

    def call(self, url: str, action: str, body: etree._Element) -> etree._Element:
        """Send ``body`` as a SOAP 1.2 request with ``action``; return the Body's child.

        Raises :class:`SoapFaultError` when the server answers a fault.
        """
        headers = []
        for name, text in (("Action", action), ("MessageID", new_message_id()), ("To", url)):
            header = etree.Element(
                clark(SoapNamespace.WSA, name), nsmap={"wsa": SoapNamespace.WSA.value}
            )
            header.text = text
            if name == "Action":
                header.set(clark(SoapNamespace.SOAP12, "mustUnderstand"), "true")
            headers.append(header)
        payload = serialize(build_envelope(body, headers=headers))
        response = self._http.post(
            url, content=payload, headers={"Content-Type": f'{_SOAP12}; action="{action}"'}
        )
        envelope = parse_xml(response.content)
        body_element = envelope.find(clark(SoapNamespace.SOAP12, "Body"))
        if body_element is None or len(body_element) == 0:
            raise ClientError(f"HTTP {response.status_code}: response has no SOAP Body")
        child = body_element[0]
        if child.tag == clark(SoapNamespace.SOAP12, "Fault"):
            raise _fault(child, response.status_code)
        return child

    # ------------------------------------------------------------------ ITI-42

    def register(self, submission: Submission | etree._Element) -> etree._Element:
        """ITI-42 Register Document Set-b; raises :class:`RegistryFailure` unless Success."""
        body = (
            submission if isinstance(submission, etree._Element) else submission_element(submission)
        )
        response = self.call(self.registry_url, "urn:ihe:iti:2007:RegisterDocumentSet-b", body)
        return _check(response)

    # ------------------------------------------------------------------ ITI-18

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
        request = etree.Element(
            f"{{{Namespace.QUERY.value}}}AdhocQueryRequest",
            nsmap={"query": Namespace.QUERY.value, "rim": Namespace.RIM.value},
        )
        etree.SubElement(
            request,
            f"{{{Namespace.QUERY.value}}}ResponseOption",
            returnComposedObjects="true",
            returnType=return_type.value,
        )
        query = etree.SubElement(request, f"{{{Namespace.RIM.value}}}AdhocQuery", id=query_id)
        for name, value in parameters.items():
            slot = etree.SubElement(query, f"{{{Namespace.RIM.value}}}Slot", name=name)
            value_list = etree.SubElement(slot, f"{{{Namespace.RIM.value}}}ValueList")
            for each in (value,) if isinstance(value, str) else value:
                etree.SubElement(value_list, f"{{{Namespace.RIM.value}}}Value").text = each
        response = self.call(self.registry_url, "urn:ihe:iti:2007:RegistryStoredQuery", request)
        return _check(response, allow_partial=True)

    # ------------------------------------------------------------------ ITI-44

    def patient_feed(self, message: etree._Element) -> etree._Element:
        """ITI-44: send an HL7v3 PRPA message; return the MCCI_IN000002UV01."""
        action = f"urn:hl7-org:v3:{etree.QName(message).localname}"
        return self.call(self.patient_feed_url, action, message)


def _check(response: etree._Element, *, allow_partial: bool = False) -> etree._Element:
    status = response.get("status", "")
    accepted = {ResponseStatus.SUCCESS.value}
    if allow_partial:
        accepted.add(ResponseStatus.PARTIAL_SUCCESS.value)
    if status not in accepted:
        raise RegistryFailure(status, _registry_errors(response))
    return response


def _fault(fault: etree._Element, status: int) -> SoapFaultError:
    env = SoapNamespace.SOAP12.value
    code = fault.findtext(f"{{{env}}}Code/{{{env}}}Value", default="").strip()
    subcodes = tuple(
        (value.text or "").strip()
        for value in fault.iterfind(f".//{{{env}}}Subcode/{{{env}}}Value")
    )
    reason = fault.findtext(f"{{{env}}}Reason/{{{env}}}Text", default="").strip()
    return SoapFaultError(code, subcodes, reason, status)
