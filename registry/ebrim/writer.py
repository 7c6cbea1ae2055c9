"""ITI TF-3 4.2 / ebRIM 3.0 — writing model objects as LeafClass ebRIM XML.

Query responses carry hundreds of elements per DocumentEntry; building them
as lxml trees costs about 4 µs an element, so the writer produces XML text
(escaped with the standard library) and callers parse it only when they
need a tree. Output uses the ``rim`` prefix, declared on each top element.

Classification and ExternalIdentifier ids are not kept by the registry: they
are derived from the owner's id and their position, so a response is stable
from one query to the next (ebRIM 3.0 §2.5.1 wants them unique, not kept).
"""

from __future__ import annotations

import functools
import re
import uuid
from collections.abc import Iterable

from lxml import etree

from registry.ebrim import names
from registry.model import (
    Association,
    Author,
    Code,
    DocumentEntry,
    Folder,
    ObjectRef,
    RegistryObject,
    Slot,
    Submission,
    SubmissionSet,
)
from registry.vocabulary import (
    ClassificationNode,
    ClassificationScheme,
    ExternalIdentifierName,
    IdentificationScheme,
    ObjectType,
)

__all__ = [
    "object_ref_xml",
    "registry_object_element",
    "registry_object_xml",
    "submission_element",
]


def escape(text: str) -> str:
    """Escape character data (XML 1.0 §2.4); most values need nothing, so check first."""
    if "&" in text or "<" in text or ">" in text:
        text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return text


_ATTRIBUTE_SPECIALS = re.compile('[&<>"\n\r\t]')


def quoteattr(text: str) -> str:
    """A double-quoted attribute value (XML 1.0 §3.3.3: white space kept as references).

    ``xml.sax.saxutils.quoteattr`` does the same at five times the cost, which
    shows in query responses of a thousand attributes.
    """
    if _ATTRIBUTE_SPECIALS.search(text) is not None:
        text = (
            escape(text)
            .replace('"', "&quot;")
            .replace("\n", "&#10;")
            .replace("\r", "&#13;")
            .replace("\t", "&#9;")
        )
    return f'"{text}"'


_DECLARE_RIM = f' xmlns:rim="{names.RIM}"'
_CLASSIFICATION_TYPE = quoteattr(ObjectType.CLASSIFICATION.value)
_EXTERNAL_IDENTIFIER_TYPE = quoteattr(ObjectType.EXTERNAL_IDENTIFIER.value)


def _attr(value: object) -> str:
    return quoteattr(str(getattr(value, "value", value)))


@functools.lru_cache(maxsize=512)
def _quoted(constant: str) -> str:
    """``quoteattr`` of a value that repeats: scheme UUIDs, node ids, identifier names."""
    return quoteattr(constant)


@functools.lru_cache(maxsize=512)
def _slot_open(name: str) -> str:
    return f"<rim:Slot name={quoteattr(name)}><rim:ValueList>"


