"""ITI TF-1 9 (ATNA) and issue 5 item 7 — every SOAP transaction, allowed or refused, audited.

One :class:`AuditTrail` per node, put on each audited :class:`~soap.transactions.Service`
(``Service.audit``) by the app factory. For each request to a transaction that names its
ATNA ``EventTypeCode`` (``Transaction.audited_as``), ``soap/wsgi.py`` opens an
:class:`AuditScope` and hands it to the handler in ``SoapRequest.audit``; the handler says
what it learnt (patient, documents, query id) with :meth:`AuditScope.about`, and:

* a change (ITI-41, 42, 57, 62, the DMP services) calls :func:`record_change` with the
  store of the unit of work that makes the change: the audit record commits with it or
  rolls back with it (``registry/storage/audit_store.py``);
* a read (ITI-18, ITI-43) records nothing itself: once it has its answer, the scope is
  closed as a success and recorded in a transaction of its own, naming what is returned;
* a refusal — a ``RegistryError``, a ``SoapFault``, an ``IdentityError``, or a failure
  response the handler returns (:meth:`AuditScope.conclude`) — is recorded in a transaction
  of its own, after the change (if any) was rolled back.

Who calls is ``carnet``'s knowledge (the VIHF), not ``soap``'s: the trail asks its
:data:`CallerAudit` to describe ``SoapRequest.caller`` as an :class:`AuditCaller`. A refused
identity (``soap/wsgi.py``, before any handler) has no trusted caller:
:meth:`AuditTrail.identity_refused` keeps what is safe — the remote address, the reason's
code, and the NameID the assertion *claims*, marked unverified, never as the subject's id.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime

from lxml import etree

from registry.audit import AccessMode, AuditCode, AuditEvent, Outcome, SubjectKind
from registry.audit import Transaction as AuditTransaction
from registry.errors import RegistryError
from registry.model import Submission
from registry.storage.database import Database
from registry.storage.store import RegistryStore
from soap.faults import FaultCode, SoapFault
from soap.identity_errors import IdentityError
from soap.transactions import SoapRequest

__all__ = [
    "AuditCaller",
    "AuditScope",
    "AuditTrail",
    "CallerAudit",
    "about_submission",
    "error_codes",
    "record_change",
]

_log = logging.getLogger(__name__)
_SAML = "urn:oasis:names:tc:SAML:2.0:assertion"
_CLAIM_MAX = 64
"""Longest claimed NameID kept from an unverified assertion (an RPPS is 11 characters)."""


@dataclass(frozen=True, kw_only=True, slots=True)
class AuditCaller:
    """Who calls, as the audit trail names them (the ``ActiveParticipant`` of the user)."""

    subject_id: str | None = None
    """The verified caller's national id (IDNPS) or INS; None when nobody was identified."""
    subject_name: str | None = None
    subject_kind: SubjectKind = SubjectKind.SYSTEM
    roles: tuple[AuditCode, ...] = ()
    structure_id: str | None = None
    access_mode: AccessMode | None = None
    """Normal, ``bris_de_glace`` or ``centre_15``: emergency access is always recorded."""
    authentication_mode: str | None = None
    software: str | None = None
    patient_id: str | None = None
    """The patient the caller's credentials name (the VIHF's ``resource-id``, as the registry's
    CX): the default patient of the event, when the request names none of its own."""


CallerAudit = Callable[[object | None], AuditCaller]
"""Describes ``SoapRequest.caller`` (opaque to ``soap``) for the audit trail."""


def _nobody(_caller: object | None) -> AuditCaller:
    return AuditCaller()


@dataclass(frozen=True, kw_only=True)
class AuditTrail:
    """Where a node's SOAP transactions are audited: its database, and how callers are named."""

    database: Database
    """The registry database holding the audit trail."""
    describe: CallerAudit = field(default=_nobody, compare=False)
    """Names the verified caller of a request (``carnet/vihf_audit.py`` under the DMP)."""
    clock: Callable[[], datetime] = field(default=lambda: datetime.now(UTC), compare=False)

    def open(self, request: SoapRequest, transaction: AuditTransaction) -> AuditScope:
        """The scope of one request to ``transaction``, from a verified ``request.caller``."""
        return AuditScope(
            trail=self,
            transaction=transaction,
            caller=self.describe(request.caller),
            remote_address=request.remote_addr,
            message_id=request.addressing.message_id,
        )

    def identity_refused(
        self, request: SoapRequest, transaction: AuditTransaction, error: IdentityError
    ) -> None:
        """Record a request whose caller's identity was refused, in its own transaction.

        Nothing of the assertion is trusted: the NameID it claims goes in ``subject_name``
        marked unverified; ``subject_id`` and the patient stay unknown.
        """
        claimed = _claimed_subject(request.headers)
        event = AuditEvent(
            time=self.clock(),
            transaction=transaction,
            outcome=Outcome.REFUSED,
            outcome_detail=f"wsse:{error.fault_code.value} {type(error).__name__}: {error.reason}",
            subject_id=None,
            subject_name=None if claimed is None else f"unverified claim: {claimed}",
            subject_kind=SubjectKind.SYSTEM,
            remote_address=request.remote_addr,
            query_id=request.addressing.message_id,
        )
        self.record_apart(event)

    def record_apart(self, event: AuditEvent) -> None:
        """Write ``event`` in a unit of work of its own (refusals, reads)."""
        with self.database.unit_of_work() as store:
            store.audit.record(event)


