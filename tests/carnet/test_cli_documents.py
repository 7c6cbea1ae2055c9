"""The client commands of ``carnet`` (submit, query, retrieve, import), run as real processes
against a live ``carnet serve``, as an independent harness would call them."""

from __future__ import annotations

import hashlib
import json
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from lxml import etree

from carnet.bulk_import import STATE_FILE
from carnet.client import XdsClient
from carnet.exit_codes import ExitCode
from carnet.file_metadata import files_submission
from registry.ebrim import submission_element
from registry.vocabulary import ErrorCode
from tests import submissions as build
from tests.live_server import LiveServer
from tests.soap.test_registry_endpoint import feed_patient, new_patient_id


def carnet(*arguments: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "carnet", *arguments],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


@pytest.fixture
def client(server: LiveServer) -> Iterator[XdsClient]:
    with XdsClient(server.url) as xds:
        yield xds


@pytest.fixture
def patient_id(client: XdsClient) -> str:
    patient = new_patient_id()
    feed_patient(client, patient)
    return patient


def printed_ids(output: str) -> list[str]:
    """The first column of tab-separated lines (submit and retrieve print ``uniqueId\\t…``)."""
    return [line.split("\t")[0] for line in output.splitlines() if "\t" in line]


def import_rows(output: str) -> dict[str, str]:
    """file → result, from the summary table of ``carnet import`` (cells split on 2+ spaces)."""
    table = [line for line in output.splitlines() if "file(s):" not in line][1:]
    return {cells[0]: cells[1] for cells in (re.split(r"\s{2,}", line) for line in table)}


def test_submit_then_retrieve_gives_the_same_bytes(
    server: LiveServer, patient_id: str, tmp_path: Path
) -> None:
    text, scan = tmp_path / "cr.xml", tmp_path / "scan.pdf"
    text.write_bytes("<ClinicalDocument>é</ClinicalDocument>".encode())
    scan.write_bytes(bytes(range(256)) * 3000)

    submitted = carnet("submit", str(text), str(scan), "--patient", patient_id, "--url", server.url)
    assert submitted.returncode == ExitCode.OK, submitted.stderr
    unique_ids = printed_ids(submitted.stdout)
    assert len(unique_ids) == 2 and all(u.startswith("2.25.") for u in unique_ids)

    out = tmp_path / "out"
    retrieved = carnet("retrieve", *unique_ids, "--out", str(out), "--url", server.url)
    assert retrieved.returncode == ExitCode.OK, retrieved.stderr
    paths = dict(line.split("\t") for line in retrieved.stdout.splitlines())
    assert Path(paths[unique_ids[0]]).read_bytes() == text.read_bytes()
    assert Path(paths[unique_ids[1]]).read_bytes() == scan.read_bytes()
    assert Path(paths[unique_ids[1]]).name == f"{unique_ids[1]}.pdf"


def test_submit_with_a_metadata_file_uses_its_document_entries(
    server: LiveServer, client: XdsClient, patient_id: str, tmp_path: Path
) -> None:
    entry = build.document_entry(title="From the metadata file")
    metadata = tmp_path / "meta.xml"
    metadata.write_bytes(etree.tostring(submission_element(build.submission(entry))))
    document = tmp_path / "doc.xml"
    document.write_bytes(b"<ClinicalDocument/>")  # the content whose hash the entry carries

    done = carnet(
        "submit", str(document), "--metadata", str(metadata), "--patient", patient_id,
        "--url", server.url,
    )  # fmt: skip
    assert done.returncode == ExitCode.OK, done.stderr
    assert printed_ids(done.stdout) == [entry.unique_id]
    [found] = client.find_documents(patient_id)
    assert found.title == "From the metadata file"
    assert found.patient_id == patient_id


def test_query_find_documents_prints_a_table(
    server: LiveServer, client: XdsClient, patient_id: str
) -> None:
    entry = build.document_entry(patient_id=patient_id)
    client.register(build.submission(entry, patient_id=patient_id))

    done = carnet("query", "find-documents", "--patient", patient_id, "--url", server.url)
    assert done.returncode == ExitCode.OK, done.stderr
    header, row = done.stdout.splitlines()
    assert header.split()[:3] == ["uniqueId", "status", "creationTime"]
    assert row.split()[:4] == [entry.unique_id, "Approved", entry.creation_time, "11488-4"]

    by_type = carnet(
        "query", "find-documents", "--patient", patient_id, "--status", "approved",
        "--type", "34133-9^^2.16.840.1.113883.6.1", "--url", server.url,
    )  # fmt: skip
    assert by_type.returncode == ExitCode.OK, by_type.stderr
    assert by_type.stdout.splitlines()[1:] == []


def test_import_sends_only_the_files_not_yet_sent(
    server: LiveServer, client: XdsClient, patient_id: str, tmp_path: Path
) -> None:
    folder = tmp_path / "inbox"
    (folder / "sub").mkdir(parents=True)
    for name in ("a.txt", "b.xml", "sub/c.pdf"):
        (folder / name).write_bytes(name.encode())

    first = carnet("import", str(folder), "--patient", patient_id, "--url", server.url)
    assert first.returncode == ExitCode.OK, first.stderr
    assert import_rows(first.stdout) == {"a.txt": "sent", "b.xml": "sent", "sub/c.pdf": "sent"}
    assert "3 file(s): 3 sent, 0 already sent, 0 failed" in first.stdout
    assert "[3/3] sub/c.pdf" in first.stderr  # progress, one line per file off a terminal

    (folder / "d.txt").write_bytes(b"d")
    second = carnet("import", str(folder), "--patient", patient_id, "--url", server.url)
    assert second.returncode == ExitCode.OK, second.stderr
    assert import_rows(second.stdout) == {
        "a.txt": "already sent",
        "b.xml": "already sent",
        "d.txt": "sent",
        "sub/c.pdf": "already sent",
    }
    found = client.find_documents(patient_id)
    assert sorted(e.title or "" for e in found) == ["a.txt", "b.xml", "c.pdf", "d.txt"]


