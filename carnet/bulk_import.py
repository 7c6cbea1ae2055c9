"""ITI TF-2b 3.41 — ``carnet import``: a folder of files sent as ITI-41 submissions, resumably.

Each regular file under the folder (recursively, hidden names skipped) becomes one
submission of one DocumentEntry (``carnet/file_metadata.py``), so a failure costs one file
and every file's fate is known. Progress is kept in the state file
``<folder>/.carnet-import.jsonl``, one JSON object a line, appended and fsynced:

1. ``{"file": …, "state": "pending", "unique_id": …, "submission_set_unique_id": …}``
   before a file is sent — its uniqueIds are chosen once;
2. ``{"file": …, "state": "done", …}`` once the repository answered Success.

A run skips the files already done. A file left pending (the process stopped between
sending and recording) is looked up in the registry by its uniqueId (GetDocuments): found,
it is done; absent, it is sent again with the same uniqueIds. A submission is atomic
(ITI TF-2b 3.41.4.1.3), so no file is ever registered twice. A torn last line, from a crash
mid-write, is ignored. The state records the patient id; importing the same folder for
another patient is refused.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from enum import Enum
from pathlib import Path
from typing import IO, Any

from carnet.client import XdsClient
from carnet.client_errors import ClientError, RegistryFailure, SoapFaultError
from carnet.file_metadata import DocumentDefaults, files_submission, new_oid

__all__ = [
    "STATE_FILE",
    "FileOutcome",
    "FileResult",
    "ImportReport",
    "ImportStateError",
    "import_directory",
    "importable_files",
]

STATE_FILE = ".carnet-import.jsonl"
"""The state file's name, inside the imported folder."""

Progress = Callable[[int, int, str], None]
"""Called before each file: files handled so far, total, the file's relative path."""


class ImportStateError(Exception):
    """The state file cannot be used for this import (another patient, unreadable)."""


class FileOutcome(Enum):
    """What became of one file."""

    SENT = "sent"
    """Sent and registered by this run."""
    ALREADY_SENT = "already sent"
    """Registered by an earlier run."""
    FAILED = "failed"
    """Refused, or not sent because the node could not be reached."""


@dataclass(frozen=True, kw_only=True, slots=True)
class FileResult:
    """One file of the folder and what became of it."""

    file: str
    """The path relative to the folder, with ``/`` separators."""
    outcome: FileOutcome
    unique_id: str | None = None
    """The DocumentEntry's uniqueId, once chosen."""
    error: ClientError | None = None
    """Why the file failed."""


@dataclass(frozen=True, kw_only=True, slots=True)
class ImportReport:
    """The outcome of one ``carnet import`` run."""

    files: tuple[FileResult, ...]
    stopped: ClientError | None = None
    """The error that ended the run early (the node unreachable); the rest were not tried."""

    def count(self, outcome: FileOutcome) -> int:
        return sum(1 for result in self.files if result.outcome is outcome)


@dataclass(frozen=True, kw_only=True, slots=True)
class _Record:
    state: str
    unique_id: str
    submission_set_unique_id: str


def importable_files(directory: Path) -> list[Path]:
    """The regular files under ``directory``, sorted, hidden files and folders skipped."""
    found: list[Path] = []
    for root, folders, files in os.walk(directory):
        folders[:] = sorted(name for name in folders if not name.startswith("."))
        found.extend(
            Path(root) / name
            for name in sorted(files)
            if not name.startswith(".") and (Path(root) / name).is_file()
        )
    return found


