"""The exit codes of the ``carnet`` command, one per failure class.

Scripts and conformance harnesses branch on them, so they are a contract:

====  ===========================================================================
code  meaning
====  ===========================================================================
0     success
1     refused by the registry or repository: an IHE error (``rs:RegistryError``)
      or a SOAP fault
2     bad usage or configuration: options, settings, files, metadata file
3     network: the node is unreachable, timed out, or did not answer SOAP
4     integrity: a retrieved document's SHA-1 or size differs from its metadata
====  ===========================================================================
"""

from __future__ import annotations

from enum import IntEnum

from carnet.client_errors import (
    ClientError,
    DocumentIntegrityError,
    TransportFailure,
)

__all__ = ["ExitCode", "exit_code_for"]


class ExitCode(IntEnum):
    """The ``carnet`` command's exit status."""

    OK = 0
    REFUSED = 1
    USAGE = 2
    UNREACHABLE = 3
    INTEGRITY = 4


def exit_code_for(error: ClientError) -> ExitCode:
    """The exit code of a client error's failure class."""
    if isinstance(error, TransportFailure):
        return ExitCode.UNREACHABLE
    if isinstance(error, DocumentIntegrityError):
        return ExitCode.INTEGRITY
    # RegistryFailure, SoapFaultError: the node answered, and said no.
    return ExitCode.REFUSED
