"""ITI TF-3 4.2.3.2 — a CDA header's metadata (:mod:`cda.metadata`) as a registry DocumentEntry.

``cda`` is a leaf package and keeps its own values; this module translates them into
:class:`registry.model.DocumentEntry`: each coded value becomes a :class:`~registry.model.Code`
whose ``scheme`` (the ``codingScheme`` slot, ITI TF-3 4.2.3.1.2) is the code system OID, each
author an :class:`~registry.model.Author` whose specialty is written ``code^display^system`` as
the ANS author examples do (PDSm4DMP ``AuthorPSCabinetRPPS``).

What the header does not give stays unset: ``hash``, ``size`` and ``repositoryUniqueId`` are the
repository's (ITI TF-2b 3.41.4.1.3), ``logicalId`` and ``version`` the registry's, ``comments``
the sender's. The header's ``setId``/``versionNumber`` are not XDS attributes; replacing a
document is an RPLC association (ITI TF-3 4.2.2.2), which needs the registered entry's id.
"""

from __future__ import annotations

from cda.coded_value import CodedValue
from cda.errors import CdaMetadataError
from cda.metadata import CdaAuthor, CdaMetadata
from registry.model import Author, Code, DocumentEntry

__all__ = ["author_from_cda", "code_from_cda", "document_entry_from_cda"]


def document_entry_from_cda(
    metadata: CdaMetadata,
    *,
    entry_uuid: str,
    patient_id: str | None = None,
) -> DocumentEntry:
    """The DocumentEntry ``metadata`` describes, with the symbolic id ``entry_uuid``.

    ``patient_id`` replaces the header's INS (a registry outside France files the
    document under its own domain's id); without either, raises
    :class:`~cda.errors.CdaMetadataError`, since every DocumentEntry needs a patientId.
    """
    patient = patient_id or metadata.patient_id
    if patient is None:
        raise CdaMetadataError(
            "the CDA header carries no INS (recordTarget/patientRole/id) to use as patientId"
        )
    return DocumentEntry(
        entry_uuid=entry_uuid,
        unique_id=metadata.unique_id,
        patient_id=patient,
        mime_type=metadata.mime_type,
        creation_time=metadata.creation_time,
        service_start_time=metadata.service_start_time,
        service_stop_time=metadata.service_stop_time,
        language_code=metadata.language_code,
        legal_authenticator=metadata.legal_authenticator,
        source_patient_id=metadata.source_patient_id or patient,
        source_patient_info=metadata.source_patient_info,
        title=metadata.title,
        class_code=_code(metadata.class_code),
        type_code=_code(metadata.type_code),
        format_code=_code(metadata.format_code),
        healthcare_facility_type_code=_code(metadata.healthcare_facility_type_code),
        practice_setting_code=_code(metadata.practice_setting_code),
        confidentiality_codes=tuple(
            code_from_cda(c) for c in (metadata.confidentiality_code,) if c is not None
        ),
        event_codes=tuple(code_from_cda(code) for code in metadata.event_codes),
        authors=tuple(author_from_cda(author) for author in metadata.authors),
        reference_ids=metadata.reference_ids,
    )


def code_from_cda(code: CodedValue) -> Code:
    """A CDA coded value as an XDS code: the code system OID is the ``codingScheme``.

    >>> code_from_cda(CodedValue(code="N", code_system="2.16.840.1.113883.5.25"))
    Code(code='N', scheme='2.16.840.1.113883.5.25', display_name=None)
    """
    return Code(code=code.code, scheme=code.code_system, display_name=code.display_name)


def author_from_cda(author: CdaAuthor) -> Author:
    """A header ``author`` as the XDS author classification (ITI TF-3 4.2.3.1.4)."""
    specialty = author.specialty
    return Author(
        person=author.person,
        institutions=() if author.institution is None else (author.institution,),
        roles=() if author.role is None else (author.role,),
        specialties=()
        if specialty is None
        else (f"{specialty.code}^{specialty.display_name or ''}^{specialty.code_system}",),
        telecoms=author.telecoms,
    )


def _code(code: CodedValue | None) -> Code | None:
    return None if code is None else code_from_cda(code)
