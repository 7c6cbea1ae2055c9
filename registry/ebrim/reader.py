"""ITI TF-3 4.2 / ebRIM 3.0 — reading an ``lcm:SubmitObjectsRequest`` into the model.

``parse_submission`` reads ITI-41/42 metadata into a
:class:`~registry.model.Submission`, keeping the ids the sender gave.
Structural problems (a slot that must be single-valued sent twice, two
ExternalIdentifiers of one scheme, a RegistryPackage that is neither
SubmissionSet nor Folder) are raised as :class:`~registry.errors.MetadataError`
with the object's id as location; the rules about values live in
``registry/validation``.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from lxml import etree

from registry.ebrim import names
from registry.errors import MetadataError, RegistryError, RegistryErrorList
from registry.model import (
    Association,
    Author,
    Code,
    DocumentEntry,
    Folder,
    ObjectRef,
    Slot,
    Submission,
    SubmissionSet,
)
from registry.vocabulary import (
    ClassificationNode,
    ClassificationScheme,
    IdentificationScheme,
    ObjectType,
    SubmissionSetStatus,
)

__all__ = ["RegistryObjects", "parse_registry_objects", "parse_submission", "slot_values"]

_SLOT = names.SLOT
_VALUE = names.VALUE
_NAME = names.NAME
_DESCRIPTION = names.DESCRIPTION
_LOCALIZED_STRING = names.LOCALIZED_STRING
_CLASSIFICATION = names.CLASSIFICATION
_EXTERNAL_IDENTIFIER = names.EXTERNAL_IDENTIFIER
_VERSION_INFO = names.VERSION_INFO
_VALUE_LIST = names.VALUE_LIST
_AUTHOR_SLOT_NAMES = frozenset(names.AUTHOR_SLOTS)
_DOCUMENT_AUTHOR = ClassificationScheme.DOCUMENT_AUTHOR.value
_DOCUMENT_LIMITED_METADATA = ClassificationScheme.DOCUMENT_LIMITED_METADATA.value
_PACKAGE_LIMITED_METADATA = (
    ClassificationScheme.SUBMISSION_SET_LIMITED_METADATA.value,
    ClassificationScheme.FOLDER_LIMITED_METADATA.value,
)


class _Parts:
    """The id, Slots and Name of an ebRIM RegistryObject, with the checks on its Slots."""

    __slots__ = ("id", "name", "slots")

    def __init__(self, element: etree._Element) -> None:
        self.id = element.get("id") or ""
        self.name: str | None = None
        self.slots: dict[str, tuple[str, ...]] = {}

    def add_slot(self, slot: etree._Element) -> None:
        """Read a Slot child; a slot name given twice on one object is a MetadataError."""
        slot_name = slot.get("name") or ""
        if slot_name in self.slots:
            raise MetadataError(f"slot {slot_name!r} appears twice on {self.id}", location=self.id)
        self.slots[slot_name] = slot_values(slot)

    def single(self, slot: str) -> str | None:
        values = self.slots.get(slot)
        if values is None:
            return None
        if len(values) != 1:
            raise MetadataError(
                f"slot {slot!r} of {self.id} must have exactly one value, has {len(values)}",
                location=self.id,
            )
        return values[0]

    def extra_slots(self, known: frozenset[str]) -> tuple[Slot, ...]:
        return tuple(
            Slot(name=name, values=values)
            for name, values in self.slots.items()
            if name not in known
        )


class _Element(_Parts):
    """The parts of an ebRIM RegistryObject every XDS object shares, read once.

    The children are walked once, and each Slot's ValueList and each Name's LocalizedString by
    plain iteration rather than ``find``: lxml runs ``find`` in Python, and calling it for every
    Slot cost more than the reading itself. A Classification's own parts are only read when a
    code or an author is made of it (:func:`_classification_parts`).
    """

    __slots__ = ("classifications", "description", "external_identifiers", "version")

    def __init__(self, element: etree._Element) -> None:
        super().__init__(element)
        self.classifications: list[etree._Element] = []
        # (identificationScheme without blanks, value) of each ExternalIdentifier
        self.external_identifiers: list[tuple[str, str | None]] = []
        self.description: str | None = None
        self.version: str | None = None
        for child in element:
            tag = child.tag
            if tag == _SLOT:
                self.add_slot(child)
            elif tag == _CLASSIFICATION:
                self.classifications.append(child)
            elif tag == _EXTERNAL_IDENTIFIER:
                scheme = (child.get("identificationScheme") or "").replace(" ", "")
                self.external_identifiers.append((scheme, child.get("value")))
            elif tag == _NAME:
                self.name = _localized(child)
            elif tag == _DESCRIPTION:
                self.description = _localized(child)
            elif tag == _VERSION_INFO:
                self.version = child.get("versionName")

    def external_identifier(self, scheme: IdentificationScheme) -> str | None:
        wanted = scheme.value
        found = [value for id_scheme, value in self.external_identifiers if id_scheme == wanted]
        if len(found) > 1:
            raise MetadataError(
                f"{self.id} has {len(found)} ExternalIdentifiers of scheme {wanted}",
                location=self.id,
            )
        return found[0] if found else None


def _classification_parts(classification: etree._Element) -> _Parts:
    """The Slots and Name of a Classification: all a code or an author is made of."""
    parts = _Parts(classification)
    for child in classification:
        tag = child.tag
        if tag == _SLOT:
            parts.add_slot(child)
        elif tag == _NAME:
            parts.name = _localized(child)
    return parts


def slot_values(slot: etree._Element) -> tuple[str, ...]:
    """The Values of the Slot's first ValueList, stripped (iterated: see :class:`_Element`)."""
    for value_list in slot:
        if value_list.tag == _VALUE_LIST:
            return tuple([(v.text or "").strip() for v in value_list if v.tag == _VALUE])
    return ()


