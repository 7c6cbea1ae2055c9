"""Registry benchmark: ITI-42 registrations/s and FindDocuments latency, with baselines.

Prints one table. Run from the project root (``make bench`` or
``.venv/bin/python bench/registry.py [--sizes 100000,1000000]``).

What is measured, each beside a raw baseline in the same run:

* ITI-42 over HTTP: concurrent clients post Register Document Set-b requests
  (one fully populated DocumentEntry each) to a real ``carnet serve`` on
  loopback (gunicorn gthread, and granian for comparison); the clients share
  the machine's two cores with the server.
* ITI-42 in process: parse + validate + register, one thread, no HTTP.
* Baseline: a raw loop of lxml parse of the same envelope + one SQLite
  insert and commit per message (WAL, synchronous=NORMAL, as the registry).
* FindDocuments at N registered documents (20 per patient): p50/p95 of the
  stored query in process (parse of parameters, SQL, model decode) and of
  the whole ITI-18 round trip over HTTP; baseline: a raw SQLite indexed
  SELECT of the same patient's rows.
"""

from __future__ import annotations

import argparse
import http.client
import random
import sqlite3
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from lxml import etree  # noqa: E402

from carnet.client import XdsClient, quote_list  # noqa: E402
from registry.ebrim import parse_submission, submission_element  # noqa: E402
from registry.model import Submission  # noqa: E402
from registry.patients import Patient  # noqa: E402
from registry.register import register  # noqa: E402
from registry.storage.database import Database  # noqa: E402
from registry.stored_queries import run_stored_query  # noqa: E402
from registry.vocabulary import ReturnType, StoredQueryId  # noqa: E402
from soap.envelope import build_envelope, serialize  # noqa: E402
from tests import submissions as build  # noqa: E402
from tests.live_server import live_server  # noqa: E402

DOCS_PER_PATIENT = 20
APPROVED = "urn:oasis:names:tc:ebxml-regrep:StatusType:Approved"
WSA = "http://www.w3.org/2005/08/addressing"
RIM = "urn:oasis:names:tc:ebxml-regrep:xsd:rim:3.0"
QUERY = "urn:oasis:names:tc:ebxml-regrep:xsd:query:3.0"


def patient_id(n: int) -> str:
    return f"P{n:09d}^^^&1.2.250.1.213.1.4.10&ISO"


def make_submission(patient: str) -> Submission:
    return build.submission(build.document_entry(patient_id=patient), patient_id=patient)


def envelope(action: str, body: etree._Element) -> bytes:
    headers = []
    for name, text in (("Action", action), ("MessageID", uuid.uuid4().urn)):
        header = etree.Element(f"{{{WSA}}}{name}", nsmap={"wsa": WSA})
        header.text = text
        headers.append(header)
    return serialize(build_envelope(body, headers=headers))


