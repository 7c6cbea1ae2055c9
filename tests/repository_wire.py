"""ITI-41 and ITI-43 on the wire, for tests: requests built with ``soap.mtom_writer.build_mtom``.

A deliberately small stand-in for the client library: it builds the SOAP 1.2
envelope with WS-Addressing headers, packages it as MTOM (or plain SOAP, or with
the documents inline as base64) and reads the answer back, MTOM parts included,
with our own ``soap.mtom.parse_mtom``.
"""

from __future__ import annotations

import base64
import uuid
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

import httpx
from lxml import etree

from registry.ebrim import submission_element
from registry.model import Submission
from registry.vocabulary import Namespace
from schemas import parse_xml
from soap.addressing import new_message_id
from soap.envelope import build_envelope, serialize
from soap.mime import parse_media_type
from soap.mtom import include_content_id, parse_mtom, xop_include
from soap.mtom_writer import OutgoingAttachment, build_mtom
from soap.namespaces import Namespace as SoapNamespace
from soap.namespaces import clark

ITI41 = "urn:ihe:iti:2007:ProvideAndRegisterDocumentSet-b"
ITI43 = "urn:ihe:iti:2007:RetrieveDocumentSet"
XDSB = Namespace.XDS_B.value
RS = Namespace.RS.value
SUCCESS = "urn:oasis:names:tc:ebxml-regrep:ResponseStatusType:Success"
PARTIAL_SUCCESS = "urn:ihe:iti:2007:ResponseStatusType:PartialSuccess"
FAILURE = "urn:oasis:names:tc:ebxml-regrep:ResponseStatusType:Failure"


@dataclass(frozen=True, kw_only=True)
class Answer:
    """An HTTP answer: status, content type, the SOAP Body's child and the MTOM parts."""

    status: int
    content_type: str
    body: etree._Element
    parts: Mapping[str, bytes]

    @property
    def registry_response(self) -> etree._Element:
        """The ``rs:RegistryResponse`` (the body itself, or heading a retrieve response)."""
        if self.body.tag == f"{{{RS}}}RegistryResponse":
            return self.body
        found = self.body.find(f"{{{RS}}}RegistryResponse")
        assert found is not None, etree.tostring(self.body)
        return found

    @property
    def status_uri(self) -> str:
        return self.registry_response.get("status", "")

    @property
    def errors(self) -> list[tuple[str, str | None, str]]:
        """``(errorCode, location, codeContext)`` of each ``rs:RegistryError``."""
        return [
            (e.get("errorCode", ""), e.get("location"), e.get("codeContext", ""))
            for e in self.registry_response.iter(f"{{{RS}}}RegistryError")
        ]

    @property
    def codes(self) -> list[str]:
        return [code for code, _, _ in self.errors]

    def fault(self) -> tuple[str, str]:
        """``(code, reason)`` of a SOAP 1.2 fault."""
        env = SoapNamespace.SOAP12.value
        assert self.body.tag == f"{{{env}}}Fault", etree.tostring(self.body)
        code = self.body.findtext(f"{{{env}}}Code/{{{env}}}Value", default="")
        reason = self.body.findtext(f"{{{env}}}Reason/{{{env}}}Text", default="")
        return code.strip(), reason.strip()

    def documents(self) -> dict[str, tuple[str, bytes]]:
        """DocumentUniqueId → (mimeType, bytes) of each ``xdsb:DocumentResponse``."""
        found: dict[str, tuple[str, bytes]] = {}
        for response in self.body.iterfind(f"{{{XDSB}}}DocumentResponse"):
            unique_id = response.findtext(f"{{{XDSB}}}DocumentUniqueId", default="")
            mime_type = response.findtext(f"{{{XDSB}}}mimeType", default="")
            document = response.find(f"{{{XDSB}}}Document")
            assert document is not None
            content_id = include_content_id(document)
            data = (
                self.parts[content_id]
                if content_id is not None
                else base64.b64decode(document.text or "")
            )
            found[unique_id] = (mime_type, data)
        return found


def addressing_headers(url: str, action: str) -> list[etree._Element]:
    headers = []
    wsa = SoapNamespace.WSA
    for name, text in (("Action", action), ("MessageID", new_message_id()), ("To", url)):
        header = etree.Element(clark(wsa, name), nsmap={"wsa": wsa.value})
        header.text = text
        if name == "Action":
            header.set(clark(SoapNamespace.SOAP12, "mustUnderstand"), "true")
        headers.append(header)
    return headers


