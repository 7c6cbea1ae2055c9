"""ITI TF-2b 3.41.4.1.3 and the DMP's feeding rules — a CDA's header against its DocumentEntry.

A Document Source fills a CDA's DocumentEntry from the document's header (ITI TF-3 4.2.3.2;
the CI-SIS mapping in :mod:`cda.metadata`). When both are submitted together, a repository can
see the ones that disagree: the registry would otherwise file a lab report under the wrong
patient or date, unfindable, with no error anywhere. :class:`CdaHeaderCheck` is a
:class:`~repository.provide_and_register.SubmissionCheck` that compares, for each DocumentEntry
whose document is a CDA R2 ``ClinicalDocument``:

* **uniqueId** with ``ClinicalDocument/id`` (ITI TF-3 4.2.3.2.26);
* **patientId** with the ``recordTarget/patientRole/id`` of the same assigning authority, when
  the header has one (a header in another domain is not a contradiction);
* **typeCode** with ``ClinicalDocument/code``;
* **creationTime** with ``effectiveTime`` in UTC, at the precision both give;
* **confidentialityCode**: the header's must be among the entry's (a DMP sender adds its own
  visibility codes, ``DMP.md`` §3).

and refuses a contradiction with ``XDSRepositoryMetadataError`` naming the attribute and both
values. A DocumentEntry is looked at when its formatCode is one ASS_A11 gives a CDA, or its
mimeType is XML and its content starts like a ClinicalDocument.

With ``dmp_rules`` (profile ``dmp``) it also applies what a DMP requires of a CDA it is fed
(``DMP.md`` §2.4, §3 and §6.4): the header carries an INS and the entry is filed under it; every
code of the entry is in the DMP's value set (:mod:`cda.value_sets`); the classCode is the one
ASS_X16 gives the typeCode and the formatCode the one ASS_A11 gives the document's model; and a
formatCode that says CDA comes with a readable CDA, valid against the CDA R2 schema with the
French extensions (:func:`cda.validation.validate_schema`, ~0.5 ms for 40 KB). The CI-SIS
schematrons are not run here: 0.1-2 s a document and 15 s to compile (README "Benchmarks") are
no price for the feeding path; ``carnet cda validate --schematron`` runs them.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator, Mapping
from dataclasses import dataclass

from lxml import etree

from cda.coded_value import CodedValue
from cda.concept_maps import cda_format_codes, class_code_for
from cda.document import CDA_NAMESPACE, parse_cda
from cda.errors import CdaMetadataError, NotCdaError
from cda.ins import is_ins_authority
from cda.metadata import CdaMetadata, cda_metadata
from cda.validation import Severity, ValidationReport, validate_schema
from cda.value_sets import XdsAttribute, check_code
from registry.errors import RegistryErrorList
from registry.model import Code, DocumentEntry, Submission
from repository.errors import RepositoryMetadataError
from repository.provide_and_register import DocumentContent
from schemas.loader import XmlError

__all__ = ["CdaHeaderCheck"]

_log = logging.getLogger(__name__)

_XML_MIME_TYPES = frozenset({"text/xml", "application/xml", "application/hl7-cda+xml"})
_SNIFF_BYTES = 64 * 1024
_ROOT_HINTS = (b"ClinicalDocument", CDA_NAMESPACE.encode())


@dataclass(frozen=True, kw_only=True)
class CdaHeaderCheck:
    """Refuse DocumentEntries their CDA header contradicts (a ``SubmissionCheck``)."""

    dmp_rules: bool = False
    """Also apply the DMP's rules: INS, value sets, classCode and formatCode derivations."""
    max_document_bytes: int = 64 * 1024 * 1024
    """Larger CDAs are not read: skipped, or refused under ``dmp_rules``."""

    def __call__(self, submission: Submission, documents: Mapping[str, DocumentContent]) -> None:
        """Check every DocumentEntry of ``submission``; raise all refusals at once."""
        errors: list[RepositoryMetadataError] = []
        for entry in submission.documents:
            content = documents.get(entry.entry_uuid)
            if content is not None:
                errors.extend(self._entry_errors(entry, content))
        if errors:
            raise RegistryErrorList(errors)

    def _entry_errors(
        self, entry: DocumentEntry, content: DocumentContent
    ) -> Iterator[RepositoryMetadataError]:
        where = entry.entry_uuid
        claims_cda = entry.format_code is not None and entry.format_code.code in cda_format_codes()
        if not claims_cda and not (_is_xml(entry.mime_type) and _looks_like_cda(content)):
            return
        if content.size > self.max_document_bytes:
            if self.dmp_rules:
                yield RepositoryMetadataError(
                    f"DocumentEntry {where}: a CDA of {content.size} bytes is larger than the "
                    f"{self.max_document_bytes} bytes whose header this repository checks",
                    location=where,
                )
            else:
                _log.warning("CDA of DocumentEntry %s too large to check its header", where)
            return
        try:
            document = parse_cda(b"".join(content.chunks()))
        except (XmlError, NotCdaError) as error:
            # Under the IHE profile a formatCode is the affinity domain's business: a
            # content that is not a CDA has no header to contradict.
            if self.dmp_rules and claims_cda:
                yield RepositoryMetadataError(
                    f"DocumentEntry {where}: formatCode {_code_text(entry.format_code)} and "
                    f"mimeType {entry.mime_type} say CDA, but the document is not a readable "
                    f"CDA R2 ClinicalDocument: {error}",
                    location=where,
                )
            return
        if self.dmp_rules:
            report = validate_schema(document)
            if not report.valid:
                yield _schema_refusal(where, report)
                return
        try:
            header = cda_metadata(document)
        except CdaMetadataError as error:
            yield RepositoryMetadataError(
                f"DocumentEntry {where}: its CDA header cannot give XDS metadata: {error.reason}",
                location=where,
            )
            return
        zoned = _creation_time_is_zoned(document.root)
        yield from _contradictions(entry, header, creation_time_comparable=zoned)
        if self.dmp_rules:
            yield from _dmp_errors(entry, header)


