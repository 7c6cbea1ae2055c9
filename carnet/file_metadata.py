"""ITI TF-3 4.2.3.2 and 4.2.3.3 — XDS metadata for bare files, as ``carnet submit`` builds it.

A file sent without a metadata file becomes one DocumentEntry with every attribute a
Document Registry requires (ITI TF-3 Table 4.3.1-3), from the file and from
:class:`DocumentDefaults`:

- ``uniqueId`` of the DocumentEntry and of the SubmissionSet: a fresh UUID-derived OID
  ``2.25.<int>`` (ITU-T X.667);
- ``mimeType``: from the file's extension, ``application/octet-stream`` when unknown;
- ``creationTime`` and ``submissionTime``: now, UTC, to the second;
- ``title``: the file's name; ``sourcePatientId``: the patient id;
- ``hash``, ``size``, ``repositoryUniqueId``: left to the repository (ITI TF-2b 3.41.4.1.3);
- the codes, ``languageCode`` and the SubmissionSet's ``sourceId``: :class:`DocumentDefaults`,
  each overridable.

With a metadata file (an ``lcm:SubmitObjectsRequest``, or a
``xdsb:ProvideAndRegisterDocumentSetRequest`` holding one), the files pair with its
DocumentEntries in document order.
"""

from __future__ import annotations

import mimetypes
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path

from registry.ebrim import parse_submission
from registry.errors import RegistryError
from registry.model import Association, Code, DocumentEntry, Submission, SubmissionSet
from registry.vocabulary import AssociationType, Namespace, SubmissionSetStatus
from schemas import XmlError, parse_xml

__all__ = [
    "DocumentDefaults",
    "MetadataFileError",
    "files_submission",
    "metadata_file_submission",
    "mime_type_for",
    "new_oid",
    "parse_code",
    "submission_of",
]

# Python's table differs between platforms for these; XDS peers expect the first.
_MIME_TYPES = {".xml": "text/xml", ".txt": "text/plain", ".pdf": "application/pdf"}


_CONSULT_NOTE = Code(code="11488-4", scheme="2.16.840.1.113883.6.1", display_name="Consult note")
_MIME_TYPE_SUFFICIENT = Code(
    code="urn:ihe:iti:xds:2017:mimeTypeSufficient",
    scheme="1.3.6.1.4.1.19376.1.2.3",
    display_name="mimeType Sufficient",
)
_PUBLIC_HOSPITAL = Code(
    code="SA01", scheme="1.2.250.1.71.4.2.4", display_name="Etablissement public de santé"
)
_HEALTHCARE_FACILITY = Code(
    code="ETABLISSEMENT", scheme="1.2.250.1.213.1.1.4.9", display_name="Etablissement de santé"
)
_NORMAL = Code(code="N", scheme="2.16.840.1.113883.5.25", display_name="Normal")
_HOSPITALISATION = Code(code="04", scheme="1.2.250.1.213.1.1.4.12", display_name="Hospitalisation")


class MetadataFileError(Exception):
    """The metadata file cannot be used with these files (a usage error of the CLI)."""


@dataclass(frozen=True, kw_only=True, slots=True)
class DocumentDefaults:
    """The metadata ``carnet submit`` and ``carnet import`` give a bare file.

    The codes are those of the French DMP's value sets (JDV) where one fits any document,
    LOINC otherwise; override them per deployment (``--class-code`` …).
    """

    class_code: Code = _CONSULT_NOTE
    """``classCode``: LOINC 11488-4, consult note."""
    type_code: Code = _CONSULT_NOTE
    """``typeCode``: LOINC 11488-4, consult note."""
    format_code: Code = _MIME_TYPE_SUFFICIENT
    """``formatCode``: IHE's "the mimeType says it all" (ITI TF-3 4.2.3.2.10)."""
    healthcare_facility_type_code: Code = _PUBLIC_HOSPITAL
    """``healthcareFacilityTypeCode``: JDV_J02 SA01, public hospital."""
    practice_setting_code: Code = _HEALTHCARE_FACILITY
    """``practiceSettingCode``: JDV_J04 ETABLISSEMENT."""
    confidentiality_code: Code = _NORMAL
    """``confidentialityCode``: HL7 Confidentiality N, normal."""
    content_type_code: Code = _HOSPITALISATION
    """SubmissionSet ``contentTypeCode``: JDV_J06 04, hospitalisation."""
    language_code: str = "fr-FR"
    """``languageCode`` (RFC 5646)."""
    source_id: str = "1.2.250.1.999.2"
    """SubmissionSet ``sourceId``: the OID of the sending system."""


def new_oid() -> str:
    """A fresh OID under ``2.25`` from a random UUID (ITU-T X.667 §8).

    >>> new_oid().startswith("2.25.")
    True
    """
    return f"2.25.{uuid.uuid4().int}"


def parse_code(text: str) -> Code:
    """A code written ``code^^scheme`` or ``code^display name^scheme`` (HL7 CE order).

    >>> parse_code("N^Normal^2.16.840.1.113883.5.25")
    Code(code='N', scheme='2.16.840.1.113883.5.25', display_name='Normal')
    """
    parts = text.split("^")
    if len(parts) != 3 or not parts[0] or not parts[2]:
        raise ValueError(f"{text!r} is not a code: write it CODE^^SCHEME or CODE^DISPLAY^SCHEME")
    return Code(code=parts[0], scheme=parts[2], display_name=parts[1] or None)


