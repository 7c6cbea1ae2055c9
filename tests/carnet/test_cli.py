"""The ``carnet`` command line, run as a real process (``python -m carnet``)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from registry.register import register
from registry.storage.database import Database
from tests import submissions as build


def carnet(*arguments: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "carnet", *arguments],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_patient_add_makes_the_patient_known(tmp_path: Path) -> None:
    done = carnet("patient", "add", build.PATIENT_ID, "--family", "Durand", "--data", str(tmp_path))
    assert done.returncode == 0, done.stderr
    assert build.PATIENT_ID in done.stdout
    database = Database(f"sqlite:///{tmp_path / 'registry.sqlite3'}")
    registered = register(database, build.submission())
    assert registered.documents[0].entry_uuid.startswith("urn:uuid:")
    with database.snapshot() as store:
        patient = store.patient(build.PATIENT_ID)
    assert patient is not None and patient.family_name == "Durand"


def test_patient_add_refuses_a_malformed_id_with_exit_code_1(tmp_path: Path) -> None:
    done = carnet("patient", "add", "not-a-cx", "--data", str(tmp_path))
    assert done.returncode == 1
    assert "not-a-cx" in done.stderr


def test_invalid_setting_is_a_usage_error(tmp_path: Path) -> None:
    done = carnet("migrate", "--data", str(tmp_path), "--database-url", "")
    assert done.returncode == 2
    assert "database_url" in done.stderr


def test_migrate_creates_the_database(tmp_path: Path) -> None:
    done = carnet("migrate", "--data", str(tmp_path / "new"))
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "new" / "registry.sqlite3").exists()


def test_serve_defaults_to_the_dmp_profile_which_needs_a_trust_store(tmp_path: Path) -> None:
    """Issue 5: ``carnet serve`` is a DMP node unless told ``--profile ihe``; a DMP node checks
    VIHFs, so without a trust store it refuses to start, saying why."""
    environ = {k: v for k, v in os.environ.items() if not k.startswith("CARNET_")}
    done = subprocess.run(
        [sys.executable, "-m", "carnet", "serve", "--data", str(tmp_path), "--port", "0"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
        env=environ,
    )
    assert done.returncode == 2, done.stderr
    assert "trust_store" in done.stderr
