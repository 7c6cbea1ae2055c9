"""Build valid, fully populated XDS submissions for tests (ITI TF-3 4.2.3).

Every attribute a Document Registry requires on ITI-42 is filled, with the
optional ones too, so a test changes just the attribute its rule is about.
"""

from __future__ import annotations

import hashlib
import uuid
from dataclasses import replace

from registry.model import (
    Association,
    Author,
    Code,
    DocumentEntry,
    Folder,
    Slot,
    Submission,
    SubmissionSet,
)
from registry.vocabulary import AssociationType, SubmissionSetStatus

PATIENT_ID = "PAT-1^^^&1.2.250.1.213.1.4.10&ISO"
OTHER_PATIENT_ID = "PAT-2^^^&1.2.250.1.213.1.4.10&ISO"
REPOSITORY_ID = "1.2.250.1.999.1.1.1"


def unique_oid() -> str:
    """A UUID-derived OID (ITU-T X.667, ``2.25.<uuid>``): unique across processes."""
    return f"2.25.{uuid.uuid4().int}"


def author() -> Author:
    return Author(
        person="801234567897^Médecin^Jean^^^Dr^^^&1.2.250.1.71.4.2.1&ISO",
        institutions=("Hôpital Test^^^^^&1.2.250.1.71.4.2.2&ISO^IDNST^^^3123456789",),
        roles=("10^Médecin^1.2.250.1.213.1.1.4.5",),
        specialties=("SM26^Qualifié en médecine générale^1.2.250.1.213.1.1.4.5",),
        telecoms=("^^Internet^jean.medecin@test.mssante.fr",),
    )


def document_entry(
    entry_uuid: str = "Document01",
    *,
    patient_id: str = PATIENT_ID,
    content: bytes = b"<ClinicalDocument/>",
    **changes: object,
) -> DocumentEntry:
    entry = DocumentEntry(
        entry_uuid=entry_uuid,
        unique_id=unique_oid(),
        patient_id=patient_id,
        mime_type="text/xml",
        hash=hashlib.sha1(content).hexdigest(),
        size=len(content),
        repository_unique_id=REPOSITORY_ID,
        creation_time="20241015101500",
        service_start_time="20241015080000",
        service_stop_time="20241015093000",
        language_code="fr-FR",
        legal_authenticator="801234567897^Médecin^Jean^^^Dr^^^&1.2.250.1.71.4.2.1&ISO",
        source_patient_id=patient_id,
        source_patient_info=("PID-3|" + patient_id, "PID-5|Durand^Marie^^^", "PID-7|19800101"),
        title="Compte rendu de consultation",
        comments="Consultation de suivi",
        class_code=Code(code="11488-4", scheme="2.16.840.1.113883.6.1", display_name="CR"),
        type_code=Code(
            code="11488-4", scheme="2.16.840.1.113883.6.1", display_name="CR de consultation"
        ),
        format_code=Code(code="urn:ihe:iti:xds-sd:text:2008", scheme="1.3.6.1.4.1.19376.1.2.3"),
        healthcare_facility_type_code=Code(code="SA01", scheme="1.2.250.1.71.4.2.4"),
        practice_setting_code=Code(code="ETABLISSEMENT", scheme="1.2.250.1.213.1.1.4.9"),
        confidentiality_codes=(Code(code="N", scheme="2.16.840.1.113883.5.25"),),
        event_codes=(Code(code="GLE", scheme="1.2.250.1.213.2.5"),),
        authors=(author(),),
        reference_ids=("ORDER-1^^^&1.2.3.4&ISO^urn:ihe:iti:xds:2013:order",),
        extra_slots=(Slot(name="urn:carnet:test:extra", values=("a", "b")),),
    )
    return replace(entry, **changes)  # type: ignore[arg-type]


def submission_set(
    entry_uuid: str = "SubmissionSet01", *, patient_id: str = PATIENT_ID, **changes: object
) -> SubmissionSet:
    value = SubmissionSet(
        entry_uuid=entry_uuid,
        unique_id=unique_oid(),
        source_id="1.2.250.1.999.2",
        patient_id=patient_id,
        submission_time="20241015101600",
        content_type_code=Code(
            code="04", scheme="1.2.250.1.213.1.1.4.12", display_name="Hospitalisation"
        ),
        title="Soumission",
        authors=(author(),),
        intended_recipients=("Hôpital Test^^^^^^^^^1.2.3.4.5|^Dupont^Paul",),
    )
    return replace(value, **changes)  # type: ignore[arg-type]


def folder(
    entry_uuid: str = "Folder01", *, patient_id: str = PATIENT_ID, **changes: object
) -> Folder:
    value = Folder(
        entry_uuid=entry_uuid,
        unique_id=unique_oid(),
        patient_id=patient_id,
        codes=(Code(code="TEST", scheme="1.2.250.1.999.3", display_name="Dossier"),),
        title="Séjour",
    )
    return replace(value, **changes)  # type: ignore[arg-type]


def has_member(
    entry_uuid: str,
    source: str,
    target: str,
    status: SubmissionSetStatus | None = SubmissionSetStatus.ORIGINAL,
) -> Association:
    return Association(
        entry_uuid=entry_uuid,
        association_type=AssociationType.HAS_MEMBER.value,
        source_id=source,
        target_id=target,
        submission_set_status=status,
    )


def relationship(entry_uuid: str, kind: AssociationType, source: str, target: str) -> Association:
    return Association(
        entry_uuid=entry_uuid, association_type=kind.value, source_id=source, target_id=target
    )


def submission(
    *documents: DocumentEntry,
    patient_id: str = PATIENT_ID,
    folders: tuple[Folder, ...] = (),
    associations: tuple[Association, ...] = (),
    members: bool = True,
) -> Submission:
    """A submission set with ``documents`` (default: one) and their HasMembers."""
    docs = documents or (document_entry(patient_id=patient_id),)
    ss = submission_set(patient_id=patient_id)
    links: list[Association] = []
    if members:
        for index, obj in enumerate((*docs, *folders)):
            links.append(has_member(f"ss-member-{index}", ss.entry_uuid, obj.entry_uuid))
    return Submission(
        submission_set=ss,
        documents=docs,
        folders=folders,
        associations=(*links, *associations),
    )