def mime_type_for(path: Path) -> str:
    """The mimeType of a file, from its extension.

    >>> mime_type_for(Path("cr.xml")), mime_type_for(Path("scan.PDF")), mime_type_for(Path("x"))
    ('text/xml', 'application/pdf', 'application/octet-stream')
    """
    suffix = path.suffix.lower()
    guessed = _MIME_TYPES.get(suffix) or mimetypes.guess_type(f"file{suffix}")[0]
    return guessed or "application/octet-stream"


def _now() -> str:
    return datetime.now(UTC).strftime("%Y%m%d%H%M%S")


def files_submission(
    files: Sequence[Path],
    *,
    patient_id: str,
    defaults: DocumentDefaults | None = None,
    unique_ids: Sequence[str] | None = None,
    submission_set_unique_id: str | None = None,
) -> tuple[Submission, dict[str, Path]]:
    """One SubmissionSet holding a DocumentEntry per file, and the entry id → file map.

    ``unique_ids`` (one per file) and ``submission_set_unique_id`` replace the fresh OIDs,
    so a resumed import can send again exactly what it may have sent before.
    """
    if unique_ids is not None and len(unique_ids) != len(files):
        raise ValueError("one uniqueId per file")
    defaults = defaults or DocumentDefaults()
    now = _now()
    documents: list[DocumentEntry] = []
    paths: dict[str, Path] = {}
    for index, path in enumerate(files, start=1):
        entry_id = f"Document{index:02d}"
        documents.append(
            DocumentEntry(
                entry_uuid=entry_id,
                unique_id=new_oid() if unique_ids is None else unique_ids[index - 1],
                patient_id=patient_id,
                mime_type=mime_type_for(path),
                creation_time=now,
                language_code=defaults.language_code,
                source_patient_id=patient_id,
                title=path.name,
                class_code=defaults.class_code,
                type_code=defaults.type_code,
                format_code=defaults.format_code,
                healthcare_facility_type_code=defaults.healthcare_facility_type_code,
                practice_setting_code=defaults.practice_setting_code,
                confidentiality_codes=(defaults.confidentiality_code,),
            )
        )
        paths[entry_id] = path
    submission = submission_of(
        documents,
        patient_id=patient_id,
        defaults=defaults,
        submission_time=now,
        unique_id=submission_set_unique_id,
    )
    return submission, paths


def submission_of(
    documents: Sequence[DocumentEntry],
    *,
    patient_id: str,
    defaults: DocumentDefaults,
    submission_time: str,
    unique_id: str | None = None,
) -> Submission:
    """A SubmissionSet (ITI TF-3 4.2.3.3) holding ``documents``, one HasMember each.

    Symbolic ids (``SubmissionSet01``, ``HasMember01``…), resolved by the registry;
    a fresh uniqueId unless ``unique_id`` is given.
    """
    submission_set = SubmissionSet(
        entry_uuid="SubmissionSet01",
        unique_id=unique_id or new_oid(),
        source_id=defaults.source_id,
        patient_id=patient_id,
        submission_time=submission_time,
        content_type_code=defaults.content_type_code,
    )
    members = tuple(
        Association(
            entry_uuid=f"HasMember{index:02d}",
            association_type=AssociationType.HAS_MEMBER.value,
            source_id=submission_set.entry_uuid,
            target_id=entry.entry_uuid,
            submission_set_status=SubmissionSetStatus.ORIGINAL,
        )
        for index, entry in enumerate(documents, start=1)
    )
    return Submission(
        submission_set=submission_set, documents=tuple(documents), associations=members
    )


def metadata_file_submission(
    metadata: bytes, files: Sequence[Path], *, patient_id: str | None = None
) -> tuple[Submission, dict[str, Path]]:
    """The submission of a metadata file, its DocumentEntries paired with ``files`` in order.

    ``patient_id``, when given, replaces the patientId of the SubmissionSet, of every
    DocumentEntry and of every Folder (a template reused for several patients). Raises
    :class:`MetadataFileError` when the file is unreadable or the counts differ.
    """
    try:
        root = parse_xml(metadata)
        if root.tag == f"{{{Namespace.XDS_B.value}}}ProvideAndRegisterDocumentSetRequest":
            found = root.find(f"{{{Namespace.LCM.value}}}SubmitObjectsRequest")
            if found is None:
                raise MetadataFileError("the request holds no lcm:SubmitObjectsRequest")
            root = found
        submission = parse_submission(root)
    except XmlError as error:
        raise MetadataFileError(f"not well-formed XML: {error}") from None
    except RegistryError as error:
        reasons = [each.reason for each in error.errors]
        raise MetadataFileError("; ".join(reasons)) from None
    if len(submission.documents) != len(files):
        raise MetadataFileError(
            f"the metadata has {len(submission.documents)} DocumentEntries for {len(files)} files"
        )
    if patient_id is not None:
        submission = replace(
            submission,
            submission_set=submission.submission_set.with_(patient_id=patient_id),
            documents=tuple(d.with_(patient_id=patient_id) for d in submission.documents),
            folders=tuple(f.with_(patient_id=patient_id) for f in submission.folders),
        )
    paths = {
        entry.entry_uuid: path for entry, path in zip(submission.documents, files, strict=True)
    }
    return submission, paths
