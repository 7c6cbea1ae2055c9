"""ITI TF-3 4.2 / ebRIM 3.0 — XDS metadata to and from ebRIM XML.

``reader`` reads an ``lcm:SubmitObjectsRequest`` into the model,
``remove_objects`` the ObjectRefs of ITI-62's ``lcm:RemoveObjectsRequest``, ``writer``
writes model objects as LeafClass XML, ``query`` reads and answers ITI-18's
``AdhocQueryRequest``; ``names`` holds the element and slot names they share.
"""

from registry.ebrim.query import (
    AdhocQuery,
    adhoc_query_request,
    adhoc_query_response,
    adhoc_query_response_xml,
    parse_adhoc_query,
    registry_response,
)
from registry.ebrim.reader import RegistryObjects, parse_registry_objects, parse_submission
from registry.ebrim.remove_objects import parse_remove_objects
from registry.ebrim.writer import registry_object_element, registry_object_xml, submission_element

__all__ = [
    "AdhocQuery",
    "RegistryObjects",
    "adhoc_query_request",
    "adhoc_query_response",
    "adhoc_query_response_xml",
    "parse_adhoc_query",
    "parse_registry_objects",
    "parse_remove_objects",
    "parse_submission",
    "registry_object_element",
    "registry_object_xml",
    "registry_response",
    "submission_element",
]