def _localized(element: etree._Element) -> str | None:
    """The value of the first LocalizedString of a Name or Description."""
    for localized in element:
        if localized.tag == _LOCALIZED_STRING:
            return localized.get("value")
    return None


def _code(classification: etree._Element, owner: str) -> Code:
    parts = _classification_parts(classification)
    coding_scheme = parts.single("codingScheme")
    code = classification.get("nodeRepresentation")
    if not code:
        raise MetadataError(
            f"classification {parts.id} of {owner} has no nodeRepresentation (code)",
            location=owner,
        )
    if coding_scheme is None:
        raise MetadataError(
            f"classification {parts.id} of {owner} (code {code}) has no codingScheme slot",
            location=owner,
        )
    return Code(code=code, scheme=coding_scheme, display_name=parts.name)


def _author(classification: etree._Element) -> Author:
    parts = _classification_parts(classification)
    fields: dict[str, tuple[str, ...]] = {}
    for slot_name, values in parts.slots.items():
        attribute = names.AUTHOR_SLOTS.get(slot_name)
        if attribute is not None:
            fields[attribute] = fields.get(attribute, ()) + values
    person = fields.pop("person", ())
    if len(person) > 1:
        raise MetadataError(
            f"author {parts.id} has {len(person)} authorPerson values, at most one allowed",
            location=classification.get("classifiedObject"),
        )
    return Author(
        person=person[0] if person else None,
        institutions=fields.get("institutions", ()),
        roles=fields.get("roles", ()),
        specialties=fields.get("specialties", ()),
        telecoms=fields.get("telecoms", ()),
        extra_slots=parts.extra_slots(_AUTHOR_SLOT_NAMES),
    )


def _size(value: str | None, owner: str) -> int | None:
    if value is None:
        return None
    if not value.isdigit():
        raise MetadataError(f"size {value!r} of {owner} is not a number", location=owner)
    return int(value)


