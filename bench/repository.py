"""Repository benchmark: ITI-41 and ITI-43 throughput and memory, beside a raw baseline.

Prints one table. Run from the project root (``make bench`` runs it after the
registry's, or ``.venv/bin/python bench/repository.py``).

* ITI-41 of 40 KB documents over HTTP to a real ``carnet serve`` (durable:
  the file is fsynced and renamed, the registry commit fsynced, before Success),
  from client processes on the same two cores.
* Baseline: a raw loop of SHA-1 + write + fsync + rename of the same 40 KB.
* ITI-43 of 40 KB documents, and of one 100 MB document.
* Peak RSS growth of the server's worker while uploading and downloading 100 MB
  (the target: at most twice the document size; streamed, it should be flat).
"""

from __future__ import annotations

import argparse
import hashlib
import multiprocessing
import os
import socket
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import h11  # noqa: E402
import httpx  # noqa: E402
from lxml import etree  # noqa: E402

from carnet.client import XdsClient  # noqa: E402
from registry.model import Submission  # noqa: E402
from soap.envelope import build_envelope, serialize  # noqa: E402
from soap.mtom import xop_include  # noqa: E402
from soap.mtom_writer import OutgoingAttachment, build_mtom  # noqa: E402
from tests import submissions as build  # noqa: E402
from tests.live_server import live_server  # noqa: E402
from tests.repository_wire import (  # noqa: E402
    ITI41,
    SUCCESS,
    XDSB,
    addressing_headers,
    provide_and_register_request,
    retrieve,
    retrieve_request,
    send,
)
from tests.soap.test_registry_endpoint import feed_patient  # noqa: E402

PATIENT = "BENCH-1^^^&1.2.250.1.213.1.4.10&ISO"
MB = 1024 * 1024


def bare_submission() -> Submission:
    entry = build.document_entry(patient_id=PATIENT).with_(
        hash=None, size=None, repository_unique_id=None
    )
    return build.submission(entry, patient_id=PATIENT)


def _provide_request(url: str, size: int) -> tuple[str, str, bytes]:
    """One ITI-41 request as bytes: (document uniqueId, Content-Type, MTOM body)."""
    submission = bare_submission()
    body, attachments = provide_and_register_request(submission, {"Document01": os.urandom(size)})
    envelope = serialize(build_envelope(body, headers=addressing_headers(url, ITI41)))
    package = build_mtom(envelope, attachments, action=ITI41)
    return submission.documents[0].unique_id, package.content_type, b"".join(package.chunks)


def _submit(url: str, requests: list[tuple[str, str, bytes]]) -> tuple[list[str], int]:
    """One client: post ``requests`` (built before the clock starts), a new connection every 50.

    A socket driven by h11 (httpx's HTTP/1.1 engine), answers checked for the
    RegistryResponse's Success status: the load generator shares the server's two
    cores, so it must cost little. ``http.client`` parses every multipart/related
    answer's headers with the email package, which compiles a regular expression
    for each new MIME boundary; with lxml parsing the answer it cost 0.52 ms a
    request, this 0.17 ms (measured here, 300 requests each).

    The server's worker processes take turns at accepting connections as each is
    free to: six connections opened at once and kept for the whole run were split
    up to 5 to 1 between the two workers (one GIL then did most of the work, and
    throughput varied by a third from run to run). Reconnecting every 50 requests,
    as real clients' pools do, lets the less busy worker pick up the next one.
    """
    unique_ids: list[str] = []
    failures = 0
    for start in range(0, len(requests), _REQUESTS_PER_CONNECTION):
        batch = requests[start : start + _REQUESTS_PER_CONNECTION]
        succeeded, failed = _submit_on_one_connection(url, batch)
        unique_ids += succeeded
        failures += failed
    return unique_ids, failures


_REQUESTS_PER_CONNECTION = 50


def _submit_on_one_connection(
    url: str, requests: list[tuple[str, str, bytes]]
) -> tuple[list[str], int]:
    unique_ids: list[str] = []
    failures = 0
    address = urlsplit(url)
    host = address.hostname or "127.0.0.1"
    connection = h11.Connection(h11.CLIENT)
    with socket.create_connection((host, address.port or 80)) as sock:
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        for unique_id, content_type, payload in requests:
            head = h11.Request(
                method="POST",
                target=address.path,
                headers=[
                    ("Host", address.netloc),
                    ("Content-Type", content_type),
                    ("Content-Length", str(len(payload))),
                ],
            )
            sock.sendall(
                connection.send(head)
                + connection.send(h11.Data(data=payload))
                + connection.send(h11.EndOfMessage())
            )
            status, answer = _answer(connection, sock)
            connection.start_next_cycle()
            if status == 200 and _SUCCESS_STATUS in answer:
                unique_ids.append(unique_id)
            else:
                failures += 1
    return unique_ids, failures


