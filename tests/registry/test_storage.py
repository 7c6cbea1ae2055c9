"""registry/storage: codec round trips, migrations, unit of work, references, patients.

Every database test runs on SQLite and on PostgreSQL (``database_url``).
"""

from __future__ import annotations

import fcntl
import json
import os
import sqlite3
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import func, inspect, select, text

from registry.model import (
    Association,
    Author,
    Code,
    DocumentEntry,
    Folder,
    Slot,
    Submission,
    SubmissionSet,
)
from registry.patients import Patient, PatientStatus
from registry.storage import (
    Database,
    DocumentCriteria,
    FolderCriteria,
    ObjectKind,
    RegistryStore,
    SubmissionSetCriteria,
    TimeRange,
    codec,
)
from registry.storage import database as database_module
from registry.storage.tables import Base, DocumentEntryCodeRow, DocumentEntryRow
from registry.vocabulary import (
    AssociationType,
    AvailabilityStatus,
    DocumentAvailability,
    ObjectType,
    SubmissionSetStatus,
)
from tests import submissions

PATIENT = submissions.PATIENT_ID
OTHER_PATIENT = submissions.OTHER_PATIENT_ID


def new_uuid() -> str:
    return f"urn:uuid:{uuid.uuid4()}"


def full_document(**changes: object) -> DocumentEntry:
    """A DocumentEntry with every attribute set, none at its default."""
    entry = submissions.document_entry(new_uuid())
    full = entry.with_(
        object_type=ObjectType.ON_DEMAND_DOCUMENT_ENTRY,
        logical_id=new_uuid(),
        version="2",
        availability_status=AvailabilityStatus.DEPRECATED,
        home_community_id="urn:oid:1.2.3.4",
        document_availability=DocumentAvailability.ONLINE.value,
        limited_metadata=True,
        confidentiality_codes=(
            Code(code="N", scheme="2.16.840.1.113883.5.25", display_name="Normal"),
            Code(code="INVISIBLE_PATIENT", scheme="1.2.250.1.213.1.1.4.13"),
        ),
        event_codes=(
            Code(code="GLE", scheme="1.2.250.1.213.2.5"),
            Code(code="E2", scheme="1.2.3", display_name="Événement « deux »"),
        ),
        authors=(
            submissions.author(),
            Author(
                institutions=("Clinique^^^^^^^^^1.2.3",),
                extra_slots=(Slot(name="authorXYZ", values=("x",)),),
            ),
        ),
        reference_ids=("A^^^&1.2.3&ISO^urn:ihe:iti:xds:2013:accession", "B^^^&1.2.3&ISO"),
        extra_slots=(
            Slot(name="urn:carnet:a", values=("1", "2")),
            Slot(name="urn:carnet:empty", values=()),
        ),
    )
    return full.with_(**changes)


def full_submission_set(**changes: object) -> SubmissionSet:
    value = submissions.submission_set(new_uuid()).with_(
        availability_status="urn:example:status:Custom",
        logical_id=new_uuid(),
        version="1",
        home_community_id="urn:oid:1.2.3.4",
        comments="Commentaire",
        limited_metadata=True,
        extra_slots=(Slot(name="urn:carnet:ss", values=("v",)),),
    )
    return value.with_(**changes)


def full_folder(**changes: object) -> Folder:
    value = submissions.folder(new_uuid()).with_(
        codes=(
            Code(code="TEST", scheme="1.2.250.1.999.3", display_name="Dossier"),
            Code(code="OTHER", scheme="1.2.3"),
        ),
        last_update_time="20241015101600",
        logical_id=new_uuid(),
        version="1",
        home_community_id="urn:oid:1.2.3.4",
        comments="Séjour",
        limited_metadata=True,
        extra_slots=(Slot(name="urn:carnet:f", values=("v",)),),
    )
    return value.with_(**changes)


def full_association(**changes: object) -> Association:
    value = Association(
        entry_uuid=new_uuid(),
        association_type=AssociationType.HAS_MEMBER.value,
        source_id=new_uuid(),
        target_id=new_uuid(),
        availability_status=AvailabilityStatus.SUBMITTED,
        home_community_id="urn:oid:1.2.3.4",
        submission_set_status=SubmissionSetStatus.REFERENCE,
        previous_version="1",
        original_status=AvailabilityStatus.APPROVED.value,
        new_status=AvailabilityStatus.DEPRECATED.value,
        association_propagation="no",
        extra_slots=(Slot(name="urn:carnet:a", values=("1",)),),
    )
    return value.with_(**changes)


