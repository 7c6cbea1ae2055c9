"""SOAP 1.2 Part 2 §7 (SOAP HTTP Binding) — the WSGI application serving the SOAP endpoints.

One :class:`SoapApplication` serves every :class:`~soap.transactions.Service`,
routed by ``PATH_INFO``. A POST is read under the size caps, unpacked (plain
``application/soap+xml`` or MTOM ``multipart/related``), parsed by the one
hardened parser (``schemas.parse_xml``), checked (envelope, mustUnderstand,
WS-Addressing), dispatched by ``wsa:Action`` to the transaction's handler, and the
answer written in the packaging the request used. A service that identifies its callers
(``Service.identify``, the DMP's VIHF) runs that first; a refused identity
(``soap.identity_errors.IdentityError``, from it or from the handler) is answered by
``soap.faults.identity_fault``. ``GET <path>?wsdl`` publishes
the WSDL (see :mod:`soap.wsdl`).

HTTP status codes (SOAP 1.2 Part 2 Table 20): 200 for responses, including the
ebRS ``Failure`` responses of registry errors (ITI TF-3 4.2.4: errors are reported
in the transaction's RegistryResponse, not as faults); 400 for ``env:Sender``
faults; 500 for the other faults; 415 for a media type that is neither SOAP 1.2
nor MTOM (Part 2 §7.5.1.2); 404/405 for unknown paths and methods. Faults go back
as plain ``application/soap+xml`` even to an MTOM request — every stack reads them.
"""

from __future__ import annotations

import dataclasses
import logging
import re
import uuid
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping, Sequence
from http import HTTPStatus
from types import MappingProxyType
from typing import Any
from urllib.parse import parse_qs, quote

from registry.errors import RegistryError
from schemas import XmlError, parse_xml
from soap.addressing import Addressing, AddressingUri, read_addressing, reply_headers
from soap.envelope import Envelope, build_envelope, parse_envelope, serialize, serialize_envelope
from soap.faults import (
    REGISTRY_RESPONSE_ELEMENTS,
    FaultCode,
    SoapFault,
    identity_fault,
    registry_error_response,
    upgrade_header,
)
from soap.http_body import RequestBody
from soap.identity_errors import IdentityError
from soap.mime import MediaType, action_uri, parse_media_type
from soap.mtom import MtomPackage, parse_mtom
from soap.mtom_writer import build_mtom
from soap.namespaces import Namespace, clark
from soap.transactions import Service, SoapRequest, SoapResponse, Transaction
from soap.wsdl import schema_document, schemas_folder, wsdl_document

__all__ = ["SoapApplication"]

_log = logging.getLogger(__name__)

StartResponse = Callable[..., Any]
_SOAP12_TYPE = "application/soap+xml"
_SOAP_FAULT_CODES = frozenset(
    {FaultCode.VERSION_MISMATCH, FaultCode.MUST_UNDERSTAND, FaultCode.DATA_ENCODING_UNKNOWN}
)
_HOST = re.compile(r"^[A-Za-z0-9.\-]+(:\d+)?$|^\[[0-9A-Fa-f:.]+\](:\d+)?$")
_DRAIN_LIMIT = 8 * 1024 * 1024


