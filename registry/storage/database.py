"""ITI TF-2b 3.42.4.1.3 — one database transaction per request: all or nothing.

A Register Document Set-b submission is accepted or refused as a whole
(ITI TF-2b 3.42.4.1.3); ``Database.unit_of_work`` gives it one transaction
that commits when the block ends normally and rolls back on any exception.
Stored queries read through ``Database.snapshot``, a transaction that never
writes.

``Database.write`` is the hot path's unit of work (ITI-42, ITI-41): it *group
commits*. Concurrent writers of a process queue their work; whoever gets the
writer's turn runs every queued piece in one transaction, each in its own
``SAVEPOINT`` so that a refused submission leaves nothing while the others stay,
and commits once: one fsync and one turn of the writer lock for the batch
instead of one each (the technique of PostgreSQL's ``commit_delay`` and
MySQL's binary-log group commit, without their wait). Each caller still gets
its own result or exception only after the batch is durable.

SQLite runs in WAL mode, foreign keys on, a busy timeout and case-sensitive
``LIKE`` (as PostgreSQL's); a unit of work takes the write lock up front
(``BEGIN IMMEDIATE``) so that concurrent writers wait instead of failing on a
lock upgrade. A unit of work is durable when it returns, but its fsync happens
*after* the write lock is released: SQLite runs with ``synchronous=NORMAL``
(its COMMIT writes the log without syncing it) and ``Database`` then
``fdatasync``-s the write-ahead log itself, outside the lock, before handing
back the result (see ``_WriteAheadLog``). The next writer's batch runs during
that sync instead of after it: measured over ITI-41 (2 processes), the commit's
share of the writer lock went from ~1.4 ms to ~0.5 ms a batch.

PostgreSQL is reached through psycopg 3 (``postgresql+psycopg://``). Nothing
here touches a database before a method is called.
"""

from __future__ import annotations

import fcntl
import os
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Generic, TypeVar

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy.engine import URL, Connection, make_url

from registry.storage.direct_sql import DirectSql, json_text
from registry.storage.store import RegistryStore

__all__ = ["Database"]

_BUSY_TIMEOUT_MS = 10_000
_BEGIN = "carnet_sqlite_begin"
_WRITER_LOCK = 0x4361726E6574
"""PostgreSQL advisory lock key held by every unit of work ("Carnet" in ASCII)."""


_T = TypeVar("_T")
_SAVEPOINT = "carnet_write"
_MAX_BATCH = 64
"""At most this many registrations share a transaction (and wait for its one fsync)."""