def stored_submission(*documents: DocumentEntry, patient_id: str = PATIENT) -> Submission:
    """A SubmissionSet with ``documents`` and a folder holding the first, ids registered."""
    docs = documents or (full_document(patient_id=patient_id, source_patient_id=patient_id),)
    submission_set = full_submission_set(patient_id=patient_id)
    folder = full_folder(patient_id=patient_id)
    contents: tuple[DocumentEntry | Folder, ...] = (*docs, folder)
    members = [
        full_association(source_id=submission_set.entry_uuid, target_id=obj.entry_uuid)
        for obj in contents
    ]
    filing = full_association(source_id=folder.entry_uuid, target_id=docs[0].entry_uuid)
    return Submission(
        submission_set=submission_set,
        documents=docs,
        folders=(folder,),
        associations=(*members, filing),
    )


@pytest.fixture
def database(database_url: str) -> Iterator[Database]:
    db = Database(database_url)
    db.migrate()
    try:
        yield db
    finally:
        db.dispose()


# --------------------------------------------------------------------------- codec


@pytest.mark.parametrize(
    "obj",
    [
        full_document(),
        full_document(availability_status="urn:example:status:Unknown"),
        submissions.document_entry(new_uuid()),
        DocumentEntry(entry_uuid="urn:uuid:x", unique_id="1.2", patient_id=PATIENT),
        full_submission_set(),
        full_folder(),
        full_association(),
        full_association(association_type="urn:example:custom", submission_set_status=None),
    ],
    ids=lambda obj: type(obj).__name__,
)
def test_codec_round_trips_every_field_through_json(obj: object) -> None:
    encoded = json.loads(json.dumps(codec.encode(obj)))  # type: ignore[arg-type]
    decode = {
        DocumentEntry: codec.decode_document,
        SubmissionSet: codec.decode_submission_set,
        Folder: codec.decode_folder,
        Association: codec.decode_association,
    }[type(obj)]
    decoded = decode(encoded)
    assert decoded == obj
    assert type(decoded.availability_status) is type(obj.availability_status)  # type: ignore[attr-defined]


def test_codec_leaves_defaults_out() -> None:
    minimal = DocumentEntry(entry_uuid="urn:uuid:x", unique_id="1.2", patient_id=PATIENT)
    assert codec.encode(minimal) == {
        "entry_uuid": "urn:uuid:x",
        "unique_id": "1.2",
        "patient_id": PATIENT,
    }


def test_codec_keeps_a_document_entry_near_one_kilobyte() -> None:
    size = len(json.dumps(codec.encode(submissions.document_entry(new_uuid()))).encode())
    assert size < 2048


# --------------------------------------------------------------------------- schema


def test_migrate_is_idempotent(database: Database) -> None:
    database.migrate()
    database.migrate()
    with database.engine.connect() as connection:
        tables = set(inspect(connection).get_table_names())
        version = connection.execute(text("SELECT version_num FROM alembic_version")).scalar()
    assert tables >= set(Base.metadata.tables)
    assert version == "0006"


def test_migrations_create_exactly_the_declared_tables(database: Database) -> None:
    with database.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        differences = compare_metadata(context, Base.metadata)
    assert differences == []


def test_database_opens_nothing_before_use(tmp_path: Path) -> None:
    path = tmp_path / "never.sqlite3"
    Database(f"sqlite:///{path}")
    assert not path.exists()


def test_sqlite_connections_use_wal_and_foreign_keys(tmp_path: Path) -> None:
    db = Database(f"sqlite:///{tmp_path / 'wal.sqlite3'}")
    try:
        with db.engine.connect() as connection:
            assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
            assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
            # NORMAL (1): COMMIT does not sync the log; Database does, after the lock
            # (test_a_commit_is_synced_after_the_writer_lock_is_released_before_returning).
            assert connection.exec_driver_sql("PRAGMA synchronous").scalar() == 1
            assert (connection.exec_driver_sql("PRAGMA busy_timeout").scalar() or 0) > 0
    finally:
        db.dispose()


