"""WS-Addressing 1.0 Core §3 and SOAP Binding §6 — the message addressing properties.

ITI TF-2x Appendix V makes WS-Addressing 1.0 mandatory on every XDS.b
request: ``wsa:Action`` names the transaction, ``wsa:MessageID`` identifies the
request, ``wsa:ReplyTo`` (anonymous, i.e. the HTTP response) says where the reply
goes. The reply carries ``wsa:Action`` (the response action), ``wsa:RelatesTo``
(the request's MessageID), a fresh ``wsa:MessageID`` and ``wsa:To`` anonymous.

Refusals follow SOAP Binding §6.4: a missing Action is
``wsa:MessageAddressingHeaderRequired``; a repeated header is
``wsa:InvalidAddressingHeader/wsa:InvalidCardinality``; an Action that disagrees
with the ``action`` parameter of the SOAP 1.2 media type (RFC 3902; SOAP Binding
§4.1) is ``wsa:InvalidAddressingHeader/wsa:ActionMismatch``; a non-anonymous
ReplyTo is ``wsa:InvalidAddressingHeader/wsa:OnlyAnonymousAddressSupported``
(XDS.b synchronous exchanges answer on the HTTP response). A missing MessageID is
tolerated — the reply then has no RelatesTo.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum

from lxml import etree

from soap.faults import SoapFault
from soap.namespaces import Namespace, clark

__all__ = [
    "Addressing",
    "AddressingUri",
    "new_message_id",
    "problem_action",
    "read_addressing",
    "reply_headers",
    "request_headers",
    "wsa_qname",
]

_WSA = Namespace.WSA
_WSA_URI: str = _WSA.value
_WSA_NSMAP = {"wsa": _WSA_URI}  # read by lxml, never changed


class AddressingUri(StrEnum):
    """WS-Addressing 1.0 Core §2.1 and SOAP Binding §6: predefined URIs."""

    ANONYMOUS = "http://www.w3.org/2005/08/addressing/anonymous"
    NONE = "http://www.w3.org/2005/08/addressing/none"
    FAULT = "http://www.w3.org/2005/08/addressing/fault"
    """SOAP Binding §6: [action] of WS-Addressing and application faults."""
    SOAP_FAULT = "http://www.w3.org/2005/08/addressing/soap/fault"
    """SOAP Binding §6: [action] of faults defined by SOAP itself (VersionMismatch …)."""


_ANONYMOUS: str = AddressingUri.ANONYMOUS.value


def wsa_qname(local_name: str) -> etree.QName:
    """``wsa:local_name`` as a QName (fault subcodes, problem header names)."""
    return etree.QName(_WSA.value, local_name)


@dataclass(frozen=True, kw_only=True)
class Addressing:
    """The message addressing properties of a request (WS-Addressing 1.0 Core §3.1)."""

    action: str
    """``wsa:Action``: names the transaction (e.g. ``urn:ihe:iti:2007:RegisterDocumentSet-b``)."""
    message_id: str | None = None
    """``wsa:MessageID``: echoed as ``wsa:RelatesTo`` in the reply."""
    to: str | None = None
    """``wsa:To``: the endpoint address the sender aimed at."""
    reply_to: str = AddressingUri.ANONYMOUS.value
    """``wsa:ReplyTo/wsa:Address``; anonymous when absent (Core §3.2)."""


def read_addressing(
    headers: Sequence[etree._Element], *, media_action: str | None = None
) -> Addressing:
    """Read the WS-Addressing headers of a request; raise :class:`SoapFault` when unusable.

    ``media_action`` is the ``action`` parameter of the request's media type, if it
    carries one (see :func:`soap.mime.action_uri`).
    """
    values: dict[str, list[etree._Element]] = {}
    for block in headers:
        qname = etree.QName(block)
        if qname.namespace == _WSA.value:
            values.setdefault(qname.localname, []).append(block)
    for name in ("Action", "MessageID", "To", "ReplyTo", "FaultTo"):
        if len(values.get(name, ())) > 1:
            raise SoapFault(
                f"wsa:{name} appears {len(values[name])} times; it may appear at most once",
                subcode=(wsa_qname("InvalidAddressingHeader"), wsa_qname("InvalidCardinality")),
                detail=_problem_header(name),
            )
    action = _text(values, "Action")
    if not action:
        raise SoapFault(
            "A required header representing a Message Addressing Property is not present: "
            "wsa:Action",
            subcode=wsa_qname("MessageAddressingHeaderRequired"),
            detail=_problem_header("Action"),
        )
    if media_action is not None and media_action != action:
        raise SoapFault(
            f"wsa:Action {action!r} disagrees with the action parameter "
            f"{media_action!r} of the Content-Type",
            subcode=(wsa_qname("InvalidAddressingHeader"), wsa_qname("ActionMismatch")),
            detail=_problem_header("Action"),
        )
    reply_to = AddressingUri.ANONYMOUS.value
    if "ReplyTo" in values:
        address = values["ReplyTo"][0].find(clark(_WSA, "Address"))
        reply_to = (address.text or "").strip() if address is not None else ""
        if reply_to not in (AddressingUri.ANONYMOUS.value, AddressingUri.NONE.value):
            raise SoapFault(
                f"wsa:ReplyTo {reply_to!r} is not supported: this endpoint only answers on the "
                "HTTP response (wsa:ReplyTo anonymous)",
                subcode=(
                    wsa_qname("InvalidAddressingHeader"),
                    wsa_qname("OnlyAnonymousAddressSupported"),
                ),
                detail=_problem_header("ReplyTo"),
            )
    return Addressing(
        action=action,
        message_id=_text(values, "MessageID"),
        to=_text(values, "To"),
        reply_to=reply_to,
    )


def _text(values: dict[str, list[etree._Element]], name: str) -> str | None:
    blocks = values.get(name)
    if not blocks:
        return None
    return (blocks[0].text or "").strip() or None


def _problem_header(local_name: str) -> etree._Element:
    """SOAP Binding §6.4.2: ``wsa:ProblemHeaderQName`` detail naming the faulty header."""
    detail = etree.Element(clark(_WSA, "ProblemHeaderQName"), nsmap={"wsa": _WSA.value})
    detail.text = f"wsa:{local_name}"
    return detail


def problem_action(action: str) -> etree._Element:
    """SOAP Binding §6.4.4: ``wsa:ProblemAction/wsa:Action`` detail of ActionNotSupported."""
    detail = etree.Element(clark(_WSA, "ProblemAction"), nsmap={"wsa": _WSA.value})
    etree.SubElement(detail, clark(_WSA, "Action")).text = action
    return detail


def new_message_id() -> str:
    """A fresh ``urn:uuid:`` message id (Core §3.1: an absolute IRI unique in time and space)."""
    return uuid.uuid4().urn


def reply_headers(relates_to: str | None, *, action: str) -> list[etree._Element]:
    """The WS-Addressing headers of a reply (Core §3.4; SOAP Binding §6 for faults).

    ``relates_to`` is the request's ``wsa:MessageID`` (``None`` when it had none or
    could not be read). ``wsa:To`` is anonymous: replies travel on the HTTP response.
    """

    headers = [_reply_header("Action", action), _reply_header("MessageID", new_message_id())]
    if relates_to is not None:
        headers.append(_reply_header("RelatesTo", relates_to))
    headers.append(_reply_header("To", _ANONYMOUS))
    return headers


def _reply_header(local_name: str, text: str) -> etree._Element:
    """``<wsa:local_name xmlns:wsa="…">text</…>``, each header declaring the prefix itself.

    Every response builds four: the URIs are plain-``str`` constants because reading
    an enum member's ``value`` and formatting its Clark name cost a fifth of the call.
    """
    element = etree.Element(f"{{{_WSA_URI}}}{local_name}", nsmap=_WSA_NSMAP)
    element.text = text
    return element


def request_headers(to: str, *, action: str) -> list[etree._Element]:
    """The WS-Addressing headers of a request this node sends (ITI TF-2x Appendix V.3.2).

    ``wsa:Action`` (``mustUnderstand``: a peer that ignores it would not know the
    transaction), a fresh ``wsa:MessageID`` and ``wsa:To``; no ``wsa:ReplyTo``, which
    then means anonymous (Core §3.2): the answer comes on the HTTP response.
    """
    headers = []
    for local_name, text in (("Action", action), ("MessageID", new_message_id()), ("To", to)):
        header = etree.Element(clark(_WSA, local_name), nsmap={"wsa": _WSA.value})
        header.text = text
        if local_name == "Action":
            header.set(clark(Namespace.SOAP12, "mustUnderstand"), "true")
        headers.append(header)
    return headers
