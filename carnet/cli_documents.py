"""The ``carnet`` commands that speak to a node over HTTP, through :mod:`carnet.client`.

``submit`` (ITI-41), ``query find-documents`` (ITI-18 FindDocuments), ``retrieve``
(ITI-18 GetDocuments then ITI-43) and ``import`` (ITI-41, one submission per file,
resumable). Their names, options and outputs are a contract with independent harnesses:

* ``carnet submit FILE… --patient PID [--metadata META.xml] [--sign-key KEY.pem --sign-cert
  CERT.pem] [--url URL]`` prints ``<uniqueId>\\t<file>`` per document on stdout (not the
  signature's, when it signs the submission);
* ``carnet query find-documents --patient PID [--status S]… [--type CODE]… [--url URL]``
  prints a table, one DocumentEntry a row, uniqueId first;
* ``carnet retrieve UNIQUEID… --out DIR [--repository OID] [--url URL]`` writes
  ``DIR/<uniqueId><extension>`` and prints ``<uniqueId>\\t<path>`` per document;
* ``carnet import DIR --patient PID [--url URL]`` shows its progress on stderr and prints
  a summary table.

``--url`` is the node's base URL (default ``http://127.0.0.1:8080``). Errors go to stderr
and the exit code tells their class (``carnet/exit_codes.py``).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import IO, Any

import httpx

from carnet.bulk_import import (
    FileOutcome,
    ImportReport,
    ImportStateError,
    import_directory,
)
from carnet.cda_submission import AUTO_PATIENT, CdaSubmissionError, cda_files_submission
from carnet.client import XdsClient
from carnet.client_errors import (
    ClientError,
    DocumentIntegrityError,
    RegistryFailure,
    SoapFaultError,
)
from carnet.exit_codes import ExitCode, exit_code_for
from carnet.file_metadata import (
    DocumentDefaults,
    MetadataFileError,
    files_submission,
    metadata_file_submission,
    parse_code,
)
from cda.certificates import SigningKey, load_signing_key
from cda.errors import SigningMaterialError
from registry.model import Code, DocumentEntry
from registry.vocabulary import AvailabilityStatus

__all__ = ["DEFAULT_URL", "add_document_commands"]

DEFAULT_URL = "http://127.0.0.1:8080"

Handler = Callable[[argparse.Namespace], int]


class UsageError(Exception):
    """A command line that cannot be run as given (exit code 2)."""


# ----------------------------------------------------------------------------- options


def _code(text: str) -> Code:
    try:
        return parse_code(text)
    except ValueError as error:
        raise argparse.ArgumentTypeError(str(error)) from None


def _status(text: str) -> str:
    """``Approved``, ``Deprecated``, ``Submitted`` (any case) or the full URN."""
    for status in AvailabilityStatus:
        if text.lower() in (status.value.lower(), status.value.rsplit(":", 1)[1].lower()):
            return status.value
    raise argparse.ArgumentTypeError(
        f"{text!r} is not a status: use Approved, Deprecated or Submitted"
    )


def _add_url(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--url", default=DEFAULT_URL, help=f"the node's base URL (default {DEFAULT_URL})"
    )
    parser.add_argument(
        "--timeout", type=float, default=60.0, help="seconds to wait for the node (default 60)"
    )


def _add_defaults(parser: argparse.ArgumentParser) -> None:
    """Options overriding :class:`~carnet.file_metadata.DocumentDefaults`."""
    defaults = DocumentDefaults()
    group = parser.add_argument_group(
        "metadata of files sent without --metadata (codes as CODE^^SCHEME or CODE^NAME^SCHEME)"
    )
    for option, field in (
        ("--class-code", "class_code"),
        ("--type-code", "type_code"),
        ("--format-code", "format_code"),
        ("--healthcare-facility-type-code", "healthcare_facility_type_code"),
        ("--practice-setting-code", "practice_setting_code"),
        ("--confidentiality-code", "confidentiality_code"),
        ("--content-type-code", "content_type_code"),
    ):
        code: Code = getattr(defaults, field)
        group.add_argument(
            option,
            dest=field,
            type=_code,
            metavar="CODE",
            default=code,
            help=f"default {code.code}^{code.display_name or ''}^{code.scheme}",
        )
    group.add_argument(
        "--language", dest="language_code", default=defaults.language_code, help="languageCode"
    )
    group.add_argument(
        "--source-id", default=defaults.source_id, help="SubmissionSet sourceId (an OID)"
    )


def _defaults(arguments: argparse.Namespace) -> DocumentDefaults:
    return DocumentDefaults(
        class_code=arguments.class_code,
        type_code=arguments.type_code,
        format_code=arguments.format_code,
        healthcare_facility_type_code=arguments.healthcare_facility_type_code,
        practice_setting_code=arguments.practice_setting_code,
        confidentiality_code=arguments.confidentiality_code,
        content_type_code=arguments.content_type_code,
        language_code=arguments.language_code,
        source_id=arguments.source_id,
    )


def add_document_commands(commands: Any) -> None:
    """Add ``submit``, ``query``, ``retrieve`` and ``import`` to the ``carnet`` sub-commands."""
    submit = commands.add_parser("submit", help="send files to the repository (ITI-41)")
    submit.add_argument("files", nargs="+", type=Path, metavar="FILE")
    submit.add_argument(
        "--patient",
        help="patient id (CX), e.g. 'ID^^^&1.2.3&ISO'; 'auto': CDA files, each DocumentEntry "
        "from its header, under the header's INS",
    )
    submit.add_argument(
        "--metadata",
        type=Path,
        help="lcm:SubmitObjectsRequest whose DocumentEntries describe the files, in order",
    )
    signing = submit.add_argument_group(
        "SubmissionSet Signature (IHE DSG XAdES, required by the DMP profile)"
    )
    signing.add_argument("--sign-key", type=Path, metavar="KEY.pem", help="PEM private key")
    signing.add_argument(
        "--sign-cert", type=Path, metavar="CERT.pem", help="PEM certificate, then any chain"
    )
    _add_url(submit)
    _add_defaults(submit)
    submit.set_defaults(run=_run(_submit))

    query = commands.add_parser("query", help="ask the registry (ITI-18 stored queries)")
    queries = query.add_subparsers(dest="query", required=True)
    find = queries.add_parser("find-documents", help="FindDocuments: a patient's documents")
    find.add_argument("--patient", required=True, help="patient id (CX)")
    find.add_argument(
        "--status",
        action="append",
        type=_status,
        help="Approved (default), Deprecated or Submitted; repeat for several",
    )
    find.add_argument(
        "--type", action="append", type=_code, default=[], help="typeCode CODE^^SCHEME; repeat"
    )
    find.add_argument(
        "--class", dest="class_codes", action="append", type=_code, default=[], help="classCode"
    )
    find.add_argument("--created-from", help="creationTime from (DTM, inclusive)")
    find.add_argument("--created-to", help="creationTime to (DTM, exclusive)")
    _add_url(find)
    find.set_defaults(run=_run(_find_documents))

    retrieve = commands.add_parser("retrieve", help="fetch documents to a folder (ITI-43)")
    retrieve.add_argument("unique_ids", nargs="+", metavar="UNIQUEID")
    retrieve.add_argument("--out", required=True, type=Path, help="folder to write into")
    retrieve.add_argument(
        "--repository", help="repositoryUniqueId (default: from the registry's metadata)"
    )
    _add_url(retrieve)
    retrieve.set_defaults(run=_run(_retrieve))

    bulk = commands.add_parser("import", help="send every file of a folder, resumably (ITI-41)")
    bulk.add_argument("directory", type=Path, metavar="DIR")
    bulk.add_argument("--patient", required=True, help="patient id (CX)")
    _add_url(bulk)
    _add_defaults(bulk)
    bulk.set_defaults(run=_run(_import))


# ----------------------------------------------------------------------------- running


def _run(handler: Callable[[argparse.Namespace, XdsClient], int]) -> Handler:
    """The command: open a client, run ``handler``, turn errors into messages and codes."""

    def run(arguments: argparse.Namespace) -> int:
        try:
            url = httpx.URL(arguments.url)
        except httpx.InvalidURL as error:
            return _usage(f"--url {arguments.url!r}: {error}")
        if url.scheme not in ("http", "https") or not url.host:
            return _usage(f"--url {arguments.url!r} is not an http(s) URL")
        try:
            with XdsClient(arguments.url, timeout=arguments.timeout) as client:
                return handler(arguments, client)
        except UsageError as error:
            return _usage(str(error))
        except ClientError as error:
            _report(error)
            return exit_code_for(error)

    return run


def _usage(message: str) -> int:
    print(f"carnet: {message}", file=sys.stderr)
    return ExitCode.USAGE


def _report(error: ClientError) -> None:
    """A readable account of ``error`` on stderr."""
    out = sys.stderr
    if isinstance(error, RegistryFailure):
        print(f"carnet: refused ({error.status.rsplit(':', 1)[-1]}):", file=out)
        for item in error.errors:
            where = f" [{item.location}]" if item.location else ""
            print(f"  {item.code}: {item.context}{where}", file=out)
    elif isinstance(error, SoapFaultError):
        print(f"carnet: the node answered a SOAP fault: {error}", file=out)
    elif isinstance(error, DocumentIntegrityError):
        print("carnet: integrity check failed, these documents were not kept:", file=out)
        for mismatch in error.mismatches:
            print(f"  {mismatch}", file=out)
    else:
        print(f"carnet: {error}", file=out)


def _table(headers: Sequence[str], rows: Sequence[Sequence[str]], out: IO[str]) -> None:
    widths = [len(h) for h in headers]
    for row in rows:
        widths = [max(w, len(cell)) for w, cell in zip(widths, row, strict=True)]
    for row in (headers, *rows):
        print("  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)).rstrip(), file=out)


def _existing_files(files: Sequence[Path]) -> list[Path]:
    missing = [str(path) for path in files if not path.is_file()]
    if missing:
        raise UsageError(f"no such file: {', '.join(missing)}")
    return list(files)


# ----------------------------------------------------------------------------- commands


def _signing_key(arguments: argparse.Namespace) -> SigningKey | None:
    """The key of ``--sign-key`` and ``--sign-cert`` (both or neither), loaded once."""
    if arguments.sign_key is None and arguments.sign_cert is None:
        return None
    if arguments.sign_key is None or arguments.sign_cert is None:
        raise UsageError("--sign-key and --sign-cert go together")
    try:
        return load_signing_key(arguments.sign_key, arguments.sign_cert)
    except SigningMaterialError as error:
        raise UsageError(str(error)) from None


def _submit(arguments: argparse.Namespace, client: XdsClient) -> int:
    files = _existing_files(arguments.files)
    signing_key = _signing_key(arguments)
    if arguments.patient == AUTO_PATIENT:
        if arguments.metadata is not None:
            raise UsageError(
                "--patient auto takes the metadata from the CDA headers, not --metadata"
            )
        try:
            built = cda_files_submission(files, defaults=_defaults(arguments))
        except CdaSubmissionError as error:
            raise UsageError(str(error)) from None
        for note in built.notes:
            print(f"carnet: {note}", file=sys.stderr)
        submission, documents = built.submission, built.documents
    elif arguments.metadata is not None:
        try:
            metadata = arguments.metadata.read_bytes()
            submission, documents = metadata_file_submission(
                metadata, files, patient_id=arguments.patient
            )
        except OSError as error:
            raise UsageError(f"cannot read {arguments.metadata}: {error.strerror}") from None
        except MetadataFileError as error:
            raise UsageError(f"{arguments.metadata}: {error}") from None
    elif arguments.patient is None:
        raise UsageError("--patient is required without --metadata")
    else:
        submission, documents = files_submission(
            files, patient_id=arguments.patient, defaults=_defaults(arguments)
        )
    client.provide_and_register(submission, documents, signing_key=signing_key)
    for entry in submission.documents:
        print(f"{entry.unique_id}\t{documents[entry.entry_uuid]}")
    print(
        f"submission set {submission.submission_set.unique_id}: "
        f"{len(submission.documents)} document(s) registered",
        file=sys.stderr,
    )
    return ExitCode.OK


def _short_status(entry: DocumentEntry) -> str:
    return str(entry.availability_status).rsplit(":", 1)[-1]


def _find_documents(arguments: argparse.Namespace, client: XdsClient) -> int:
    entries = client.find_documents(
        arguments.patient,
        statuses=arguments.status or [AvailabilityStatus.APPROVED.value],
        type_codes=arguments.type,
        class_codes=arguments.class_codes,
        creation_time_from=arguments.created_from,
        creation_time_to=arguments.created_to,
    )
    rows = [
        (
            entry.unique_id,
            _short_status(entry),
            entry.creation_time or "",
            "" if entry.type_code is None else entry.type_code.code,
            entry.mime_type,
            "" if entry.size is None else str(entry.size),
            entry.repository_unique_id or "",
            entry.title or "",
        )
        for entry in entries
    ]
    headers = ("uniqueId", "status", "creationTime", "type", "mimeType", "size", "repository")
    _table((*headers, "title"), rows, sys.stdout)
    print(f"{len(rows)} document(s)", file=sys.stderr)
    return ExitCode.OK


def _retrieve(arguments: argparse.Namespace, client: XdsClient) -> int:
    result = client.download(
        arguments.unique_ids, arguments.out, repository_unique_id=arguments.repository
    )
    for document in result.documents:
        print(f"{document.unique_id}\t{document.path}")
    if result.errors:
        print(f"carnet: {len(result.errors)} document(s) not retrieved:", file=sys.stderr)
        for item in result.errors:
            print(f"  {item.code}: {item.context} [{item.location}]", file=sys.stderr)
        return ExitCode.REFUSED
    return ExitCode.OK


class _ProgressBar:
    """A progress bar on a terminal; one line per file otherwise (logs, pipes)."""

    def __init__(self, out: IO[str]) -> None:
        self.out = out
        self.terminal = out.isatty()

    def __call__(self, done: int, total: int, name: str) -> None:
        if not self.terminal:
            if name:
                print(f"[{done + 1}/{total}] {name}", file=self.out, flush=True)
            return
        width = 30
        filled = width * done // total if total else width
        line = f"[{'#' * filled}{'.' * (width - filled)}] {done}/{total} {name}"
        print(f"\r{line[:100]:<100}", end="" if name else "\n", file=self.out, flush=True)


def _import(arguments: argparse.Namespace, client: XdsClient) -> int:
    directory: Path = arguments.directory
    if not directory.is_dir():
        raise UsageError(f"no such folder: {directory}")
    try:
        report = import_directory(
            client,
            directory,
            patient_id=arguments.patient,
            defaults=_defaults(arguments),
            progress=_ProgressBar(sys.stderr),
        )
    except ImportStateError as error:
        raise UsageError(str(error)) from None
    _import_summary(report)
    if report.stopped is not None:
        _report(report.stopped)
        return exit_code_for(report.stopped)
    return ExitCode.REFUSED if report.count(FileOutcome.FAILED) else ExitCode.OK


def _import_summary(report: ImportReport) -> None:
    rows = [
        (
            result.file,
            result.outcome.value,
            result.unique_id or "",
            "" if result.error is None else str(result.error).splitlines()[0],
        )
        for result in report.files
    ]
    _table(("file", "result", "uniqueId", "error"), rows, sys.stdout)
    print(
        f"{len(report.files)} file(s): {report.count(FileOutcome.SENT)} sent, "
        f"{report.count(FileOutcome.ALREADY_SENT)} already sent, "
        f"{report.count(FileOutcome.FAILED)} failed"
    )