@pytest.mark.parametrize("how", ["write", "unit_of_work"])
def test_a_commit_is_synced_after_the_writer_lock_is_released_before_returning(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, how: str
) -> None:
    """synchronous=NORMAL: the write-ahead log is fdatasync-ed by Database, outside the lock.

    When the sync runs, the transaction is committed (another connection sees it)
    and the writer lock is free (another writer could take it); the unit of work
    returns only after the sync.
    """
    path = tmp_path / "log.sqlite3"
    db = Database(f"sqlite:///{path}")
    db.migrate()
    real_fdatasync = database_module._fdatasync
    synced: list[tuple[str, bool, int]] = []

    def spy(descriptor: int) -> None:
        lock = os.open(f"{path}.writer-lock", os.O_RDWR)
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)  # BlockingIOError if still held
            fcntl.flock(lock, fcntl.LOCK_UN)
            free = True
        except BlockingIOError:
            free = False
        finally:
            os.close(lock)
        with sqlite3.connect(path) as reader:
            (committed,) = reader.execute("SELECT count(*) FROM submission_sets").fetchone()
        synced.append((os.readlink(f"/proc/self/fd/{descriptor}"), free, committed))
        real_fdatasync(descriptor)

    monkeypatch.setattr(database_module, "_fdatasync", spy)
    try:
        if how == "write":
            db.write(lambda store: store.add_submission(stored_submission()))
        else:
            with db.unit_of_work() as store:
                store.add_submission(stored_submission())
        assert synced == [(f"{path}-wal", True, 1)]
    finally:
        db.dispose()


# --------------------------------------------------------------------------- unit of work


def test_unit_of_work_commits_a_submission_and_reads_it_back(database: Database) -> None:
    submission = stored_submission(full_document(), full_document())
    with database.unit_of_work() as store:
        store.add_submission(submission)
    with database.snapshot() as store:
        assert store.documents([d.entry_uuid for d in submission.documents]) == list(
            submission.documents
        )
        assert store.submission_sets([submission.submission_set.entry_uuid]) == [
            submission.submission_set
        ]
        assert store.folders([submission.folders[0].entry_uuid]) == list(submission.folders)
        assert store.associations([a.entry_uuid for a in submission.associations]) == list(
            submission.associations
        )


def test_unit_of_work_rollback_leaves_nothing(database: Database) -> None:
    submission = stored_submission()
    with pytest.raises(RuntimeError), database.unit_of_work() as store:
        store.add_submission(submission)
        raise RuntimeError("refused after insert")
    with database.engine.connect() as connection:
        for table in Base.metadata.sorted_tables:
            count = connection.execute(select(func.count()).select_from(table)).scalar()
            assert count == 0, table.name


def test_snapshot_sees_one_state_while_a_writer_commits(database: Database) -> None:
    first, second = stored_submission(), stored_submission()
    with database.unit_of_work() as store:
        store.add_submission(first)
    criteria = DocumentCriteria(patient_id=PATIENT)
    with database.snapshot() as reader:
        before = reader.find_documents(criteria)
        with database.unit_of_work() as writer:
            writer.add_submission(second)
        assert reader.find_documents(criteria) == before
    with database.snapshot() as reader:
        assert len(reader.find_documents(criteria)) == 2


def test_concurrent_writers_take_turns(database: Database) -> None:
    submissions_by_writer = [[stored_submission() for _ in range(15)] for _ in range(4)]

    def write(batch: list[Submission]) -> None:
        for submission in batch:
            with database.unit_of_work() as store:
                store.add_submission(submission)

    with ThreadPoolExecutor(max_workers=4) as pool:
        for future in [pool.submit(write, batch) for batch in submissions_by_writer]:
            future.result()
    with database.snapshot() as store:
        assert len(store.find_documents(DocumentCriteria(patient_id=PATIENT))) == 60


