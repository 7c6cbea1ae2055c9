"""Alembic environment of the registry schema, run in code by ``Database.migrate``.

No ``alembic.ini`` exists at run time: ``database.py`` builds the Alembic
``Config``, points ``script_location`` at this package and hands over an open
connection in ``config.attributes["connection"]``; the upgrade runs inside
that connection's transaction.
"""

from __future__ import annotations

from alembic import context
from sqlalchemy.engine import Connection

from registry.storage.tables import Base


def _run(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=Base.metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


_connection = context.config.attributes.get("connection")
if not isinstance(_connection, Connection):
    raise RuntimeError("registry migrations run only through registry.storage.Database.migrate")
_run(_connection)
