"""HL7 CDA R2 (ANSI/HL7 CDA R2-2005) — a parsed ClinicalDocument and its level.

A CDA document is a header (who, whom, when, what kind) and a body: either a
``nonXMLBody`` carrying one opaque payload (level 1: a PDF, text or image,
usually base64) or a ``structuredBody`` of sections (levels 2 and 3: narrative
blocks, and coded entries at level 3). The CI-SIS uses both; the level decides
the XDS formatCode of a level-1 document and how it is rendered.

Every CDA Carnet reads goes through :func:`parse_cda`, which uses the product's
one hardened parser (:func:`schemas.loader.parse_xml`).
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

from lxml import etree

from cda.errors import NotCdaError
from schemas.loader import parse_xml

__all__ = [
    "CDA_NAMESPACE",
    "NAMESPACES",
    "BodyKind",
    "CdaDocument",
    "cda_document",
    "parse_cda",
]

CDA_NAMESPACE = "urn:hl7-org:v3"
"""The HL7 v3 namespace of every CDA R2 element."""

NAMESPACES = {
    "cda": CDA_NAMESPACE,
    "xsi": "http://www.w3.org/2001/XMLSchema-instance",
}
"""Prefixes for XPath over a CDA document."""

_CLINICAL_DOCUMENT = f"{{{CDA_NAMESPACE}}}ClinicalDocument"
_XSLT_STYLESHEET = "{http://www.w3.org/1999/XSL/Transform}stylesheet"
_CISIS_CONTENT = "{urn:asip-sante:ci-sis}Contenu"
"""The CI-SIS "auto-présentable" document: an XSLT stylesheet that carries the CDA in
``data:Contenu`` and renders it when a browser opens the file."""


class BodyKind(enum.StrEnum):
    """The two shapes of ``component`` (CDA R2 §4.3): the body's element name."""

    NON_XML = "nonXMLBody"
    """Level 1: one payload (``text``, often base64 with a ``mediaType``)."""
    STRUCTURED = "structuredBody"
    """Levels 2 and 3: sections with narrative blocks and entries."""


@dataclass(frozen=True, kw_only=True, eq=False)
class CdaDocument:
    """A parsed CDA R2 ClinicalDocument.

    ``root`` is the lxml element; the dataclass is frozen but lxml trees are
    mutable, so treat it as read-only.
    """

    root: etree._Element
    """The ``ClinicalDocument`` element."""
    self_presenting: bool = False
    """Whether the CDA came wrapped in a CI-SIS self-presenting XSLT stylesheet."""
    body_kind: BodyKind | None
    """``None`` when the document has no body (invalid CDA, refused by validation)."""

    @property
    def is_level_1(self) -> bool:
        """Whether the body is a ``nonXMLBody`` (an unstructured payload)."""
        return self.body_kind is BodyKind.NON_XML

    def find(self, path: str) -> etree._Element | None:
        """The first element at ``path`` (ElementPath with the ``cda:`` prefix), or ``None``."""
        return self.root.find(path, NAMESPACES)

    def findall(self, path: str) -> list[etree._Element]:
        """Every element at ``path`` (ElementPath with the ``cda:`` prefix)."""
        return self.root.findall(path, NAMESPACES)


def parse_cda(data: bytes, *, max_bytes: int | None = None) -> CdaDocument:
    """Parse ``data`` as a CDA R2 document with the hardened parser.

    Raises :class:`schemas.loader.XmlError` for XML Carnet refuses and
    :class:`~cda.errors.NotCdaError` when the root is not a ClinicalDocument.
    """
    root = parse_xml(data, max_bytes=max_bytes)
    return cda_document(root)


def cda_document(root: etree._Element) -> CdaDocument:
    """Wrap an already parsed element as a :class:`CdaDocument`, checking its root.

    A CI-SIS self-presenting document (an ``xsl:stylesheet`` holding the CDA in
    ``data:Contenu``; the CI-SIS examples ship some) is read as the CDA it carries.
    """
    self_presenting = False
    if root.tag == _XSLT_STYLESHEET:
        embedded = root.find(f"{_CISIS_CONTENT}/{_CLINICAL_DOCUMENT}")
        if embedded is None:
            raise NotCdaError(
                "an XSLT stylesheet without a CI-SIS data:Contenu/ClinicalDocument "
                "is not a CDA document"
            )
        root, self_presenting = embedded, True
    if root.tag != _CLINICAL_DOCUMENT:
        raise NotCdaError(
            f"root element is {root.tag!r}, not a CDA R2 ClinicalDocument "
            f"({{{CDA_NAMESPACE}}}ClinicalDocument)"
        )
    body_kind = None
    for kind in BodyKind:
        if root.find(f"cda:component/cda:{kind.value}", NAMESPACES) is not None:
            body_kind = kind
            break
    return CdaDocument(root=root, body_kind=body_kind, self_presenting=self_presenting)