def test_write_group_commits_queued_writers_and_rolls_back_only_the_one_that_fails(
    database: Database,
) -> None:
    """Database.write: work queued while a batch runs is committed together, a savepoint each."""
    first_running, let_first_finish = threading.Event(), threading.Event()
    stores: dict[str, int] = {}

    def first(store: RegistryStore) -> str:
        first_running.set()
        assert let_first_finish.wait(10)
        return "first"

    def writer(name: str, submission: Submission, *, fail: bool = False) -> Callable[..., str]:
        def work(store: RegistryStore) -> str:
            stores[name] = id(store)
            store.add_submission(submission)
            if fail:
                raise RuntimeError(f"{name} refused after insert")
            return name

        return work

    kept = [stored_submission() for _ in range(3)]
    refused = stored_submission()
    with ThreadPoolExecutor(max_workers=5) as pool:
        head = pool.submit(database.write, first)
        assert first_running.wait(10)
        futures = [pool.submit(database.write, writer(f"w{n}", s)) for n, s in enumerate(kept)]
        failing = pool.submit(database.write, writer("bad", refused, fail=True))
        while len(database._batch._queue) < 4:  # all four queued behind the first batch
            time.sleep(0.005)
        let_first_finish.set()
        assert head.result() == "first"
        assert [f.result() for f in futures] == ["w0", "w1", "w2"]
        with pytest.raises(RuntimeError, match="bad refused"):
            failing.result()
    assert len(set(stores.values())) == 1, "the four queued writers ran in one transaction"
    with database.snapshot() as store:
        found = store.find_documents(DocumentCriteria(patient_id=PATIENT))
    assert {d.entry_uuid for d in found} == {s.documents[0].entry_uuid for s in kept}


def test_write_lets_a_writer_queued_during_a_batch_join_it(database: Database) -> None:
    """A writer arriving while the batch runs is committed with it, not in a batch after."""
    first_running, let_first_finish = threading.Event(), threading.Event()
    stores: dict[str, int] = {}

    def first(store: RegistryStore) -> str:
        stores["first"] = id(store)
        first_running.set()
        assert let_first_finish.wait(10)
        return "first"

    def late(store: RegistryStore) -> str:
        stores["late"] = id(store)
        store.add_submission(stored_submission())
        return "late"

    with ThreadPoolExecutor(max_workers=2) as pool:
        head = pool.submit(database.write, first)
        assert first_running.wait(10)
        joiner = pool.submit(database.write, late)
        while len(database._batch._queue) < 1:  # queued while the first batch runs
            time.sleep(0.005)
        let_first_finish.set()
        assert (head.result(), joiner.result()) == ("first", "late")
    assert stores["late"] == stores["first"], "the late writer ran in the running transaction"


def test_duplicate_entry_uuid_fails_the_whole_unit_of_work(database: Database) -> None:
    first = stored_submission()
    with database.unit_of_work() as store:
        store.add_submission(first)
    second = stored_submission(first.documents[0].with_(unique_id="1.2.3.999"))
    with pytest.raises(Exception), database.unit_of_work() as store:  # noqa: B017
        store.add_submission(second)
    with database.snapshot() as store:
        assert store.submission_sets([second.submission_set.entry_uuid]) == []


def test_child_tables_hold_codes_authors_and_reference_ids(database: Database) -> None:
    entry = full_document()
    with database.unit_of_work() as store:
        store.add_submission(stored_submission(entry))
    with database.engine.connect() as connection:
        codes = connection.execute(
            select(DocumentEntryCodeRow.kind, DocumentEntryCodeRow.value)
            .join(DocumentEntryRow, DocumentEntryRow.pk == DocumentEntryCodeRow.entry_pk)
            .where(DocumentEntryRow.entry_uuid == entry.entry_uuid)
        ).all()
    assert sorted(codes) == sorted(
        [("event", str(c)) for c in entry.event_codes]
        + [("confidentiality", str(c)) for c in entry.confidentiality_codes]
    )


# --------------------------------------------------------------------------- references


def test_objects_by_uuid_resolves_every_kind(database: Database) -> None:
    submission = stored_submission()
    with database.unit_of_work() as store:
        store.add_submission(submission)
    entry = submission.documents[0]
    with database.snapshot() as store:
        refs = store.objects_by_uuid(
            [
                entry.entry_uuid,
                submission.submission_set.entry_uuid,
                submission.folders[0].entry_uuid,
                submission.associations[0].entry_uuid,
                "urn:uuid:unknown",
            ]
        )
    assert {ref.kind for ref in refs.values()} == set(ObjectKind)
    assert "urn:uuid:unknown" not in refs
    document = refs[entry.entry_uuid]
    assert (document.unique_id, document.patient_id, document.hash, document.size) == (
        entry.unique_id,
        entry.patient_id,
        entry.hash,
        entry.size,
    )
    assert document.availability_status == AvailabilityStatus.DEPRECATED.value
    assert document.logical_id == entry.logical_id