class Database:
    """The registry database at ``url``: schema migrations and transactions.

    ``url`` is an SQLAlchemy URL: ``sqlite:///path/registry.db`` or
    ``postgresql+psycopg://user@host/db`` (``postgresql://`` is taken to mean
    psycopg 3). The engine is created here but connects on first use.
    """

    def __init__(self, url: str, *, echo: bool = False) -> None:
        parsed = make_url(url)
        if parsed.drivername in ("postgresql", "postgres"):
            parsed = parsed.set(drivername="postgresql+psycopg")
        self.url = parsed
        self.engine: Engine = create_engine(
            parsed,
            echo=echo,
            json_serializer=json_text,
            pool_pre_ping=parsed.get_backend_name() == "postgresql",
        )
        self._writers = _WriterQueue.for_url(parsed)
        self._log = _WriteAheadLog.for_url(parsed)
        self._batch = _GroupCommit()
        if self.engine.dialect.name == "sqlite":
            _configure_sqlite(self.engine)

    def migrate(self) -> None:
        """Bring the schema to the newest revision (``alembic upgrade head``); idempotent."""
        config = Config()
        config.set_main_option("script_location", "registry.storage:migrations")
        # Under the writers' lock: several server processes may start at once.
        with self._writer_transaction() as connection:
            config.attributes["connection"] = connection
            command.upgrade(config, "head")

    @contextmanager
    def unit_of_work(self) -> Iterator[RegistryStore]:
        """A store bound to one write transaction: committed on exit, rolled back on error.

        Writers take turns (SQLite's write lock, a PostgreSQL transaction
        advisory lock), so the checks a submission makes before it writes —
        uniqueIds not yet registered, referenced objects still Approved —
        still hold when it commits.
        """
        with self._writer_transaction() as connection:
            yield RegistryStore(connection)

    def write(self, work: Callable[[RegistryStore], _T]) -> _T:
        """Run ``work`` in a write transaction, committed with others queued at the same time.

        ``work`` runs under the writer lock, in a savepoint of a transaction that
        may hold other callers' work too (see the module docstring): if it
        raises, its own changes are rolled back and the exception is raised
        here; the others commit. It returns once the transaction that holds its
        changes is committed. ``work`` may run on another caller's thread: it
        must not rely on thread-local state.
        """
        return self._batch.run(work, self._run_batch)

    def _run_batch(self, batch: list[_Work[Any]]) -> None:
        """One transaction for ``batch``: a savepoint each, one commit for all."""
        try:
            with self._writer_transaction() as connection:
                store = RegistryStore(connection)
                direct = DirectSql(connection)  # savepoints on the DB-API cursor: direct_sql
                position = 0
                while position < len(batch):
                    item = batch[position]
                    position += 1
                    direct.execute(f"SAVEPOINT {_SAVEPOINT}")
                    try:
                        item.result = item.work(store)
                    except BaseException as error:  # handed to its caller
                        direct.execute(f"ROLLBACK TO SAVEPOINT {_SAVEPOINT}")
                        item.error = error
                    direct.execute(f"RELEASE SAVEPOINT {_SAVEPOINT}")
                    if position == len(batch) and len(batch) < _MAX_BATCH:
                        # Writers that queued while this batch ran join it: they would
                        # otherwise wait for its commit, then for one of their own.
                        batch.extend(self._batch.take(_MAX_BATCH - len(batch)))
        except BaseException as error:  # the commit failed: everyone
            for item in batch:
                if item.error is None:
                    item.error = error
        finally:
            for item in batch:
                item.done = True

    @contextmanager
    def snapshot(self) -> Iterator[RegistryStore]:
        """A store bound to one read transaction, always rolled back (stored queries).

        A query that reads several tables (GetAll, Get…AndContents) sees one
        consistent state: SQLite's read transaction, PostgreSQL's REPEATABLE READ.
        """
        with self.engine.connect() as connection:
            if self.engine.dialect.name == "postgresql":
                connection.execution_options(
                    isolation_level="REPEATABLE READ", postgresql_readonly=True
                )
            transaction = connection.begin()
            try:
                yield RegistryStore(connection)
            finally:
                transaction.rollback()

    @contextmanager
    def _writer_transaction(self) -> Iterator[Connection]:
        # The connection is checked out of the pool, and back in, outside the writer lock:
        # only the transaction needs the lock (SQLAlchemy's checkout and reset are ~5 % of
        # an ITI-41's Python time, measured with py-spy).
        with self.engine.connect() as connection:
            connection.execution_options(**{_BEGIN: "BEGIN IMMEDIATE"})
            with self._writers.turn(), connection.begin():
                if self.engine.dialect.name == "postgresql":
                    connection.execute(
                        text("SELECT pg_advisory_xact_lock(:key)"), {"key": _WRITER_LOCK}
                    )
                yield connection
        # Committed, the writer lock released: now make the commit durable (see _WriteAheadLog).
        self._log.make_durable()

    def dispose(self) -> None:
        """Close every pooled connection (at shutdown, or between tests)."""
        self.engine.dispose()


def _configure_sqlite(engine: Engine) -> None:
    """Per-connection pragmas, and transactions begun by us rather than by pysqlite."""

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Let SQLAlchemy's "begin" event below emit BEGIN itself (SQLAlchemy
        # documents this recipe: pysqlite otherwise defers BEGIN to the first
        # write, so reads of one unit of work would not be isolated).
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        try:
            for pragma in (
                "PRAGMA journal_mode=WAL",
                # NORMAL: COMMIT writes the log, does not sync it; Database syncs it
                # after releasing the writer lock, before any caller hears of the
                # commit (_WriteAheadLog). Checkpoints and log restarts are still
                # synced by SQLite itself in this mode.
                "PRAGMA synchronous=NORMAL",
                "PRAGMA foreign_keys=ON",
                f"PRAGMA busy_timeout={_BUSY_TIMEOUT_MS}",
                "PRAGMA case_sensitive_like=ON",
            ):
                cursor.execute(pragma)
        finally:
            cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Connection) -> None:
        connection.exec_driver_sql(connection.get_execution_options().get(_BEGIN, "BEGIN"))


class _Work(Generic[_T]):
    """One caller's piece of a group commit, and what became of it."""

    __slots__ = ("done", "error", "result", "work")

    def __init__(self, work: Callable[[RegistryStore], _T]) -> None:
        self.work = work
        self.done = False
        self.result: _T | None = None
        self.error: BaseException | None = None


