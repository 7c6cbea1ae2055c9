"""repository/folder_store: content-addressed, sharded, atomic and durable files."""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from repository.document_store import DocumentStore
from repository.errors import DocumentNotStored, DocumentStoreError, RepositoryOutOfResources
from repository.folder_store import FolderDocumentStore

DATA = b"<ClinicalDocument>bonjour</ClinicalDocument>"
KEY = hashlib.sha1(DATA).hexdigest()


def test_folder_store_is_a_document_store(store: FolderDocumentStore) -> None:
    typed: DocumentStore = store  # mypy checks the protocol
    assert typed is store


def test_put_returns_the_sha1_and_shards_the_file(store: FolderDocumentStore) -> None:
    assert store.put([DATA[:5], DATA[5:]]) == KEY
    path = store.root / KEY[:2] / KEY
    assert path.read_bytes() == DATA
    assert store.path_of(KEY) == path
    assert store.exists(KEY)
    with store.open(KEY) as file:
        assert file.read() == DATA


def test_put_with_expected_key_writes_in_the_final_directory(store: FolderDocumentStore) -> None:
    assert store.put(iter([DATA]), expected_key=KEY) == KEY
    assert list(store.path_of(KEY).parent.iterdir()) == [store.path_of(KEY)]


def test_put_of_a_stored_content_does_not_read_it_again(store: FolderDocumentStore) -> None:
    store.put([DATA])

    class Exploding:
        def __iter__(self) -> Iterator[bytes]:
            raise AssertionError("chunks read although the content is stored")

    assert store.put(Exploding(), expected_key=KEY) == KEY


def test_put_refuses_content_that_is_not_the_expected_key(store: FolderDocumentStore) -> None:
    other = hashlib.sha1(b"other").hexdigest()
    with pytest.raises(DocumentStoreError) as caught:
        store.put([DATA], expected_key=other)
    assert caught.value.location == other
    assert not store.exists(other) and not store.exists(KEY)
    assert not any(p.is_file() for p in store.root.rglob("*"))


def test_interrupted_put_leaves_no_file(store: FolderDocumentStore) -> None:
    def broken() -> Iterator[bytes]:
        yield DATA
        raise ConnectionError("client went away")

    with pytest.raises(ConnectionError):
        store.put(broken(), expected_key=KEY)
    assert not any(p.is_file() for p in store.root.rglob("*"))


def test_full_disk_is_repository_out_of_resources(
    store: FolderDocumentStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    def no_space(_descriptor: int) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "fsync", no_space)
    with pytest.raises(RepositoryOutOfResources):
        store.put([DATA], expected_key=KEY)
    monkeypatch.undo()
    assert not any(p.is_file() for p in store.root.rglob("*"))


def test_open_of_a_missing_key_is_document_not_stored(store: FolderDocumentStore) -> None:
    with pytest.raises(DocumentNotStored):
        store.open(KEY)
    with pytest.raises(DocumentNotStored):
        store.open("../../etc/passwd")


def test_keys_must_be_lower_case_sha1(store: FolderDocumentStore) -> None:
    with pytest.raises(ValueError, match="not a document key"):
        store.path_of(KEY.upper())
    assert not store.exists("../x")
    assert store.delete("../x") is False


def test_delete_removes_the_file_and_keeps_directories(store: FolderDocumentStore) -> None:
    store.put([DATA])
    assert store.delete(KEY) is True
    assert store.delete(KEY) is False
    assert not store.exists(KEY)
    assert store.path_of(KEY).parent.is_dir()


def test_keys_lists_every_stored_content_and_nothing_else(store: FolderDocumentStore) -> None:
    keys = {store.put([bytes([n]) * n]) for n in range(1, 40)}
    (store.root / "README").write_text("not a document")
    stray = store.root / KEY[:2]
    stray.mkdir(parents=True, exist_ok=True)
    (stray / ("0" * 40)).write_bytes(b"in the wrong shard")
    (stray / ".tmp-abc").write_bytes(b"half")
    assert set(store.keys()) == keys


def test_discard_incomplete_removes_temporary_files(store: FolderDocumentStore) -> None:
    store.put([DATA])
    shard = store.path_of(KEY).parent
    (shard / ".tmp-crashed").write_bytes(b"half a document")
    (store.root / ".tmp-other").write_bytes(b"")
    assert store.discard_incomplete() == 2
    assert [p.name for p in shard.iterdir()] == [KEY]
    assert store.discard_incomplete() == 0


def test_empty_store_has_no_keys(tmp_path: Path) -> None:
    store = FolderDocumentStore(tmp_path / "never-created")
    assert list(store.keys()) == []
    assert store.discard_incomplete() == 0