def test_objects_by_unique_id_finds_documents_sets_and_folders(database: Database) -> None:
    submission = stored_submission()
    with database.unit_of_work() as store:
        store.add_submission(submission)
    wanted = {
        submission.documents[0].unique_id: ObjectKind.DOCUMENT,
        submission.submission_set.unique_id: ObjectKind.SUBMISSION_SET,
        submission.folders[0].unique_id: ObjectKind.FOLDER,
    }
    with database.snapshot() as store:
        refs = store.objects_by_unique_id([*wanted, "1.2.3.4.5.6.7.8.9"])
    assert {unique_id: ref.kind for unique_id, ref in refs.items()} == wanted


def test_logical_id_defaults_to_entry_uuid(database: Database) -> None:
    entry = full_document(logical_id=None)
    with database.unit_of_work() as store:
        store.add_submission(stored_submission(entry))
    with database.snapshot() as store:
        assert store.objects_by_uuid([entry.entry_uuid])[entry.entry_uuid].logical_id == (
            entry.entry_uuid
        )


def test_associations_touching_filters_by_type(database: Database) -> None:
    original, replacement = full_document(), full_document()
    rplc = full_association(
        association_type=AssociationType.REPLACE.value,
        source_id=replacement.entry_uuid,
        target_id=original.entry_uuid,
        submission_set_status=None,
    )
    submission = stored_submission(original, replacement)
    submission = Submission(
        submission_set=submission.submission_set,
        documents=submission.documents,
        folders=submission.folders,
        associations=(*submission.associations, rplc),
    )
    with database.unit_of_work() as store:
        store.add_submission(submission)
    with database.snapshot() as store:
        touching = store.associations_touching([original.entry_uuid])
        replacing = store.associations_touching(
            [original.entry_uuid], types=[AssociationType.REPLACE.value]
        )
        from_replacement = store.associations_from([replacement.entry_uuid])
        to_original = store.associations_to(
            [original.entry_uuid], types=[AssociationType.HAS_MEMBER.value]
        )
    assert rplc in touching and len(touching) == 3  # SS member, folder member, RPLC
    assert replacing == [rplc]
    assert from_replacement == [rplc]
    assert len(to_original) == 2


# --------------------------------------------------------------------------- updates


def test_set_status_updates_column_and_json(database: Database) -> None:
    entry = full_document(availability_status=AvailabilityStatus.APPROVED)
    submission = stored_submission(entry)
    with database.unit_of_work() as store:
        store.add_submission(submission)
    uuids = [entry.entry_uuid, submission.folders[0].entry_uuid]
    with database.unit_of_work() as store:
        store.set_status(uuids, AvailabilityStatus.DEPRECATED)
    with database.snapshot() as store:
        (document,) = store.documents([entry.entry_uuid])
        (folder,) = store.folders([submission.folders[0].entry_uuid])
        by_status = store.find_documents(
            DocumentCriteria(patient_id=PATIENT, statuses=(AvailabilityStatus.DEPRECATED.value,))
        )
    assert document.availability_status == AvailabilityStatus.DEPRECATED
    assert folder.availability_status == AvailabilityStatus.DEPRECATED
    assert [d.entry_uuid for d in by_status] == [entry.entry_uuid]
    assert document == entry.with_(availability_status=AvailabilityStatus.DEPRECATED)


def test_set_folder_last_update_time(database: Database) -> None:
    submission = stored_submission()
    folder = submission.folders[0]
    with database.unit_of_work() as store:
        store.add_submission(submission)
    with database.unit_of_work() as store:
        store.set_folder_last_update_time([folder.entry_uuid], "20250101120000")
    with database.snapshot() as store:
        (stored,) = store.folders([folder.entry_uuid])
        found = store.find_folders(
            FolderCriteria(
                patient_id=PATIENT,
                last_update_time=TimeRange(start="2025", end="2026"),
            )
        )
    assert stored.last_update_time == "20250101120000"
    assert found == [stored]


