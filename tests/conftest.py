"""Fixtures shared by the whole suite: databases (SQLite always, PostgreSQL when installed)."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests import live_server, postgresql


@pytest.fixture(scope="session")
def postgresql_cluster() -> Iterator[postgresql.Cluster]:
    """A throwaway PostgreSQL cluster for the session; skips when the server is not installed."""
    reason = postgresql.unavailable_reason()
    if reason is not None:
        pytest.skip(reason)
    with postgresql.cluster() as cluster:
        yield cluster


@pytest.fixture(scope="session")
def postgresql_url(postgresql_cluster: postgresql.Cluster) -> str:
    """SQLAlchemy URL of the session cluster's ``carnet`` database."""
    return postgresql_cluster.url()


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A fresh, empty database for one test, on SQLite and on PostgreSQL in turn."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'registry.sqlite3'}"
        return
    cluster: postgresql.Cluster = request.getfixturevalue("postgresql_cluster")
    name = f"test_{uuid.uuid4().hex}"
    cluster.create_database(name)
    try:
        yield cluster.url(name)
    finally:
        cluster.drop_database(name)


@pytest.fixture(scope="session")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[live_server.LiveServer]:
    """One ``carnet serve --profile ihe`` on SQLite for the session, on a loopback port."""
    with live_server.live_server(tmp_path_factory.mktemp("server")) as running:
        yield running


@pytest.fixture(scope="session")
def postgresql_server(
    tmp_path_factory: pytest.TempPathFactory, postgresql_cluster: postgresql.Cluster
) -> Iterator[live_server.LiveServer]:
    """The same server on PostgreSQL (skipped when PostgreSQL is not installed)."""
    name = f"server_{uuid.uuid4().hex}"
    postgresql_cluster.create_database(name)
    with live_server.live_server(
        tmp_path_factory.mktemp("pgserver"), database_url=postgresql_cluster.url(name)
    ) as running:
        yield running
