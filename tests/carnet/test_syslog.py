"""carnet/syslog.py: RFC 5424 messages over real loopback UDP (RFC 5426) and TCP (RFC 6587)."""

from __future__ import annotations

import re
import socket
import threading
from collections.abc import Iterator
from datetime import UTC, datetime

import pytest

from carnet.syslog import (
    SyslogTarget,
    SyslogTargetError,
    SyslogTransport,
    frame,
    send,
    syslog_message,
)

HEADER = re.compile(
    rb"^<85>1 2026-12-10T09:30:00\.000Z (?P<host>\S+) carnet \d+ IHE\+RFC-3881 - \xef\xbb\xbf"
)


def test_syslog_message_has_rfc5424_header_and_bom() -> None:
    message = syslog_message(
        b"<AuditMessage/>", time=datetime(2026, 12, 10, 9, 30, tzinfo=UTC), hostname="node 1"
    )
    match = HEADER.match(message)
    assert match is not None and match["host"] == b"node1"
    assert message.endswith(b"\xef\xbb\xbf<AuditMessage/>")


def test_frame_is_octet_counting() -> None:
    assert frame("é".encode()) == b"2 \xc3\xa9"


@pytest.mark.parametrize(
    ("url", "target"),
    [
        (
            "udp://127.0.0.1:514",
            SyslogTarget(transport=SyslogTransport.UDP, host="127.0.0.1", port=514),
        ),
        (
            "tcp://audit.example:601",
            SyslogTarget(transport=SyslogTransport.TCP, host="audit.example", port=601),
        ),
        ("tls://[::1]:6514", SyslogTarget(transport=SyslogTransport.TLS, host="::1", port=6514)),
    ],
)
def test_target_parses_its_url(url: str, target: SyslogTarget) -> None:
    assert SyslogTarget.parse(url) == target


@pytest.mark.parametrize("url", ["http://h:1", "udp://h", "tcp://:601", "udp://h:port"])
def test_target_refuses_other_urls(url: str) -> None:
    with pytest.raises(SyslogTargetError):
        SyslogTarget.parse(url)


@pytest.fixture
def udp_server() -> Iterator[tuple[socket.socket, int]]:
    server = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    server.bind(("127.0.0.1", 0))
    server.settimeout(5)
    try:
        yield server, server.getsockname()[1]
    finally:
        server.close()


def test_udp_sends_one_message_per_datagram(udp_server: tuple[socket.socket, int]) -> None:
    server, port = udp_server
    messages = [syslog_message(b"<AuditMessage>%d</AuditMessage>" % i) for i in range(3)]
    send(messages, SyslogTarget(transport=SyslogTransport.UDP, host="127.0.0.1", port=port))
    assert [server.recv(65535) for _ in messages] == messages


class TcpServer:
    """A loopback TCP syslog receiver: collects the bytes of each connection."""

    def __init__(self) -> None:
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self.received: list[bytes] = []
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self) -> None:
        connection, _ = self.listener.accept()
        with connection:
            chunks = []
            while chunk := connection.recv(65536):
                chunks.append(chunk)
        self.received.append(b"".join(chunks))


def unframe(data: bytes) -> list[bytes]:
    messages = []
    while data:
        length, _, rest = data.partition(b" ")
        messages.append(rest[: int(length)])
        data = rest[int(length) :]
    return messages


def test_tcp_sends_octet_counted_frames() -> None:
    server = TcpServer()
    try:
        messages = [
            syslog_message("<AuditMessage>é%d</AuditMessage>".encode() % i) for i in range(3)
        ]
        send(
            messages,
            SyslogTarget(transport=SyslogTransport.TCP, host="127.0.0.1", port=server.port),
        )
        server.thread.join(5)
        assert [unframe(data) for data in server.received] == [messages]
    finally:
        server.listener.close()


def test_tcp_refused_connection_raises_oserror() -> None:
    with socket.create_server(("127.0.0.1", 0)) as probe:
        port = probe.getsockname()[1]
    with pytest.raises(OSError):
        send([b"x"], SyslogTarget(transport=SyslogTransport.TCP, host="127.0.0.1", port=port))
