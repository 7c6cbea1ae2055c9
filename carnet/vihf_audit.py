"""ANS VIHF, ITI TF-1 9 (ATNA) — the verified caller as the audit trail names it (issue 5 item 7).

``soap/audit_trail.py`` audits every transaction but may not read a VIHF (imports flow
``carnet`` → ``soap``): :func:`audit_caller` is the :data:`soap.audit_trail.CallerAudit` the app
factory gives it. It is only ever given what :class:`~carnet.vihf_check.VihfCheck` verified
(``SoapRequest.caller``); a request refused before that is audited without a caller.

The kind of caller follows ``carnet/vihf_check.py``'s reading of the roles; the access mode is
kept whatever it is, so that break-the-glass and centre 15 are always traced with it.
"""

from __future__ import annotations

from carnet.access_policy import CallerKind
from carnet.vihf import VihfIdentity
from carnet.vihf_check import caller_from_vihf
from registry.audit import AuditCode, SubjectKind
from soap.audit_trail import AuditCaller
from soap.identity_errors import IdentityError

__all__ = ["audit_caller"]

_KINDS = {
    CallerKind.PROFESSIONAL: SubjectKind.PROFESSIONAL,
    CallerKind.PATIENT: SubjectKind.PATIENT,
    CallerKind.LEGAL_REPRESENTATIVE: SubjectKind.PATIENT,
    CallerKind.SYSTEM: SubjectKind.SYSTEM,
}


def audit_caller(caller: object | None) -> AuditCaller:
    """The audit trail's view of a verified VIHF; nobody for anything else (plain IHE)."""
    if not isinstance(caller, VihfIdentity):
        return AuditCaller()
    try:
        kind = _KINDS[caller_from_vihf(caller).kind]
    except IdentityError:  # VihfCheck refuses these before any handler runs
        kind = SubjectKind.SYSTEM
    software = caller.software
    ins = caller.patient_ins
    return AuditCaller(
        subject_id=caller.subject_id,
        subject_name=caller.subject_name,
        subject_kind=kind,
        roles=tuple(
            AuditCode(code=role.code, system=role.system, display_name=role.display_name)
            for role in caller.roles
        ),
        structure_id=caller.structure_id,
        access_mode=caller.access_mode,
        authentication_mode=caller.authentication_mode.value,
        software=" ".join(
            part for part in (software.name, software.version, f"({software.approval})") if part
        ),
        # The registry's CX of the INS (no identifier type code), as the trail is searched by.
        patient_id=None if ins is None else f"{ins[0]}^^^&{ins[1]}&ISO",
    )
