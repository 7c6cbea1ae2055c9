"""ITI TF-2b 3.41.4.1.3: the start-up sweep leaves only contents committed entries reference."""

from __future__ import annotations

from registry.storage.database import Database
from repository.folder_store import FolderDocumentStore
from repository.provide_and_register import provide_and_register
from repository.registration import InProcessRegistry
from repository.sweep import SweepReport, sweep
from tests import submissions as build
from tests.repository.conftest import REPOSITORY_ID, Content

KEPT = b"<ClinicalDocument>registered</ClinicalDocument>"


def provided(store: FolderDocumentStore, registry: InProcessRegistry) -> str:
    entry = build.document_entry(hash=None, size=None, repository_unique_id=None)
    done = provide_and_register(
        build.submission(entry),
        {"Document01": Content(KEPT)},
        store=store,
        registry=registry,
        repository_unique_id=REPOSITORY_ID,
    )
    return done.documents[0].hash or ""


def test_sweep_removes_unreferenced_files(
    store: FolderDocumentStore, registry: InProcessRegistry
) -> None:
    kept = provided(store, registry)
    # A crash between storing and committing leaves contents nothing references.
    orphans = {store.put([f"orphan {n}".encode()]) for n in range(3)}
    report = sweep(store, registry, batch=2)
    assert report == SweepReport(incomplete=0, unreferenced=3, kept=1)
    assert set(store.keys()) == {kept}
    assert not any(store.exists(key) for key in orphans)


def test_sweep_removes_interrupted_writes(
    store: FolderDocumentStore, registry: InProcessRegistry
) -> None:
    kept = provided(store, registry)
    (store.path_of(kept).parent / ".tmp-k2j3h4").write_bytes(b"half a docu")
    assert sweep(store, registry) == SweepReport(incomplete=1, unreferenced=0, kept=1)
    assert [p.name for p in store.path_of(kept).parent.iterdir()] == [kept]


def test_sweep_counts_only_entries_of_this_repository(
    database: Database, store: FolderDocumentStore, registry: InProcessRegistry
) -> None:
    kept = provided(store, registry)
    # The same registry, seen as another repository: nothing of ours is referenced by it.
    other = InProcessRegistry(database, repository_unique_id="1.2.3.4.5")
    assert sweep(store, other) == SweepReport(incomplete=0, unreferenced=1, kept=0)
    assert not store.exists(kept)


def test_sweep_of_an_empty_store(store: FolderDocumentStore, registry: InProcessRegistry) -> None:
    assert sweep(store, registry) == SweepReport(incomplete=0, unreferenced=0, kept=0)
