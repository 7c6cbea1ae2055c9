"""ITI TF-2a 3.18.4.1 / ebRS 3.0 — the AdhocQuery request and response of ITI-18.

``parse_adhoc_query`` reads the stored query id, its parameters (slot name →
the texts of its ``rim:Value`` elements, in order) and the return type.
``adhoc_query_response_xml`` writes the response as bytes, LeafClass objects
or ObjectRefs, without building a tree (see ``writer.py``).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from xml.sax.saxutils import quoteattr

from lxml import etree

from registry.ebrim import names
from registry.ebrim.reader import slot_values
from registry.ebrim.writer import object_ref_xml, write_objects
from registry.errors import MetadataError
from registry.model import ObjectRef, RegistryObject
from registry.vocabulary import ReturnType

__all__ = [
    "AdhocQuery",
    "adhoc_query_request",
    "adhoc_query_response",
    "adhoc_query_response_xml",
    "parse_adhoc_query",
    "registry_response",
]


@dataclass(frozen=True, kw_only=True, slots=True)
class AdhocQuery:
    """An ``query:AdhocQueryRequest`` as ITI-18 uses it (ITI TF-2a 3.18.4.1.2)."""

    query_id: str
    return_type: ReturnType
    parameters: dict[str, tuple[str, ...]]
    home_community_id: str | None = None


def adhoc_query_request(
    query_id: str,
    parameters: Mapping[str, str | Sequence[str]],
    *,
    return_type: ReturnType = ReturnType.LEAF_CLASS,
) -> etree._Element:
    """A ``query:AdhocQueryRequest`` (ITI TF-2a 3.18.4.1.2), what :func:`parse_adhoc_query` reads.

    ``parameters`` hold values already written in the stored-query grammar
    (``registry.query_values``); a sequence is sent as several ``rim:Value``s.
    """
    query_ns, rim = names.QUERY, names.RIM
    request = etree.Element(
        f"{{{query_ns}}}AdhocQueryRequest", nsmap={"query": query_ns, "rim": rim}
    )
    etree.SubElement(
        request,
        f"{{{query_ns}}}ResponseOption",
        returnComposedObjects="true",
        returnType=return_type.value,
    )
    query = etree.SubElement(request, f"{{{rim}}}AdhocQuery", id=str(query_id))
    for name, value in parameters.items():
        slot = etree.SubElement(query, f"{{{rim}}}Slot", name=name)
        value_list = etree.SubElement(slot, f"{{{rim}}}ValueList")
        for each in (value,) if isinstance(value, str) else value:
            etree.SubElement(value_list, f"{{{rim}}}Value").text = each
    return request


def parse_adhoc_query(request: etree._Element) -> AdhocQuery:
    """Read the stored query id, its parameters and the return type.

    A parameter sent in several ``rim:Slot`` elements of the same name is
    read as one parameter with all their values.
    """
    if request.tag != f"{{{names.QUERY}}}AdhocQueryRequest":
        raise MetadataError(
            f"expected query:AdhocQueryRequest, got {etree.QName(request).localname}"
        )
    option = request.find(f"{{{names.QUERY}}}ResponseOption")
    raw_type = "LeafClass" if option is None else option.get("returnType", "LeafClass")
    try:
        return_type = ReturnType(raw_type)
    except ValueError:
        raise MetadataError(
            f"returnType {raw_type!r} is not supported, use ObjectRef or LeafClass",
            location="ResponseOption",
        ) from None
    query = request.find(names.rim("AdhocQuery"))
    if query is None:
        raise MetadataError("AdhocQueryRequest has no rim:AdhocQuery")
    parameters: dict[str, tuple[str, ...]] = {}
    for slot in query.iterchildren(names.SLOT):
        name = slot.get("name") or ""
        parameters[name] = parameters.get(name, ()) + slot_values(slot)
    return AdhocQuery(
        query_id=query.get("id") or "",
        return_type=return_type,
        parameters=parameters,
        home_community_id=query.get("home"),
    )


def adhoc_query_response_xml(
    objects: Iterable[RegistryObject] = (),
    refs: Iterable[ObjectRef] = (),
    *,
    status: str,
) -> bytes:
    """``query:AdhocQueryResponse`` as UTF-8 bytes (ITI TF-2a 3.18.4.1.3)."""
    parts = [
        f'<query:AdhocQueryResponse xmlns:query="{names.QUERY}" xmlns:rim="{names.RIM}" '
        f"status={quoteattr(status)}><rim:RegistryObjectList>"
    ]
    write_objects(parts, objects, declare=False)
    parts.extend(object_ref_xml(ref) for ref in refs)
    parts.append("</rim:RegistryObjectList></query:AdhocQueryResponse>")
    return "".join(parts).encode("utf-8")


def adhoc_query_response(
    objects: Iterable[RegistryObject] = (),
    refs: Iterable[ObjectRef] = (),
    *,
    status: str,
) -> etree._Element:
    """The same response as an element."""
    return etree.fromstring(adhoc_query_response_xml(objects, refs, status=status))


def registry_response(*, status: str) -> etree._Element:
    """A bare ``rs:RegistryResponse`` (ITI TF-2b 3.42.4.2)."""
    return etree.Element(
        f"{{{names.RS}}}RegistryResponse", {"status": status}, nsmap={"rs": names.RS}
    )
