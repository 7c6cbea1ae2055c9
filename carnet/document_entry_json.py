"""ITI TF-3 4.2.3.2 — a DocumentEntry as JSON, keyed by the attribute names of the standard.

``carnet cda metadata`` prints what a CDA header implies in this form, for people and
scripts. Keys are the XDS attribute names (ITI TF-3 Table 4.3.1-3), always present (``null``
or ``[]`` when unset), in a fixed order; each code is an object ``{"code", "codingScheme",
"displayName"}``; each author an object of the author slots (ITI TF-3 4.2.3.1.4).
"""

from __future__ import annotations

from typing import Any

from registry.model import Author, Code, DocumentEntry

__all__ = ["author_json", "code_json", "document_entry_json"]


def code_json(code: Code | None) -> dict[str, str | None] | None:
    """``{"code", "codingScheme", "displayName"}`` (ITI TF-3 4.2.3.1.2), ``None`` for none.

    >>> code_json(Code(code="N", scheme="2.16.840.1.113883.5.25", display_name="Normal"))
    {'code': 'N', 'codingScheme': '2.16.840.1.113883.5.25', 'displayName': 'Normal'}
    """
    if code is None:
        return None
    return {"code": code.code, "codingScheme": code.scheme, "displayName": code.display_name}


def author_json(author: Author) -> dict[str, Any]:
    """The author classification's slots, by their names."""
    return {
        "authorPerson": author.person,
        "authorInstitution": list(author.institutions),
        "authorRole": list(author.roles),
        "authorSpecialty": list(author.specialties),
        "authorTelecommunication": list(author.telecoms),
    }


def document_entry_json(entry: DocumentEntry) -> dict[str, Any]:
    """The attributes of ``entry`` a Document Source provides, in a fixed order."""
    return {
        "uniqueId": entry.unique_id,
        "patientId": entry.patient_id,
        "sourcePatientId": entry.source_patient_id,
        "sourcePatientInfo": list(entry.source_patient_info),
        "mimeType": entry.mime_type,
        "title": entry.title,
        "creationTime": entry.creation_time,
        "serviceStartTime": entry.service_start_time,
        "serviceStopTime": entry.service_stop_time,
        "languageCode": entry.language_code,
        "typeCode": code_json(entry.type_code),
        "classCode": code_json(entry.class_code),
        "formatCode": code_json(entry.format_code),
        "healthcareFacilityTypeCode": code_json(entry.healthcare_facility_type_code),
        "practiceSettingCode": code_json(entry.practice_setting_code),
        "confidentialityCode": [code_json(code) for code in entry.confidentiality_codes],
        "eventCodeList": [code_json(code) for code in entry.event_codes],
        "author": [author_json(author) for author in entry.authors],
        "legalAuthenticator": entry.legal_authenticator,
        "referenceIdList": list(entry.reference_ids),
    }
