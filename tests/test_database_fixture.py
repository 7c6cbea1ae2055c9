"""The database fixtures: each test gets a fresh, reachable database on every backend."""

from __future__ import annotations

import sqlalchemy


def test_database_url_gives_an_empty_reachable_database(database_url: str) -> None:
    engine = sqlalchemy.create_engine(database_url)
    try:
        with engine.begin() as connection:
            assert sqlalchemy.inspect(connection).get_table_names() == []
            connection.execute(sqlalchemy.text("CREATE TABLE probe (id INTEGER PRIMARY KEY)"))
            connection.execute(sqlalchemy.text("INSERT INTO probe (id) VALUES (1)"))
            assert connection.execute(sqlalchemy.text("SELECT count(*) FROM probe")).scalar() == 1
    finally:
        engine.dispose()


def test_postgresql_url_names_the_carnet_database(postgresql_url: str) -> None:
    engine = sqlalchemy.create_engine(postgresql_url)
    try:
        with engine.connect() as connection:
            name = connection.execute(sqlalchemy.text("SELECT current_database()")).scalar()
            assert name == "carnet"
    finally:
        engine.dispose()