_SUCCESS_STATUS = f'status="{SUCCESS}"'.encode()


def _answer(connection: h11.Connection, sock: socket.socket) -> tuple[int, bytes]:
    """The status and body of the answer to the request just sent."""
    status = 0
    body: list[bytes] = []
    while True:
        event = connection.next_event()
        if event is h11.NEED_DATA:
            connection.receive_data(sock.recv(65536))
        elif isinstance(event, h11.Response):
            status = event.status_code
        elif isinstance(event, h11.Data):
            body.append(bytes(event.data))
        elif isinstance(event, h11.EndOfMessage):
            return status, b"".join(body)
        elif isinstance(event, h11.ConnectionClosed):
            raise ConnectionError("the server closed the connection before answering")


_CLIENT_REQUESTS: list[list[tuple[str, str, bytes]]] = []
"""Each client process's ITI-41 requests, set before the pool forks (inherited, not pickled)."""


def _submit_mine(url: str, client: int) -> tuple[list[str], int]:
    return _submit(url, _CLIENT_REQUESTS[client])


def _children(pid: int) -> list[int]:
    return [int(child) for child in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]


def _cpu_seconds(pids: list[int]) -> float:
    """User + system CPU time the processes ``pids`` have used (Linux ``/proc``)."""
    ticks = 0
    for pid in pids:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        ticks += int(fields[11]) + int(fields[12])  # utime, stime (proc(5), from field 3)
    return ticks / os.sysconf("SC_CLK_TCK")


def _retrieve(url: str, unique_ids: list[str]) -> int:
    failures = 0
    with httpx.Client(timeout=120) as http:
        for unique_id in unique_ids:
            answer = retrieve(url, (build.REPOSITORY_ID, unique_id), http=http)
            failures += 0 if answer.status_uri == SUCCESS else 1
    return failures


def bench_raw(count: int, size: int, workdir: Path) -> float:
    folder = workdir / "raw"
    folder.mkdir()
    contents = [os.urandom(size) for _ in range(count)]
    start = time.perf_counter()
    for content in contents:
        digest = hashlib.sha1(content).hexdigest()
        temporary = folder / f".{digest}.tmp"
        with temporary.open("wb") as stream:
            stream.write(content)
            stream.flush()
            os.fsync(stream.fileno())
        os.replace(temporary, folder / digest)
    directory = os.open(folder, os.O_RDONLY)
    os.fsync(directory)
    os.close(directory)
    return count / (time.perf_counter() - start)


def worker_peak_rss_kib(server_pid: int) -> dict[int, int]:
    """VmHWM (peak RSS) of each worker process of the server, in KiB."""
    peaks = {}
    for child in _children(server_pid):
        status = Path(f"/proc/{child}/status").read_text()
        for line in status.splitlines():
            if line.startswith("VmHWM:"):
                peaks[int(child)] = int(line.split()[1])
    return peaks


