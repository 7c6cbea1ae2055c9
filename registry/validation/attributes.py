"""ITI TF-3 4.2.3 and Table 4.3.1-3 — required attributes and their formats.

Each check takes one metadata object and yields the errors it finds; the
caller collects them so a sender learns every problem of a submission at
once. Optionality is that of the Document Registry on ITI-42 (XDS.b,
ITI TF-3 Table 4.3.1-3 column "XDS DS"): attributes the Document Repository
sets (hash, size, repositoryUniqueId) are required here.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator

from registry.errors import MetadataError, RegistryError
from registry.hl7_datatypes import (
    CX,
    check_dtm,
    check_source_patient_id,
    check_xcn,
    check_xon,
    is_oid,
)
from registry.model import Author, Code, DocumentEntry, Folder, SubmissionSet

_UUID_URN = re.compile(
    r"^urn:uuid:[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$"
)
_SHA1 = re.compile(r"^[0-9a-fA-F]{40}$")
_MIME = re.compile(r"^[A-Za-z0-9!#$&^_.+-]+/[A-Za-z0-9!#$&^_.+-]+$")
_LANGUAGE = re.compile(r"^[A-Za-z]{1,8}(-[A-Za-z0-9]{1,8})*$")


def is_uuid_urn(value: str) -> bool:
    """True for ``urn:uuid:`` ids, the only non-symbolic ids (ITI TF-3 4.2.3.1.5).

    >>> is_uuid_urn("urn:uuid:7edca82f-054d-47f2-a032-9b2a5b5186c1")
    True
    >>> is_uuid_urn("Document01")
    False
    """
    return _UUID_URN.match(value) is not None


def is_document_unique_id(value: str) -> bool:
    """ITI TF-3 4.2.3.2.26: an OID, or ``OID^extension``, at most 128 characters.

    >>> is_document_unique_id("1.3.6.1.4.1.21367.2005.3.99.1.1010")
    True
    >>> is_document_unique_id("1.2.3^abc-42")
    True
    >>> is_document_unique_id("abc")
    False
    """
    if not value or len(value) > 128:
        return False
    root, _, extension = value.partition("^")
    return is_oid(root) and ("^" not in extension) and (extension != "" or "^" not in value)


class _Checker:
    """Collects errors about one object, each located at the object's id."""

    def __init__(self, kind: str, entry_uuid: str) -> None:
        self.kind = kind
        self.location = entry_uuid
        self.errors: list[RegistryError] = []

    def fail(self, reason: str) -> None:
        self.errors.append(
            MetadataError(f"{self.kind} {self.location}: {reason}", location=self.location)
        )

    def required(self, name: str, value: object) -> bool:
        if value is None or value == "" or value == ():
            self.fail(f"{name} is required")
            return False
        return True

    def format(self, name: str, value: str | None, check: Callable[[str], object]) -> None:
        if value is None:
            return
        try:
            if check(value) is False:
                self.fail(f"{name} {value!r} is not well formed")
        except ValueError as error:
            self.fail(f"{name}: {error}")

    def entry_uuid(self) -> None:
        if not self.location:
            self.fail("entryUUID (id) is required")
        elif self.location.startswith("urn:uuid:") and not is_uuid_urn(self.location):
            self.fail("entryUUID starts with urn:uuid: but is not a UUID")

    def codes(self, name: str, codes: tuple[Code, ...]) -> None:
        for code in codes:
            if not code.code or not code.scheme:
                self.fail(f"{name} needs a code and a codingScheme")

    def authors(self, authors: tuple[Author, ...]) -> None:
        # ITI TF-3 4.2.3.1.4: an author has at least one of person, institution,
        # role, specialty or telecom.
        for author in authors:
            if not (
                author.person
                or author.institutions
                or author.roles
                or author.specialties
                or author.telecoms
            ):
                self.fail(
                    "author has no authorPerson, authorInstitution, authorRole, "
                    "authorSpecialty or authorTelecommunication"
                )
            self.format("authorPerson", author.person, check_xcn)
            for institution in author.institutions:
                self.format("authorInstitution", institution, check_xon)


