"""ITI TF-3 4.2.4 and SOAP 1.2 Part 1 §5.4 — what can go wrong when the client calls a node.

Each failure class is one exception, so programs and the CLI (exit codes, see
``carnet/cli.py``) tell them apart without reading messages.

Exception tree::

    ClientError
    ├── TransportFailure          no usable answer: network error, timeout, HTTP answer
    │   │                         that is not SOAP
    │   └── MalformedResponse     a SOAP answer that is not the expected ebRS response
    ├── SoapFaultError            the peer answered a SOAP fault
    ├── RegistryFailure           an ebRS response with status Failure (errors: IHE codes)
    └── DocumentIntegrityError    retrieved bytes differ from the registry's hash or size
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from carnet.retrieve import RetrieveResult

__all__ = [
    "ClientError",
    "DocumentIntegrityError",
    "IntegrityMismatch",
    "MalformedResponse",
    "RegistryErrorInfo",
    "RegistryFailure",
    "SoapFaultError",
    "TransportFailure",
]


@dataclass(frozen=True, kw_only=True, slots=True)
class RegistryErrorInfo:
    """One ``rs:RegistryError`` of a response (ITI TF-3 4.2.4, Table 4.2.4.1-2)."""

    code: str
    """``errorCode``: the IHE code, e.g. ``XDSUnknownPatientId``."""
    context: str
    """``codeContext``: the reason, for humans."""
    location: str | None
    """``location``: the id or uniqueId of the offending object, when given."""
    severity: str
    """``severity``: the ebRS Error or Warning URN."""


@dataclass(frozen=True, kw_only=True, slots=True)
class IntegrityMismatch:
    """A retrieved document whose bytes contradict its DocumentEntry (ITI TF-3 4.2.3.2.11/.23)."""

    unique_id: str
    expected_hash: str | None
    actual_hash: str
    expected_size: int | None
    actual_size: int

    def __str__(self) -> str:
        differences = []
        if self.expected_hash is not None and self.expected_hash.lower() != self.actual_hash:
            differences.append(f"SHA-1 {self.actual_hash}, registry says {self.expected_hash}")
        if self.expected_size is not None and self.expected_size != self.actual_size:
            differences.append(f"{self.actual_size} bytes, registry says {self.expected_size}")
        return f"{self.unique_id}: " + "; ".join(differences)


class ClientError(Exception):
    """Root of the client's errors."""


class TransportFailure(ClientError):
    """No usable answer: the node is unreachable, timed out, or did not answer in SOAP."""

    def __init__(
        self, message: str, *, url: str | None = None, http_status: int | None = None
    ) -> None:
        super().__init__(message)
        self.url = url
        self.http_status = http_status


class MalformedResponse(TransportFailure):
    """The node answered SOAP, but not the ebRS response the transaction defines."""


class SoapFaultError(ClientError):
    """The server answered a SOAP 1.2 fault (SOAP 1.2 Part 1 §5.4)."""

    def __init__(self, code: str, subcodes: tuple[str, ...], reason: str, status: int) -> None:
        super().__init__(f"{code} {' '.join(subcodes)}: {reason}".strip())
        self.code = code
        self.subcodes = subcodes
        self.reason = reason
        self.http_status = status


class RegistryFailure(ClientError):
    """An ebRS response with status Failure (or PartialSuccess, where that is not accepted)."""

    def __init__(self, status: str, errors: tuple[RegistryErrorInfo, ...]) -> None:
        summary = "; ".join(f"{e.code}: {e.context}" for e in errors) or status
        super().__init__(summary)
        self.status = status
        self.errors = errors

    @property
    def codes(self) -> tuple[str, ...]:
        """The IHE error codes, in order."""
        return tuple(e.code for e in self.errors)


class DocumentIntegrityError(ClientError):
    """Retrieved documents whose SHA-1 or size differ from the registry's metadata.

    Their bytes are not kept; the documents that did match were written and are listed
    in ``saved``.
    """

    def __init__(self, mismatches: tuple[IntegrityMismatch, ...], saved: RetrieveResult) -> None:
        super().__init__("; ".join(str(m) for m in mismatches))
        self.mismatches = mismatches
        self.saved = saved
