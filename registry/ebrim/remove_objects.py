"""ITI TF-2b 3.62.4.1.2 / ebRS 3.0 §5.3 — reading the ``lcm:RemoveObjectsRequest`` of ITI-62.

Remove Metadata names the objects to delete by ``rim:ObjectRef`` in a
``rim:ObjectRefList``. ITI TF-2b 3.62.4.1.2 narrows ebRS: the list is not
empty, ``deletionScope`` is DeleteAll (its default), and neither an
``rim:AdhocQuery`` nor request slots select objects. A request breaking these
is refused as :class:`~registry.errors.MetadataError`.
"""

from __future__ import annotations

from lxml import etree

from registry.ebrim import names
from registry.errors import MetadataError
from registry.model import ObjectRef
from registry.vocabulary import DeletionScope

__all__ = ["parse_remove_objects"]


def parse_remove_objects(request: etree._Element) -> tuple[ObjectRef, ...]:
    """The ObjectRefs of a RemoveObjectsRequest, in order and each once."""
    if request.tag != f"{{{names.LCM}}}RemoveObjectsRequest":
        raise MetadataError(
            f"expected lcm:RemoveObjectsRequest, got {etree.QName(request).localname}"
        )
    scope = request.get("deletionScope", DeletionScope.DELETE_ALL.value)
    if scope != DeletionScope.DELETE_ALL.value:
        raise MetadataError(
            f"deletionScope {scope!r} is not supported: Remove Metadata deletes with "
            f"{DeletionScope.DELETE_ALL.value}",
            location="deletionScope",
        )
    if request.find(names.rim("AdhocQuery")) is not None:
        raise MetadataError(
            "Remove Metadata names the objects to delete by ObjectRef, not by AdhocQuery",
            location="AdhocQuery",
        )
    refs: dict[str, ObjectRef] = {}
    for element in request.iterfind(f"{names.rim('ObjectRefList')}/{names.OBJECT_REF}"):
        ref = ObjectRef(id=(element.get("id") or "").strip(), home=element.get("home"))
        refs.setdefault(ref.id, ref)
    if not refs:
        raise MetadataError(
            "RemoveObjectsRequest has no ObjectRef to remove", location="ObjectRefList"
        )
    return tuple(refs.values())
