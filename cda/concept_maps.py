"""ANS concept maps — the XDS codes a CDA header does not carry, computed from the ones it does.

Two DocumentEntry codes are not in a CI-SIS header and are derived from it (CI-SIS volet
"Partage de documents de santé"; ANS mapping "CDA → métadonnées XDS"):

* **classCode** from the typeCode (``ClinicalDocument/code``), through the DMP's
  ``ASS_X16-CorrespondanceType-Classe-DMP``;
* **formatCode** from the document model: for a structured document (levels 2 and 3) the
  ``ClinicalDocument/templateId`` through ``ASS_A11-CorresModeleCDA-XdsFormatCode-CISIS``
  (groups TRE_R220 → TRE_A06 and TRE_A11); for an unstructured one (level 1, IHE XDS-SD,
  template ``1.3.6.1.4.1.19376.1.2.20``) the ``nonXMLBody/text/@mediaType`` picks one of the
  XDS-SD formatCodes of ASS_A11's group TRE_R221.

Both maps are read from copies shipped in ``cda/data/terminologies``, lazily and once.
"""

from __future__ import annotations

import csv
import functools
import io
from collections.abc import Iterable, Iterator, Mapping

from cda.coded_value import CodedValue
from cda.value_sets import ValueSetId, terminology_file, value_set

__all__ = [
    "UNSTRUCTURED_MEDIA_TYPES",
    "XDS_SD_TEMPLATE_ID",
    "cda_format_codes",
    "class_code_for",
    "format_code_for",
]

XDS_SD_TEMPLATE_ID = "1.3.6.1.4.1.19376.1.2.20"
"""IHE XDS-SD (ITI TF-3 5.2): the templateId of a level-1 CDA, whatever its payload."""

UNSTRUCTURED_MEDIA_TYPES: Mapping[str, str] = {
    "application/pdf": "urn:ihe:iti:xds-sd:pdf:2008",
    "text/plain": "urn:ihe:iti:xds-sd:text:2008",
    "image/jpeg": "urn:ihe:iti-fr:xds-sd:jpeg:2010",
    "text/rtf": "urn:ihe:iti-fr:xds-sd:rtf:2010",
    "application/rtf": "urn:ihe:iti-fr:xds-sd:rtf:2010",
    "image/tiff": "urn:ihe:iti-fr:xds-sd:tiff:2010",
}
"""``nonXMLBody/text/@mediaType`` → formatCode: ASS_A11 group TRE_R221, whose rows say
"CDA N1 with an embedded PDF, text, JPEG, RTF, TIFF" (``DMP.md`` §3 calls the rule ASS_A12)."""

_X16 = "ASS_X16_CorrespondanceType-Classe-DMP.csv"
_A11 = ("ASS_A11_CorresModeleCDA-XdsFormatCode-CISIS.csv", "ASS_A11_additions_v5.0.0.csv")


def class_code_for(type_code: CodedValue) -> CodedValue | None:
    """The classCode ASS_X16 gives a typeCode, ``None`` when the map has no row for it.

    >>> class_code_for(CodedValue(code="11490-0", code_system="2.16.840.1.113883.6.1"))
    CodedValue(code='10', code_system='1.2.250.1.213.1.1.4.1', display_name='Compte rendu')
    """
    return _type_to_class().get((type_code.code_system, type_code.code))


def format_code_for(
    template_ids: Iterable[str], *, media_type: str | None = None
) -> CodedValue | None:
    """The formatCode of a CDA from its templateIds, or for level 1 from its payload's type.

    ``media_type`` is the ``nonXMLBody/text/@mediaType`` of a level-1 document (``None`` for
    a structured one). A structured document usually declares several templates (HL7 France,
    CI-SIS, IHE, the volet); the last one in document order that ASS_A11 maps wins: CI-SIS
    documents declare the most specific model last. ``None`` when none is mapped.

    >>> format_code_for(["2.16.840.1.113883.2.8.2.1", "1.2.250.1.213.1.1.1.29"]).code
    'urn:asip:ci-sis:ldl-ses:2017'
    >>> format_code_for([XDS_SD_TEMPLATE_ID], media_type="application/pdf").code
    'urn:ihe:iti:xds-sd:pdf:2008'
    """
    if media_type is not None:
        bare = media_type.split(";", 1)[0].strip().lower()
        code = UNSTRUCTURED_MEDIA_TYPES.get(bare)
        return None if code is None else _unstructured_formats().get(code)
    mapped = _template_to_format()
    found = [mapped[template] for template in template_ids if template in mapped]
    return found[-1] if found else None


@functools.cache
def cda_format_codes() -> frozenset[str]:
    """Every formatCode ASS_A11 gives: a DocumentEntry with one of these describes a CDA."""
    return frozenset(
        code.code for code in (*_template_to_format().values(), *_unstructured_formats().values())
    )


@functools.cache
def _type_to_class() -> Mapping[tuple[str, str], CodedValue]:
    """ASS_X16 as (typeCode system, typeCode) → classCode."""
    return {
        (row["typeCode_system"], row["typeCode"]): CodedValue(
            code=row["classCode"],
            code_system=row["classCode_system"],
            display_name=row["classCode_display"] or None,
        )
        for row in _rows(_X16)
    }


@functools.cache
def _template_to_format() -> Mapping[str, CodedValue]:
    """ASS_A11's groups for structured models (TRE_R220): templateId → formatCode."""
    return {
        row[_TEMPLATE]: _format_code(row)
        for name in _A11
        for row in _rows(name)
        if not row[_GROUP].startswith("3:")
    }


@functools.cache
def _unstructured_formats() -> Mapping[str, CodedValue]:
    """ASS_A11's group for level 1 (TRE_R221): the XDS-SD formatCodes, by code."""
    return {
        row["formatCode"]: _format_code(row)
        for name in _A11
        for row in _rows(name)
        if row[_GROUP].startswith("3:") and row[_TEMPLATE] == XDS_SD_TEMPLATE_ID
    }


_TEMPLATE = "cda_templateId (ClinicalDocument/templateId/@root)"
_GROUP = "group/comment"


def _format_code(row: Mapping[str, str]) -> CodedValue:
    # The scheme column reads "OID (TRE name)"; J60 gives the label.
    scheme = row["formatCode_codingScheme"].split()[0]
    label = value_set(ValueSetId.J60_FORMAT_CODE_DMP).display_name(row["formatCode"], scheme)
    return CodedValue(code=row["formatCode"], code_system=scheme, display_name=label)


def _rows(name: str) -> Iterator[dict[str, str]]:
    text = terminology_file(name).decode("utf-8-sig")
    yield from csv.DictReader(io.StringIO(text))
