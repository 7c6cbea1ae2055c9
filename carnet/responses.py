"""ebRS 3.0 §2.1.3, ITI TF-3 4.2.4 and ITI TF-2a 3.18.4.1.3 — the registry's answers, typed.

A client reads three shapes of answer: ``rs:RegistryResponse`` (ITI-41/42/57/62), the same
heading an ``xdsb:RetrieveDocumentSetResponse`` (ITI-43), and ``query:AdhocQueryResponse``
(ITI-18). :func:`read_registry_response` turns the first into a :class:`RegistryResult`
(status and every ``rs:RegistryError``, warnings included); :func:`read_query_response` turns
the last into a :class:`QueryResponse` whose LeafClass objects are read back into the model of
``registry.model`` by the same per-object readers ``registry.ebrim`` uses for submissions, so
what a client registered and what it finds compare equal (modulo ids and status).
"""

from __future__ import annotations

from dataclasses import dataclass

from lxml import etree

from carnet.client_errors import MalformedResponse, RegistryErrorInfo
from registry.ebrim import names

# The per-object readers are the registry's own; ``parse_submission`` insists on exactly one
# SubmissionSet, which a query answer need not have. A public ``parse_registry_objects`` in
# ``registry.ebrim`` would let this module drop the private names.
from registry.ebrim.reader import parse_registry_objects
from registry.errors import RegistryError
from registry.model import Association, DocumentEntry, Folder, ObjectRef, SubmissionSet
from registry.vocabulary import Namespace, ResponseStatus

__all__ = [
    "QueryResponse",
    "RegistryResult",
    "read_query_response",
    "read_registry_errors",
    "read_registry_response",
]


@dataclass(frozen=True, kw_only=True, slots=True)
class RegistryResult:
    """An ``rs:RegistryResponse`` (ebRS 3.0 §2.1.3): its status and any errors or warnings."""

    status: ResponseStatus | str
    """Success, PartialSuccess or Failure (the wire URN when not one of these)."""
    errors: tuple[RegistryErrorInfo, ...] = ()
    """Every ``rs:RegistryError``; a Success may carry warnings."""

    @property
    def codes(self) -> tuple[str, ...]:
        """The error codes, in order."""
        return tuple(error.code for error in self.errors)


@dataclass(frozen=True, kw_only=True, slots=True)
class QueryResponse:
    """An ITI-18 answer (ITI TF-2a 3.18.4.1.3), its objects read back into the model.

    LeafClass answers fill the object tuples (in the order the registry wrote them);
    ObjectRef answers fill :attr:`refs`.
    """

    status: ResponseStatus | str
    errors: tuple[RegistryErrorInfo, ...] = ()
    """The ``rs:RegistryError`` elements (warnings of a Success, errors of a PartialSuccess)."""
    submission_sets: tuple[SubmissionSet, ...] = ()
    folders: tuple[Folder, ...] = ()
    documents: tuple[DocumentEntry, ...] = ()
    associations: tuple[Association, ...] = ()
    refs: tuple[ObjectRef, ...] = ()


def _status(element: etree._Element) -> ResponseStatus | str:
    raw = element.get("status", "")
    try:
        return ResponseStatus(raw)
    except ValueError:
        return raw


def read_registry_errors(response: etree._Element) -> tuple[RegistryErrorInfo, ...]:
    """Every ``rs:RegistryError`` under ``response``, in document order."""
    return tuple(
        RegistryErrorInfo(
            code=error.get("errorCode", ""),
            context=error.get("codeContext", ""),
            location=error.get("location"),
            severity=error.get("severity", ""),
        )
        for error in response.iter(f"{{{Namespace.RS.value}}}RegistryError")
    )


def read_registry_response(response: etree._Element) -> RegistryResult:
    """Read an ``rs:RegistryResponse`` (ebRS 3.0 §2.1.3, ITI TF-2b 3.42.4.2)."""
    if response.tag != f"{{{Namespace.RS.value}}}RegistryResponse":
        raise MalformedResponse(
            f"expected rs:RegistryResponse, got {etree.QName(response).localname}"
        )
    return RegistryResult(status=_status(response), errors=read_registry_errors(response))


def read_query_response(response: etree._Element) -> QueryResponse:
    """Read a ``query:AdhocQueryResponse``, LeafClass or ObjectRef (ITI TF-2a 3.18.4.1.3).

    Raises :class:`~carnet.client_errors.MalformedResponse` when an object cannot be read
    into the model (for instance a classification without its ``codingScheme``).
    """
    if response.tag != f"{{{Namespace.QUERY.value}}}AdhocQueryResponse":
        raise MalformedResponse(
            f"expected query:AdhocQueryResponse, got {etree.QName(response).localname}"
        )
    try:
        objects = parse_registry_objects(response.find(names.REGISTRY_OBJECT_LIST))
    except RegistryError as error:
        raise MalformedResponse(f"unreadable object in the query response: {error}") from None
    return QueryResponse(
        status=_status(response),
        errors=read_registry_errors(response),
        submission_sets=objects.submission_sets,
        folders=objects.folders,
        documents=objects.documents,
        associations=objects.associations,
        refs=objects.refs,
    )
