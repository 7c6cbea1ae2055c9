"""Fixtures of the SOAP layer's tests: dummy transactions, a WSGI harness, a loopback server.

The dummy services stand in for the registry and repository: they answer with what
the SOAP layer handed them (actions, attachments, hashes) so each test can check one
rule of SOAP 1.2, WS-Addressing 1.0 or MTOM/XOP. Network use is fenced to loopback.
"""

from __future__ import annotations

import io
import socketserver
import sys
import threading
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any
from wsgiref.simple_server import ServerHandler, WSGIRequestHandler, WSGIServer

import pytest
from lxml import etree

from carnet.client import XdsClient
from registry.errors import MetadataError, RegistryErrorList, UnknownPatientId
from soap import (
    OutgoingAttachment,
    Service,
    SoapApplication,
    SoapFault,
    SoapRequest,
    SoapResponse,
    Transaction,
    xop_include,
)
from soap.namespaces import Namespace
from tests.live_server import LiveServer

SOAP12 = Namespace.SOAP12.value
SOAP11 = Namespace.SOAP11.value
WSA = Namespace.WSA.value
XOP = Namespace.XOP.value
RS = "urn:oasis:names:tc:ebxml-regrep:xsd:rs:3.0"
QUERY = "urn:oasis:names:tc:ebxml-regrep:xsd:query:3.0"
RIM = "urn:oasis:names:tc:ebxml-regrep:xsd:rim:3.0"
XDSB = "urn:ihe:iti:xds-b:2007"
TEST = "urn:carnet:test"
NS = {"env": SOAP12, "wsa": WSA, "rs": RS, "query": QUERY, "rim": RIM, "xdsb": XDSB, "t": TEST}

ITI18 = "urn:ihe:iti:2007:RegistryStoredQuery"
ITI41 = "urn:ihe:iti:2007:ProvideAndRegisterDocumentSet-b"
ITI42 = "urn:ihe:iti:2007:RegisterDocumentSet-b"
ITI43 = "urn:ihe:iti:2007:RetrieveDocumentSet"
SUCCESS = "urn:oasis:names:tc:ebxml-regrep:ResponseStatusType:Success"

MAX_REQUEST = 32 * 1024 * 1024
MAX_ENVELOPE = 256 * 1024

# --- dummy handlers ----------------------------------------------------------------


def _registry_response(_request: SoapRequest) -> SoapResponse:
    return SoapResponse(body=etree.Element(f"{{{RS}}}RegistryResponse", status=SUCCESS))


def _stored_query(request: SoapRequest) -> SoapResponse:
    """ITI-18 stand-in: refuses with two registry errors when asked to (``t:refuse``, or the
    query id ``urn:carnet:test:refuse``)."""
    query_id = request.body.find(f"{{{RIM}}}AdhocQuery")
    asked = query_id is not None and query_id.get("id") == "urn:carnet:test:refuse"
    if asked or request.body.find(".//{urn:carnet:test}refuse") is not None:
        raise RegistryErrorList(
            [
                UnknownPatientId(
                    "patient 123^^^&1.2.3&ISO is unknown", location="123^^^&1.2.3&ISO"
                ),
                MetadataError("$XDSDocumentEntryStatus is missing"),
            ]
        )
    response = etree.Element(f"{{{QUERY}}}AdhocQueryResponse", status=SUCCESS)
    etree.SubElement(response, f"{{{RIM}}}RegistryObjectList")
    return SoapResponse(body=response)


def _echo(request: SoapRequest) -> SoapResponse:
    """Tells what the SOAP layer handed over: action, message id, MTOM, parts, includes."""
    echo = etree.Element(f"{{{TEST}}}Echo", nsmap={"t": TEST})
    echo.set("action", request.addressing.action)
    echo.set("mtom", str(request.mtom).lower())
    echo.set("headers", str(len(request.headers)))
    for attachment in request.attachments.values():
        etree.SubElement(
            echo,
            f"{{{TEST}}}Attachment",
            contentId=attachment.content_id,
            contentType=attachment.content_type,
            size=str(attachment.size),
            sha1=attachment.sha1,
            inMemory=str(attachment.in_memory).lower(),
        )
    for include in request.body.iter(f"{{{XOP}}}Include"):
        parent = include.getparent()
        assert parent is not None
        resolved = request.attachment_for(parent)
        assert resolved is not None
        etree.SubElement(
            echo, f"{{{TEST}}}Resolved", id=parent.get("id", ""), sha1=resolved.sha1
        ).text = resolved.read()[:16].decode("latin-1")
    return SoapResponse(body=echo)


