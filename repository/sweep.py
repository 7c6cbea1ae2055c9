"""ITI TF-2b 3.41.4.1.3 — the start-up sweep: no content survives its submission's failure.

A Provide and Register stores its documents, then commits their metadata. A
crash between the two leaves contents no DocumentEntry references, and a crash
while writing leaves a temporary file; a refused submission whose clean-up
failed leaves contents too. :func:`sweep` removes all of them before the
server accepts requests (``carnet serve`` runs it before its workers start).
Each batch of keys is checked and removed under the registry's writer lock
(:meth:`~repository.registration.DocumentRegistry.release`), as a refused
submission's clean-up is, so the sweep is safe even alongside a writer.

First, registrations a crash left in doubt are settled
(:meth:`~repository.registration.DocumentRegistry.recover`): with the registry on
another node, the repository asks it whether each one was committed, keeps the
documents if so, lets them go if not, and keeps them when it cannot get an
answer — a document the registry may reference is never removed.
"""

from __future__ import annotations

import itertools
import logging
from dataclasses import dataclass

from repository.document_store import DocumentStore
from repository.registration import DocumentRegistry

__all__ = ["SweepReport", "sweep"]

_log = logging.getLogger(__name__)

_BATCH = 500


@dataclass(frozen=True, kw_only=True, slots=True)
class SweepReport:
    """What a sweep found."""

    incomplete: int
    """Temporary files of interrupted writes, removed."""
    unreferenced: int
    """Complete contents no committed DocumentEntry referenced, removed."""
    kept: int
    """Contents in use, kept."""
    confirmed: int = 0
    """Registrations in doubt the registry had committed (registry on another node)."""
    abandoned: int = 0
    """Registrations in doubt the registry never committed: their contents were released."""
    in_doubt: int = 0
    """Registrations the registry could not be asked about: their contents are kept."""


def sweep(store: DocumentStore, registry: DocumentRegistry, *, batch: int = _BATCH) -> SweepReport:
    """Remove interrupted writes and unreferenced contents from ``store``."""
    incomplete = store.discard_incomplete()
    recovery = registry.recover()
    unreferenced = kept = 0
    keys = store.keys()
    while chunk := list(itertools.islice(keys, batch)):
        released = registry.release(chunk, remove=store.delete)
        unreferenced += len(released)
        kept += len(chunk) - len(released)
    report = SweepReport(
        incomplete=incomplete,
        unreferenced=unreferenced,
        kept=kept,
        confirmed=recovery.confirmed,
        abandoned=recovery.abandoned,
        in_doubt=recovery.in_doubt,
    )
    if recovery.confirmed or recovery.abandoned:
        _log.warning(
            "registrations in doubt: %d committed by the registry, %d not",
            recovery.confirmed,
            recovery.abandoned,
        )
    if recovery.in_doubt:
        _log.warning(
            "%d registration(s) still in doubt (registry unreachable): their documents are kept",
            recovery.in_doubt,
        )
    if incomplete or unreferenced:
        _log.warning(
            "document store sweep: removed %d interrupted write(s) and %d unreferenced "
            "content(s); %d kept",
            incomplete,
            unreferenced,
            kept,
        )
    else:
        _log.info("document store sweep: %d content(s), all referenced", kept)
    return report
