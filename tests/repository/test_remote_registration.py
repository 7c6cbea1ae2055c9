"""ITI TF-2b 3.41.4.1.3 with the registry on another node: whole or nothing, through the ledger.

The registry is a stand-in (:class:`FakeRegistry`) that commits, refuses, cannot be
reached, or loses its answer on demand; the ledger is a real database, on SQLite and
PostgreSQL. The same rules on the wire, against a live registry node, are in
``tests/soap/test_registry_client.py``.
"""

from __future__ import annotations

import hashlib
from collections.abc import Collection
from dataclasses import dataclass, field

import pytest

from registry.errors import RegistryError, UnknownPatientId
from registry.model import DocumentEntry, Submission
from registry.storage.database import Database
from registry.storage.store import StoredDocument
from registry.vocabulary import ErrorCode
from repository.errors import DocumentStillRegistered, RegistryNotAvailable
from repository.folder_store import FolderDocumentStore
from repository.provide_and_register import provide_and_register
from repository.registration import InProcessRegistry
from repository.remote_registration import RemoteRegistry
from repository.remove_documents import remove_documents
from repository.retrieve import DocumentRequest, retrieve_documents
from repository.sweep import SweepReport, sweep
from tests import submissions as build
from tests.repository.conftest import REPOSITORY_ID, Content

DATA = b"compte rendu de consultation"
KEY = hashlib.sha1(DATA).hexdigest()


class Crash(BaseException):
    """The process dying in the middle of ITI-42."""


@dataclass
class FakeRegistry:
    """A Document Registry on another node, in memory, failing as told."""

    entries: dict[str, DocumentEntry] = field(default_factory=dict)
    refuse: RegistryError | None = None
    unreachable: bool = False
    lose_answer: bool = False
    """Commit (or not, see ``commit``), then lose the answer: a read timeout."""
    commit: bool = True
    crash: bool = False
    """Commit, then the repository's process dies before it hears the answer."""
    sent: int = 0

    def register(self, submission: Submission) -> None:
        if self.unreachable:
            raise RegistryNotAvailable("cannot reach the registry: connection refused")
        self.sent += 1
        if self.refuse is not None:
            raise self.refuse
        if self.commit:
            self.entries.update((entry.unique_id, entry) for entry in submission.documents)
        if self.crash:
            raise Crash
        if self.lose_answer:
            raise RegistryNotAvailable("no answer from the registry: read timeout", in_doubt=True)

    def get_documents(self, unique_ids: Collection[str]) -> list[DocumentEntry]:
        if self.unreachable:
            raise RegistryNotAvailable("cannot reach the registry: connection refused")
        return [self.entries[key] for key in unique_ids if key in self.entries]


@pytest.fixture
def fake() -> FakeRegistry:
    return FakeRegistry()


@pytest.fixture
def remote(database: Database, fake: FakeRegistry) -> RemoteRegistry:
    return RemoteRegistry(database, fake, repository_unique_id=REPOSITORY_ID)


def entry() -> DocumentEntry:
    return build.document_entry(
        hash=None, size=None, repository_unique_id=None, mime_type="text/plain"
    )


def provide(remote: RemoteRegistry, store: FolderDocumentStore, *entries: DocumentEntry) -> None:
    provide_and_register(
        build.submission(*entries),
        {each.entry_uuid: Content(DATA) for each in entries},
        store=store,
        registry=remote,
        repository_unique_id=REPOSITORY_ID,
    )


def ledger(database: Database) -> dict[str, StoredDocument]:
    """The whole ledger of this repository."""
    with database.engine.connect() as connection:
        rows = connection.exec_driver_sql("SELECT unique_id FROM repository_documents")
        unique_ids = [row[0] for row in rows]
    with database.snapshot() as store:
        return store.ledger.stored_documents(unique_ids, repository_unique_id=REPOSITORY_ID)


def pending(database: Database) -> dict[str, tuple[StoredDocument, ...]]:
    with database.snapshot() as store:
        return store.ledger.pending_registrations(repository_unique_id=REPOSITORY_ID)


def ask(unique_id: str) -> DocumentRequest:
    return DocumentRequest(repository_unique_id=REPOSITORY_ID, document_unique_id=unique_id)


