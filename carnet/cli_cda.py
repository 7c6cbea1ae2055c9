"""The ``carnet cda`` commands: work on CDA R2 files locally, no node needed.

* ``carnet cda validate FILE… [--schematron]`` — CDA R2 schema with the French
  extensions, and the CI-SIS schematron of the document's kind when asked;
  prints each finding with its XPath location; exit 1 when any file is invalid.
* ``carnet cda metadata FILE`` — the XDS DocumentEntry the CDA header implies,
  as JSON on stdout.
* ``carnet cda render FILE > out.html`` — the document as HTML (a level-1 PDF
  is written as the PDF itself).

Each sub-command has its own ``_add_…`` and ``_run_…`` pair below.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from carnet.document_entry_json import document_entry_json
from carnet.exit_codes import ExitCode
from cda.document import parse_cda
from cda.errors import CdaError
from cda.metadata import cda_metadata
from cda.rendering import render
from cda.schematron import validate_schematrons
from cda.validation import ValidationReport, validate_schema
from cda.value_sets import check_codes
from repository.cda_metadata import document_entry_from_cda
from schemas import XmlError

__all__ = ["add_cda_commands"]


def add_cda_commands(commands: Any) -> None:
    """Add ``cda validate``, ``cda metadata`` and ``cda render`` to the ``carnet`` sub-commands."""
    cda = commands.add_parser("cda", help="validate, describe or render CDA R2 files")
    sub = cda.add_subparsers(dest="cda_command", required=True)
    _add_validate(sub)
    _add_metadata(sub)
    _add_render(sub)


# --------------------------------------------------------------------------- validate


def _add_validate(sub: Any) -> None:
    validate = sub.add_parser("validate", help="check CDA files against schema and schematron")
    validate.add_argument("files", type=Path, nargs="+", metavar="FILE", help="CDA R2 documents")
    validate.add_argument(
        "--schematron",
        action="store_true",
        help='also run the CI-SIS schematrons: "Structuration minimale" and the volet\'s',
    )
    validate.set_defaults(run=_run_validate)


def _run_validate(arguments: argparse.Namespace) -> int:
    """Print ``FILE: OK``, or one ``FILE: severity location: message`` line per finding.

    A file that cannot be read, is not a CDA document, or whose schematron cannot be run gets
    one ``FILE: error /: reason`` line. Exit 1 when any file is invalid or was not validated.
    """
    status = ExitCode.OK
    for path in arguments.files:
        try:
            document = parse_cda(path.read_bytes())
            report = validate_schema(document)
            if arguments.schematron:
                report = ValidationReport.merge((report, validate_schematrons(document)))
        except OSError as error:
            print(f"{path}: error /: cannot read the file: {error.strerror or error}")
            status = ExitCode.REFUSED
            continue
        except (XmlError, CdaError) as error:
            print(f"{path}: error /: {error}")
            status = ExitCode.REFUSED
            continue
        if not report.findings:
            print(f"{path}: OK")
        for finding in report.findings:
            print(f"{path}: {finding.severity} {finding.location}: {finding.message}")
        if not report.valid:
            status = ExitCode.REFUSED
    return status


# --------------------------------------------------------------------------- metadata


def _add_metadata(sub: Any) -> None:
    metadata = sub.add_parser("metadata", help="print the DocumentEntry a CDA header implies")
    metadata.add_argument("file", type=Path, metavar="FILE", help="a CDA R2 document")
    metadata.add_argument(
        "--patient", help="patientId (CX) to use instead of the header's INS, e.g. outside France"
    )
    metadata.add_argument(
        "--check",
        action="store_true",
        help="exit 1 when a code is missing or outside the DMP's value sets",
    )
    metadata.set_defaults(run=_run_metadata)


def _run_metadata(arguments: argparse.Namespace) -> int:
    """Print the DocumentEntry as JSON (``carnet/document_entry_json.py``), then the header's
    version facts under ``cdaHeader``; value-set problems go to stderr."""
    path: Path = arguments.file
    try:
        data = path.read_bytes()
    except OSError as error:
        print(f"carnet: cannot read {path}: {error.strerror}", file=sys.stderr)
        return ExitCode.USAGE
    try:
        header = cda_metadata(parse_cda(data))
    except (XmlError, CdaError) as error:
        print(f"carnet: {path}: {error}", file=sys.stderr)
        return ExitCode.REFUSED
    patient = arguments.patient or header.patient_id
    if patient is None:
        print(f"carnet: {path}: the header carries no INS; patientId is null", file=sys.stderr)
    entry = document_entry_from_cda(header, entry_uuid="Document01", patient_id=patient or "-")
    output = document_entry_json(entry)
    output["patientId"] = patient
    output["cdaHeader"] = {
        "setId": header.set_id,
        "versionNumber": header.version_number,
        "replaces": header.replaces,
        "templateIds": list(header.template_ids),
        "mediaType": header.media_type,
    }
    json.dump(output, sys.stdout, ensure_ascii=False, indent=2)
    print()
    problems = check_codes(header)
    for problem in problems:
        print(f"carnet: {path}: {problem}", file=sys.stderr)
    return ExitCode.REFUSED if problems and arguments.check else ExitCode.OK


# --------------------------------------------------------------------------- render


def _add_render(sub: Any) -> None:
    parser = sub.add_parser(
        "render", help="write a CDA file as HTML on stdout (a level-1 PDF as the PDF)"
    )
    parser.add_argument("file", type=Path, metavar="FILE", help="a CDA R2 document")
    parser.add_argument("--out", type=Path, metavar="PATH", help="write to PATH instead of stdout")
    parser.set_defaults(run=_run_render)


def _run_render(arguments: argparse.Namespace) -> int:
    """Write :func:`cda.rendering.render`'s bytes: the HTML page, or a level-1 document's PDF.

    An unreadable file or ``--out`` is a usage error (2); a file that is not a CDA document
    Carnet accepts is refused (1), with the parser's reason.
    """
    path: Path = arguments.file
    try:
        data = path.read_bytes()
    except OSError as error:
        print(f"carnet: cannot read {path}: {error.strerror}", file=sys.stderr)
        return ExitCode.USAGE
    try:
        rendered = render(parse_cda(data))
    except (XmlError, CdaError) as error:
        print(f"carnet: {path}: {error}", file=sys.stderr)
        return ExitCode.REFUSED
    if arguments.out is None:
        sys.stdout.buffer.write(rendered.content)
        sys.stdout.buffer.flush()
        return ExitCode.OK
    try:
        arguments.out.write_bytes(rendered.content)
    except OSError as error:
        print(f"carnet: cannot write {arguments.out}: {error.strerror}", file=sys.stderr)
        return ExitCode.USAGE
    return ExitCode.OK