def _document_entry(element: etree._Element) -> DocumentEntry:
    parts = _Element(element)
    codes: dict[str, Code] = {}
    code_lists: dict[str, list[Code]] = {"confidentiality_codes": [], "event_codes": []}
    authors: list[Author] = []
    limited = False
    for classification in parts.classifications:
        scheme = classification.get("classificationScheme") or ""
        if scheme == _DOCUMENT_AUTHOR:
            authors.append(_author(classification))
        elif scheme in names.DOCUMENT_CODE_SCHEMES:
            attribute = names.DOCUMENT_CODE_SCHEMES[scheme]
            if attribute in codes:
                raise MetadataError(
                    f"{parts.id} has more than one {attribute} classification", location=parts.id
                )
            codes[attribute] = _code(classification, parts.id)
        elif scheme in names.DOCUMENT_CODE_LISTS:
            code_lists[names.DOCUMENT_CODE_LISTS[scheme]].append(_code(classification, parts.id))
        elif scheme == _DOCUMENT_LIMITED_METADATA:
            limited = True
    object_type = element.get("objectType") or ""
    try:
        kind = ObjectType(object_type)
    except ValueError:
        raise MetadataError(
            f"ExtrinsicObject {parts.id} has objectType {object_type!r}, "
            "not a Stable or On-Demand DocumentEntry",
            location=parts.id,
        ) from None
    return DocumentEntry(
        entry_uuid=parts.id,
        unique_id=parts.external_identifier(IdentificationScheme.DOCUMENT_UNIQUE_ID) or "",
        patient_id=parts.external_identifier(IdentificationScheme.DOCUMENT_PATIENT_ID) or "",
        object_type=kind,
        logical_id=element.get("lid"),
        version=parts.version,
        availability_status=element.get("status") or "",
        mime_type=element.get("mimeType") or "",
        hash=parts.single("hash"),
        size=_size(parts.single("size"), parts.id),
        repository_unique_id=parts.single("repositoryUniqueId"),
        home_community_id=element.get("home"),
        creation_time=parts.single("creationTime"),
        service_start_time=parts.single("serviceStartTime"),
        service_stop_time=parts.single("serviceStopTime"),
        language_code=parts.single("languageCode"),
        legal_authenticator=parts.single("legalAuthenticator"),
        source_patient_id=parts.single("sourcePatientId"),
        source_patient_info=parts.slots.get("sourcePatientInfo", ()),
        title=parts.name,
        comments=parts.description,
        confidentiality_codes=tuple(code_lists["confidentiality_codes"]),
        event_codes=tuple(code_lists["event_codes"]),
        authors=tuple(authors),
        reference_ids=parts.slots.get(names.REFERENCE_ID_LIST, ()),
        document_availability=parts.single("documentAvailability"),
        limited_metadata=limited,
        extra_slots=parts.extra_slots(names.DOCUMENT_SLOTS),
        **codes,
    )


def _package_nodes(
    packages: Sequence[etree._Element], loose: Iterable[etree._Element]
) -> dict[str, ClassificationNode]:
    """Find each RegistryPackage's role: SubmissionSet or Folder (ITI TF-3 4.2.3.3/4).

    The classification may be nested in the package or stand alone in the
    RegistryObjectList with ``classifiedObject`` naming the package.
    """
    roles: dict[str, ClassificationNode] = {}
    candidates = [
        (c, c.get("classifiedObject") or package.get("id") or "")
        for package in packages
        for c in package.iterchildren(names.CLASSIFICATION)
    ]
    candidates += [(c, c.get("classifiedObject") or "") for c in loose]
    for classification, target in candidates:
        node = classification.get("classificationNode")
        if node is None:
            continue
        try:
            roles[target] = ClassificationNode(node)
        except ValueError:
            continue
    return roles


