"""The statements of registration's hot path, sent straight to the DB-API cursor.

Registration runs under the database's single writer lock (``database.py``), so
every microsecond spent there is taken from every other writer. SQLAlchemy
Core's execution of a cached statement costs ~0.13 ms (measured here on SQLite:
parameter processing, execution context, result set-up); the same statement on
the DB-API cursor costs ~0.035 ms. A registration inserts six to eight times
and checks the registry's state twice (the patient, the uniqueIds), so those
statements — and the group commit's savepoints — go through here, in the same
transaction of the same connection; everything else (queries, updates,
migrations) stays with SQLAlchemy. Under concurrent ITI-41 the two checks
through SQLAlchemy were ~10 % of the Python time of a request (py-spy, GIL held).

The SQL text is made once per table and column set, for the two dialects
Carnet runs on: SQLite (``:name`` or ``?`` parameters, ``lastrowid``) and
PostgreSQL through psycopg 3 (``%(name)s`` or ``%s`` parameters, ``RETURNING``).
JSON columns are serialised as SQLAlchemy would (``Database``'s
``json_serializer``), so rows read back through SQLAlchemy exactly as if it had
written them.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Sequence
from typing import Any

from sqlalchemy import JSON, Table
from sqlalchemy.engine import Connection

__all__ = ["DirectSql", "json_text", "json_value"]


def json_text(value: Any) -> str:
    """JSON as the registry stores it: compact, UTF-8 kept as is."""
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False)


def json_value(value: Any) -> Any:
    """A JSON column as read from the DB-API: psycopg decodes it, sqlite3 gives the text."""
    return json.loads(value) if isinstance(value, str) else value


class DirectSql:
    """Statements on ``connection``'s DB-API cursor, inside its current transaction."""

    __slots__ = ("_connection", "_postgresql")

    def __init__(self, connection: Connection) -> None:
        self._connection = connection
        self._postgresql = connection.dialect.name == "postgresql"

    def placeholders(self, count: int) -> str:
        """``count`` positional parameter markers, comma-separated, for :meth:`fetch`."""
        return ", ".join(["%s" if self._postgresql else "?"] * count)

    def execute(self, sql: str) -> None:
        """Run a statement without parameters or result (``SAVEPOINT …``)."""
        cursor = self._cursor()
        try:
            cursor.execute(sql)
        finally:
            cursor.close()

    def fetch(self, sql: str, parameters: Sequence[Any]) -> list[tuple[Any, ...]]:
        """The rows of ``sql``, whose positional markers come from :meth:`placeholders`."""
        cursor = self._cursor()
        try:
            cursor.execute(sql, tuple(parameters))
            return [tuple(row) for row in cursor.fetchall()]
        finally:
            cursor.close()

    def insert(
        self,
        table: Table,
        rows: Sequence[dict[str, Any]],
        *,
        skip_existing: bool = False,
        json_serialised: bool = False,
    ) -> None:
        """Insert ``rows`` (all with the same keys, column names) into ``table``.

        ``skip_existing`` leaves alone a row whose key is already there (``ON CONFLICT
        DO NOTHING``, SQLite 3.24+ and PostgreSQL alike) instead of failing.
        ``json_serialised``: the rows' JSON columns already hold :func:`json_text`.
        """
        if not rows:
            return
        columns = tuple(rows[0])
        sql = _insert_sql(table, columns, postgresql=self._postgresql, returning=False)
        if skip_existing:
            sql += " ON CONFLICT DO NOTHING"
        json_columns = frozenset() if json_serialised else _json_columns(table) & set(columns)
        cursor = self._cursor()
        try:
            cursor.executemany(sql, [_adapted(row, json_columns) for row in rows])
        finally:
            cursor.close()

    def insert_keyed(
        self, table: Table, rows: Sequence[dict[str, Any]], *, json_serialised: bool = False
    ) -> dict[str, int]:
        """Insert ``rows`` and give the integer key (``pk``) of each, by ``entry_uuid``."""
        if not rows:
            return {}
        columns = tuple(rows[0])
        sql = _insert_sql(table, columns, postgresql=self._postgresql, returning=True)
        json_columns = frozenset() if json_serialised else _json_columns(table) & set(columns)
        keys: dict[str, int] = {}
        cursor = self._cursor()
        try:
            for row in rows:
                cursor.execute(sql, _adapted(row, json_columns))
                if self._postgresql:
                    keys[row["entry_uuid"]] = int(cursor.fetchone()[0])
                else:
                    keys[row["entry_uuid"]] = int(cursor.lastrowid)
        finally:
            cursor.close()
        return keys

    def _cursor(self) -> Any:
        return self._connection.connection.driver_connection.cursor()  # type: ignore[union-attr]


def _adapted(row: dict[str, Any], json_columns: frozenset[str]) -> dict[str, Any]:
    if not json_columns:
        return row
    adapted = dict(row)
    for name in json_columns:
        value = adapted[name]
        adapted[name] = None if value is None else json_text(value)
    return adapted


@functools.cache
def _json_columns(table: Table) -> frozenset[str]:
    return frozenset(column.name for column in table.columns if isinstance(column.type, JSON))


@functools.cache
def _insert_sql(
    table: Table, columns: tuple[str, ...], *, postgresql: bool, returning: bool
) -> str:
    for name in columns:
        if name not in table.columns:
            raise KeyError(f"{table.name} has no column {name!r}")
    quoted = ", ".join(f'"{name}"' for name in columns)
    if postgresql:
        values = ", ".join(f"%({name})s" for name in columns)
    else:
        values = ", ".join(f":{name}" for name in columns)
    sql = f'INSERT INTO "{table.name}" ({quoted}) VALUES ({values})'
    if returning and postgresql:
        sql += ' RETURNING "pk"'
    return sql
