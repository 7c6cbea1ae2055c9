"""A crash never loses an acknowledged document nor leaves half a submission (issue 3).

A load of concurrent ITI-41 submissions runs against a real ``carnet serve``;
the server and its workers are killed with SIGKILL in the middle of it, then
restarted on the same data directory (which sweeps the document store).
Afterwards every submission acknowledged Success is retrievable byte for byte,
every registered DocumentEntry has its file, and every stored file belongs to
a registered DocumentEntry.
"""

from __future__ import annotations

import hashlib
import os
import threading
import time
from pathlib import Path

import httpx

from carnet.client import XdsClient
from tests import submissions as build
from tests.live_server import live_server
from tests.repository_wire import SUCCESS, provide_and_register, retrieve
from tests.soap.test_registry_endpoint import (
    APPROVED,
    extrinsic_objects,
    feed_patient,
    find_documents,
    new_patient_id,
    unique_id_of,
)

CLIENTS = 6
LOAD_SECONDS = 2.0


def _slots(element: object) -> dict[str, str]:
    rim = "urn:oasis:names:tc:ebxml-regrep:xsd:rim:3.0"
    return {
        s.get("name", ""): s.findtext(f"{{{rim}}}ValueList/{{{rim}}}Value") or ""
        for s in element.iterfind(f"{{{rim}}}Slot")  # type: ignore[attr-defined]
    }


def test_sigkill_mid_load_loses_no_acknowledged_document_and_leaves_no_half_submission(
    tmp_path: Path,
) -> None:
    data = tmp_path / "node"
    acknowledged: dict[str, bytes] = {}
    lock = threading.Lock()
    stop = threading.Event()

    with live_server(data, workers=2) as first:
        with XdsClient(first.url) as client:
            patient_id = new_patient_id()
            feed_patient(client, patient_id)
        url = first.url + "/xds/repository"

        def submit_until_stopped(worker: int) -> None:
            serial = 0
            while not stop.is_set():
                serial += 1
                content = os.urandom(40_000) + f"{worker}-{serial}".encode()
                entry = build.document_entry(patient_id=patient_id).with_(
                    hash=None, size=None, repository_unique_id=None
                )
                try:
                    answer = provide_and_register(
                        url, build.submission(entry, patient_id=patient_id), {"Document01": content}
                    )
                except (httpx.HTTPError, AssertionError, ValueError):
                    continue  # the server died under this request: not acknowledged
                if answer.status == 200 and answer.status_uri == SUCCESS:
                    with lock:
                        acknowledged[entry.unique_id] = content

        threads = [threading.Thread(target=submit_until_stopped, args=(n,)) for n in range(CLIENTS)]
        for thread in threads:
            thread.start()
        time.sleep(LOAD_SECONDS)
        first.crash()
        stop.set()
        for thread in threads:
            thread.join(timeout=60)
    assert len(acknowledged) >= 5, "the load did not get going before the crash"

    with live_server(data, workers=2) as second:
        with XdsClient(second.url) as client:
            response = find_documents(client, patient_id, APPROVED)
        entries = {unique_id_of(e): _slots(e) for e in extrinsic_objects(response)}
        repository_url = second.url + "/xds/repository"

        # Every acknowledged submission is registered and retrievable byte for byte.
        assert set(acknowledged) <= set(entries)
        for unique_id, content in acknowledged.items():
            answer = retrieve(repository_url, (build.REPOSITORY_ID, unique_id))
            assert answer.status_uri == SUCCESS
            assert answer.documents()[unique_id][1] == content

        # No registry entry without its file: each one registered (acknowledged or
        # not) is retrievable with the hash and size its metadata gives.
        for unique_id, slots in entries.items():
            answer = retrieve(repository_url, (build.REPOSITORY_ID, unique_id))
            assert answer.status_uri == SUCCESS, (unique_id, answer.errors)
            content = answer.documents()[unique_id][1]
            assert hashlib.sha1(content).hexdigest() == slots["hash"]
            assert len(content) == int(slots["size"])

        # No stray file after the start-up sweep: every file is some entry's content.
        stored = {p.name for p in (data / "documents").rglob("*") if p.is_file()}
        assert stored == {slots["hash"] for slots in entries.values()}