def _author_and_codes(
    parts: _Element, author_scheme: ClassificationScheme, code_scheme: ClassificationScheme
) -> tuple[list[Author], list[Code], bool]:
    authors: list[Author] = []
    codes: list[Code] = []
    limited = False
    author_value, code_value = author_scheme.value, code_scheme.value
    for classification in parts.classifications:
        scheme = classification.get("classificationScheme") or ""
        if scheme == author_value:
            authors.append(_author(classification))
        elif scheme == code_value:
            codes.append(_code(classification, parts.id))
        elif scheme in _PACKAGE_LIMITED_METADATA:
            limited = True
    return authors, codes, limited


def _submission_set(element: etree._Element) -> SubmissionSet:
    parts = _Element(element)
    authors, codes, limited = _author_and_codes(
        parts,
        ClassificationScheme.SUBMISSION_SET_AUTHOR,
        ClassificationScheme.SUBMISSION_SET_CONTENT_TYPE_CODE,
    )
    if len(codes) > 1:
        raise MetadataError(
            f"SubmissionSet {parts.id} has {len(codes)} contentTypeCode classifications",
            location=parts.id,
        )
    return SubmissionSet(
        entry_uuid=parts.id,
        unique_id=parts.external_identifier(IdentificationScheme.SUBMISSION_SET_UNIQUE_ID) or "",
        source_id=parts.external_identifier(IdentificationScheme.SUBMISSION_SET_SOURCE_ID) or "",
        patient_id=parts.external_identifier(IdentificationScheme.SUBMISSION_SET_PATIENT_ID) or "",
        submission_time=parts.single("submissionTime"),
        content_type_code=codes[0] if codes else None,
        availability_status=element.get("status") or "",
        logical_id=element.get("lid"),
        version=parts.version,
        home_community_id=element.get("home"),
        title=parts.name,
        comments=parts.description,
        authors=tuple(authors),
        intended_recipients=parts.slots.get("intendedRecipient", ()),
        limited_metadata=limited,
        extra_slots=parts.extra_slots(names.SUBMISSION_SET_SLOTS),
    )


def _folder(element: etree._Element) -> Folder:
    parts = _Element(element)
    _, codes, limited = _author_and_codes(
        parts, ClassificationScheme.SUBMISSION_SET_AUTHOR, ClassificationScheme.FOLDER_CODE_LIST
    )
    return Folder(
        entry_uuid=parts.id,
        unique_id=parts.external_identifier(IdentificationScheme.FOLDER_UNIQUE_ID) or "",
        patient_id=parts.external_identifier(IdentificationScheme.FOLDER_PATIENT_ID) or "",
        codes=tuple(codes),
        last_update_time=parts.single("lastUpdateTime"),
        availability_status=element.get("status") or "",
        logical_id=element.get("lid"),
        version=parts.version,
        home_community_id=element.get("home"),
        title=parts.name,
        comments=parts.description,
        limited_metadata=limited,
        extra_slots=parts.extra_slots(names.FOLDER_SLOTS),
    )


def _association(element: etree._Element) -> Association:
    parts = _Element(element)
    raw_status = parts.single("SubmissionSetStatus")
    status: SubmissionSetStatus | None = None
    if raw_status is not None:
        try:
            status = SubmissionSetStatus(raw_status)
        except ValueError:
            raise MetadataError(
                f"association {parts.id} has SubmissionSetStatus {raw_status!r}, "
                "expected Original or Reference",
                location=parts.id,
            ) from None
    return Association(
        entry_uuid=parts.id,
        association_type=element.get("associationType") or "",
        source_id=element.get("sourceObject") or "",
        target_id=element.get("targetObject") or "",
        availability_status=element.get("status") or "",
        home_community_id=element.get("home"),
        submission_set_status=status,
        previous_version=parts.single("PreviousVersion"),
        original_status=parts.single("OriginalStatus"),
        new_status=parts.single("NewStatus"),
        association_propagation=parts.single("AssociationPropagation"),
        extra_slots=parts.extra_slots(names.ASSOCIATION_SLOTS),
    )


