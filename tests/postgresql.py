"""A throwaway PostgreSQL cluster for the test session, on loopback, removed afterwards.

Uses the server binaries of Debian's ``postgresql`` package (``/usr/lib/postgresql/<v>/bin``),
which ``scripts/ensure-postgresql`` installs. The cluster lives in a temporary directory, trusts
local connections, listens on a free loopback port with its Unix socket in that directory, and
is tuned for speed over durability (fsync off). initdb refuses to run as root, so as root the
cluster belongs to the ``postgres`` user and the server commands run through ``runuser``.
"""

from __future__ import annotations

import contextlib
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import psycopg
from psycopg import sql

SERVER_USER = "postgres"
DATABASE = "carnet"
_BINARY_GLOB = "/usr/lib/postgresql/*/bin"


def find_bin_dir() -> Path | None:
    """The newest PostgreSQL server binary directory, or None when the server is absent."""
    candidates = [path for path in Path("/").glob(_BINARY_GLOB.lstrip("/")) if _has_server(path)]
    if candidates:
        return max(candidates, key=lambda path: _version_key(path.parent.name))
    pg_ctl = shutil.which("pg_ctl")
    if pg_ctl is not None and _has_server(Path(pg_ctl).resolve().parent):
        return Path(pg_ctl).resolve().parent
    return None


def unavailable_reason() -> str | None:
    """Why a cluster cannot be started here, or None when it can."""
    if find_bin_dir() is None:
        return "PostgreSQL server not installed (run scripts/ensure-postgresql as root)"
    if os.geteuid() == 0:
        if shutil.which("runuser") is None:
            return "running as root without runuser: cannot start PostgreSQL as another user"
        try:
            pwd.getpwnam(SERVER_USER)
        except KeyError:
            return f"running as root and no {SERVER_USER!r} user to own the cluster"
    return None


@dataclass(frozen=True, kw_only=True)
class Cluster:
    """A running throwaway cluster reachable over TCP on loopback."""

    host: str
    port: int

    def url(self, database: str = DATABASE) -> str:
        """SQLAlchemy URL of ``database`` in this cluster (psycopg 3 driver, trust auth)."""
        return f"postgresql+psycopg://{SERVER_USER}@{self.host}:{self.port}/{database}"

    def create_database(self, name: str) -> None:
        with self._admin() as connection:
            connection.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))

    def drop_database(self, name: str) -> None:
        with self._admin() as connection:
            connection.execute(
                sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
            )

    def _admin(self) -> psycopg.Connection[tuple[object, ...]]:
        return psycopg.connect(
            host=self.host, port=self.port, user=SERVER_USER, dbname="postgres", autocommit=True
        )


@contextlib.contextmanager
def cluster() -> Iterator[Cluster]:
    """Start a cluster with a ``carnet`` database; stop and delete it on exit."""
    bin_dir = find_bin_dir()
    if bin_dir is None:
        raise RuntimeError("PostgreSQL server not installed")
    as_root = os.geteuid() == 0
    base = Path(tempfile.mkdtemp(prefix="carnet-pg-"))
    data = base / "data"
    port = _free_port()
    running = False
    try:
        if as_root:
            owner = pwd.getpwnam(SERVER_USER)
            os.chown(base, owner.pw_uid, owner.pw_gid)
        _run(
            as_root,
            bin_dir / "initdb",
            "--pgdata", str(data),
            "--username", SERVER_USER,
            "--auth", "trust",
            "--encoding", "UTF8",
            "--no-locale",
            "--no-sync",
        )  # fmt: skip
        options = " ".join(
            [
                "-c listen_addresses=127.0.0.1",
                f"-p {port}",
                f"-k {base}",
                "-c fsync=off",
                "-c synchronous_commit=off",
                "-c full_page_writes=off",
            ]
        )
        _run(
            as_root,
            bin_dir / "pg_ctl",
            "--pgdata", str(data),
            "--log", str(base / "server.log"),
            "--options", options,
            "--wait",
            "start",
        )  # fmt: skip
        running = True
        server = Cluster(host="127.0.0.1", port=port)
        server.create_database(DATABASE)
        yield server
    finally:
        if running:
            _run(as_root, bin_dir / "pg_ctl", "--pgdata", str(data), "--mode", "immediate", "stop")
        shutil.rmtree(base, ignore_errors=True)


def _run(as_root: bool, program: Path, *arguments: str) -> None:
    command = [str(program), *arguments]
    if as_root:
        command = ["runuser", "-u", SERVER_USER, "--", *command]
    # The server user may not be able to enter the caller's directory: run from the cluster's.
    cwd = Path(arguments[arguments.index("--pgdata") + 1]).parent
    result = subprocess.run(command, capture_output=True, text=True, check=False, cwd=cwd)
    if result.returncode != 0:
        raise RuntimeError(
            f"{' '.join(command)} failed ({result.returncode}):\n{result.stdout}{result.stderr}"
        )


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def _has_server(bin_dir: Path) -> bool:
    return (bin_dir / "pg_ctl").is_file() and (bin_dir / "initdb").is_file()


def _version_key(version: str) -> tuple[int, ...]:
    return tuple(int(part) for part in version.split(".") if part.isdigit())
