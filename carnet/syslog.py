"""IHE ITI TF-2a 3.20.4 — audit messages as RFC 5424 syslog, over UDP, TCP or TLS.

ITI-20 "Record Audit Event" sends each DICOM audit message (``carnet/atna.py``) as the MSG of
an RFC 5424 syslog message: ``<PRI>1 TIMESTAMP HOSTNAME APP-NAME PROCID MSGID SD MSG`` with
facility 10 (security/authorization) and severity 5 (notice), hence ``<85>``, MSGID
``IHE+RFC-3881`` (ITI TF-2a 3.20.6.1), no structured data, and the XML as UTF-8 after a BOM
(RFC 5424 6.4). Transports:

* ``udp://HOST:PORT`` — RFC 5426: one message per datagram;
* ``tcp://HOST:PORT`` — RFC 6587 3.4.1 octet counting: ``MSG-LEN SP SYSLOG-MSG``;
* ``tls://HOST:PORT`` — RFC 5425, the same framing inside TLS, the server's certificate
  checked against the system's CAs (ATNA's Secure Node expects mutual TLS: configure the
  client certificate in ``ssl_context``).
"""

from __future__ import annotations

import os
import socket
import ssl
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum

__all__ = [
    "SyslogTarget",
    "SyslogTargetError",
    "SyslogTransport",
    "frame",
    "send",
    "syslog_message",
]

PRIORITY = 10 * 8 + 5
"""Facility 10 (security/authorization messages) x 8 + severity 5 (notice), ITI TF-2a 3.20.6."""
MSGID = "IHE+RFC-3881"
"""ITI TF-2a 3.20.6.1: the MSGID of audit messages in the DICOM/RFC 3881 format."""
APP_NAME = "carnet"
_BOM = b"\xef\xbb\xbf"
_TIMEOUT_SECONDS = 10.0


class SyslogTransport(StrEnum):
    """The URL scheme of ``Settings.audit_syslog``."""

    UDP = "udp"
    """RFC 5426."""
    TCP = "tcp"
    """RFC 6587 octet counting."""
    TLS = "tls"
    """RFC 5425."""


class SyslogTargetError(Exception):
    """``audit_syslog`` is not ``udp://HOST:PORT``, ``tcp://HOST:PORT`` or ``tls://HOST:PORT``."""


@dataclass(frozen=True, kw_only=True, slots=True)
class SyslogTarget:
    """Where audit messages go: the Audit Record Repository's syslog receiver."""

    transport: SyslogTransport
    host: str
    port: int

    @classmethod
    def parse(cls, url: str) -> SyslogTarget:
        """``udp://host:514`` → ``SyslogTarget(transport=UDP, host="host", port=514)``.

        >>> SyslogTarget.parse("tcp://[::1]:601").host
        '::1'
        """
        scheme, _, rest = url.partition("://")
        host, _, port = rest.rpartition(":")
        host = host.removeprefix("[").removesuffix("]")
        if scheme not in set(SyslogTransport) or not host or not port.isdigit():
            raise SyslogTargetError(f"not a syslog URL (udp://, tcp://, tls://HOST:PORT): {url!r}")
        return cls(transport=SyslogTransport(scheme), host=host, port=int(port))


def syslog_message(
    payload: bytes, *, time: datetime | None = None, hostname: str | None = None
) -> bytes:
    """``payload`` (an audit message's XML) as one RFC 5424 syslog message."""
    moment = (time or datetime.now(UTC)).astimezone(UTC)
    stamp = moment.isoformat(timespec="milliseconds").replace("+00:00", "Z")
    header = f"<{PRIORITY}>1 {stamp} {_field(hostname or socket.gethostname())} {APP_NAME} "
    header += f"{os.getpid()} {MSGID} - "
    return header.encode("ascii") + _BOM + payload


def frame(message: bytes) -> bytes:
    """RFC 6587 3.4.1 octet counting (also RFC 5425 4.3): ``MSG-LEN SP SYSLOG-MSG``.

    >>> frame(b"<85>1 -")
    b'7 <85>1 -'
    """
    return b"%d " % len(message) + message


def send(
    messages: Sequence[bytes],
    target: SyslogTarget,
    *,
    ssl_context: ssl.SSLContext | None = None,
    timeout: float = _TIMEOUT_SECONDS,
) -> None:
    """Send syslog ``messages`` to ``target``, in order; raises ``OSError`` when it cannot.

    Over TCP and TLS the messages share one connection; over UDP each is one datagram, and
    delivery is not known (RFC 5426 3.1), only refusals the local stack reports.
    """
    if target.transport is SyslogTransport.UDP:
        family, kind, protocol, _, address = socket.getaddrinfo(
            target.host, target.port, type=socket.SOCK_DGRAM
        )[0]
        with socket.socket(family, kind, protocol) as udp:
            udp.settimeout(timeout)
            udp.connect(address)
            for message in messages:
                udp.send(message)
        return
    with socket.create_connection((target.host, target.port), timeout=timeout) as tcp:
        if target.transport is SyslogTransport.TLS:
            context = ssl_context or ssl.create_default_context()
            with context.wrap_socket(tcp, server_hostname=target.host) as tls:
                tls.sendall(b"".join(frame(message) for message in messages))
            return
        tcp.sendall(b"".join(frame(message) for message in messages))


def _field(value: str) -> str:
    """A header field: printable US-ASCII without spaces, at most 255 characters, or ``-``."""
    cleaned = "".join(c for c in value if "!" <= c <= "~")[:255]
    return cleaned or "-"
