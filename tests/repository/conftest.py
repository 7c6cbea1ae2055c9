"""Fixtures of the repository's tests: a migrated database, a document store, the registry."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from registry.patients import Patient
from registry.storage.database import Database
from repository.folder_store import FolderDocumentStore
from repository.registration import InProcessRegistry
from tests import submissions as build

REPOSITORY_ID = build.REPOSITORY_ID


@dataclass(frozen=True)
class Content:
    """A document held in memory, shaped like ``soap.mtom.Attachment`` (``DocumentContent``)."""

    data: bytes

    @property
    def sha1(self) -> str:
        return hashlib.sha1(self.data).hexdigest()

    @property
    def size(self) -> int:
        return len(self.data)

    def chunks(self, size: int = 7) -> Iterator[bytes]:
        for start in range(0, len(self.data), size):
            yield self.data[start : start + size]


@pytest.fixture
def database(database_url: str) -> Iterator[Database]:
    db = Database(database_url)
    db.migrate()
    with db.unit_of_work() as store:
        store.save_patient(Patient(patient_id=build.PATIENT_ID))
    yield db
    db.dispose()


@pytest.fixture
def store(tmp_path: Path) -> FolderDocumentStore:
    return FolderDocumentStore(tmp_path / "documents")


@pytest.fixture
def registry(database: Database) -> InProcessRegistry:
    return InProcessRegistry(database, repository_unique_id=REPOSITORY_ID)
