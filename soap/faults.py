"""SOAP 1.2 Part 1 §5.4 (Fault) and ITI TF-3 4.2.4 (RegistryError) — where errors become XML.

This module is the only place a refusal is turned into wire XML:

* :class:`SoapFault` — a SOAP-level refusal (malformed envelope, missing WS-Addressing
  header, unknown action, oversized request …) rendered as an ``env:Fault``
  (SOAP 1.2 Part 1 §5.4), or as a SOAP 1.1 fault when answering a SOAP 1.1 sender
  (SOAP 1.2 Part 1 Appendix A);
* :func:`identity_fault` — a refused caller identity (``soap.identity_errors``: missing,
  unsigned, forged, expired … VIHF assertion) as a Sender fault with its WSS 1.1 §12 subcode;
* :func:`registry_error_response` — a ``registry.errors.RegistryError`` (or a
  ``RegistryErrorList``) raised by a transaction, rendered as the ebRS response of
  that transaction with ``status=Failure`` and an ``rs:RegistryErrorList``
  (ebRS 3.0 §2.1.3, ITI TF-3 4.2.4), answered with HTTP 200;
* :func:`read_registry_errors` — the way back, for this node as the client of a registry on
  another node: each ``rs:RegistryError`` of its answer as the ``registry.errors`` class of
  its code, so a refusal is relayed with the registry's own codes.

Exception tree::

    SoapFault          code (FaultCode), subcodes (QNames), reason, detail, headers
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from enum import StrEnum

from lxml import etree

from registry import errors as registry_errors
from registry.errors import RegistryError
from registry.vocabulary import ErrorCode, ErrorSeverity, ResponseStatus
from registry.vocabulary import Namespace as EbNamespace
from soap.identity_errors import IdentityError
from soap.namespaces import Namespace, clark

# Prefixes used when writing QName-valued text (fault codes, NotUnderstood/@qname).
_PREFIXES: dict[str, str] = {
    Namespace.SOAP12.value: "env",
    Namespace.SOAP11.value: "soap",
    Namespace.WSA.value: "wsa",
    Namespace.WSSE.value: "wsse",
    EbNamespace.RS.value: "rs",
    EbNamespace.RIM.value: "rim",
    EbNamespace.QUERY.value: "query",
    EbNamespace.XDS_B.value: "xdsb",
}


class FaultCode(StrEnum):
    """SOAP 1.2 Part 1 §5.4.6: the fault codes, as the local names of ``env:`` QNames."""

    VERSION_MISMATCH = "VersionMismatch"
    MUST_UNDERSTAND = "MustUnderstand"
    DATA_ENCODING_UNKNOWN = "DataEncodingUnknown"
    SENDER = "Sender"
    RECEIVER = "Receiver"

    @property
    def qname(self) -> etree.QName:
        """The ``env:`` QName written in ``env:Code/env:Value``."""
        return etree.QName(Namespace.SOAP12.value, self.value)

    @property
    def http_status(self) -> int:
        """SOAP 1.2 Part 2 §7.5.2.2, Table 20: only ``env:Sender`` maps to 400, the rest to 500."""
        return 400 if self is FaultCode.SENDER else 500


# SOAP 1.1 §4.4.1 names two of the codes differently.
_SOAP11_CODES = {FaultCode.SENDER: "Client", FaultCode.RECEIVER: "Server"}


class SoapFault(Exception):
    """A SOAP-level refusal, answered as an ``env:Fault`` (SOAP 1.2 Part 1 §5.4).

    ``subcode`` is one QName or a chain of them (outermost first), as WS-Addressing
    1.0 SOAP Binding §6.4 nests ``wsa:InvalidAddressingHeader`` / ``wsa:ActionMismatch``.
    ``headers`` are header blocks the fault message must carry (``env:NotUnderstood``
    §5.4.8, ``env:Upgrade`` §5.4.7). ``soap11`` asks for a SOAP 1.1 fault, the answer
    SOAP 1.2 Part 1 Appendix A prescribes to a SOAP 1.1 sender. ``http_status``
    overrides Table 20 for refusals made at the HTTP level (415).
    """

    def __init__(
        self,
        reason: str,
        *,
        code: FaultCode = FaultCode.SENDER,
        subcode: etree.QName | Sequence[etree.QName] | None = None,
        detail: etree._Element | None = None,
        headers: Sequence[etree._Element] = (),
        soap11: bool = False,
        http_status: int | None = None,
    ) -> None:
        super().__init__(reason)
        self.reason = reason
        self.code = code
        if subcode is None:
            self.subcodes: tuple[etree.QName, ...] = ()
        elif isinstance(subcode, etree.QName):
            self.subcodes = (subcode,)
        else:
            self.subcodes = tuple(subcode)
        self.detail = detail
        self.headers = tuple(headers)
        self.soap11 = soap11
        self.http_status = http_status if http_status is not None else code.http_status

    @property
    def subcode(self) -> etree.QName | None:
        """The outermost subcode, if any."""
        return self.subcodes[0] if self.subcodes else None

    def __repr__(self) -> str:
        codes = "/".join([self.code.value, *(q.localname for q in self.subcodes)])
        return f"SoapFault({codes}: {self.reason!r})"

    def to_element(self) -> etree._Element:
        """The ``env:Fault`` element (SOAP 1.2 Part 1 §5.4), to put in an ``env:Body``."""
        env = Namespace.SOAP12
        fault = etree.Element(clark(env, "Fault"), nsmap={"env": env.value})
        parent = etree.SubElement(fault, clark(env, "Code"))
        _qname_element(parent, clark(env, "Value"), self.code.qname)
        for subcode in self.subcodes:
            parent = etree.SubElement(parent, clark(env, "Subcode"))
            _qname_element(parent, clark(env, "Value"), subcode)
        reason = etree.SubElement(fault, clark(env, "Reason"))
        text = etree.SubElement(reason, clark(env, "Text"))
        text.set(clark(Namespace.XML, "lang"), "en")
        text.text = self.reason
        if self.detail is not None:
            etree.SubElement(fault, clark(env, "Detail")).append(self.detail)
        return fault

    def to_soap11_envelope(self) -> etree._Element:
        """A whole SOAP 1.1 fault envelope (SOAP 1.1 §4.4), carrying ``self.headers``."""
        soap = Namespace.SOAP11
        envelope = etree.Element(clark(soap, "Envelope"), nsmap={"soap": soap.value})
        if self.headers:
            etree.SubElement(envelope, clark(soap, "Header")).extend(self.headers)
        fault = etree.SubElement(
            etree.SubElement(envelope, clark(soap, "Body")), clark(soap, "Fault")
        )
        code = _SOAP11_CODES.get(self.code, self.code.value)
        _qname_element(fault, "faultcode", etree.QName(soap.value, code))
        etree.SubElement(fault, "faultstring").text = self.reason
        return envelope


def _qname_element(parent: etree._Element, tag: str, qname: etree.QName) -> etree._Element:
    """Append ``tag`` with ``qname`` as ``prefix:local`` text, declaring the prefix if needed."""
    uri = qname.namespace or ""
    prefix = next((p for p, ns in parent.nsmap.items() if ns == uri and p), None)
    nsmap: dict[str, str] = {}
    if prefix is None:
        prefix = _PREFIXES.get(uri, "ns1")
        nsmap[prefix] = uri
    element = etree.SubElement(parent, tag, nsmap=nsmap)
    element.text = f"{prefix}:{qname.localname}"
    return element


def not_understood_header(qname: etree.QName) -> etree._Element:
    """SOAP 1.2 Part 1 §5.4.8: ``env:NotUnderstood qname="p:Local"`` for one header block."""
    env = Namespace.SOAP12
    uri = qname.namespace or ""
    prefix = _PREFIXES.get(uri, "ns1") if uri else None
    nsmap = {"env": env.value} | ({prefix: uri} if prefix else {})
    header = etree.Element(clark(env, "NotUnderstood"), nsmap=nsmap)
    header.set("qname", f"{prefix}:{qname.localname}" if prefix else qname.localname)
    return header


def upgrade_header() -> etree._Element:
    """SOAP 1.2 Part 1 §5.4.7: ``env:Upgrade`` naming the one envelope version we support."""
    env = Namespace.SOAP12
    upgrade = etree.Element(clark(env, "Upgrade"), nsmap={"env": env.value})
    supported = etree.SubElement(upgrade, clark(env, "SupportedEnvelope"))
    supported.set("qname", "env:Envelope")
    return upgrade


def identity_fault(error: IdentityError) -> SoapFault:
    """A refused caller identity (``soap.identity_errors``) as a Sender fault (HTTP 400)
    whose subcode is its WSS 1.1 §12 code (``wsse:FailedCheck``, ``wsse:MessageExpired`` …).

    The reason is the error's own, written to be safe for the caller; ``error.internal``
    (certificate subjects, library messages) stays in the server log.
    """
    return SoapFault(
        error.reason,
        code=FaultCode.SENDER,
        subcode=etree.QName(Namespace.WSSE.value, error.fault_code.value),
    )


# --- ebRS rendering of registry errors ---------------------------------------------

# Each builder returns the response element and the element the RegistryErrorList goes in.
_Shape = Callable[[str], "tuple[etree._Element, etree._Element]"]


def _registry_response(status: str) -> tuple[etree._Element, etree._Element]:
    response = etree.Element(
        clark(EbNamespace.RS, "RegistryResponse"),
        nsmap={"rs": EbNamespace.RS.value},
        status=status,
    )
    return response, response


def _adhoc_query_response(status: str) -> tuple[etree._Element, etree._Element]:
    # ITI TF-2a 3.18.4.1.3: a failed query still carries an (empty) RegistryObjectList.
    response = etree.Element(
        clark(EbNamespace.QUERY, "AdhocQueryResponse"),
        nsmap={
            "query": EbNamespace.QUERY.value,
            "rs": EbNamespace.RS.value,
            "rim": EbNamespace.RIM.value,
        },
        status=status,
    )
    etree.SubElement(response, clark(EbNamespace.RIM, "RegistryObjectList"))
    return response, response


def _retrieve_document_set_response(status: str) -> tuple[etree._Element, etree._Element]:
    # ITI TF-2b 3.43.4.2: the RegistryResponse is the first child of the response.
    response = etree.Element(
        clark(EbNamespace.XDS_B, "RetrieveDocumentSetResponse"),
        nsmap={"xdsb": EbNamespace.XDS_B.value, "rs": EbNamespace.RS.value},
    )
    registry_response, _ = _registry_response(status)
    response.append(registry_response)
    return response, registry_response


_SHAPES: dict[str, _Shape] = {
    clark(EbNamespace.RS, "RegistryResponse"): _registry_response,
    clark(EbNamespace.QUERY, "AdhocQueryResponse"): _adhoc_query_response,
    clark(EbNamespace.XDS_B, "RetrieveDocumentSetResponse"): _retrieve_document_set_response,
}

REGISTRY_RESPONSE_ELEMENTS: frozenset[str] = frozenset(_SHAPES)
"""Response elements (Clark names) able to carry an ``rs:RegistryErrorList``."""


def registry_error_response(
    error: RegistryError, *, response_element: etree.QName
) -> etree._Element:
    """Render a registry refusal as the failed ebRS response of the transaction.

    ebRS 3.0 §2.1.3 / ITI TF-3 4.2.4: ``status=Failure`` and an ``rs:RegistryErrorList``
    whose ``highestSeverity`` is the worst of its ``rs:RegistryError`` elements, each with
    ``errorCode``, ``codeContext`` (the reason), ``severity`` and, when known, ``location``.
    For ITI-18 the list sits in a ``query:AdhocQueryResponse`` followed by an empty
    ``rim:RegistryObjectList``; for ITI-43 in the ``rs:RegistryResponse`` heading an
    ``xdsb:RetrieveDocumentSetResponse``. Raises ``KeyError`` for a response element
    that cannot carry registry errors (see :data:`REGISTRY_RESPONSE_ELEMENTS`).
    """
    response, holder = _SHAPES[response_element.text](ResponseStatus.FAILURE.value)
    # The RegistryErrorList precedes any RegistryObjectList (ebRS 3.0 query.xsd).
    holder.insert(0, registry_error_list(error.errors))
    return response


def registry_error_list(errors: Sequence[RegistryError]) -> etree._Element:
    """An ``rs:RegistryErrorList`` of ``errors`` (ebRS 3.0 §2.1.3, ITI TF-3 4.2.4).

    ``highestSeverity`` is the worst of the errors' severities. Besides the failed
    responses above, a response with status PartialSuccess carries one (ITI TF-2b
    3.43.4.2.3: the documents found, and an error for each one that was not).
    """
    severity = (
        ErrorSeverity.ERROR
        if any(e.severity is ErrorSeverity.ERROR for e in errors)
        else ErrorSeverity.WARNING
    )
    error_list = etree.Element(
        clark(EbNamespace.RS, "RegistryErrorList"),
        highestSeverity=severity.value,
    )
    for each in errors:
        item = etree.SubElement(error_list, clark(EbNamespace.RS, "RegistryError"))
        item.set("errorCode", each.error_code.value)
        item.set("codeContext", each.reason)
        if each.location is not None:
            item.set("location", each.location)
        item.set("severity", each.severity.value)
    return error_list


# The registry's exception of each code it reports (ITI TF-3 Table 4.2.4.1-2); other
# codes are read as a plain RegistryError carrying the code.
_ERROR_CLASSES: dict[ErrorCode, type[RegistryError]] = {
    cls.code: cls
    for cls in (
        registry_errors.MetadataError,
        registry_errors.MetadataUpdateError,
        registry_errors.MetadataUpdateOperationError,
        registry_errors.MetadataVersionError,
        registry_errors.PatientIdReconciliationError,
        registry_errors.UnresolvedReference,
        registry_errors.ReferencesExist,
        registry_errors.UnreferencedObject,
        registry_errors.UnknownPatientId,
        registry_errors.PatientIdDoesNotMatch,
        registry_errors.DuplicateUniqueIdInRegistry,
        registry_errors.NonIdenticalHash,
        registry_errors.DuplicateUniqueIdInMessage,
        registry_errors.UnknownStoredQuery,
        registry_errors.StoredQueryMissingParam,
        registry_errors.StoredQueryParamNumber,
        registry_errors.ResultNotSinglePatient,
        registry_errors.TooManyResults,
    )
}


def read_registry_errors(response: etree._Element) -> tuple[RegistryError, ...]:
    """Every ``rs:RegistryError`` under ``response``, as exceptions (ITI TF-3 4.2.4).

    The inverse of :func:`registry_error_list`: each becomes the ``registry.errors``
    class of its ``errorCode`` with its ``codeContext`` as reason, its ``location`` and
    ``severity``. A code outside ITI TF-3 Table 4.2.4.1-2 (a national extension) is
    kept in the reason of an ``XDSRegistryError``: ``ErrorCode`` holds only the standard's.

    >>> from lxml import etree
    >>> answer = etree.fromstring(
    ...     '<rs:RegistryResponse xmlns:rs="urn:oasis:names:tc:ebxml-regrep:xsd:rs:3.0">'
    ...     '<rs:RegistryErrorList><rs:RegistryError errorCode="XDSUnknownPatientId"'
    ...     ' codeContext="unknown" location="P^^^&amp;1.2&amp;ISO"/>'
    ...     '</rs:RegistryErrorList></rs:RegistryResponse>')
    >>> read_registry_errors(answer)
    (UnknownPatientId(XDSUnknownPatientId: 'unknown', location='P^^^&1.2&ISO'),)
    """
    found: list[RegistryError] = []
    for item in response.iter(clark(EbNamespace.RS, "RegistryError")):
        raw_code = item.get("errorCode", "")
        reason = item.get("codeContext", "") or raw_code or "the registry gave no reason"
        try:
            code = ErrorCode(raw_code)
        except ValueError:
            code = ErrorCode.REGISTRY_ERROR
            reason = f"{raw_code or 'error without a code'}: {reason}"
        try:
            severity = ErrorSeverity(item.get("severity", ErrorSeverity.ERROR.value))
        except ValueError:
            severity = ErrorSeverity.ERROR
        cls = _ERROR_CLASSES.get(code, RegistryError)
        found.append(
            cls(
                reason,
                location=item.get("location"),
                code=None if cls is not RegistryError else code,
                severity=severity,
            )
        )
    return tuple(found)