class _Out:
    """An XML text being written, with the ebRIM idioms XDS uses.

    Query responses write thousands of attributes, so what repeats is quoted
    once: scheme and slot names are constants (:func:`_quoted`), the owner's id
    is quoted when the object starts, and child ids are made from its text.
    """

    __slots__ = ("owner", "owner_attr", "owner_head", "owner_tail", "parts", "serial")

    def __init__(self) -> None:
        self.parts: list[str] = []
        self.owner = ""
        self.owner_attr = '""'
        self.owner_head: str | None = None
        self.owner_tail = 0
        self.serial = 0

    def start(self, owner: str) -> None:
        """Begin an object: children ids derive from ``owner`` from here on."""
        self.owner = owner
        self.owner_attr = quoteattr(owner)
        self.serial = 0
        try:
            canonical = str(uuid.UUID(owner.removeprefix("urn:uuid:")))
        except ValueError:
            self.owner_head = None
            return
        self.owner_head = "urn:uuid:" + canonical[:-4]
        self.owner_tail = int(canonical[-4:], 16)

    def child_id(self) -> str:
        """A stable UUID for the next classification/external identifier of the owner.

        The owner's UUID with its low 16 bits XORed with the child's serial number:
        cheap, stable and unique per owner (an object has far fewer than 65,536 children).
        Owners whose id is not a UUID (symbolic ids) get a name-based UUID.
        """
        self.serial += 1
        if self.owner_head is not None and self.serial < 0x10000:
            return f"{self.owner_head}{self.owner_tail ^ self.serial:04x}"
        return uuid.uuid5(uuid.NAMESPACE_URL, f"{self.owner}#{self.serial}").urn

    def slot(self, name: str, values: Iterable[str]) -> None:
        self.parts.append(
            _slot_open(name)
            + "".join([f"<rim:Value>{escape(v)}</rim:Value>" for v in values])
            + "</rim:ValueList></rim:Slot>"
        )

    def slots(self, slots: Iterable[Slot]) -> None:
        for slot in slots:
            self.slot(slot.name, slot.values)

    def localized(self, tag: str, text: str | None) -> None:
        if text is not None:
            self.parts.append(
                f"<rim:{tag}><rim:LocalizedString value={quoteattr(text)}/></rim:{tag}>"
            )

    def head(self, obj: DocumentEntry | SubmissionSet | Folder) -> None:
        self.localized("Name", obj.title)
        self.localized("Description", obj.comments)
        if obj.version is not None:
            self.parts.append(f"<rim:VersionInfo versionName={quoteattr(obj.version)}/>")

    def _classification(self, scheme: str, node: str, *, close: bool) -> None:
        self.parts.append(
            f'<rim:Classification id="{self.child_id()}" '
            f"classificationScheme={_quoted(scheme)} classifiedObject={self.owner_attr} "
            f"nodeRepresentation={quoteattr(node)} objectType={_CLASSIFICATION_TYPE}"
            + ("/>" if close else ">")
        )

    def code(self, scheme: str, code: Code) -> None:
        """A coded attribute; ``scheme`` is the ClassificationScheme's wire value."""
        self._classification(scheme, code.code, close=False)
        self.slot("codingScheme", (code.scheme,))
        self.localized("Name", code.display_name)
        self.parts.append("</rim:Classification>")

    def author(self, scheme: ClassificationScheme, author: Author) -> None:
        self._classification(scheme.value, "", close=False)
        if author.person is not None:
            self.slot("authorPerson", (author.person,))
        for name, values in (
            ("authorInstitution", author.institutions),
            ("authorRole", author.roles),
            ("authorSpecialty", author.specialties),
            ("authorTelecommunication", author.telecoms),
        ):
            if values:
                self.slot(name, values)
        self.slots(author.extra_slots)
        self.parts.append("</rim:Classification>")

    def flag(self, scheme: ClassificationScheme) -> None:
        self._classification(scheme.value, "", close=True)

    def node(self, node: ClassificationNode) -> None:
        self.parts.append(
            f'<rim:Classification id="{self.child_id()}" '
            f"classificationNode={_quoted(node.value)} classifiedObject={self.owner_attr} "
            f"objectType={_CLASSIFICATION_TYPE}/>"
        )

    def identifier(
        self, scheme: IdentificationScheme, name: ExternalIdentifierName, value: str
    ) -> None:
        self.parts.append(
            f'<rim:ExternalIdentifier id="{self.child_id()}" '
            f"registryObject={self.owner_attr} "
            f"identificationScheme={_quoted(scheme.value)} "
            f"value={quoteattr(value)} objectType={_EXTERNAL_IDENTIFIER_TYPE}>"
            f"<rim:Name><rim:LocalizedString value={_quoted(name.value)}/></rim:Name>"
            "</rim:ExternalIdentifier>"
        )


def _open(
    out: _Out,
    tag: str,
    obj: DocumentEntry | SubmissionSet | Folder,
    object_type: str,
    declare: str,
    extra: str = "",
) -> None:
    attributes = f"id={_attr(obj.entry_uuid)}"
    if obj.logical_id:
        attributes += f" lid={_attr(obj.logical_id)}"
    attributes += f" objectType={_attr(object_type)}"
    if obj.availability_status:
        attributes += f" status={_attr(obj.availability_status)}"
    if obj.home_community_id is not None:
        attributes += f" home={_attr(obj.home_community_id)}"
    out.parts.append(f"<rim:{tag}{declare} {attributes}{extra}>")
    out.start(obj.entry_uuid)