# --------------------------------------------------------------------------- patients


def test_save_patient_inserts_then_updates(database: Database) -> None:
    patient = Patient(
        patient_id=PATIENT,
        given_name="Marie",
        family_name="Durand",
        birth_time="19800101",
        gender="F",
        demographics=(("birthPlace", "Paris"), ("mothersMaidenName", "Martin")),
    )
    with database.unit_of_work() as store:
        assert store.patient(PATIENT) is None
        store.save_patient(patient)
    with database.unit_of_work() as store:
        assert store.patient(PATIENT) == patient
        store.save_patient(patient.__class__(patient_id=PATIENT, family_name="Dupont"))
    with database.snapshot() as store:
        assert store.patient(PATIENT) == Patient(patient_id=PATIENT, family_name="Dupont")


def test_merge_patients_moves_objects_to_the_surviving_id(database: Database) -> None:
    submission = stored_submission(patient_id=OTHER_PATIENT)
    kept = stored_submission(patient_id=PATIENT)
    with database.unit_of_work() as store:
        store.save_patient(Patient(patient_id=PATIENT))
        store.save_patient(Patient(patient_id=OTHER_PATIENT, family_name="Durand"))
        store.save_patient(
            Patient(
                patient_id="OLD^^^&1.2.250.1.213.1.4.10&ISO",
                status=PatientStatus.MERGED,
                merged_into=OTHER_PATIENT,
            )
        )
        store.add_submission(submission)
        store.add_submission(kept)
    with database.unit_of_work() as store:
        moved = store.merge_patients(subsumed=OTHER_PATIENT, surviving=PATIENT)
    assert moved == 3  # one DocumentEntry, one SubmissionSet, one Folder
    with database.snapshot() as store:
        subsumed = store.patient(OTHER_PATIENT)
        older = store.patient("OLD^^^&1.2.250.1.213.1.4.10&ISO")
        (document,) = store.documents([submission.documents[0].entry_uuid])
        (submission_set,) = store.submission_sets([submission.submission_set.entry_uuid])
        (folder,) = store.folders([submission.folders[0].entry_uuid])
        of_survivor = store.find_documents(DocumentCriteria(patient_id=PATIENT))
        of_subsumed = store.find_submission_sets(SubmissionSetCriteria(patient_id=OTHER_PATIENT))
    assert subsumed is not None and subsumed.status is PatientStatus.MERGED
    assert subsumed.merged_into == PATIENT and subsumed.family_name == "Durand"
    assert older is not None and older.merged_into == PATIENT
    assert document.patient_id == submission_set.patient_id == folder.patient_id == PATIENT
    assert document.source_patient_id == OTHER_PATIENT  # sourcePatientId is history: kept
    assert len(of_survivor) == 2
    assert of_subsumed == []


# --------------------------------------------------------------------------- query plans


def test_find_documents_for_a_patient_is_one_indexed_query(database: Database) -> None:
    if database.engine.dialect.name != "sqlite":
        pytest.skip("EXPLAIN QUERY PLAN is SQLite's")
    criteria = DocumentCriteria(
        patient_id=PATIENT,
        statuses=(AvailabilityStatus.APPROVED.value,),
        object_types=(ObjectType.STABLE_DOCUMENT_ENTRY.value,),
        class_codes=("a^^b",),
        event_codes=(("e^^s",),),
        confidentiality_codes=(("N^^s",),),
        author_persons=("%Welby%",),
        creation_time=TimeRange(start="2004", end="2005"),
        latest_only=True,
    )
    with database.snapshot() as store:
        plan = store.explain_find_documents(criteria)
    text_plan = "\n".join(plan)
    assert "ix_document_entries_patient_status_creation" in text_plan, text_plan
    assert not any(
        step.startswith("SCAN") and "document_entries" in step and "document_entry_" not in step
        for step in plan
    ), text_plan
    for child in ("pk_document_entry_codes", "pk_document_entry_authors"):
        assert child in text_plan or "sqlite_autoindex_" + child[3:] in text_plan, text_plan
