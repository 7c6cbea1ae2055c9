"""The ``carnet audit`` commands: a patient's access history, and ATNA export (issue 5, item 7).

* ``carnet audit --patient INS [--data DIR] [--database-url URL] [--json] [--since ISO]
  [--limit N]`` — the patient's audited transactions, newest first, as the patient is shown
  them: time, who, role, structure, access mode, transaction, documents, outcome. ``INS`` is a
  CX (``matricule^^^&OID&ISO``) or a bare matricule, then looked up under each INS authority.
* ``carnet audit export [--data DIR] [--database-url URL]`` — sends the events not yet exported
  to ``audit_syslog`` (``CARNET_AUDIT_SYSLOG``) as IHE ATNA messages (``carnet/atna.py``).

Exit codes (``carnet/exit_codes.py``): 0 success (an empty history included); 2 bad usage or
configuration, an INS that is not one, or no ``audit_syslog`` to export to; 3 the audit
repository unreachable (the events stay pending).
"""

from __future__ import annotations

import argparse
import json
import socket
import sys
from datetime import datetime
from pathlib import Path
from typing import Any

from carnet.atna import AuditSource
from carnet.audit_export import export_pending
from carnet.exit_codes import ExitCode
from carnet.settings import Settings, SettingsError
from carnet.syslog import SyslogTarget
from cda.ins import InsAuthority
from registry.audit import AuditEvent
from registry.dmp_errors import InvalidIns
from registry.ins import Ins

__all__ = ["add_audit_commands", "audit_source"]

_HEADERS = (
    "time",
    "who",
    "role",
    "structure",
    "mode",
    "transaction",
    "documents",
    "outcome",
)


def add_audit_commands(commands: Any) -> None:
    """Add ``audit`` and ``audit export`` to the ``carnet`` sub-commands."""
    audit = commands.add_parser("audit", help="a patient's access history; ATNA export")
    _add_database_options(audit)
    audit.add_argument("--patient", help="the patient's INS (CX or bare matricule)")
    audit.add_argument("--json", action="store_true", help="one JSON array instead of a table")
    audit.add_argument("--since", type=datetime.fromisoformat, help="only events from (ISO)")
    audit.add_argument("--limit", type=int, default=100, help="at most N events (100)")
    audit.set_defaults(run=_run_history)
    audit_commands = audit.add_subparsers(dest="audit_command")
    export = audit_commands.add_parser(
        "export", help="send unexported events to audit_syslog (IHE ATNA, RFC 5424)"
    )
    _add_database_options(export)
    export.set_defaults(run=_run_export)


def audit_source(settings: Settings) -> AuditSource:
    """This node as its audit messages name it (``AuditSourceIdentification``)."""
    host = socket.gethostname()
    return AuditSource(
        source_id=f"carnet@{host}",
        endpoint=f"http://{settings.host}:{settings.port}/xds",
        host=host,
    )


def _add_database_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--config", type=Path, help="TOML file of settings")
    parser.add_argument("--data", dest="data_dir", type=Path, help="data directory")
    parser.add_argument("--database-url", help="SQLAlchemy URL (default: SQLite in --data)")


def _settings(arguments: argparse.Namespace) -> Settings:
    return Settings.load(
        file=arguments.config, data_dir=arguments.data_dir, database_url=arguments.database_url
    )


def _run_history(arguments: argparse.Namespace) -> int:
    if arguments.patient is None:
        print("carnet audit: --patient is required (or: carnet audit export)", file=sys.stderr)
        return ExitCode.USAGE
    try:
        settings = _settings(arguments)
        patient_ids = _patient_ids(arguments.patient)
    except (SettingsError, InvalidIns) as error:
        print(f"carnet: {error}", file=sys.stderr)
        return ExitCode.USAGE
    from carnet.app import open_database

    database = open_database(settings)
    try:
        with database.snapshot() as store:
            events = [
                event
                for patient_id in patient_ids
                for event in store.audit.for_patient(
                    patient_id, since=arguments.since, limit=arguments.limit
                )
            ]
    finally:
        database.dispose()
    events.sort(key=lambda event: event.time, reverse=True)
    events = events[: arguments.limit]
    if arguments.json:
        json.dump([_json(event) for event in events], sys.stdout, ensure_ascii=False, indent=2)
        print()
    else:
        _table([_row(event) for event in events])
    return ExitCode.OK


def _run_export(arguments: argparse.Namespace) -> int:
    try:
        settings = _settings(arguments)
    except SettingsError as error:
        print(f"carnet: {error}", file=sys.stderr)
        return ExitCode.USAGE
    if settings.audit_syslog is None:
        print("carnet: no audit_syslog configured (CARNET_AUDIT_SYSLOG)", file=sys.stderr)
        return ExitCode.USAGE
    from carnet.app import open_database

    database = open_database(settings)
    try:
        report = export_pending(
            database,
            target=SyslogTarget.parse(settings.audit_syslog),
            source=audit_source(settings),
        )
    finally:
        database.dispose()
    print(f"{report.sent} audit events sent to {settings.audit_syslog}")
    if report.error is not None:
        print(f"carnet: audit export stopped: {report.error}", file=sys.stderr)
        return ExitCode.UNREACHABLE
    return ExitCode.OK


def _patient_ids(patient: str) -> list[str]:
    """The CX a patient may be filed under: as given, or a bare INS under each authority."""
    if "^" in patient:
        return [Ins.parse(patient).patient_id]
    return [Ins.of(patient, authority_oid=oid.value).patient_id for oid in InsAuthority]


def _who(event: AuditEvent) -> str:
    if event.subject_id is None:
        return "(unidentified)"
    if event.subject_name:
        return f"{event.subject_name} ({event.subject_id})"
    return event.subject_id


def _row(event: AuditEvent) -> list[str]:
    return [
        event.time.isoformat(timespec="seconds"),
        _who(event),
        " ".join(role.display_name or role.code for role in event.roles) or "-",
        event.structure_id or "-",
        event.access_mode.value if event.access_mode else "-",
        f"{event.transaction.value} {event.transaction.display_name}",
        " ".join(event.document_ids) or "-",
        event.outcome.label
        + (f" ({event.outcome_detail})" if event.outcome_detail is not None else ""),
    ]


def _json(event: AuditEvent) -> dict[str, Any]:
    return {
        "time": event.time.isoformat(),
        "transaction": event.transaction.value,
        "transaction_name": event.transaction.display_name,
        "outcome": event.outcome.label,
        "outcome_detail": event.outcome_detail,
        "subject_id": event.subject_id,
        "subject_name": event.subject_name,
        "subject_kind": event.subject_kind.value,
        "roles": [
            {"code": r.code, "system": r.system, "display_name": r.display_name}
            for r in event.roles
        ],
        "structure_id": event.structure_id,
        "access_mode": event.access_mode.value if event.access_mode else None,
        "authentication_mode": event.authentication_mode,
        "software": event.software,
        "patient_id": event.patient_id,
        "document_ids": list(event.document_ids),
        "query_id": event.query_id,
    }


def _table(rows: list[list[str]]) -> None:
    widths = [len(header) for header in _HEADERS]
    for row in rows:
        widths = [max(w, len(cell)) for w, cell in zip(widths, row, strict=True)]
    for row in (list(_HEADERS), *rows):
        print("  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)).rstrip())
