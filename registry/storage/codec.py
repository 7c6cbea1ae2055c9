"""ITI TF-3 4.2.3 — the metadata objects as JSON documents, and back, exactly.

Each registry row keeps its whole model object in a JSON column: the indexed
columns answer the stored queries (ITI TF-2a 3.18.4.1.2.3.7), the JSON gives
LeafClass responses every attribute and extra slot as submitted (ITI TF-3
4.1.14). The codec omits attributes left at their default, so a typical
DocumentEntry stays near one kilobyte, and restores tuples, ``Code``s,
``Author``s, ``Slot``s and the vocabulary enums so that
``decode(encode(x)) == x`` for every object.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping
from enum import Enum
from typing import Any, TypeAlias, TypeVar

from registry.model import (
    Association,
    Author,
    Code,
    DocumentEntry,
    Folder,
    RegistryObject,
    Slot,
    SubmissionSet,
)
from registry.vocabulary import AvailabilityStatus, ObjectType, SubmissionSetStatus

__all__ = [
    "decode_association",
    "decode_document",
    "decode_folder",
    "decode_submission_set",
    "encode",
]

JSON: TypeAlias = Any
"""A JSON-able value: dict, list, str, int, bool or None."""

_Codec: TypeAlias = tuple[Callable[[Any], JSON], Callable[[JSON], Any]]
_Model = TypeVar("_Model", DocumentEntry, SubmissionSet, Folder, Association)
_T = TypeVar("_T")


def _encode_code(code: Code) -> JSON:
    if code.display_name is None:
        return [code.code, code.scheme]
    return [code.code, code.scheme, code.display_name]


def _decode_code(data: JSON) -> Code:
    return Code(code=data[0], scheme=data[1], display_name=data[2] if len(data) > 2 else None)


def _encode_slot(slot: Slot) -> JSON:
    return [slot.name, list(slot.values)]


def _decode_slot(data: JSON) -> Slot:
    return Slot(name=data[0], values=tuple(data[1]))


def _encode_author(author: Author) -> JSON:
    return _encode_fields(author, _AUTHOR_FIELDS)


def _decode_author(data: JSON) -> Author:
    return _decode_fields(Author, data, _AUTHOR_FIELDS)


def _optional(codec: _Codec) -> _Codec:
    encode, decode = codec
    return (
        lambda value: None if value is None else encode(value),
        lambda data: None if data is None else decode(data),
    )


def _many(codec: _Codec) -> _Codec:
    encode, decode = codec
    return (
        lambda values: [encode(value) for value in values],
        lambda data: tuple(decode(item) for item in data),
    )


def _enum_or_text(enum: type[Enum]) -> _Codec:
    """Wire strings of a vocabulary enum come back as the enum; others as sent."""

    def decode(data: JSON) -> Any:
        try:
            return enum(data)
        except ValueError:
            return data

    return (lambda value: value.value if isinstance(value, Enum) else value, decode)


_TEXTS: _Codec = (list, tuple)
_CODE: _Codec = (_encode_code, _decode_code)
_SLOTS = _many((_encode_slot, _decode_slot))
_AUTHORS = _many((_encode_author, _decode_author))
_STATUS = _enum_or_text(AvailabilityStatus)

_AUTHOR_FIELDS: Mapping[str, _Codec] = {
    "institutions": _TEXTS,
    "roles": _TEXTS,
    "specialties": _TEXTS,
    "telecoms": _TEXTS,
    "extra_slots": _SLOTS,
}
_DOCUMENT_FIELDS: Mapping[str, _Codec] = {
    "object_type": _enum_or_text(ObjectType),
    "availability_status": _STATUS,
    "source_patient_info": _TEXTS,
    "class_code": _optional(_CODE),
    "type_code": _optional(_CODE),
    "format_code": _optional(_CODE),
    "healthcare_facility_type_code": _optional(_CODE),
    "practice_setting_code": _optional(_CODE),
    "confidentiality_codes": _many(_CODE),
    "event_codes": _many(_CODE),
    "authors": _AUTHORS,
    "reference_ids": _TEXTS,
    "extra_slots": _SLOTS,
}
_SUBMISSION_SET_FIELDS: Mapping[str, _Codec] = {
    "content_type_code": _optional(_CODE),
    "availability_status": _STATUS,
    "authors": _AUTHORS,
    "intended_recipients": _TEXTS,
    "extra_slots": _SLOTS,
}
_FOLDER_FIELDS: Mapping[str, _Codec] = {
    "codes": _many(_CODE),
    "availability_status": _STATUS,
    "extra_slots": _SLOTS,
}
_ASSOCIATION_FIELDS: Mapping[str, _Codec] = {
    "availability_status": _STATUS,
    "submission_set_status": _optional(_enum_or_text(SubmissionSetStatus)),
    "extra_slots": _SLOTS,
}
_FIELDS_OF: Mapping[type, Mapping[str, _Codec]] = {
    DocumentEntry: _DOCUMENT_FIELDS,
    SubmissionSet: _SUBMISSION_SET_FIELDS,
    Folder: _FOLDER_FIELDS,
    Association: _ASSOCIATION_FIELDS,
}


def _encode_fields(value: Any, codecs: Mapping[str, _Codec]) -> dict[str, JSON]:
    encoded: dict[str, JSON] = {}
    for field in dataclasses.fields(value):
        attribute = getattr(value, field.name)
        if field.default is not dataclasses.MISSING and attribute == field.default:
            continue
        codec = codecs.get(field.name)
        encoded[field.name] = attribute if codec is None else codec[0](attribute)
    return encoded


def _decode_fields(cls: type[_T], data: Mapping[str, JSON], codecs: Mapping[str, _Codec]) -> _T:
    arguments: dict[str, Any] = {}
    for name, item in data.items():
        codec = codecs.get(name)
        arguments[name] = item if codec is None else codec[1](item)
    return cls(**arguments)


def encode(obj: RegistryObject) -> dict[str, JSON]:
    """The JSON document of a registry object; attributes at their default are left out.

    >>> encode(Folder(entry_uuid="urn:uuid:f", unique_id="1.2", patient_id="p",
    ...               codes=(Code(code="c", scheme="s"),)))
    {'entry_uuid': 'urn:uuid:f', 'unique_id': '1.2', 'patient_id': 'p', 'codes': [['c', 's']]}
    """
    return _encode_fields(obj, _FIELDS_OF[type(obj)])


def _decoder(cls: type[_Model]) -> Callable[[Mapping[str, JSON]], _Model]:
    codecs = _FIELDS_OF[cls]

    def decode(data: Mapping[str, JSON]) -> _Model:
        return _decode_fields(cls, data, codecs)

    decode.__doc__ = f"The {cls.__name__} a JSON document of :func:`encode` stands for."
    return decode


decode_document = _decoder(DocumentEntry)
decode_submission_set = _decoder(SubmissionSet)
decode_folder = _decoder(Folder)
decode_association = _decoder(Association)
