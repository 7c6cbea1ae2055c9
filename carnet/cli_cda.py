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
from typing import Any

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
    validate.set_defaults(run=_run_validate)


def _run_validate(arguments: argparse.Namespace) -> int:
    raise NotImplementedError("carnet cda validate")


# --------------------------------------------------------------------------- metadata


def _add_metadata(sub: Any) -> None:
    metadata = sub.add_parser("metadata", help="print the DocumentEntry a CDA header implies")
    metadata.set_defaults(run=_run_metadata)


def _run_metadata(arguments: argparse.Namespace) -> int:
    raise NotImplementedError("carnet cda metadata")


# --------------------------------------------------------------------------- render


def _add_render(sub: Any) -> None:
    render = sub.add_parser("render", help="write a CDA file as HTML on stdout")
    render.set_defaults(run=_run_render)


def _run_render(arguments: argparse.Namespace) -> int:
    raise NotImplementedError("carnet cda render")