def test_remote_iti41_records_the_document_once_the_registry_answers_success(
    database: Database, store: FolderDocumentStore, remote: RemoteRegistry, fake: FakeRegistry
) -> None:
    document = entry()
    provide(remote, store, document)
    assert set(fake.entries) == {document.unique_id}
    assert fake.entries[document.unique_id].hash == KEY
    assert ledger(database) == {
        document.unique_id: StoredDocument(
            unique_id=document.unique_id, hash=KEY, mime_type="text/plain", size=len(DATA)
        )
    }
    assert pending(database) == {}
    assert set(store.keys()) == {KEY}


def test_remote_iti43_serves_what_the_registry_registered_from_the_ledger(
    database: Database, store: FolderDocumentStore, remote: RemoteRegistry, fake: FakeRegistry
) -> None:
    document = entry()
    provide(remote, store, document)
    fake.unreachable = True  # ITI-43 does not call the registry
    result = retrieve_documents(
        database,
        store,
        [ask(document.unique_id)],
        repository_unique_id=REPOSITORY_ID,
        registry=remote,
    )
    try:
        [found] = result.documents
        assert (found.mime_type, found.size, found.content.read()) == (
            "text/plain",
            len(DATA),
            DATA,
        )
    finally:
        result.close()


def test_remote_iti41_refused_by_the_registry_raises_its_error_and_leaves_nothing(
    database: Database, store: FolderDocumentStore, remote: RemoteRegistry, fake: FakeRegistry
) -> None:
    fake.refuse = UnknownPatientId("patient unknown", location=build.PATIENT_ID)
    with pytest.raises(UnknownPatientId) as refused:
        provide(remote, store, entry())
    assert refused.value.location == build.PATIENT_ID
    assert list(store.keys()) == []
    assert ledger(database) == {}
    assert pending(database) == {}


def test_remote_iti41_with_the_registry_unreachable_is_registry_not_available_and_leaves_nothing(
    database: Database, store: FolderDocumentStore, remote: RemoteRegistry, fake: FakeRegistry
) -> None:
    fake.unreachable = True
    with pytest.raises(RegistryNotAvailable) as refused:
        provide(remote, store, entry())
    assert refused.value.error_code is ErrorCode.REGISTRY_NOT_AVAILABLE
    assert (list(store.keys()), ledger(database), pending(database)) == ([], {}, {})


def test_remote_iti41_whose_answer_is_lost_succeeds_when_the_registry_committed(
    database: Database, store: FolderDocumentStore, remote: RemoteRegistry, fake: FakeRegistry
) -> None:
    fake.lose_answer = True
    document = entry()
    provide(remote, store, document)
    assert set(ledger(database)) == {document.unique_id}
    assert pending(database) == {}
    assert set(store.keys()) == {KEY}


def test_remote_iti41_whose_answer_is_lost_is_refused_when_the_registry_did_not_commit(
    database: Database, store: FolderDocumentStore, remote: RemoteRegistry, fake: FakeRegistry
) -> None:
    fake.lose_answer, fake.commit = True, False
    with pytest.raises(RegistryNotAvailable, match="did not register") as refused:
        provide(remote, store, entry())
    assert not refused.value.in_doubt
    assert (list(store.keys()), ledger(database), pending(database)) == ([], {}, {})


def test_remote_iti41_whose_outcome_cannot_be_known_keeps_the_documents_pending(
    database: Database, store: FolderDocumentStore, remote: RemoteRegistry, fake: FakeRegistry
) -> None:
    class LosesEverything(FakeRegistry):
        def get_documents(self, unique_ids: Collection[str]) -> list[DocumentEntry]:
            raise RegistryNotAvailable("cannot reach the registry")

    lost = LosesEverything(lose_answer=True)
    remote = RemoteRegistry(database, lost, repository_unique_id=REPOSITORY_ID)
    document = entry()
    with pytest.raises(RegistryNotAvailable, match="kept until it says") as refused:
        provide(remote, store, document)
    assert refused.value.in_doubt
    assert set(store.keys()) == {KEY}
    assert ledger(database) == {}
    [(claimed,)] = pending(database).values()
    assert (claimed.unique_id, claimed.hash) == (document.unique_id, KEY)