def _schema_refusal(where: str, report: ValidationReport) -> RepositoryMetadataError:
    """The first few schema errors, located, as one refusal (a DMP refuses invalid CDA)."""
    errors = [f for f in report.findings if f.severity is Severity.ERROR]
    shown = "; ".join(f"{f.location}: {f.message}" for f in errors[:3])
    more = f" (and {len(errors) - 3} more)" if len(errors) > 3 else ""
    return RepositoryMetadataError(
        f"DocumentEntry {where}: the CDA is not valid against the CDA R2 schema with the "
        f"French extensions (CDA_extended.xsd): {shown}{more}",
        location=where,
    )


# ----------------------------------------------------------------------------- cross-checks


def _contradictions(
    entry: DocumentEntry, header: CdaMetadata, *, creation_time_comparable: bool
) -> Iterator[RepositoryMetadataError]:
    where = entry.entry_uuid

    def refuse(attribute: str, submitted: str, path: str, found: str) -> RepositoryMetadataError:
        return RepositoryMetadataError(
            f"{attribute} of DocumentEntry {where} is {submitted}, but the CDA header's "
            f"{path} gives {found}",
            location=where,
        )

    if entry.unique_id != header.unique_id:
        yield refuse("uniqueId", entry.unique_id, "ClinicalDocument/id", header.unique_id)
    submitted_patient = _cx_parts(entry.patient_id)
    if submitted_patient is not None:
        same_domain = [
            cx
            for cx in header.patient_ids
            if (parts := _cx_parts(cx)) is not None and parts[1] == submitted_patient[1]
        ]
        if same_domain and all(_cx_parts(cx) != submitted_patient for cx in same_domain):
            path = "recordTarget/patientRole/id"
            yield refuse("patientId", entry.patient_id, path, " or ".join(same_domain))
    if (
        header.type_code is not None
        and entry.type_code is not None
        and not _same(entry.type_code, header.type_code)
    ):
        yield refuse("typeCode", _code_text(entry.type_code), "code", _coded_text(header.type_code))
    if header.creation_time is not None and entry.creation_time is not None:
        submitted, found = entry.creation_time, header.creation_time
        if not creation_time_comparable:
            # A local time without its offset: only the date can be compared.
            submitted, found = submitted[:8], found[:8]
        common = min(len(submitted), len(found))
        if submitted[:common] != found[:common]:
            yield refuse(
                "creationTime",
                entry.creation_time,
                "effectiveTime (in UTC)",
                header.creation_time,
            )
    confidentiality = header.confidentiality_code
    if confidentiality is not None and not any(
        _same(code, confidentiality) for code in entry.confidentiality_codes
    ):
        submitted_codes = ", ".join(_code_text(c) for c in entry.confidentiality_codes) or "none"
        yield refuse(
            "confidentialityCode",
            submitted_codes,
            "confidentialityCode",
            _coded_text(confidentiality),
        )


# ----------------------------------------------------------------------------- DMP rules