@dataclass(frozen=True, kw_only=True, slots=True)
class RegistryObjects:
    """The objects of one ``rim:RegistryObjectList``, by kind, in document order."""

    submission_sets: tuple[SubmissionSet, ...] = ()
    folders: tuple[Folder, ...] = ()
    documents: tuple[DocumentEntry, ...] = ()
    associations: tuple[Association, ...] = ()
    refs: tuple[ObjectRef, ...] = ()


def parse_registry_objects(object_list: etree._Element | None) -> RegistryObjects:
    """Read every object of a ``rim:RegistryObjectList`` (submissions and query answers).

    RegistryPackages are told apart by their SubmissionSet/Folder classification
    (ITI TF-3 4.2.3.3-4), nested or standing alone in the list. Every structural
    problem is collected and raised at once as a :class:`RegistryErrorList`.
    """
    children = [] if object_list is None else list(object_list)
    packages = [child for child in children if child.tag == names.REGISTRY_PACKAGE]
    roles = _package_nodes(packages, (c for c in children if c.tag == names.CLASSIFICATION))
    errors: list[RegistryError] = []
    submission_sets: list[SubmissionSet] = []
    folders: list[Folder] = []
    documents: list[DocumentEntry] = []
    associations: list[Association] = []
    refs: list[ObjectRef] = []
    for element in children:
        tag = element.tag
        try:
            if tag == names.EXTRINSIC_OBJECT:
                documents.append(_document_entry(element))
            elif tag == names.REGISTRY_PACKAGE:
                role = roles.get(element.get("id") or "")
                if role is ClassificationNode.SUBMISSION_SET:
                    submission_sets.append(_submission_set(element))
                elif role is ClassificationNode.FOLDER:
                    folders.append(_folder(element))
                else:
                    raise MetadataError(
                        f"RegistryPackage {element.get('id')} is classified neither as "
                        "SubmissionSet nor as Folder",
                        location=element.get("id"),
                    )
            elif tag == names.ASSOCIATION:
                associations.append(_association(element))
            elif tag == names.OBJECT_REF:
                refs.append(ObjectRef(id=element.get("id") or "", home=element.get("home")))
        except RegistryError as error:
            errors.append(error)
    if errors:
        raise RegistryErrorList(errors)
    return RegistryObjects(
        submission_sets=tuple(submission_sets),
        folders=tuple(folders),
        documents=tuple(documents),
        associations=tuple(associations),
        refs=tuple(refs),
    )


def parse_submission(request: etree._Element) -> Submission:
    """Read an ``lcm:SubmitObjectsRequest`` (ITI TF-2b 3.42.4.1.2).

    Objects are kept with the ids the sender gave (symbolic or ``urn:uuid:``);
    registration assigns UUIDs. Every structural problem is collected so the
    sender learns all of them at once.
    """
    if request.tag != f"{{{names.LCM}}}SubmitObjectsRequest":
        raise MetadataError(
            f"expected lcm:SubmitObjectsRequest, got {etree.QName(request).localname}"
        )
    object_list = request.find(names.REGISTRY_OBJECT_LIST)
    if object_list is None:
        raise MetadataError("SubmitObjectsRequest has no rim:RegistryObjectList")
    objects = parse_registry_objects(object_list)
    if len(objects.submission_sets) != 1:
        raise RegistryErrorList(
            [
                MetadataError(
                    f"a submission carries exactly one SubmissionSet, this one has "
                    f"{len(objects.submission_sets)}"
                )
            ]
        )
    return Submission(
        submission_set=objects.submission_sets[0],
        documents=objects.documents,
        folders=objects.folders,
        associations=objects.associations,
        object_refs=objects.refs,
        request_slots=tuple(
            Slot(name=s.get("name") or "", values=slot_values(s))
            for s in request.iterchildren(names.SLOT)
        ),
    )