class SoapApplication:
    """The WSGI callable serving ``services``.

    ``max_request_bytes`` caps a whole request body (MTOM parts included);
    ``max_envelope_bytes`` caps the XML envelope (a plain body or the MTOM root part).
    ``understood_headers`` lists the Clark names (``{ns}local``, or ``{ns}*`` for a
    namespace) of header blocks something downstream processes, such as
    ``wsse:Security``; WS-Addressing headers are always understood.
    """

    def __init__(
        self,
        services: Sequence[Service],
        *,
        max_request_bytes: int,
        max_envelope_bytes: int,
        understood_headers: Collection[str] = (),
        spool_bytes: int = 1024 * 1024,
        max_memory_bytes: int = 16 * 1024 * 1024,
    ) -> None:
        self._services: dict[str, Service] = {}
        for service in services:
            key = _route(service.path)
            if key in self._services:
                raise ValueError(f"two services at {service.path}")
            self._services[key] = service
        self.max_request_bytes = max_request_bytes
        self.max_envelope_bytes = max_envelope_bytes
        self.spool_bytes = spool_bytes
        self.max_memory_bytes = max_memory_bytes
        self.understood = frozenset({clark(Namespace.WSA, "*"), *understood_headers})

    def __call__(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        service = self._services.get(_route(environ.get("PATH_INFO") or "/"))
        if service is None:
            return _plain(start_response, 404, f"no SOAP service at {environ.get('PATH_INFO')}\n")
        method = environ.get("REQUEST_METHOD", "GET")
        if method == "GET":
            query = {
                k.lower(): v for k, v in parse_qs(environ.get("QUERY_STRING", ""), True).items()
            }
            if "wsdl" in query or "xsd" in query:
                return self._publish(service, query, environ, start_response)
        if method != "POST":
            return _plain(
                start_response,
                405,
                f"{service.name} answers SOAP 1.2 POST requests; "
                f"GET {service.path}?wsdl for its WSDL\n",
                [("Allow", "POST, GET")],
            )
        return self._post(service, environ, start_response)

    # --- POST ----------------------------------------------------------------

    def _post(
        self, service: Service, environ: dict[str, Any], start_response: StartResponse
    ) -> Iterable[bytes]:
        exchange = _Exchange()
        try:
            transaction, request = self._read(service, environ, exchange)
            response = _audited(service, transaction, request)
            return self._respond(transaction, request, response, exchange, start_response)
        except IdentityError as error:
            # The caller's identity (or its claim on the patient) is refused: WSS 1.1 §12.
            _log.info(
                "identity refused to %s on %s: %r (%s)",
                environ.get("REMOTE_ADDR"),
                environ.get("PATH_INFO"),
                error,
                error.internal,
            )
            return self._fault(identity_fault(error), exchange, start_response)
        except SoapFault as fault:
            _log.info(
                "SOAP fault to %s on %s: %r",
                environ.get("REMOTE_ADDR"),
                environ.get("PATH_INFO"),
                fault,
            )
            return self._fault(fault, exchange, start_response)
        except Exception:
            incident = uuid.uuid4()
            _log.exception("incident %s: unexpected error serving %s", incident, service.path)
            internal = SoapFault(
                f"the server could not process the request (incident {incident})",
                code=FaultCode.RECEIVER,
            )
            return self._fault(internal, exchange, start_response)

    def _read(
        self, service: Service, environ: dict[str, Any], exchange: _Exchange
    ) -> tuple[Transaction, SoapRequest]:
        """Read and check the request up to the transaction it asks for (SOAP 1.2 Part 1 §2.6)."""
        exchange.body = RequestBody(environ, max_bytes=self.max_request_bytes)
        media = parse_media_type(environ.get("CONTENT_TYPE") or "")
        data, exchange.package, media_action = self._unpack(media, exchange.body)
        try:
            root = parse_xml(data, max_bytes=self.max_envelope_bytes)
        except XmlError as exc:
            raise SoapFault(str(exc)) from None
        exchange.envelope = envelope = parse_envelope(root, understood=self.understood)
        exchange.addressing = read_addressing(envelope.headers, media_action=media_action)
        transaction = service.transaction_for(exchange.addressing.action)
        package = exchange.package
        if (service.requires_mtom or transaction.requires_mtom) and package is None:
            raise SoapFault(
                f"MTOM/XOP required: {transaction.name} must be sent as "
                'multipart/related; type="application/xop+xml" (ITI TF-2x Appendix V)'
            )
        request = SoapRequest(
            body=envelope.body,
            headers=envelope.headers,
            addressing=exchange.addressing,
            attachments=package.attachments if package is not None else {},
            mtom=package is not None,
            remote_addr=environ.get("REMOTE_ADDR"),
            http_headers=_http_headers(environ),
        )
        if service.identify is not None:
            try:
                caller = service.identify(request)
            except IdentityError as error:
                if service.audit is not None and transaction.audited_as is not None:
                    service.audit.identity_refused(request, transaction.audited_as, error)
                raise
            request = dataclasses.replace(request, caller=caller)
        return transaction, request

    def _respond(
        self,
        transaction: Transaction,
        request: SoapRequest,
        response: SoapResponse,
        exchange: _Exchange,
        start_response: StartResponse,
    ) -> Iterable[bytes]:
        """Answer in the request's packaging; MTOM too when the response carries parts."""
        action = transaction.response_action
        headers = reply_headers(request.addressing.message_id, action=action)
        data = serialize_envelope(response.body, headers=headers)
        package = exchange.package
        closers = [package.close] if package is not None else []
        if package is None and not response.attachments:
            content_type = f'{_SOAP12_TYPE}; charset=UTF-8; action="{action}"'
            return _send(start_response, 200, content_type, [data], len(data), closers)
        mtom = build_mtom(data, response.attachments, action=action)
        if not response.attachments:
            # An MTOM answer without parts (ITI-41's RegistryResponse): all in memory, so
            # sent as one piece (granian writes a list at once, pulls an iterator piecewise).
            whole = b"".join(mtom.chunks)
            return _send(start_response, 200, mtom.content_type, [whole], len(whole), closers)
        closers.append(mtom.chunks.close)
        return _send(
            start_response, 200, mtom.content_type, mtom.chunks, mtom.content_length, closers
        )

    def _unpack(
        self, media: MediaType, body: RequestBody
    ) -> tuple[bytes, MtomPackage | None, str | None]:
        """The envelope bytes, the MTOM package (if any) and the media type's action."""
        if media.essence == _SOAP12_TYPE:
            data = body.read(max_bytes=self.max_envelope_bytes, what="SOAP envelope")
            return data, None, action_uri(media.param("action"))
        if media.essence == "multipart/related":
            body.check_declared_length()
            package = parse_mtom(
                body.chunks(),
                media,
                max_root_bytes=self.max_envelope_bytes,
                spool_bytes=self.spool_bytes,
                max_memory_bytes=self.max_memory_bytes,
            )
            try:
                return package.root, package, package.action(media)
            except SoapFault:
                package.close()
                raise
        if media.essence == "text/xml":
            raise SoapFault(
                "text/xml is the SOAP 1.1 media type: this node speaks SOAP 1.2 "
                "(application/soap+xml)",
                code=FaultCode.VERSION_MISMATCH,
                headers=(upgrade_header(),),
                soap11=True,
            )
        raise SoapFault(
            f"unsupported media type {media.essence or '(none)'!r}: send application/soap+xml "
            'or multipart/related; type="application/xop+xml"',
            http_status=415,
        )

    def _fault(
        self, fault: SoapFault, exchange: _Exchange, start_response: StartResponse
    ) -> Iterable[bytes]:
        if exchange.package is not None:
            exchange.package.close()
        if exchange.body is not None:
            exchange.body.drain(limit=_DRAIN_LIMIT)
        if fault.soap11:
            data = serialize(fault.to_soap11_envelope())
            content_type = "text/xml; charset=UTF-8"
            return _send(start_response, fault.http_status, content_type, [data], len(data))
        soap_defined = fault.code in _SOAP_FAULT_CODES
        action = (AddressingUri.SOAP_FAULT if soap_defined else AddressingUri.FAULT).value
        addressing = exchange.addressing
        relates_to = (
            addressing.message_id if addressing is not None else _message_id(exchange.envelope)
        )
        headers = [*fault.headers, *reply_headers(relates_to, action=action)]
        data = serialize(build_envelope(fault.to_element(), headers=headers))
        content_type = f'{_SOAP12_TYPE}; charset=UTF-8; action="{action}"'
        return _send(start_response, fault.http_status, content_type, [data], len(data))

    # --- GET ?wsdl / ?xsd ------------------------------------------------------

    def _publish(
        self,
        service: Service,
        query: dict[str, list[str]],
        environ: dict[str, Any],
        start_response: StartResponse,
    ) -> Iterable[bytes]:
        wsdls = service.wsdls
        folder = schemas_folder(wsdls)
        endpoint = _request_url(environ)
        try:
            if "xsd" in query:
                data = schema_document(query["xsd"][0], folder=folder, endpoint_url=endpoint)
            else:
                data = wsdl_document(
                    _pick_wsdl(wsdls, query["wsdl"][0]), folder=folder, endpoint_url=endpoint
                )
        except FileNotFoundError:
            return _plain(start_response, 404, f"no such WSDL or schema for {service.path}\n")
        return _send(start_response, 200, "text/xml; charset=UTF-8", [data], len(data))


class _Exchange:
    """What is known of the request so far: a fault answers with as much of it as it can."""

    def __init__(self) -> None:
        self.body: RequestBody | None = None
        self.package: MtomPackage | None = None
        self.envelope: Envelope | None = None
        self.addressing: Addressing | None = None


def _audited(service: Service, transaction: Transaction, request: SoapRequest) -> SoapResponse:
    """Run the handler under an audit scope when the service audits this transaction
    (``soap/audit_trail.py``): a refusal is recorded apart, a success once answered unless the
    handler recorded it in its unit of work."""
    if service.audit is None or transaction.audited_as is None:
        return _handle(transaction, request)
    scope = service.audit.open(request, transaction.audited_as)
    try:
        response = _handle(
            transaction, dataclasses.replace(request, audit=scope), on_refusal=scope.failed
        )
    except BaseException as error:
        scope.failed(error)
        raise
    scope.succeeded()
    return response


def _handle(
    transaction: Transaction,
    request: SoapRequest,
    *,
    on_refusal: Callable[[BaseException], None] | None = None,
) -> SoapResponse:
    """Run the handler; a registry refusal becomes the failed ebRS response (HTTP 200)."""
    try:
        return transaction.handler(request)
    except RegistryError as error:
        if transaction.response_element.text not in REGISTRY_RESPONSE_ELEMENTS:
            raise
        _log.info("%s refused: %r", transaction.name, error)
        if on_refusal is not None:
            on_refusal(error)
        body = registry_error_response(error, response_element=transaction.response_element)
        return SoapResponse(body=body)


def _pick_wsdl(wsdls: Sequence[str], name: str) -> str:
    """``?wsdl`` → the first WSDL; ``?wsdl=iti42`` → the one whose file name is ``iti42.wsdl``."""
    if not wsdls:
        raise FileNotFoundError("no WSDL")
    name = name.strip().lower()
    if not name:
        return wsdls[0]
    for wsdl in wsdls:
        stem = wsdl.rsplit("/", 1)[-1].lower()
        if name in (stem, stem.removesuffix(".wsdl")):
            return wsdl
    raise FileNotFoundError(name)


def _http_headers(environ: dict[str, Any]) -> Mapping[str, str]:
    """The request's header fields by lower-case name, from PEP 3333's ``HTTP_*`` variables."""
    return MappingProxyType(
        {
            key[5:].replace("_", "-").lower(): value
            for key, value in environ.items()
            if key.startswith("HTTP_") and isinstance(value, str)
        }
    )


def _request_url(environ: dict[str, Any]) -> str:
    """The URL the client used, without query (PEP 3333 "URL Reconstruction")."""
    scheme = environ.get("wsgi.url_scheme", "http")
    host = environ.get("HTTP_HOST", "")
    if not _HOST.match(host):
        host = environ.get("SERVER_NAME", "localhost")
        port = str(environ.get("SERVER_PORT", ""))
        if port and port != {"http": "80", "https": "443"}.get(scheme):
            host = f"{host}:{port}"
    path = quote(environ.get("SCRIPT_NAME", "")) + quote(environ.get("PATH_INFO", ""))
    return f"{scheme}://{host}{path}"


def _route(path: str) -> str:
    return path.rstrip("/") or "/"


def _message_id(envelope: Envelope | None) -> str | None:
    """The request's wsa:MessageID, read leniently for a fault raised before WS-Addressing was."""
    if envelope is None:
        return None
    for block in envelope.headers:
        if block.tag == clark(Namespace.WSA, "MessageID"):
            return (block.text or "").strip() or None
    return None


class _Body:
    """A WSGI response iterable whose ``close()`` releases the request's resources (PEP 3333)."""

    def __init__(self, chunks: Iterable[bytes], closers: Sequence[Callable[[], None]]) -> None:
        self._chunks = chunks
        self._closers = closers

    def __iter__(self) -> Iterator[bytes]:
        return iter(self._chunks)

    def close(self) -> None:
        _release(self._closers)


def _release(closers: Sequence[Callable[[], None]]) -> None:
    """Run each closer of the request's resources; one failing does not stop the others."""
    for close in closers:
        try:
            close()
        except Exception:
            _log.exception("error while releasing request resources")


def _send(
    start_response: StartResponse,
    status: int,
    content_type: str,
    chunks: Iterable[bytes],
    length: int | None,
    closers: Sequence[Callable[[], None]] = (),
) -> Iterable[bytes]:
    headers = [("Content-Type", content_type)]
    if length is not None:
        headers.append(("Content-Length", str(length)))
    start_response(f"{status} {HTTPStatus(status).phrase}", headers)
    if isinstance(chunks, list):
        # Already in memory: the request's resources can go now, and the server gets
        # a list, which it sends at once (PEP 3333 leaves close() to iterables).
        _release(closers)
        return chunks
    return _Body(chunks, closers)


def _plain(
    start_response: StartResponse, status: int, text: str, extra: Sequence[tuple[str, str]] = ()
) -> Iterable[bytes]:
    data = text.encode("utf-8")
    start_response(
        f"{status} {HTTPStatus(status).phrase}",
        [("Content-Type", "text/plain; charset=UTF-8"), ("Content-Length", str(len(data))), *extra],
    )
    return [data]
