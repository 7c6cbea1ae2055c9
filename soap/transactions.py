"""ITI TF-2x Appendix V §V.3 — transactions as records, services as tables of them.

A :class:`Transaction` is one row of the catalogue IHE publishes per actor: its
name, the ``wsa:Action`` of the request and of the response (ITI TF-2a/2b, the
"Web Services Transport" section of each transaction), the ebRS element the
response is written in, and the handler. A :class:`Service` is an endpoint (one
HTTP path) holding the transactions it answers, looked up by action in a dict
built once — never a chain of ``if action == …``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import TYPE_CHECKING

from lxml import etree

from registry.audit import Transaction as AuditTransaction
from soap.addressing import Addressing, problem_action, wsa_qname
from soap.faults import SoapFault
from soap.mtom import Attachment, include_content_id
from soap.mtom_writer import OutgoingAttachment

if TYPE_CHECKING:
    from soap.audit_trail import AuditScope, AuditTrail

__all__ = ["CallerResolver", "Handler", "Service", "SoapRequest", "SoapResponse", "Transaction"]


@dataclass(frozen=True, kw_only=True)
class SoapRequest:
    """What a transaction handler receives: a checked SOAP 1.2 request."""

    body: etree._Element
    """The single child of ``env:Body`` (e.g. ``lcm:SubmitObjectsRequest``)."""
    headers: tuple[etree._Element, ...]
    """All header blocks, in order (``wsse:Security`` included, when configured)."""
    addressing: Addressing
    """The WS-Addressing properties of the request."""
    attachments: Mapping[str, Attachment] = field(default_factory=lambda: MappingProxyType({}))
    """MTOM parts by Content-ID; empty for a plain SOAP request."""
    mtom: bool = False
    """Whether the request was an MTOM/XOP package."""
    remote_addr: str | None = None
    """The peer's address as the WSGI server reports it (``REMOTE_ADDR``)."""
    http_headers: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))
    """The HTTP request's header fields by lower-case name (PEP 3333 ``HTTP_*`` variables,
    ``_`` read as ``-``): what a trusted proxy forwards, such as the client certificate."""
    caller: object | None = None
    """Who is calling, as the service's :data:`CallerResolver` established it (under the DMP
    profile, the verified VIHF); opaque to ``soap``, None when the service identifies nobody."""
    audit: AuditScope | None = None
    """The audit record of this request, opened by ``soap/wsgi.py`` when the service is audited
    (``soap/audit_trail.py``): a change records it in its own unit of work."""

    def attachment_for(self, element: etree._Element) -> Attachment | None:
        """The part ``element``'s ``xop:Include`` points at (XOP 1.0 §3).

        ``None`` when ``element`` holds its content inline (base64 text); a Sender
        fault when the include points at no part of the package.
        """
        content_id = include_content_id(element)
        if content_id is None:
            return None
        attachment = self.attachments.get(content_id)
        if attachment is None:
            raise SoapFault(
                f"xop:Include refers to cid:{content_id}, which is not in the MIME package"
            )
        return attachment


@dataclass(frozen=True, kw_only=True)
class SoapResponse:
    """What a transaction handler returns."""

    body: etree._Element | bytes
    """The response element (e.g. ``rs:RegistryResponse``), put in ``env:Body``; or that
    element already serialized (UTF-8, no XML declaration), spliced in as is."""
    attachments: tuple[OutgoingAttachment, ...] = ()
    """Binary parts, referenced from ``body`` by ``xop:Include`` (forces an MTOM response)."""


CallerResolver = Callable[[SoapRequest], object]
"""Establishes who calls before the handler runs (OASIS WSS 1.1: the token in ``wsse:Security``);
raises ``soap.identity_errors.IdentityError`` to refuse the request (a Sender fault)."""

Handler = Callable[[SoapRequest], SoapResponse]
"""A transaction's implementation. It may raise ``registry.errors.RegistryError`` (rendered
as an ebRS failure response) or :class:`~soap.faults.SoapFault`."""


@dataclass(frozen=True, kw_only=True)
class Transaction:
    """One IHE transaction an endpoint answers."""

    name: str
    """E.g. ``"ITI-42 Register Document Set-b"``."""
    action: str
    """The request's ``wsa:Action``, e.g. ``urn:ihe:iti:2007:RegisterDocumentSet-b``."""
    response_action: str
    """The response's ``wsa:Action``, e.g. ``urn:ihe:iti:2007:RegisterDocumentSet-bResponse``."""
    response_element: etree.QName
    """The element the response (and a registry failure) is written in (``rs:RegistryResponse``)."""
    handler: Handler = field(compare=False)
    """The implementation."""
    requires_mtom: bool = False
    """Refuse this transaction as plain SOAP, when others of its service accept it
    (ITI-41 must carry its documents as MTOM/XOP; ITI-43 requests may come either way)."""
    audited_as: AuditTransaction | None = None
    """The ATNA ``EventTypeCode`` this transaction is audited as, when its service is audited
    (``Service.audit``); None: never audited."""


@dataclass(frozen=True, kw_only=True)
class Service:
    """An endpoint: one HTTP path, its transactions and the WSDLs describing them."""

    path: str
    """The HTTP path it is served at, e.g. ``"/xds/registry"``."""
    name: str
    """Human name used in messages, e.g. ``"Document Registry"``."""
    transactions: tuple[Transaction, ...]
    """The transactions answered here; their actions must differ."""
    wsdl: str | tuple[str, ...] = ()
    """WSDL(s) relative to the ``schemas`` package (``"wsdl/iti42.wsdl"``); the first is default."""
    requires_mtom: bool = False
    """Refuse plain SOAP requests (ITI-41 and ITI-43 are MTOM/XOP only: ITI TF-2b 3.41, 3.43)."""
    identify: CallerResolver | None = field(default=None, compare=False)
    """Run on every request before its handler, its answer put in ``SoapRequest.caller``
    (the DMP profile's VIHF check); None: callers are not identified (plain IHE XDS.b)."""
    audit: AuditTrail | None = field(default=None, compare=False)
    """Where requests to its ``audited_as`` transactions are audited, allowed or refused
    (``soap/audit_trail.py``); None: not audited."""
    _by_action: Mapping[str, Transaction] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        table: dict[str, Transaction] = {}
        for transaction in self.transactions:
            if transaction.action in table:
                raise ValueError(f"{self.path}: two transactions answer {transaction.action}")
            table[transaction.action] = transaction
        object.__setattr__(self, "_by_action", MappingProxyType(table))
        if not self.path.startswith("/"):
            raise ValueError(f"service path {self.path!r} must start with '/'")

    @property
    def wsdls(self) -> tuple[str, ...]:
        """The WSDL paths as a tuple."""
        return (self.wsdl,) if isinstance(self.wsdl, str) else self.wsdl

    @property
    def actions(self) -> Sequence[str]:
        """The request actions this service answers."""
        return tuple(self._by_action)

    def transaction_for(self, action: str) -> Transaction:
        """The transaction answering ``action``.

        Raises a ``wsa:ActionNotSupported`` fault (WS-Addressing SOAP Binding §6.4.4) if none.
        """
        transaction = self._by_action.get(action)
        if transaction is None:
            raise SoapFault(
                f"The [action] {action!r} cannot be processed at the receiver: the endpoint "
                f"{self.path} ({self.name}) accepts {', '.join(self.actions)}",
                subcode=wsa_qname("ActionNotSupported"),
                detail=problem_action(action),
            )
        return transaction