def _retrieve(request: SoapRequest) -> SoapResponse:
    """ITI-43 stand-in: answers one document, given as a file, an iterable or bytes."""
    size = int(request.body.get("size", "11"))
    kind = request.body.get("kind", "bytes")
    content: bytes | io.BytesIO | Iterator[bytes]
    data = (b"0123456789" * (size // 10 + 1))[:size]
    if kind == "file":
        content = io.BytesIO(data)
    elif kind == "iterable":
        content = iter([data[: size // 2], data[size // 2 :]])
    else:
        content = data
    response = etree.Element(f"{{{XDSB}}}RetrieveDocumentSetResponse", nsmap={"xdsb": XDSB})
    etree.SubElement(response, f"{{{RS}}}RegistryResponse", status=SUCCESS)
    document = etree.SubElement(
        etree.SubElement(response, f"{{{XDSB}}}DocumentResponse"), f"{{{XDSB}}}Document"
    )
    document.append(xop_include("doc-1@carnet"))
    return SoapResponse(
        body=response,
        attachments=(
            OutgoingAttachment(
                content_id="doc-1@carnet", content=content, content_type="text/plain"
            ),
        ),
    )


def _boom(_request: SoapRequest) -> SoapResponse:
    raise RuntimeError("database password is hunter2")


def _handler_fault(_request: SoapRequest) -> SoapResponse:
    raise SoapFault("the handler refuses", subcode=etree.QName(TEST, "Refused"))


def _transaction(name: str, action: str, handler: Any, response: tuple[str, str]) -> Transaction:
    return Transaction(
        name=name,
        action=action,
        response_action=action + "Response",
        response_element=etree.QName(*response),
        handler=handler,
    )


def services() -> list[Service]:
    """The dummy endpoints: a registry, a repository and a test bench."""
    return [
        Service(
            path="/xds/registry",
            name="Document Registry",
            transactions=(
                _transaction(
                    "ITI-18 Registry Stored Query",
                    ITI18,
                    _stored_query,
                    (QUERY, "AdhocQueryResponse"),
                ),
                _transaction(
                    "ITI-42 Register Document Set-b",
                    ITI42,
                    _registry_response,
                    (RS, "RegistryResponse"),
                ),
            ),
            wsdl=("wsdl/iti18.wsdl", "wsdl/iti42.wsdl"),
        ),
        Service(
            path="/xds/repository",
            name="Document Repository",
            transactions=(
                _transaction(
                    "ITI-41 Provide and Register Document Set-b",
                    ITI41,
                    _echo,
                    (RS, "RegistryResponse"),
                ),
            ),
            wsdl="wsdl/iti41.wsdl",
            requires_mtom=True,
        ),
        Service(
            path="/xds/retrieve",
            name="Document Repository (retrieve)",
            transactions=(
                _transaction(
                    "ITI-43 Retrieve Document Set",
                    ITI43,
                    _retrieve,
                    (XDSB, "RetrieveDocumentSetResponse"),
                ),
            ),
            wsdl="wsdl/iti43.wsdl",
        ),
        Service(
            path="/test",
            name="Test bench",
            transactions=(
                _transaction("echo", "urn:test:echo", _echo, (TEST, "Echo")),
                _transaction("boom", "urn:test:boom", _boom, (RS, "RegistryResponse")),
                _transaction("fault", "urn:test:fault", _handler_fault, (RS, "RegistryResponse")),
            ),
        ),
    ]


@pytest.fixture(scope="session")
def app() -> SoapApplication:
    return SoapApplication(
        services(),
        max_request_bytes=MAX_REQUEST,
        max_envelope_bytes=MAX_ENVELOPE,
        understood_headers=(f"{{{Namespace.WSSE.value}}}Security",),
    )


# --- messages ----------------------------------------------------------------------


def envelope(
    body: str = "<t:Ping/>",
    *,
    action: str | None = "urn:test:echo",
    message_id: str | None = "urn:uuid:6f6b0f9e-3c2a-4bfa-9a0e-000000000001",
    headers: str = "",
    namespace: str = SOAP12,
    declaration: bool = False,
) -> bytes:
    """A SOAP envelope with WS-Addressing headers around ``body``."""
    blocks = []
    if action is not None:
        blocks.append(f"<wsa:Action>{action}</wsa:Action>")
    if message_id is not None:
        blocks.append(f"<wsa:MessageID>{message_id}</wsa:MessageID>")
    blocks.append(
        "<wsa:ReplyTo><wsa:Address>http://www.w3.org/2005/08/addressing/anonymous</wsa:Address></wsa:ReplyTo>"
    )
    text = (
        f'<env:Envelope xmlns:env="{namespace}" xmlns:wsa="{WSA}" xmlns:t="{TEST}" '
        f'xmlns:xdsb="{XDSB}" xmlns:xop="{XOP}">'
        f"<env:Header>{''.join(blocks)}{headers}</env:Header>"
        f"<env:Body>{body}</env:Body></env:Envelope>"
    )
    prefix = "<?xml version='1.0' encoding='UTF-8'?>" if declaration else ""
    return (prefix + text).encode("utf-8")


SOAP12_TYPE = "application/soap+xml; charset=UTF-8"


def mtom(
    root: bytes,
    parts: Iterable[tuple[str, str, bytes]] = (),
    *,
    boundary: str = "MIMEBoundary_urn_uuid_2C8C2E7B4E1B0B8F9A1700000000001",
) -> tuple[str, bytes]:
    """An Axis2-shaped MTOM request: ``(content type, body)`` for ``(cid, type, data)`` parts."""
    delimiter = f"--{boundary}\r\n".encode()
    body = (
        delimiter
        + b'Content-Type: application/xop+xml; charset=UTF-8; type="application/soap+xml"\r\n'
        + b"Content-Transfer-Encoding: binary\r\nContent-ID: <root.message@carnet.test>\r\n\r\n"
        + root
        + b"\r\n"
    )
    for content_id, content_type, data in parts:
        body += (
            delimiter
            + f"Content-Type: {content_type}\r\nContent-Transfer-Encoding: binary\r\n".encode()
            + f"Content-ID: <{content_id}>\r\n\r\n".encode()
            + data
            + b"\r\n"
        )
    body += f"--{boundary}--\r\n".encode()
    content_type = (
        f'multipart/related; boundary={boundary}; type="application/xop+xml"; '
        'start="<root.message@carnet.test>"; start-info="application/soap+xml"'
    )
    return content_type, body


# --- WSGI harness ------------------------------------------------------------------


@dataclass
class Result:
    """An HTTP answer, from the WSGI harness or the loopback server."""

    status: int
    headers: dict[str, str]
    body: bytes
    closed: bool = field(default=False)

    @property
    def content_type(self) -> str:
        return self.headers.get("content-type", "")

    @property
    def xml(self) -> etree._Element:
        return etree.fromstring(self.body)

    def fault(self) -> tuple[str, list[str], str]:
        """``(code, subcodes, reason)`` of a SOAP 1.2 fault, QNames as ``prefix:local`` text."""
        fault = self.xml.find("env:Body/env:Fault", NS)
        assert fault is not None, self.body.decode("utf-8", "replace")
        code = fault.findtext("env:Code/env:Value", namespaces=NS) or ""
        subcodes = [v.text or "" for v in fault.iterfind("env:Code//env:Subcode/env:Value", NS)]
        reason = fault.findtext("env:Reason/env:Text", namespaces=NS) or ""
        return code, subcodes, reason


def call(
    app: Callable[..., Iterable[bytes]],
    body: bytes | Iterable[bytes] = b"",
    content_type: str = SOAP12_TYPE,
    *,
    path: str = "/test",
    method: str = "POST",
    query: str = "",
    chunked: bool = False,
    host: str = "carnet.example:8443",
) -> Result:
    """Drive the WSGI app in-process (PEP 3333), like a server would."""
    data = body if isinstance(body, bytes) else b"".join(body)
    environ: dict[str, Any] = {
        "REQUEST_METHOD": method,
        "PATH_INFO": path,
        "SCRIPT_NAME": "",
        "QUERY_STRING": query,
        "CONTENT_TYPE": content_type,
        "SERVER_NAME": "localhost",
        "SERVER_PORT": "8080",
        "HTTP_HOST": host,
        "REMOTE_ADDR": "127.0.0.1",
        "wsgi.url_scheme": "https",
        "wsgi.input": io.BytesIO(data),
        "wsgi.errors": sys.stderr,
    }
    if chunked:
        environ["wsgi.input_terminated"] = True
    else:
        environ["CONTENT_LENGTH"] = str(len(data))
    captured: dict[str, Any] = {}

    def start_response(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> None:
        captured["status"] = int(status.split()[0])
        captured["headers"] = {k.lower(): v for k, v in headers}

    iterable = app(environ, start_response)
    try:
        out = b"".join(iterable)
    finally:
        close = getattr(iterable, "close", None)
        if close is not None:
            close()
    return Result(status=captured["status"], headers=captured["headers"], body=out, closed=True)


# --- loopback server ---------------------------------------------------------------


class _ChunkedReader(io.RawIOBase):
    """Decodes a ``Transfer-Encoding: chunked`` request body (RFC 9112 §7.1) for wsgiref."""

    def __init__(self, raw: Any) -> None:
        self._raw = raw
        self._left = 0
        self._done = False

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        if self._done:
            return 0
        if self._left == 0:
            line = self._raw.readline(65537)
            size = int(line.split(b";")[0].strip() or b"0", 16)
            if size == 0:
                while self._raw.readline(65537) not in (b"\r\n", b"\n", b""):
                    pass  # trailers
                self._done = True
                return 0
            self._left = size
        data = self._raw.read(min(len(buffer), self._left))
        self._left -= len(data)
        if self._left == 0:
            self._raw.readline(3)  # CRLF after the chunk
        buffer[: len(data)] = data
        return len(data)


class _Handler(WSGIRequestHandler):
    """wsgiref's handler, plus chunked request bodies (as gunicorn decodes them)."""

    def handle(self) -> None:
        self.raw_requestline = self.rfile.readline(65537)
        if not self.parse_request():
            return
        environ = self.get_environ()
        stdin: Any = self.rfile
        if self.headers.get("Transfer-Encoding", "").lower() == "chunked":
            stdin = io.BufferedReader(_ChunkedReader(self.rfile))
            environ["wsgi.input_terminated"] = True
        wfile: Any = self.wfile
        handler = ServerHandler(stdin, wfile, self.get_stderr(), environ, multithread=True)
        handler.request_handler = self  # type: ignore[attr-defined]
        handler.run(self.server.get_app())  # type: ignore[attr-defined]

    def log_message(self, format: str, *args: Any) -> None:
        pass


class _ThreadingServer(socketserver.ThreadingMixIn, WSGIServer):
    daemon_threads = True


@pytest.fixture
def serve() -> Iterator[Callable[[Callable[..., Iterable[bytes]]], str]]:
    """Start a WSGI app on 127.0.0.1 (port 0) in a background thread; yields its base URL."""
    servers: list[_ThreadingServer] = []

    def start(wsgi_app: Callable[..., Iterable[bytes]]) -> str:
        server = _ThreadingServer(("127.0.0.1", 0), _Handler)
        server.set_app(wsgi_app)
        threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True).start()
        servers.append(server)
        return f"http://127.0.0.1:{server.server_port}"

    yield start
    for server in servers:
        server.shutdown()
        server.server_close()


@pytest.fixture
def base_url(serve: Callable[[Callable[..., Iterable[bytes]]], str], app: SoapApplication) -> str:
    """The dummy services on a loopback server."""
    return serve(app)


# --------------------------------------------------------------------------- live nodes


@pytest.fixture(params=["sqlite", "postgresql"])
def node(request: pytest.FixtureRequest) -> LiveServer:
    """A live ``carnet serve``, on SQLite and again on PostgreSQL (when installed)."""
    name = "server" if request.param == "sqlite" else "postgresql_server"
    server: LiveServer = request.getfixturevalue(name)
    return server


@pytest.fixture
def client(node: LiveServer) -> Iterator[XdsClient]:
    """An XdsClient of that node."""
    with XdsClient(node.url) as xds:
        yield xds