def _dmp_errors(entry: DocumentEntry, header: CdaMetadata) -> Iterator[RepositoryMetadataError]:
    where = entry.entry_uuid
    if header.patient_id is None:
        yield RepositoryMetadataError(
            f"DocumentEntry {where}: the CDA header carries no INS (recordTarget/patientRole/id "
            "with root 1.2.250.1.213.1.4.8, .9, .10 or .11); a DMP files every document "
            "under the patient's INS",
            location=where,
        )
    else:
        submitted = _cx_parts(entry.patient_id)
        ins = _cx_parts(header.patient_id)
        if submitted is not None and ins is not None and submitted[1] != ins[1]:
            kind = "an INS of another authority" if is_ins_authority(submitted[1]) else "no INS"
            yield RepositoryMetadataError(
                f"patientId of DocumentEntry {where} is {entry.patient_id} ({kind}); a DMP "
                f"files the document under the INS its CDA header gives, {header.patient_id}",
                location=where,
            )
    coded: list[tuple[XdsAttribute, Code | None]] = [
        (XdsAttribute.TYPE_CODE, entry.type_code),
        (XdsAttribute.CLASS_CODE, entry.class_code),
        (XdsAttribute.FORMAT_CODE, entry.format_code),
        (XdsAttribute.HEALTHCARE_FACILITY_TYPE_CODE, entry.healthcare_facility_type_code),
        (XdsAttribute.PRACTICE_SETTING_CODE, entry.practice_setting_code),
        *((XdsAttribute.CONFIDENTIALITY_CODE, code) for code in entry.confidentiality_codes),
        *(
            (XdsAttribute.AUTHOR_SPECIALTY, _specialty_code(specialty))
            for author in entry.authors
            for specialty in author.specialties
        ),
    ]
    for attribute, code in coded:
        problem = check_code(attribute, None if code is None else _coded_value(code))
        if problem is not None:
            yield RepositoryMetadataError(
                f"DocumentEntry {where}: {problem.reason} (DMP value set)", location=where
            )
    if entry.type_code is not None and entry.class_code is not None:
        expected = class_code_for(_coded_value(entry.type_code))
        if expected is not None and not _same(entry.class_code, expected):
            yield RepositoryMetadataError(
                f"classCode of DocumentEntry {where} is {_code_text(entry.class_code)}, but "
                f"ASS_X16 gives typeCode {_code_text(entry.type_code)} the classCode "
                f"{_coded_text(expected)}",
                location=where,
            )
    if (
        header.format_code is not None
        and entry.format_code is not None
        and not _same(entry.format_code, header.format_code)
    ):
        model = (
            f"payload mediaType {header.media_type}"
            if header.media_type is not None
            else "templateIds " + ", ".join(header.template_ids)
        )
        yield RepositoryMetadataError(
            f"formatCode of DocumentEntry {where} is {_code_text(entry.format_code)}, but "
            f"ASS_A11 gives the document's {model} the formatCode "
            f"{_coded_text(header.format_code)}",
            location=where,
        )


# ----------------------------------------------------------------------------- helpers


def _is_xml(mime_type: str) -> bool:
    return mime_type.split(";", 1)[0].strip().lower() in _XML_MIME_TYPES


def _looks_like_cda(content: DocumentContent) -> bool:
    """Whether the first bytes name a ClinicalDocument in the HL7 v3 namespace."""
    prefix = bytearray()
    for chunk in content.chunks():
        prefix += chunk
        if len(prefix) >= _SNIFF_BYTES:
            break
    return all(hint in prefix for hint in _ROOT_HINTS)


def _creation_time_is_zoned(root: etree._Element) -> bool:
    """Whether ``effectiveTime`` has its UTC offset, so that its UTC time is known."""
    element = root.find(f"{{{CDA_NAMESPACE}}}effectiveTime")
    value = "" if element is None else element.get("value", "")
    return "+" in value or "-" in value


def _cx_parts(value: str) -> tuple[str, str] | None:
    """(id, authority OID) of a CX ``id^^^&OID&ISO``; components past the 4th are ignored."""
    components = value.split("^")
    if len(components) < 4:
        return None
    authority = components[3].split("&")
    if len(authority) < 2 or not components[0] or not authority[1]:
        return None
    return components[0], authority[1]


def _coded_value(code: Code) -> CodedValue:
    return CodedValue(code=code.code, code_system=code.scheme, display_name=code.display_name)


def _specialty_code(value: str) -> Code | None:
    """An authorSpecialty CWE ``code^text^system`` (or ``…^&system&ISO``) as a code."""
    components = value.split("^")
    if not components[0]:
        return None
    system = components[2] if len(components) > 2 else ""
    parts = [part for part in system.split("&") if part and part != "ISO"]
    return Code(code=components[0], scheme=parts[0] if parts else "")


def _same(code: Code | CodedValue, other: Code | CodedValue) -> bool:
    return (code.code, _scheme(code)) == (other.code, _scheme(other))


def _scheme(code: Code | CodedValue) -> str:
    return code.scheme if isinstance(code, Code) else code.code_system


def _code_text(code: Code | None) -> str:
    return "none" if code is None else f"{code.code}^^{code.scheme}"


def _coded_text(code: CodedValue) -> str:
    return f"{code.code}^^{code.code_system}"