def _document_entry(out: _Out, entry: DocumentEntry, declare: str) -> None:
    """ITI TF-3 4.2.3.2: a DocumentEntry as ``rim:ExtrinsicObject``."""
    _open(
        out,
        "ExtrinsicObject",
        entry,
        str(entry.object_type.value),
        declare,
        f" mimeType={_attr(entry.mime_type)}",
    )
    for name, value in (
        ("creationTime", entry.creation_time),
        ("hash", entry.hash),
        ("languageCode", entry.language_code),
        ("legalAuthenticator", entry.legal_authenticator),
        ("repositoryUniqueId", entry.repository_unique_id),
        ("serviceStartTime", entry.service_start_time),
        ("serviceStopTime", entry.service_stop_time),
        ("size", None if entry.size is None else str(entry.size)),
        ("sourcePatientId", entry.source_patient_id),
        ("documentAvailability", entry.document_availability),
    ):
        if value is not None:
            out.slot(name, (value,))
    if entry.source_patient_info:
        out.slot("sourcePatientInfo", entry.source_patient_info)
    if entry.reference_ids:
        out.slot(names.REFERENCE_ID_LIST, entry.reference_ids)
    out.slots(entry.extra_slots)
    out.head(entry)
    for author in entry.authors:
        out.author(ClassificationScheme.DOCUMENT_AUTHOR, author)
    for scheme_value, attribute in names.DOCUMENT_CODE_SCHEMES.items():
        code = getattr(entry, attribute)
        if code is not None:
            out.code(scheme_value, code)
    for scheme_value, attribute in names.DOCUMENT_CODE_LISTS.items():
        for code in getattr(entry, attribute):
            out.code(scheme_value, code)
    if entry.limited_metadata:
        out.flag(ClassificationScheme.DOCUMENT_LIMITED_METADATA)
    out.identifier(
        IdentificationScheme.DOCUMENT_PATIENT_ID,
        ExternalIdentifierName.DOCUMENT_PATIENT_ID,
        entry.patient_id,
    )
    out.identifier(
        IdentificationScheme.DOCUMENT_UNIQUE_ID,
        ExternalIdentifierName.DOCUMENT_UNIQUE_ID,
        entry.unique_id,
    )
    out.parts.append("</rim:ExtrinsicObject>")


def _submission_set(out: _Out, submission_set: SubmissionSet, declare: str) -> None:
    """ITI TF-3 4.2.3.3: a SubmissionSet as ``rim:RegistryPackage``."""
    _open(out, "RegistryPackage", submission_set, ObjectType.REGISTRY_PACKAGE.value, declare)
    if submission_set.submission_time is not None:
        out.slot("submissionTime", (submission_set.submission_time,))
    if submission_set.intended_recipients:
        out.slot("intendedRecipient", submission_set.intended_recipients)
    out.slots(submission_set.extra_slots)
    out.head(submission_set)
    for author in submission_set.authors:
        out.author(ClassificationScheme.SUBMISSION_SET_AUTHOR, author)
    if submission_set.content_type_code is not None:
        out.code(
            ClassificationScheme.SUBMISSION_SET_CONTENT_TYPE_CODE.value,
            submission_set.content_type_code,
        )
    if submission_set.limited_metadata:
        out.flag(ClassificationScheme.SUBMISSION_SET_LIMITED_METADATA)
    out.node(ClassificationNode.SUBMISSION_SET)
    out.identifier(
        IdentificationScheme.SUBMISSION_SET_UNIQUE_ID,
        ExternalIdentifierName.SUBMISSION_SET_UNIQUE_ID,
        submission_set.unique_id,
    )
    out.identifier(
        IdentificationScheme.SUBMISSION_SET_SOURCE_ID,
        ExternalIdentifierName.SUBMISSION_SET_SOURCE_ID,
        submission_set.source_id,
    )
    out.identifier(
        IdentificationScheme.SUBMISSION_SET_PATIENT_ID,
        ExternalIdentifierName.SUBMISSION_SET_PATIENT_ID,
        submission_set.patient_id,
    )
    out.parts.append("</rim:RegistryPackage>")


