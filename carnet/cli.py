"""The ``carnet`` command line: serve, operate a registry, and speak to a node as a client.

Operator commands (``serve``, ``migrate``, ``patient add``) build one
:class:`~carnet.settings.Settings` from defaults, an optional ``--config`` TOML file,
``CARNET_*`` variables and their options, then call into the packages. Client commands
(``submit``, ``query find-documents``, ``retrieve``, ``import``: ``carnet/cli_documents.py``)
take the node's ``--url`` and go through :mod:`carnet.client`.

Exit codes (``carnet/exit_codes.py``), one per failure class:

- 0 success;
- 1 refused by the registry or repository (an IHE error or a SOAP fault);
- 2 bad usage or configuration;
- 3 network: the node unreachable, timed out, or not answering SOAP;
- 4 integrity: a retrieved document's SHA-1 or size differs from its metadata.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from carnet.cli_audit import add_audit_commands
from carnet.cli_cda import add_cda_commands
from carnet.cli_dev import add_dev_commands
from carnet.cli_documents import add_document_commands
from carnet.exit_codes import ExitCode
from carnet.settings import Settings, SettingsError

__all__ = ["main"]

EXIT_OK = ExitCode.OK
EXIT_REFUSED = ExitCode.REFUSED
EXIT_USAGE = ExitCode.USAGE


def _add_settings_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--config", type=Path, help="TOML file of settings")
    parser.add_argument("--data", dest="data_dir", type=Path, help="data directory")
    parser.add_argument("--database-url", help="SQLAlchemy URL (default: SQLite in --data)")
    parser.add_argument(
        "--profile", choices=["ihe", "dmp"], help="rule set (serve: default dmp; others: ihe)"
    )


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="carnet", description="IHE XDS.b Document Registry and Repository"
    )
    commands = parser.add_subparsers(dest="command", required=True)

    serve = commands.add_parser("serve", help="run the SOAP server")
    _add_settings_options(serve)
    serve.add_argument("--host", help="listen address (default 127.0.0.1)")
    serve.add_argument("--port", type=int, help="listen port (default 8080)")
    serve.add_argument("--workers", type=int, help="worker processes")
    serve.add_argument("--threads", type=int, help="threads per worker")
    serve.add_argument("--server", choices=["gunicorn", "granian"], help="HTTP server")
    serve.add_argument(
        "--registry-url",
        help="register ITI-41 submissions with the Document Registry at this URL "
        "(default: this node's own registry)",
    )
    serve.add_argument(
        "--trust-store", type=Path, help="PEM bundle or directory of the signers' CAs (IHE DSG)"
    )
    serve.add_argument(
        "--tls-cert",
        dest="tls_certificate",
        type=Path,
        help="serve HTTPS with this PEM certificate",
    )
    serve.add_argument("--tls-key", type=Path, help="its private key (PEM, PKCS#8)")
    serve.add_argument(
        "--tls-client-ca",
        type=Path,
        help="require TLS client certificates chaining to these PEM CAs (mutual TLS)",
    )

    migrate = commands.add_parser("migrate", help="create or upgrade the registry database")
    _add_settings_options(migrate)

    patient = commands.add_parser("patient", help="manage known patient ids")
    patient_commands = patient.add_subparsers(dest="patient_command", required=True)
    add = patient_commands.add_parser("add", help="make a patient id known (like ITI-44 add)")
    _add_settings_options(add)
    add.add_argument("patient_id", help="CX patient id, e.g. 'ID^^^&1.2.3&ISO'")
    add.add_argument("--family", help="family name")
    add.add_argument("--given", help="given name")

    add_document_commands(commands)
    add_cda_commands(commands)
    add_dev_commands(commands)
    add_audit_commands(commands)
    return parser


def _settings(arguments: argparse.Namespace) -> Settings:
    overrides = {
        name: getattr(arguments, name, None)
        for name in (
            "data_dir",
            "database_url",
            "profile",
            "host",
            "port",
            "workers",
            "threads",
            "server",
            "trust_store",
            "registry_url",
            "tls_certificate",
            "tls_key",
            "tls_client_ca",
        )
    }
    # Issue 5: a node serves the DMP profile unless told otherwise (conformance harnesses
    # pass --profile ihe); the other commands keep the class default.
    defaults = {"profile": "dmp"} if arguments.command == "serve" else None
    return Settings.load(file=arguments.config, defaults=defaults, **overrides)


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``carnet`` console script."""
    arguments = _parser().parse_args(argv)
    if hasattr(arguments, "run"):
        # Client commands: no local settings, only the node's URL.
        return int(arguments.run(arguments))
    try:
        settings = _settings(arguments)
    except SettingsError as error:
        print(f"carnet: {error}", file=sys.stderr)
        return EXIT_USAGE
    if arguments.command == "serve":
        from carnet.server import serve

        try:
            serve(settings)
        except SettingsError as error:
            print(f"carnet: {error}", file=sys.stderr)
            return EXIT_USAGE
        return EXIT_OK
    if arguments.command == "migrate":
        from carnet.app import open_database

        open_database(settings)
        print(f"database ready: {settings.effective_database_url}")
        return EXIT_OK
    if arguments.command == "patient":
        return _patient(arguments, settings)
    return EXIT_USAGE


def _patient(arguments: argparse.Namespace, settings: Settings) -> int:
    from carnet.app import open_database
    from registry.errors import RegistryError
    from registry.patient_feed import add_patient

    database = open_database(settings)
    try:
        with database.unit_of_work() as store:
            add_patient(
                store,
                arguments.patient_id,
                family_name=arguments.family,
                given_name=arguments.given,
            )
    except RegistryError as error:
        print(f"carnet: {error.error_code.value}: {error.reason}", file=sys.stderr)
        return EXIT_REFUSED
    print(f"patient {arguments.patient_id} is known")
    return EXIT_OK