def send(
    url: str,
    action: str,
    body: etree._Element,
    attachments: Sequence[OutgoingAttachment] = (),
    *,
    mtom: bool = True,
    http: httpx.Client | None = None,
) -> Answer:
    """POST ``body`` as MTOM (with ``attachments``) or plain SOAP 1.2; read the answer."""
    envelope = serialize(build_envelope(body, headers=addressing_headers(url, action)))
    if mtom:
        package = build_mtom(envelope, attachments, action=action)
        content: bytes | Iterable[bytes] = package.chunks
        headers = {"Content-Type": package.content_type}
        if package.content_length is not None:
            headers["Content-Length"] = str(package.content_length)
    else:
        assert not attachments
        content = envelope
        headers = {"Content-Type": f'application/soap+xml; charset=UTF-8; action="{action}"'}
    client = http or httpx.Client(timeout=120)
    try:
        response = client.post(url, content=content, headers=headers)
    finally:
        if http is None:
            client.close()
    return read_answer(response.status_code, response.headers["content-type"], response.content)


def read_answer(status: int, content_type: str, data: bytes) -> Answer:
    """Parse a SOAP 1.2 or MTOM answer."""
    media = parse_media_type(content_type)
    parts: dict[str, bytes] = {}
    if media.essence == "multipart/related":
        package = parse_mtom([data], media, max_root_bytes=len(data))
        try:
            root = package.root
            parts = {cid: attachment.read() for cid, attachment in package.attachments.items()}
        finally:
            package.close()
    else:
        root = data
    envelope = parse_xml(root)
    body = envelope.find(clark(SoapNamespace.SOAP12, "Body"))
    assert body is not None and len(body), root[:500]
    return Answer(status=status, content_type=content_type, body=body[0], parts=parts)


def provide_and_register_request(
    submission: Submission | etree._Element,
    documents: Mapping[str, bytes],
    *,
    inline: bool = False,
) -> tuple[etree._Element, list[OutgoingAttachment]]:
    """``xdsb:ProvideAndRegisterDocumentSetRequest`` with ``documents`` by DocumentEntry id."""
    request = etree.Element(f"{{{XDSB}}}ProvideAndRegisterDocumentSetRequest", nsmap={"xdsb": XDSB})
    request.append(
        submission if isinstance(submission, etree._Element) else submission_element(submission)
    )
    attachments: list[OutgoingAttachment] = []
    for document_id, data in documents.items():
        element = etree.SubElement(request, f"{{{XDSB}}}Document", id=document_id)
        if inline:
            element.text = base64.b64encode(data).decode("ascii")
        else:
            content_id = f"{uuid.uuid4().hex}@test.carnet"
            element.append(xop_include(content_id))
            attachments.append(OutgoingAttachment(content_id=content_id, content=data))
    return request, attachments


def provide_and_register(
    url: str,
    submission: Submission | etree._Element,
    documents: Mapping[str, bytes],
    *,
    inline: bool = False,
    mtom: bool = True,
    http: httpx.Client | None = None,
) -> Answer:
    """ITI-41 to the repository endpoint ``url``."""
    request, attachments = provide_and_register_request(submission, documents, inline=inline)
    return send(url, ITI41, request, attachments, mtom=mtom, http=http)


def retrieve_request(
    *requests: tuple[str, str] | tuple[str, str, str],
) -> etree._Element:
    """``xdsb:RetrieveDocumentSetRequest``: ``(repositoryUniqueId, documentUniqueId[, home])``s."""
    request = etree.Element(f"{{{XDSB}}}RetrieveDocumentSetRequest", nsmap={"xdsb": XDSB})
    for each in requests:
        item = etree.SubElement(request, f"{{{XDSB}}}DocumentRequest")
        if len(each) == 3:
            etree.SubElement(item, f"{{{XDSB}}}HomeCommunityId").text = each[2]
        etree.SubElement(item, f"{{{XDSB}}}RepositoryUniqueId").text = each[0]
        etree.SubElement(item, f"{{{XDSB}}}DocumentUniqueId").text = each[1]
    return request


def retrieve(
    url: str,
    *requests: tuple[str, str] | tuple[str, str, str],
    mtom: bool = True,
    http: httpx.Client | None = None,
) -> Answer:
    """ITI-43 to the repository endpoint ``url``."""
    return send(url, ITI43, retrieve_request(*requests), mtom=mtom, http=http)
