"""The ``carnet dev-ca`` and ``carnet dev-assertion`` commands: test identities (issue 5, item 8).

* ``carnet dev-ca init --data DIR [--force]`` — a local test authority, its trust store and a
  signing identity under ``DIR/dev-ca/`` (``carnet/dev_ca.py``); prints ``name<TAB>path`` for
  each file a script needs (``trust_store``, ``sign_key``, ``sign_cert``).
* ``carnet dev-assertion --data DIR --subject RPPS --profession 10 [--specialty SM26]
  --structure ID --mode normal --patient INS [--audience URL] [--valid-minutes N]`` — a VIHF
  (SAML 2.0 assertion) signed by that identity, on stdout (``carnet/dev_identity.py``).

Local commands: no node, no settings; each sets ``run`` like the client commands.
"""

from __future__ import annotations

import argparse
import sys
from datetime import timedelta
from pathlib import Path
from typing import Any

from lxml import etree

from carnet.dev_ca import dev_ca, init_dev_ca
from carnet.dev_identity import signed_vihf
from carnet.exit_codes import ExitCode
from carnet.vihf import (
    AccessMode,
    AuthenticationMode,
    Code,
    CodeSystem,
    SoftwareIdentity,
    VihfIdentity,
)
from cda.errors import CdaError
from cda.ins import InsAuthority

__all__ = ["add_dev_commands"]


def add_dev_commands(commands: Any) -> None:
    """Add ``dev-ca init`` and ``dev-assertion`` to the ``carnet`` sub-commands."""
    ca = commands.add_parser("dev-ca", help="a local test certification authority")
    ca_commands = ca.add_subparsers(dest="dev_ca_command", required=True)
    init = ca_commands.add_parser("init", help="create the test CA, trust store and signer")
    init.add_argument("--data", dest="data_dir", type=Path, required=True, help="data directory")
    init.add_argument("--force", action="store_true", help="replace an existing test CA")
    init.set_defaults(run=_run_init)

    assertion = commands.add_parser(
        "dev-assertion", help="print a VIHF (SAML 2.0 assertion) signed by the test CA's signer"
    )
    assertion.add_argument(
        "--data", dest="data_dir", type=Path, required=True, help="data directory (dev-ca init)"
    )
    assertion.add_argument("--subject", required=True, help="user's national id (IDNPS, RPPS)")
    assertion.add_argument("--profession", required=True, help="TRE_G15 profession code (10)")
    assertion.add_argument("--specialty", help="TRE_R01 speciality code (SM26)")
    assertion.add_argument("--structure", required=True, help="structure's national id")
    assertion.add_argument(
        "--mode", choices=[m.value for m in AccessMode], default="normal", help="access mode"
    )
    assertion.add_argument(
        "--patient", help="patient INS, or a whole CX INS^^^&OID&ISO^NH (test INS-NIR OID)"
    )
    assertion.add_argument("--audience", help="AudienceRestriction (the node's URL)")
    assertion.add_argument("--valid-minutes", type=int, default=10, help="lifetime (10)")
    assertion.add_argument(
        "--auth-mode",
        choices=[m.value for m in AuthenticationMode],
        default=AuthenticationMode.INDIRECT.value,
        help="Authentification_Mode (INDIRECTE)",
    )
    assertion.add_argument("--sector", default="SA07", help="TRE_R02 sector code (SA07)")
    assertion.add_argument("--name", default="Carnet dev user", help="user's name and service")
    assertion.set_defaults(run=_run_assertion)


def _run_init(arguments: argparse.Namespace) -> int:
    existed = dev_ca(arguments.data_dir).exists()
    ca = init_dev_ca(arguments.data_dir, force=arguments.force)
    if existed and not arguments.force:
        print(f"carnet: kept the test CA in {ca.directory} (--force replaces it)", file=sys.stderr)
    print(f"trust_store\t{ca.trust_store}")
    print(f"sign_key\t{ca.signer_key}")
    print(f"sign_cert\t{ca.signer_certificate}")
    return ExitCode.OK


def _run_assertion(arguments: argparse.Namespace) -> int:
    ca = dev_ca(arguments.data_dir)
    if not ca.exists():
        print(
            f"carnet: no test CA in {ca.directory}: run carnet dev-ca init --data "
            f"{arguments.data_dir}",
            file=sys.stderr,
        )
        return ExitCode.USAGE
    if arguments.valid_minutes < 1:
        print("carnet: --valid-minutes must be at least 1", file=sys.stderr)
        return ExitCode.USAGE
    try:
        key = ca.signing_key()
    except CdaError as error:
        print(f"carnet: {error}", file=sys.stderr)
        return ExitCode.USAGE
    roles = [Code(code=arguments.profession, system=CodeSystem.TRE_G15_PROFESSION.value)]
    if arguments.specialty:
        roles.append(Code(code=arguments.specialty, system=CodeSystem.TRE_R01_SPECIALTY.value))
    identity = VihfIdentity(
        subject_id=arguments.subject,
        subject_name=arguments.name,
        structure_id=arguments.structure,
        sector=Code(code=arguments.sector, system=CodeSystem.TRE_R02_SECTOR.value),
        authentication_mode=AuthenticationMode(arguments.auth_mode),
        roles=tuple(roles),
        access_mode=AccessMode(arguments.mode),
        software=SoftwareIdentity(name="Carnet", approval="CARNET-DEV", version="dev"),
        patient_id=_patient_cx(arguments.patient),
    )
    assertion = signed_vihf(
        identity,
        key=key,
        audience=arguments.audience,
        valid_for=timedelta(minutes=arguments.valid_minutes),
    )
    print(etree.tostring(assertion, encoding="unicode"))
    return ExitCode.OK


def _patient_cx(patient: str | None) -> str | None:
    """A bare INS as the CX the VIHF carries, under the test INS-NIR authority."""
    if patient is None or "^" in patient:
        return patient
    return f"{patient}^^^&{InsAuthority.NIR_TEST.value}&ISO^NH"