class _State:
    """The state file: read once, then appended to (see the module docstring)."""

    def __init__(self, directory: Path, patient_id: str) -> None:
        self.path = directory / STATE_FILE
        self.patient_id = patient_id
        self.records: dict[str, _Record] = {}
        if self.path.exists():
            for line in self._lines():
                self._read(line)
        self._file: IO[str] | None = None

    def _lines(self) -> Iterator[str]:
        try:
            with self.path.open(encoding="utf-8") as lines:
                yield from lines
        except OSError as error:
            raise ImportStateError(f"cannot read {self.path}: {error}") from None

    def _read(self, line: str) -> None:
        try:
            item: dict[str, Any] = json.loads(line)
            record = _Record(
                state=str(item["state"]),
                unique_id=str(item["unique_id"]),
                submission_set_unique_id=str(item["submission_set_unique_id"]),
            )
            file, patient_id = str(item["file"]), str(item["patient_id"])
        except (ValueError, KeyError, TypeError):
            return  # a torn line left by a crash mid-write
        if patient_id != self.patient_id:
            raise ImportStateError(
                f"{self.path} records an import for patient {patient_id}, not "
                f"{self.patient_id}: import into another folder, or remove the state file"
            )
        if record.state == "done" or file not in self.records:
            self.records[file] = record

    def write(self, file: str, record: _Record) -> None:
        if self._file is None:
            self._file = self.path.open("a", encoding="utf-8")
        line = {
            "file": file,
            "state": record.state,
            "patient_id": self.patient_id,
            "unique_id": record.unique_id,
            "submission_set_unique_id": record.submission_set_unique_id,
            "at": datetime.now(UTC).isoformat(timespec="seconds"),
        }
        self._file.write(json.dumps(line, ensure_ascii=False) + "\n")
        self._file.flush()
        os.fsync(self._file.fileno())
        self.records[file] = record

    def close(self) -> None:
        if self._file is not None:
            self._file.close()


def import_directory(
    client: XdsClient,
    directory: Path,
    *,
    patient_id: str,
    defaults: DocumentDefaults | None = None,
    progress: Progress | None = None,
) -> ImportReport:
    """Send every file of ``directory`` not yet sent (ITI-41, one submission per file).

    A refusal (:class:`~carnet.client_errors.RegistryFailure`, SOAP fault) fails that file
    and the run goes on; any other client error (the node unreachable) stops the run, the
    state kept for the next one. Raises :class:`ImportStateError` for a state file of
    another patient.
    """
    defaults = defaults or DocumentDefaults()
    files = importable_files(directory)
    state = _State(directory, patient_id)
    results: list[FileResult] = []
    stopped: ClientError | None = None
    try:
        for index, path in enumerate(files):
            name = path.relative_to(directory).as_posix()
            if progress is not None:
                progress(index, len(files), name)
            try:
                results.append(_import_file(client, state, path, name, patient_id, defaults))
            except (RegistryFailure, SoapFaultError) as error:
                record = state.records.get(name)
                results.append(
                    FileResult(
                        file=name,
                        outcome=FileOutcome.FAILED,
                        unique_id=None if record is None else record.unique_id,
                        error=error,
                    )
                )
            except ClientError as error:
                results.append(FileResult(file=name, outcome=FileOutcome.FAILED, error=error))
                stopped = error
                break
        else:
            if progress is not None:
                progress(len(files), len(files), "")
    finally:
        state.close()
    return ImportReport(files=tuple(results), stopped=stopped)


def _import_file(
    client: XdsClient,
    state: _State,
    path: Path,
    name: str,
    patient_id: str,
    defaults: DocumentDefaults,
) -> FileResult:
    record = state.records.get(name)
    if record is not None and record.state == "done":
        return FileResult(file=name, outcome=FileOutcome.ALREADY_SENT, unique_id=record.unique_id)
    if record is None:
        record = _Record(state="pending", unique_id=new_oid(), submission_set_unique_id=new_oid())
        state.write(name, record)
    elif client.get_documents(unique_ids=[record.unique_id]):
        # Sent by a run that stopped before recording it.
        state.write(name, replace(record, state="done"))
        return FileResult(file=name, outcome=FileOutcome.ALREADY_SENT, unique_id=record.unique_id)
    submission, documents = files_submission(
        [path],
        patient_id=patient_id,
        defaults=defaults,
        unique_ids=[record.unique_id],
        submission_set_unique_id=record.submission_set_unique_id,
    )
    client.provide_and_register(submission, documents)
    state.write(name, replace(record, state="done"))
    return FileResult(file=name, outcome=FileOutcome.SENT, unique_id=record.unique_id)
