"""Audit events for the tests of the audit trail: a professional, a break-the-glass access."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

from registry.audit import AccessMode, AuditCode, AuditEvent, Outcome, SubjectKind, Transaction

PATIENT = "279035121518989^^^&1.2.250.1.213.1.4.10&ISO"
OTHER_PATIENT = "180012B12345678^^^&1.2.250.1.213.1.4.10&ISO"
T0 = datetime(2026, 12, 10, 9, 30, tzinfo=UTC)
DOCUMENT = "1.2.250.1.999.1.2.3.4"


def retrieve(*, minutes: int = 0, **changes: object) -> AuditEvent:
    """An ITI-43 by Dr House (RPPS 810100000001, médecin, SM26) ``minutes`` after T0."""
    event = AuditEvent(
        time=T0 + timedelta(minutes=minutes),
        transaction=Transaction.ITI_43,
        outcome=Outcome.SUCCESS,
        subject_id="810100000001",
        subject_name="HOUSE Gregory",
        subject_kind=SubjectKind.PROFESSIONAL,
        roles=(
            AuditCode(code="10", system="1.2.250.1.71.1.2.7", display_name="Médecin"),
            AuditCode(code="SM26", system="1.2.250.1.71.4.2.5", display_name="Qualifié en MG"),
        ),
        structure_id="10B0152872",
        access_mode=AccessMode.NORMAL,
        authentication_mode="INDIRECTE",
        software="Carnet LPS 1.0 (HOMOLOG-42)",
        remote_address="192.0.2.10",
        patient_id=PATIENT,
        document_ids=(DOCUMENT,),
    )
    return replace(event, **changes)  # type: ignore[arg-type]