class AuditScope:
    """What is known of one audited request, until it is recorded (see the module docstring).

    Not a value: the handler fills it in as it learns; ``soap/wsgi.py`` closes it.
    """

    def __init__(
        self,
        *,
        trail: AuditTrail,
        transaction: AuditTransaction,
        caller: AuditCaller,
        remote_address: str | None,
        message_id: str | None,
    ) -> None:
        self.trail = trail
        self.transaction = transaction
        self.caller = caller
        self.remote_address = remote_address
        self.patient_id: str | None = caller.patient_id
        self.document_ids: tuple[str, ...] = ()
        self.query_id: str | None = message_id
        self.outcome = Outcome.SUCCESS
        self.detail: str | None = None
        self.recorded = False

    def about(
        self,
        *,
        patient_id: str | None = None,
        document_ids: Iterable[str] | None = None,
        query_id: str | None = None,
        transaction: AuditTransaction | None = None,
    ) -> None:
        """Say what the request concerns (each argument given replaces what was known)."""
        if patient_id is not None:
            self.patient_id = patient_id
        if document_ids is not None:
            self.document_ids = tuple(dict.fromkeys(document_ids))
        if query_id is not None:
            self.query_id = query_id
        if transaction is not None:
            self.transaction = transaction

    def conclude(self, *, outcome: Outcome, detail: str | None) -> None:
        """The handler answers a failure (or a partial success) without raising: the errors
        of an ITI-43 or ITI-86 response."""
        self.outcome = outcome
        self.detail = detail

    def event(self) -> AuditEvent:
        """The event as known now."""
        caller = self.caller
        return AuditEvent(
            time=self.trail.clock(),
            transaction=self.transaction,
            outcome=self.outcome,
            outcome_detail=self.detail,
            subject_id=caller.subject_id,
            subject_name=caller.subject_name,
            subject_kind=caller.subject_kind,
            roles=caller.roles,
            structure_id=caller.structure_id,
            access_mode=caller.access_mode,
            authentication_mode=caller.authentication_mode,
            software=caller.software,
            remote_address=self.remote_address,
            patient_id=self.patient_id,
            document_ids=self.document_ids,
            query_id=self.query_id,
        )

    def record(self, store: RegistryStore) -> None:
        """Write the event in ``store``'s transaction: the one making the change it audits."""
        store.audit.record(self.event())
        self.recorded = True

    def succeeded(self) -> None:
        """The handler answered: a read (or an unrecorded answer) is recorded now, apart."""
        if not self.recorded:
            self.trail.record_apart(self.event())
            self.recorded = True

    def failed(self, error: BaseException) -> None:
        """The handler raised: whatever it wrote rolled back, the refusal is kept apart.

        Never raises: a failure to audit is logged, and the original error goes on.
        """
        self.outcome, self.detail = _outcome_of(error)
        try:
            self.trail.record_apart(replace(self.event()))
        except Exception:
            _log.exception("could not audit the refusal of a %s", self.transaction.value)
        self.recorded = True


def record_change(request: SoapRequest, store: RegistryStore) -> None:
    """Audit ``request`` in ``store``'s unit of work, the one making its change (if audited)."""
    if request.audit is not None:
        request.audit.record(store)


def about_submission(request: SoapRequest, submission: Submission) -> None:
    """Note the patient and the documents' uniqueIds of a submission (ITI-41, 42, 57)."""
    if request.audit is not None:
        request.audit.about(
            patient_id=submission.submission_set.patient_id or None,
            document_ids=[entry.unique_id for entry in submission.documents],
        )


def error_codes(errors: Iterable[RegistryError]) -> str:
    """The IHE error codes of ``errors``, each once, as ``EventOutcomeDescription``."""
    return " ".join(
        dict.fromkeys(each.error_code.value for error in errors for each in error.errors)
    )


def _outcome_of(error: BaseException) -> tuple[Outcome, str]:
    """``EventOutcomeIndicator`` and description of a refusal: the IHE error codes, the WSS
    fault code, or the SOAP fault's reason; an unexpected error is a failure, unexplained."""
    if isinstance(error, RegistryError):
        return Outcome.REFUSED, error_codes([error])
    if isinstance(error, IdentityError):
        return Outcome.REFUSED, f"wsse:{error.fault_code.value} {type(error).__name__}"
    if isinstance(error, SoapFault):
        outcome = Outcome.REFUSED if error.code is FaultCode.SENDER else Outcome.FAILURE
        subcodes = " ".join(each.localname for each in error.subcodes)
        return outcome, f"{subcodes}: {error.reason}" if subcodes else error.reason
    return Outcome.FAILURE, "internal error"


def _claimed_subject(headers: Iterable[etree._Element]) -> str | None:
    """The ``saml2:Subject/saml2:NameID`` an assertion claims, unverified, or None."""
    for header in headers:
        name_id = header.find(f".//{{{_SAML}}}Subject/{{{_SAML}}}NameID")
        if name_id is not None and (name_id.text or "").strip():
            return (name_id.text or "").strip()[:_CLAIM_MAX]
    return None
