"""ITI TF-3 4.2.3.2 — CDA files' DocumentEntries from their headers (``submit --patient auto``).

Each file is a CDA R2 document; its DocumentEntry is what its header implies
(:func:`cda.metadata.cda_metadata`, the CI-SIS mapping, then
:func:`repository.cda_metadata.document_entry_from_cda`): uniqueId, patientId (the INS),
codes, times, authors… An attribute the registry requires that the header cannot give
(a typeCode with no ASS_X16 row, a template ASS_A11 does not know…) comes from
:class:`~carnet.file_metadata.DocumentDefaults`, and a note says so. The SubmissionSet is
built as for bare files (``carnet/file_metadata.py``), its patientId the documents' INS: they
must all be about one patient.

A header that replaces an earlier version (``relatedDocument`` RPLC) is only noted: the RPLC
association needs the replaced entry's entryUUID, which only the registry knows.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path

from carnet.file_metadata import DocumentDefaults, submission_of
from cda.document import parse_cda
from cda.errors import CdaError
from cda.metadata import cda_metadata
from registry.model import DocumentEntry, Submission
from repository.cda_metadata import document_entry_from_cda
from schemas import XmlError

__all__ = ["AUTO_PATIENT", "CdaSubmission", "CdaSubmissionError", "cda_files_submission"]

AUTO_PATIENT = "auto"
"""The ``--patient`` value that asks for each CDA header's INS."""


class CdaSubmissionError(Exception):
    """A file that cannot be submitted from its CDA header (a usage error of the CLI)."""


@dataclass(frozen=True, kw_only=True)
class CdaSubmission:
    """The submission built from CDA headers, each entry's file, and what fell back."""

    submission: Submission
    documents: dict[str, Path]
    """DocumentEntry id → file."""
    notes: tuple[str, ...] = ()
    """One line per attribute taken from the defaults rather than a header."""


def cda_files_submission(
    files: Sequence[Path], *, defaults: DocumentDefaults | None = None
) -> CdaSubmission:
    """One SubmissionSet with a DocumentEntry per CDA file, each from its header.

    Raises :class:`CdaSubmissionError` for a file that is not a readable CDA, a header with
    no INS, or files about different patients.
    """
    defaults = defaults or DocumentDefaults()
    now = datetime.now(UTC).strftime("%Y%m%d%H%M%S")
    entries: list[DocumentEntry] = []
    paths: dict[str, Path] = {}
    notes: list[str] = []
    for index, path in enumerate(files, start=1):
        entry_id = f"Document{index:02d}"
        try:
            metadata = cda_metadata(parse_cda(path.read_bytes()))
            entry = document_entry_from_cda(metadata, entry_uuid=entry_id)
        except OSError as error:
            raise CdaSubmissionError(f"cannot read {path}: {error.strerror}") from None
        except (XmlError, CdaError) as error:
            raise CdaSubmissionError(
                f"{path}: {error} (--patient auto needs CDA R2 documents with an INS)"
            ) from None
        entry, fallbacks = _with_defaults(entry, defaults, now=now, title=path.name)
        notes += [f"{path}: {fallback}" for fallback in fallbacks]
        if metadata.replaces is not None:
            notes.append(
                f"{path}: the header replaces {metadata.replaces}; no RPLC association is "
                "sent (use --metadata with the registered entry's entryUUID)"
            )
        entries.append(entry)
        paths[entry_id] = path
    patients = sorted({entry.patient_id for entry in entries})
    if len(patients) != 1:
        raise CdaSubmissionError(
            f"the files are about {len(patients)} patients ({', '.join(patients)}); "
            "submit each patient's documents separately"
        )
    submission = submission_of(
        entries, patient_id=patients[0], defaults=defaults, submission_time=now
    )
    return CdaSubmission(submission=submission, documents=paths, notes=tuple(notes))


def _with_defaults(
    entry: DocumentEntry, defaults: DocumentDefaults, *, now: str, title: str
) -> tuple[DocumentEntry, list[str]]:
    """Fill what the registry requires (ITI TF-3 Table 4.3.1-3) and the header lacked."""
    changes: dict[str, object] = {}
    for field in (
        "class_code",
        "type_code",
        "format_code",
        "healthcare_facility_type_code",
        "practice_setting_code",
    ):
        if getattr(entry, field) is None:
            changes[field] = getattr(defaults, field)
    if not entry.confidentiality_codes:
        changes["confidentiality_codes"] = (defaults.confidentiality_code,)
    if entry.language_code is None:
        changes["language_code"] = defaults.language_code
    if entry.creation_time is None:
        changes["creation_time"] = now
    if entry.title is None:
        changes["title"] = title
    notes = [f"{name} not in the header, using {value}" for name, value in _shown(changes)]
    return replace(entry, **changes), notes  # type: ignore[arg-type]


def _shown(changes: dict[str, object]) -> list[tuple[str, str]]:
    shown = []
    for name, value in changes.items():
        if isinstance(value, tuple):
            value = ", ".join(str(each) for each in value)
        shown.append((name, str(value)))
    return shown