def test_import_resumes_a_file_left_pending(
    server: LiveServer, client: XdsClient, patient_id: str, tmp_path: Path
) -> None:
    # A run that stopped after recording its choice of uniqueIds, before or after sending:
    # "sent.txt" reached the registry, "lost.txt" did not.
    folder = tmp_path / "inbox"
    folder.mkdir()
    (folder / "sent.txt").write_bytes(b"sent")
    (folder / "lost.txt").write_bytes(b"lost")
    submission, documents = files_submission([folder / "sent.txt"], patient_id=patient_id)
    client.provide_and_register(submission, documents)
    pending = [
        {
            "file": name,
            "state": "pending",
            "patient_id": patient_id,
            "unique_id": unique_id,
            "submission_set_unique_id": f"{unique_id}.1",
        }
        for name, unique_id in (
            ("sent.txt", submission.documents[0].unique_id),
            ("lost.txt", "2.25.4242424242"),
        )
    ]
    state = folder / STATE_FILE
    state.write_text("".join(json.dumps(line) + "\n" for line in pending) + '{"file": "torn')

    done = carnet("import", str(folder), "--patient", patient_id, "--url", server.url)
    assert done.returncode == ExitCode.OK, done.stderr
    assert import_rows(done.stdout) == {"lost.txt": "sent", "sent.txt": "already sent"}
    found = {e.title: e.unique_id for e in client.find_documents(patient_id)}
    assert found == {"sent.txt": submission.documents[0].unique_id, "lost.txt": "2.25.4242424242"}


def test_import_refuses_the_state_of_another_patient(
    server: LiveServer, patient_id: str, tmp_path: Path
) -> None:
    (tmp_path / "a.txt").write_bytes(b"a")
    first = carnet("import", str(tmp_path), "--patient", patient_id, "--url", server.url)
    assert first.returncode == ExitCode.OK, first.stderr
    other = carnet("import", str(tmp_path), "--patient", new_patient_id(), "--url", server.url)
    assert other.returncode == ExitCode.USAGE
    assert patient_id in other.stderr


def test_unknown_patient_exits_1(server: LiveServer, tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_bytes(b"a")
    unknown = new_patient_id()
    done = carnet("submit", str(tmp_path / "a.txt"), "--patient", unknown, "--url", server.url)
    assert done.returncode == ExitCode.REFUSED
    assert ErrorCode.UNKNOWN_PATIENT_ID.value in done.stderr

    imported = carnet("import", str(tmp_path), "--patient", unknown, "--url", server.url)
    assert imported.returncode == ExitCode.REFUSED
    assert import_rows(imported.stdout) == {"a.txt": "failed"}


def test_unreachable_url_exits_3(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_bytes(b"a")
    url = "http://127.0.0.1:9"
    for arguments in (
        ("query", "find-documents", "--patient", build.PATIENT_ID),
        ("submit", str(tmp_path / "a.txt"), "--patient", build.PATIENT_ID),
        ("retrieve", "1.2.3", "--out", str(tmp_path / "out")),
        ("import", str(tmp_path), "--patient", build.PATIENT_ID),
    ):
        done = carnet(*arguments, "--url", url, "--timeout", "5")
        assert done.returncode == ExitCode.UNREACHABLE, (arguments, done.stderr)
        assert "cannot reach" in done.stderr


def test_usage_errors_exit_2(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_bytes(b"a")
    without_patient = carnet("submit", str(tmp_path / "a.txt"))
    assert without_patient.returncode == ExitCode.USAGE
    assert "--patient" in without_patient.stderr
    missing_file = carnet("submit", str(tmp_path / "nope"), "--patient", build.PATIENT_ID)
    assert missing_file.returncode == ExitCode.USAGE
    bad_code = carnet("submit", str(tmp_path / "a.txt"), "--patient", "x", "--type-code", "x")
    assert bad_code.returncode == ExitCode.USAGE
    bad_url = carnet("query", "find-documents", "--patient", "x", "--url", "ftp://x")
    assert bad_url.returncode == ExitCode.USAGE


def test_retrieve_size_mismatch_exits_4(
    server: LiveServer, client: XdsClient, patient_id: str, tmp_path: Path
) -> None:
    # A DocumentEntry registered (ITI-42) over stored bytes it misdescribes: same hash,
    # another size. The repository serves the bytes; the client must not keep them.
    (tmp_path / "a.txt").write_bytes(b"abc")
    stored = carnet("submit", str(tmp_path / "a.txt"), "--patient", patient_id, "--url", server.url)
    assert stored.returncode == ExitCode.OK, stored.stderr
    [original] = client.find_documents(patient_id)
    liar = build.document_entry(
        "Document02",
        patient_id=patient_id,
        hash=hashlib.sha1(b"abc").hexdigest(),
        size=999,
        repository_unique_id=original.repository_unique_id,
    )
    client.register(build.submission(liar, patient_id=patient_id))

    out = tmp_path / "out"
    done = carnet("retrieve", liar.unique_id, "--out", str(out), "--url", server.url)
    assert done.returncode == ExitCode.INTEGRITY, done.stderr
    assert "999" in done.stderr
    assert not out.exists() or list(out.iterdir()) == []