def test_remote_refusal_keeps_a_content_another_registration_claims(
    database: Database, store: FolderDocumentStore, remote: RemoteRegistry, fake: FakeRegistry
) -> None:
    fake.crash = True  # the first one is in doubt: its claim stays
    with pytest.raises(Crash):
        provide(remote, store, entry())
    fake.crash, fake.refuse = False, UnknownPatientId("patient unknown")
    with pytest.raises(UnknownPatientId):
        provide(remote, store, entry())  # same bytes, refused
    assert set(store.keys()) == {KEY}


def test_remote_sweep_records_a_registration_in_doubt_the_registry_committed(
    database: Database, store: FolderDocumentStore, remote: RemoteRegistry, fake: FakeRegistry
) -> None:
    fake.crash = True
    document = entry()
    with pytest.raises(Crash):
        provide(remote, store, document)
    assert set(pending(database)) and set(store.keys()) == {KEY}
    report = sweep(store, remote)
    assert report == SweepReport(incomplete=0, unreferenced=0, kept=1, confirmed=1)
    assert set(ledger(database)) == {document.unique_id}
    assert pending(database) == {}


def test_remote_sweep_removes_a_registration_in_doubt_the_registry_never_committed(
    database: Database, store: FolderDocumentStore, remote: RemoteRegistry, fake: FakeRegistry
) -> None:
    fake.crash, fake.commit = True, False
    with pytest.raises(Crash):
        provide(remote, store, entry())
    report = sweep(store, remote)
    assert report == SweepReport(incomplete=0, unreferenced=1, kept=0, abandoned=1)
    assert (list(store.keys()), ledger(database), pending(database)) == ([], {}, {})


def test_remote_sweep_keeps_registrations_in_doubt_while_the_registry_is_unreachable(
    database: Database, store: FolderDocumentStore, remote: RemoteRegistry, fake: FakeRegistry
) -> None:
    fake.crash, fake.commit = True, False
    for _ in range(2):
        with pytest.raises(Crash):
            provide(remote, store, entry())
    fake.unreachable = True
    report = sweep(store, remote)
    assert report == SweepReport(incomplete=0, unreferenced=0, kept=1, in_doubt=2)
    assert len(pending(database)) == 2
    assert set(store.keys()) == {KEY}


def test_remote_iti86_refuses_a_document_the_registry_still_has(
    database: Database, store: FolderDocumentStore, remote: RemoteRegistry, fake: FakeRegistry
) -> None:
    document = entry()
    provide(remote, store, document)
    with pytest.raises(RegistryError) as refused:
        remove_documents(
            database,
            store,
            [ask(document.unique_id)],
            registry=remote,
            repository_unique_id=REPOSITORY_ID,
        )
    assert isinstance(refused.value.errors[0], DocumentStillRegistered)
    fake.entries.clear()  # ITI-62 at the registry
    result = remove_documents(
        database,
        store,
        [ask(document.unique_id)],
        registry=remote,
        repository_unique_id=REPOSITORY_ID,
    )
    assert result.released == {KEY}
    assert (list(store.keys()), ledger(database)) == ([], {})


def test_remote_iti86_with_the_registry_unreachable_removes_nothing(
    database: Database, store: FolderDocumentStore, remote: RemoteRegistry, fake: FakeRegistry
) -> None:
    document = entry()
    provide(remote, store, document)
    fake.unreachable = True
    with pytest.raises(RegistryNotAvailable):
        remove_documents(
            database,
            store,
            [ask(document.unique_id)],
            registry=remote,
            repository_unique_id=REPOSITORY_ID,
        )
    assert set(store.keys()) == {KEY}
    assert set(ledger(database)) == {document.unique_id}


def test_remote_iti43_takes_the_mime_type_of_a_document_registered_in_process(
    database: Database, store: FolderDocumentStore, remote: RemoteRegistry
) -> None:
    document = entry()
    in_process = InProcessRegistry(database, repository_unique_id=REPOSITORY_ID)
    provide_and_register(
        build.submission(document),
        {document.entry_uuid: Content(DATA)},
        store=store,
        registry=in_process,
        repository_unique_id=REPOSITORY_ID,
    )
    # The node now registers elsewhere; the ledger row it wrote in process has no mimeType.
    assert ledger(database)[document.unique_id].mime_type is None
    [found] = remote.registered_documents([document.unique_id]).values()
    assert (found.hash, found.mime_type, found.size) == (KEY, "text/plain", len(DATA))