def percentile(samples: list[float], q: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


# --------------------------------------------------------------------------- ITI-42


def bench_register_in_process(count: int, workdir: Path, *, threads: int = 1) -> float:
    """Parse + validate + register ``count`` submissions from ``threads`` threads.

    With several threads, registrations queued while one commits are group
    committed (``Database.write``): the figure shows what batching the fsync buys.
    """
    database = Database(f"sqlite:///{workdir / f'inproc-{threads}.sqlite3'}")
    database.migrate()
    with database.unit_of_work() as store:
        for n in range(count):
            store.save_patient(Patient(patient_id=patient_id(n)))
    bodies = [
        etree.tostring(submission_element(make_submission(patient_id(n)))) for n in range(count)
    ]

    def register_all(chunk: list[bytes]) -> None:
        for body in chunk:
            register(database, parse_submission(etree.fromstring(body)))

    start = time.perf_counter()
    with ThreadPoolExecutor(max_workers=threads) as pool:
        list(pool.map(register_all, [bodies[i::threads] for i in range(threads)]))
    rate = count / (time.perf_counter() - start)
    database.dispose()
    return rate


def bench_raw_parse_insert(count: int, workdir: Path) -> float:
    bodies = [
        envelope(
            "urn:ihe:iti:2007:RegisterDocumentSet-b",
            submission_element(make_submission(patient_id(n))),
        )
        for n in range(count)
    ]
    connection = sqlite3.connect(workdir / "raw.sqlite3", isolation_level=None)
    connection.execute("PRAGMA journal_mode=WAL")
    connection.execute("PRAGMA synchronous=FULL")
    connection.execute(
        "CREATE TABLE entries (id INTEGER PRIMARY KEY, patient TEXT, unique_id TEXT, body BLOB)"
    )
    connection.execute("CREATE INDEX entries_patient ON entries (patient)")
    start = time.perf_counter()
    for n, body in enumerate(bodies):
        root = etree.fromstring(body)
        connection.execute("BEGIN")
        connection.execute(
            "INSERT INTO entries (patient, unique_id, body) VALUES (?, ?, ?)",
            (patient_id(n), str(n), etree.tostring(root[-1][0])),
        )
        connection.execute("COMMIT")
    return count / (time.perf_counter() - start)


def _post_all(url: str, requests: list[tuple[str, str, bytes]]) -> tuple[list[float], int]:
    """One client: post ``requests`` in turn on one keep-alive connection.

    The stdlib's http.client rather than httpx: the load generator shares the
    server's two cores, and it costs a third of httpx's CPU per request.
    """
    latencies: list[float] = []
    failures = 0
    address = urlsplit(url)
    connection = http.client.HTTPConnection(address.hostname or "127.0.0.1", address.port)
    try:
        for path, action, payload in requests:
            began = time.perf_counter()
            connection.request(
                "POST",
                path,
                body=payload,
                headers={"Content-Type": f'application/soap+xml; charset=UTF-8; action="{action}"'},
            )
            response = connection.getresponse()
            content = response.read()
            latencies.append(time.perf_counter() - began)
            ok = response.status == 200 and b"ResponseStatusType:Success" in content
            failures += 0 if ok else 1
    finally:
        connection.close()
    return latencies, failures


def load(
    url: str, requests: list[tuple[str, str, bytes]], clients: int
) -> tuple[float, list[float], int]:
    """Post ``requests`` from ``clients`` processes (no shared GIL); rate, latencies, failures."""
    chunks = [requests[i::clients] for i in range(clients)]
    with ProcessPoolExecutor(max_workers=clients) as pool:
        list(pool.map(_post_all, [url] * clients, [[]] * clients))  # start the processes
        start = time.perf_counter()
        results = list(pool.map(_post_all, [url] * clients, chunks))
        elapsed = time.perf_counter() - start
    latencies = [latency for chunk, _ in results for latency in chunk]
    return len(requests) / elapsed, latencies, sum(failures for _, failures in results)


@contextmanager
def server(workdir: Path, name: str, kind: str) -> Iterator[str]:
    env = {"CARNET_SERVER": kind}
    with live_server(workdir / name, workers=2, extra_env=env) as running:
        yield running.url


def bench_register_http(
    count: int, workdir: Path, kind: str, clients: int
) -> tuple[float, float, int]:
    with server(workdir, f"http-{kind}", kind) as url:
        with Database(
            f"sqlite:///{workdir / f'http-{kind}' / 'registry.sqlite3'}"
        ).unit_of_work() as store:
            for n in range(count):
                store.save_patient(Patient(patient_id=patient_id(n)))
        requests = [
            (
                "/xds/registry",
                "urn:ihe:iti:2007:RegisterDocumentSet-b",
                envelope(
                    "urn:ihe:iti:2007:RegisterDocumentSet-b",
                    submission_element(make_submission(patient_id(n))),
                ),
            )
            for n in range(count)
        ]
        rate, latencies, failures = load(url, requests, clients)
        return rate, percentile(latencies, 0.95) * 1000, failures


# --------------------------------------------------------------------------- FindDocuments


def populate(database: Database, documents: int, report: Callable[[str], None]) -> int:
    """Register ``documents`` entries for documents/20 patients, in large transactions."""
    patients = documents // DOCS_PER_PATIENT
    template = build.document_entry(patient_id=patient_id(0))
    batch = 2000
    began = time.perf_counter()
    for first in range(0, documents, batch):
        with database.unit_of_work() as store:
            docs = []
            for n in range(first, min(first + batch, documents)):
                patient = patient_id(n % patients)
                docs.append(
                    template.with_(
                        entry_uuid=uuid.uuid4().urn,
                        logical_id=None,
                        unique_id=f"1.2.250.1.999.8.{n}",
                        patient_id=patient,
                        source_patient_id=patient,
                        version="1",
                        availability_status=APPROVED,
                        creation_time=f"2024{1 + n % 12:02d}{1 + n % 28:02d}101500",
                    )
                )
            docs = [d.with_(logical_id=d.entry_uuid) for d in docs]
            store.add_documents(docs)
        if (first // batch) % 50 == 0:
            elapsed = time.perf_counter() - began
            report(f"  populated {first + len(docs):,} / {documents:,} ({elapsed:.0f} s)")
    with database.unit_of_work() as store:
        for p in range(patients):
            store.save_patient(Patient(patient_id=patient_id(p)))
    return patients


def bench_find_documents(database: Database, patients: int, queries: int) -> tuple[float, float]:
    latencies = []
    rng = random.Random(42)
    for _ in range(queries):
        patient = patient_id(rng.randrange(patients))
        began = time.perf_counter()
        with database.snapshot() as store:
            result = run_stored_query(
                store,
                query_id=StoredQueryId.FIND_DOCUMENTS.value,
                parameters={
                    "$XDSDocumentEntryPatientId": (f"'{patient}'",),
                    "$XDSDocumentEntryStatus": (f"('{APPROVED}')",),
                },
                return_type=ReturnType.LEAF_CLASS,
                max_results=1000,
            )
        latencies.append(time.perf_counter() - began)
        assert len(result.objects) == DOCS_PER_PATIENT, len(result.objects)
    return percentile(latencies, 0.5) * 1000, percentile(latencies, 0.95) * 1000


def bench_find_documents_http(url: str, patients: int, queries: int) -> tuple[float, float]:
    """The ITI-18 round trip as a client sees it (request built, response parsed)."""
    rng = random.Random(7)
    latencies = []
    with XdsClient(url) as client:
        for _ in range(queries):
            patient = patient_id(rng.randrange(patients))
            began = time.perf_counter()
            response = client.stored_query(
                StoredQueryId.FIND_DOCUMENTS.value,
                {
                    "$XDSDocumentEntryPatientId": f"'{patient}'",
                    "$XDSDocumentEntryStatus": quote_list([APPROVED]),
                },
            )
            latencies.append(time.perf_counter() - began)
            assert len(response[0]) == DOCS_PER_PATIENT
    return percentile(latencies, 0.5) * 1000, percentile(latencies, 0.95) * 1000


def find_documents_request(patient: str) -> bytes:
    """An ITI-18 FindDocuments envelope for ``patient`` (Approved, LeafClass)."""
    request = etree.Element(f"{{{QUERY}}}AdhocQueryRequest", nsmap={"query": QUERY, "rim": RIM})
    etree.SubElement(request, f"{{{QUERY}}}ResponseOption", returnType="LeafClass")
    query = etree.SubElement(request, f"{{{RIM}}}AdhocQuery", id=StoredQueryId.FIND_DOCUMENTS.value)
    for name, value in (
        ("$XDSDocumentEntryPatientId", f"'{patient}'"),
        ("$XDSDocumentEntryStatus", quote_list([APPROVED])),
    ):
        slot = etree.SubElement(query, f"{{{RIM}}}Slot", name=name)
        etree.SubElement(
            etree.SubElement(slot, f"{{{RIM}}}ValueList"), f"{{{RIM}}}Value"
        ).text = value
    return envelope("urn:ihe:iti:2007:RegistryStoredQuery", request)


def bench_find_documents_wire(url: str, patients: int, queries: int) -> tuple[float, float]:
    """The ITI-18 round trip on the wire: request sent, whole answer received, not parsed.

    What the registry delivers over HTTP, without the client's own XML work (which
    ``bench_find_documents_http`` includes).
    """
    rng = random.Random(11)
    payloads = [find_documents_request(patient_id(rng.randrange(patients))) for _ in range(queries)]
    address = urlsplit(url)
    connection = http.client.HTTPConnection(address.hostname or "127.0.0.1", address.port)
    action = "urn:ihe:iti:2007:RegistryStoredQuery"
    headers = {"Content-Type": f'application/soap+xml; charset=UTF-8; action="{action}"'}
    latencies = []
    try:
        for payload in payloads:
            began = time.perf_counter()
            connection.request("POST", "/xds/registry", body=payload, headers=headers)
            response = connection.getresponse()
            content = response.read()
            latencies.append(time.perf_counter() - began)
            assert response.status == 200
            assert content.count(b"<rim:ExtrinsicObject ") == DOCS_PER_PATIENT
    finally:
        connection.close()
    return percentile(latencies, 0.5) * 1000, percentile(latencies, 0.95) * 1000


def bench_raw_select(path: Path, patients: int, queries: int) -> tuple[float, float]:
    connection = sqlite3.connect(path)
    rng = random.Random(42)
    latencies = []
    for _ in range(queries):
        patient = patient_id(rng.randrange(patients))
        began = time.perf_counter()
        rows = connection.execute(
            "SELECT document FROM document_entries"
            " WHERE patient_id = ? AND availability_status = ?",
            (patient, APPROVED),
        ).fetchall()
        latencies.append(time.perf_counter() - began)
        assert len(rows) == DOCS_PER_PATIENT
    return percentile(latencies, 0.5) * 1000, percentile(latencies, 0.95) * 1000


def bench_registrations(
    n: int, workdir: Path, servers: str, clients: int, report: Callable[[str], None]
) -> list[tuple[str, str, str]]:
    """ITI-42 in process, the raw baseline, and over HTTP on each server."""
    rows: list[tuple[str, str, str]] = []
    for threads in (1, 8):
        report(f"ITI-42 in process, {threads} thread(s) …")
        rows.append(
            (
                f"ITI-42 register, in process ({threads} thread{'s' if threads > 1 else ''})",
                f"{bench_register_in_process(n, workdir, threads=threads):,.0f} /s",
                "parse + validate + store" + (", group committed" if threads > 1 else ""),
            )
        )
    report("raw lxml parse + SQLite insert …")
    rows.append(
        (
            "baseline: lxml parse + SQLite insert/commit",
            f"{bench_raw_parse_insert(n, workdir):,.0f} /s",
            "same envelopes, 1 thread",
        )
    )
    for kind in servers.split(","):
        report(f"ITI-42 over HTTP ({kind}) …")
        rate, p95, failures = bench_register_http(n, workdir, kind, clients)
        rows.append(
            (
                f"ITI-42 register over HTTP, {kind}",
                f"{rate:,.0f} /s",
                f"{clients} clients, p95 {p95:.1f} ms, {failures} failed",
            )
        )

    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--sizes", default="100000,1000000", help="registered documents for FindDocuments"
    )
    parser.add_argument("--registrations", type=int, default=3000, help="ITI-42 requests per run")
    parser.add_argument("--clients", type=int, default=8, help="concurrent HTTP clients")
    parser.add_argument("--queries", type=int, default=2000, help="FindDocuments per size")
    parser.add_argument("--servers", default="gunicorn,granian", help="HTTP servers to compare")
    arguments = parser.parse_args()

    def report(line: str) -> None:
        print(line, file=sys.stderr, flush=True)

    rows: list[tuple[str, str, str]] = []
    with tempfile.TemporaryDirectory(prefix="carnet-bench-") as tmp:
        workdir = Path(tmp)
        n = arguments.registrations
        if n > 0:
            rows += bench_registrations(n, workdir, arguments.servers, arguments.clients, report)
        for size in (int(s) for s in arguments.sizes.split(",") if s and int(s) > 0):
            report(f"populating {size:,} documents …")
            data = workdir / f"find-{size}"
            data.mkdir()
            database = Database(f"sqlite:///{data / 'registry.sqlite3'}")
            database.migrate()
            patients = populate(database, size, report)
            database.engine.dispose()
            p50, p95 = bench_find_documents(database, patients, arguments.queries)
            rows.append(
                (
                    f"FindDocuments at {size:,} docs, in process",
                    f"p50 {p50:.2f} ms",
                    f"p95 {p95:.2f} ms (20 docs, LeafClass)",
                )
            )
            p50, p95 = bench_raw_select(data / "registry.sqlite3", patients, arguments.queries)
            rows.append(
                (
                    f"baseline: raw indexed SELECT at {size:,}",
                    f"p50 {p50:.2f} ms",
                    f"p95 {p95:.2f} ms",
                )
            )
            with live_server(data, workers=2) as running:
                wire = bench_find_documents_wire(running.url, patients, arguments.queries)
                client = bench_find_documents_http(
                    running.url, patients, min(arguments.queries, 1000)
                )
            rows.append(
                (
                    f"FindDocuments at {size:,} docs, ITI-18 on the wire",
                    f"p50 {wire[0]:.2f} ms",
                    f"p95 {wire[1]:.2f} ms (sent to answer received, 1 connection)",
                )
            )
            rows.append(
                (
                    f"FindDocuments at {size:,} docs, ITI-18 via XdsClient",
                    f"p50 {client[0]:.2f} ms",
                    f"p95 {client[1]:.2f} ms (request built, 150 KB answer parsed)",
                )
            )

    width = max(len(r[0]) for r in rows)
    print(f"{'measure':<{width}}  {'result':>14}  notes")
    print(f"{'-' * width}  {'-' * 14}  -----")
    for name, result, notes in rows:
        print(f"{name:<{width}}  {result:>14}  {notes}")


if __name__ == "__main__":
    main()