def bench_large(
    url: str, server_pid: int, megabytes: int, workdir: Path
) -> list[tuple[str, str, str]]:
    """Upload then download one large document; throughput and the workers' peak RSS growth."""
    size = megabytes * MB
    path = workdir / "large.bin"
    with path.open("wb") as stream:
        for _ in range(megabytes):
            stream.write(os.urandom(MB))
    submission = bare_submission()
    request, _ = provide_and_register_request(submission, {})
    document = etree.SubElement(request, f"{{{XDSB}}}Document", id="Document01")
    document.append(xop_include("large@bench.carnet"))
    before = worker_peak_rss_kib(server_pid)
    with path.open("rb") as stream:
        part = OutgoingAttachment(content_id="large@bench.carnet", content=stream, size=size)
        start = time.perf_counter()
        answer = send(url, ITI41, request, [part])
        upload = time.perf_counter() - start
    assert answer.status_uri == SUCCESS, answer.errors
    after_upload = worker_peak_rss_kib(server_pid)

    unique_id = submission.documents[0].unique_id
    action = "urn:ihe:iti:2007:RetrieveDocumentSet"
    envelope = serialize(
        build_envelope(
            retrieve_request((build.REPOSITORY_ID, unique_id)),
            headers=addressing_headers(url, action),
        )
    )
    received = 0
    start = time.perf_counter()
    with httpx.stream(
        "POST",
        url,
        content=envelope,
        headers={"Content-Type": f'application/soap+xml; charset=UTF-8; action="{action}"'},
        timeout=300,
    ) as response:
        for chunk in response.iter_bytes():
            received += len(chunk)
    download = time.perf_counter() - start
    after_download = worker_peak_rss_kib(server_pid)
    assert received > size

    def growth(later: dict[int, int], earlier: dict[int, int]) -> float:
        return max(later[p] - earlier.get(p, later[p]) for p in later) / 1024

    return [
        (
            f"ITI-41 upload of {megabytes} MB",
            f"{megabytes / upload:,.0f} MB/s",
            f"worker peak RSS +{growth(after_upload, before):.1f} MiB",
        ),
        (
            f"ITI-43 download of {megabytes} MB",
            f"{received / MB / download:,.0f} MB/s",
            f"worker peak RSS +{growth(after_download, after_upload):.1f} MiB",
        ),
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--documents", type=int, default=2000, help="40 KB ITI-41 requests")
    parser.add_argument("--clients", type=int, default=6, help="concurrent client processes")
    parser.add_argument("--large", type=int, default=100, help="size of the large document, MB")
    arguments = parser.parse_args()
    rows: list[tuple[str, str, str]] = []
    size = 40_000
    with tempfile.TemporaryDirectory(prefix="carnet-bench-") as tmp:
        workdir = Path(tmp)
        rows.append(
            (
                "baseline: SHA-1 + write + fsync + rename, 40 KB",
                f"{bench_raw(arguments.documents, size, workdir):,.0f} /s",
                "one thread",
            )
        )
        with live_server(workdir / "node", workers=2, threads=4) as server:
            with XdsClient(server.url) as client:
                feed_patient(client, PATIENT)
            url = server.url + "/xds/repository"
            per_client = arguments.documents // arguments.clients
            requests = [_provide_request(url, size) for _ in range(per_client * arguments.clients)]
            _CLIENT_REQUESTS[:] = [
                requests[i :: arguments.clients] for i in range(arguments.clients)
            ]
            clients = range(arguments.clients)
            server_pids = [server.process.pid, *_children(server.process.pid)]
            # Forked once the requests are built: each client inherits its share instead of
            # having it pickled to it while the clock runs (~0.2 ms of CPU a request, measured).
            fork = multiprocessing.get_context("fork")
            with ProcessPoolExecutor(max_workers=arguments.clients, mp_context=fork) as pool:
                list(pool.map(_submit, [url] * arguments.clients, [[]] * arguments.clients))
                server_cpu = _cpu_seconds(server_pids)
                start = time.perf_counter()
                results = list(pool.map(_submit_mine, [url] * arguments.clients, clients))
                elapsed = time.perf_counter() - start
                server_cpu = _cpu_seconds(server_pids) - server_cpu
                unique_ids = [u for ids, _ in results for u in ids]
                failures = sum(f for _, f in results)
                rows.append(
                    (
                        "ITI-41 provide and register, 40 KB, over HTTP",
                        f"{len(unique_ids) / elapsed:,.0f} /s",
                        f"{arguments.clients} clients, {failures} failed, durable; server CPU "
                        f"{1000 * server_cpu / max(len(unique_ids), 1):.2f} ms a request",
                    )
                )
                chunks = [unique_ids[i :: arguments.clients] for i in range(arguments.clients)]
                start = time.perf_counter()
                failures = sum(pool.map(_retrieve, [url] * arguments.clients, chunks))
                elapsed = time.perf_counter() - start
                rows.append(
                    (
                        "ITI-43 retrieve, 40 KB, over HTTP",
                        f"{len(unique_ids) / elapsed:,.0f} /s",
                        f"{arguments.clients} clients, {failures} failed",
                    )
                )

            rows += bench_large(
                server.url + "/xds/repository", server.process.pid, arguments.large, workdir
            )
    width = max(len(r[0]) for r in rows)
    print(f"{'measure':<{width}}  {'result':>12}  notes")
    print(f"{'-' * width}  {'-' * 12}  -----")
    for name, result, notes in rows:
        print(f"{name:<{width}}  {result:>12}  {notes}")


if __name__ == "__main__":
    main()