def check_document_entry(entry: DocumentEntry) -> Iterator[RegistryError]:
    """ITI TF-3 4.2.3.2 and Table 4.3.1-3: a DocumentEntry on ITI-42."""
    check = _Checker("DocumentEntry", entry.entry_uuid)
    check.entry_uuid()
    if check.required("uniqueId", entry.unique_id):
        check.format("uniqueId", entry.unique_id, is_document_unique_id)
    if check.required("patientId", entry.patient_id):
        check.format("patientId", entry.patient_id, CX.parse)
    if check.required("mimeType", entry.mime_type):
        check.format("mimeType", entry.mime_type, lambda v: _MIME.match(v) is not None)
    for name, code in (
        ("classCode", entry.class_code),
        ("typeCode", entry.type_code),
        ("formatCode", entry.format_code),
        ("healthcareFacilityTypeCode", entry.healthcare_facility_type_code),
        ("practiceSettingCode", entry.practice_setting_code),
    ):
        if check.required(name, code) and code is not None:
            check.codes(name, (code,))
    if check.required("confidentialityCode", entry.confidentiality_codes):
        check.codes("confidentialityCode", entry.confidentiality_codes)
    check.codes("eventCodeList", entry.event_codes)
    if check.required("languageCode", entry.language_code):
        check.format("languageCode", entry.language_code, lambda v: _LANGUAGE.match(v) is not None)
    if check.required("creationTime", entry.creation_time):
        check.format("creationTime", entry.creation_time, check_dtm)
    check.format("serviceStartTime", entry.service_start_time, check_dtm)
    check.format("serviceStopTime", entry.service_stop_time, check_dtm)
    if check.required("sourcePatientId", entry.source_patient_id):
        check.format("sourcePatientId", entry.source_patient_id, check_source_patient_id)
    check.format("legalAuthenticator", entry.legal_authenticator, check_xcn)
    check.authors(entry.authors)
    for reference in entry.reference_ids:
        if not reference.split("^")[0]:
            check.fail(f"referenceIdList value {reference!r} has no id")
    if entry.is_on_demand:
        # ITI TF-3 4.2.3.2.9/4.2.3.2.19: an On-Demand entry has no hash nor size.
        if entry.hash is not None or entry.size is not None:
            check.fail("an On-Demand DocumentEntry carries neither hash nor size")
    else:
        if check.required("hash", entry.hash):
            check.format("hash", entry.hash, lambda v: _SHA1.match(v) is not None)
        check.required("size", entry.size)
    if check.required("repositoryUniqueId", entry.repository_unique_id):
        check.format("repositoryUniqueId", entry.repository_unique_id, is_oid)
    return iter(check.errors)


def check_submission_set(submission_set: SubmissionSet) -> Iterator[RegistryError]:
    """ITI TF-3 4.2.3.3 and Table 4.3.1-3: the SubmissionSet of ITI-42."""
    check = _Checker("SubmissionSet", submission_set.entry_uuid)
    check.entry_uuid()
    if check.required("uniqueId", submission_set.unique_id):
        check.format("uniqueId", submission_set.unique_id, is_oid)
    if check.required("sourceId", submission_set.source_id):
        check.format("sourceId", submission_set.source_id, is_oid)
    if check.required("patientId", submission_set.patient_id):
        check.format("patientId", submission_set.patient_id, CX.parse)
    if check.required("submissionTime", submission_set.submission_time):
        check.format("submissionTime", submission_set.submission_time, check_dtm)
    if check.required("contentTypeCode", submission_set.content_type_code):
        assert submission_set.content_type_code is not None
        check.codes("contentTypeCode", (submission_set.content_type_code,))
    check.authors(submission_set.authors)
    return iter(check.errors)


def check_folder(folder: Folder) -> Iterator[RegistryError]:
    """ITI TF-3 4.2.3.4 and Table 4.3.1-3: a Folder created by ITI-42."""
    check = _Checker("Folder", folder.entry_uuid)
    check.entry_uuid()
    if check.required("uniqueId", folder.unique_id):
        check.format("uniqueId", folder.unique_id, is_oid)
    if check.required("patientId", folder.patient_id):
        check.format("patientId", folder.patient_id, CX.parse)
    if check.required("codeList", folder.codes):
        check.codes("codeList", folder.codes)
    check.required("title", folder.title)
    return iter(check.errors)