def _folder(out: _Out, folder: Folder, declare: str) -> None:
    """ITI TF-3 4.2.3.4: a Folder as ``rim:RegistryPackage``."""
    _open(out, "RegistryPackage", folder, ObjectType.REGISTRY_PACKAGE.value, declare)
    if folder.last_update_time is not None:
        out.slot("lastUpdateTime", (folder.last_update_time,))
    out.slots(folder.extra_slots)
    out.head(folder)
    for code in folder.codes:
        out.code(ClassificationScheme.FOLDER_CODE_LIST.value, code)
    if folder.limited_metadata:
        out.flag(ClassificationScheme.FOLDER_LIMITED_METADATA)
    out.node(ClassificationNode.FOLDER)
    out.identifier(
        IdentificationScheme.FOLDER_PATIENT_ID,
        ExternalIdentifierName.FOLDER_PATIENT_ID,
        folder.patient_id,
    )
    out.identifier(
        IdentificationScheme.FOLDER_UNIQUE_ID,
        ExternalIdentifierName.FOLDER_UNIQUE_ID,
        folder.unique_id,
    )
    out.parts.append("</rim:RegistryPackage>")


def _association(out: _Out, association: Association, declare: str) -> None:
    """ITI TF-3 4.2.2: an Association as ``rim:Association``."""
    attributes = (
        f"id={_attr(association.entry_uuid)} "
        f"objectType={_attr(ObjectType.ASSOCIATION.value)} "
        f"associationType={_attr(association.association_type)} "
        f"sourceObject={_attr(association.source_id)} "
        f"targetObject={_attr(association.target_id)}"
    )
    if association.availability_status:
        attributes += f" status={_attr(association.availability_status)}"
    if association.home_community_id is not None:
        attributes += f" home={_attr(association.home_community_id)}"
    out.parts.append(f"<rim:Association{declare} {attributes}>")
    for name, value in (
        ("SubmissionSetStatus", association.submission_set_status),
        ("PreviousVersion", association.previous_version),
        ("OriginalStatus", association.original_status),
        ("NewStatus", association.new_status),
        ("AssociationPropagation", association.association_propagation),
    ):
        if value is not None:
            out.slot(name, (str(getattr(value, "value", value)),))
    out.slots(association.extra_slots)
    out.parts.append("</rim:Association>")


def write_objects(parts: list[str], objects: Iterable[RegistryObject], *, declare: bool) -> None:
    """Append each object's LeafClass XML to ``parts``.

    ``declare`` puts the ``rim`` namespace declaration on each object, for
    text that is not inside an element declaring it.
    """
    out = _Out()
    out.parts = parts
    namespace = _DECLARE_RIM if declare else ""
    for obj in objects:
        if isinstance(obj, DocumentEntry):
            _document_entry(out, obj, namespace)
        elif isinstance(obj, SubmissionSet):
            _submission_set(out, obj, namespace)
        elif isinstance(obj, Folder):
            _folder(out, obj, namespace)
        else:
            _association(out, obj, namespace)


def object_ref_xml(ref: ObjectRef) -> str:
    """ebRIM ``rim:ObjectRef`` (ITI TF-2a 3.18.4.1.2.1, returnType ObjectRef)."""
    home = "" if ref.home is None else f" home={_attr(ref.home)}"
    return f"<rim:ObjectRef id={_attr(ref.id)}{home}/>"


def registry_object_xml(obj: RegistryObject) -> str:
    """One object as LeafClass XML text, declaring the ``rim`` namespace."""
    parts: list[str] = []
    write_objects(parts, (obj,), declare=True)
    return "".join(parts)


def registry_object_element(obj: RegistryObject) -> etree._Element:
    """One object as its LeafClass ebRIM element."""
    return etree.fromstring(registry_object_xml(obj))


def submission_element(submission: Submission) -> etree._Element:
    """A whole submission as ``lcm:SubmitObjectsRequest`` (clients and tests)."""
    parts = [f'<lcm:SubmitObjectsRequest xmlns:lcm="{names.LCM}" xmlns:rim="{names.RIM}">']
    out = _Out()
    out.parts = parts
    out.slots(submission.request_slots)
    parts.append("<rim:RegistryObjectList>")
    write_objects(parts, submission.objects(), declare=False)
    parts.extend(object_ref_xml(ref) for ref in submission.object_refs)
    parts.append("</rim:RegistryObjectList></lcm:SubmitObjectsRequest>")
    return etree.fromstring("".join(parts))