class _GroupCommit:
    """Leader/follower batching of a process's writers (see ``Database.write``).

    A caller queues its work, then waits for the process's writer turn. Whoever
    gets it first takes the whole queue — its own work and everything queued
    while the previous batch ran — and runs it as one batch, taking in too what
    is queued while it runs (up to ``_MAX_BATCH``); the others find theirs done
    when their turn comes. There is no timer: a lone writer commits at once, and
    batches grow only as fast as writers arrive while one commits. Measured over
    HTTP (2 workers of 8 threads, 8 clients), letting late writers join raised the
    mean batch from 2.1 to 3.2 registrations and cut the writer lock's hold per
    registration from ~2.1 to ~1.7 ms.
    """

    def __init__(self) -> None:
        self._queue: list[_Work[Any]] = []
        self._queue_lock = threading.Lock()
        self._turn = threading.Lock()

    def run(
        self, work: Callable[[RegistryStore], _T], run_batch: Callable[[list[_Work[Any]]], None]
    ) -> _T:
        item = _Work(work)
        with self._queue_lock:
            self._queue.append(item)
        with self._turn:
            if not item.done:
                with self._queue_lock:
                    batch, self._queue = self._queue, []
                run_batch(batch)
        if item.error is not None:
            raise item.error
        return item.result  # type: ignore[return-value]

    def take(self, most: int) -> list[_Work[Any]]:
        """Up to ``most`` queued pieces of work, for the batch running now (it holds the turn)."""
        with self._queue_lock:
            taken, self._queue = self._queue[:most], self._queue[most:]
        return taken


class _WriteAheadLog:
    """Makes an SQLite database's committed transactions durable, outside the writer lock.

    With ``synchronous=NORMAL`` in WAL mode, SQLite's COMMIT appends the
    transaction's frames to ``<database>-wal`` with ``write()`` and returns; it
    syncs the log only before a checkpoint copies it into the database file,
    syncs the database file after that copy, and syncs the log's header when
    the log restarts (SQLite, "PRAGMA synchronous" and "Write-Ahead Logging").
    So once a COMMIT has returned, its frames are either still in the log file —
    where one ``fdatasync`` of that file makes them durable, with every frame
    before them — or already checkpointed, and then synced by SQLite. If the
    log file is gone, the last connection checkpointed it into the database file
    (synced) and deleted it: nothing is left to do.

    A crash before the sync loses the transaction, as a crash before a
    synchronous commit would: its callers had not been answered. Readers may
    see the transaction during the sync; a power loss at that moment would take
    back what they saw, never what a caller was told is stored.

    PostgreSQL and in-memory databases commit durably themselves: no-op.
    """

    def __init__(self, path: Path | None) -> None:
        self._path = path

    @classmethod
    def for_url(cls, url: URL) -> _WriteAheadLog:
        return cls(_beside_sqlite_file(url, "-wal"))

    def make_durable(self) -> None:
        """``fdatasync`` the log: every transaction committed so far survives a power loss."""
        if self._path is None:
            return
        try:
            descriptor = os.open(self._path, os.O_RDONLY)
        except FileNotFoundError:
            return  # checkpointed into the database file, which SQLite synced, and removed
        try:
            _fdatasync(descriptor)
        finally:
            os.close(descriptor)


def _beside_sqlite_file(url: URL, suffix: str) -> Path | None:
    """``<database file><suffix>`` for an SQLite file; ``None`` for PostgreSQL or ``:memory:``."""
    database = url.database
    if url.get_backend_name() != "sqlite" or not database or database == ":memory:":
        return None
    return Path(database).with_name(Path(database).name + suffix)


_fdatasync = getattr(os, "fdatasync", os.fsync)
"""``fdatasync`` where the platform has it (Linux); ``fsync`` elsewhere (macOS)."""


class _WriterQueue:
    """Queues the writers of one SQLite file on an OS lock, in and across processes.

    SQLite lets one writer in at a time and makes the others poll, sleeping up
    to 100 ms between tries; under concurrent submissions that sleep, not the
    work, sets the pace. Waiting on ``flock`` instead (threads of a process
    first take a mutex) hands the write lock over as soon as it is released.
    PostgreSQL and in-memory databases need no queue.
    """

    def __init__(self, lock_path: Path | None) -> None:
        self._lock_path = lock_path
        self._mutex = threading.Lock()
        self._descriptor: int | None = None

    @classmethod
    def for_url(cls, url: URL) -> _WriterQueue:
        return cls(_beside_sqlite_file(url, ".writer-lock"))

    @contextmanager
    def turn(self) -> Iterator[None]:
        if self._lock_path is None:
            yield
            return
        with self._mutex:
            if self._descriptor is None:
                self._descriptor = os.open(self._lock_path, os.O_RDWR | os.O_CREAT, 0o600)
            fcntl.flock(self._descriptor, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(self._descriptor, fcntl.LOCK_UN)
