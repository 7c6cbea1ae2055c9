"""HL7 CDA R2 (ANSI/HL7 CDA R2-2005) — validation against the CDA schema with the French extensions.

A CDA document of the CI-SIS ("Cadre d'Interopérabilité des SIS") must be valid against the
schema its test kit (ANS TestContenuCDA) publishes, ``CDA_extended.xsd``: the HL7
``POCD_MT000040`` schema with the ANS extensions (pharmacy ``urn:ihe:pharm:medication``, SDTC,
IHE lab, DICOM PS3.20). It is shipped in ``schemas/cda/`` (source in ``schemas/PROVENANCE.md``)
and compiled once per process by :func:`schemas.loader.load_schema`.

Two validators, for two jobs:

* lxml's ``XMLSchema`` (libxml2) decides, on every document: it is fast (about 12 ms for 1 MB
  of level-3 document, ``bench/cda.py``).
* When lxml refuses a document, the pure-Python ``xmlschema`` validator explains why: libxml2
  reports a line and a path such as ``/*/*[9]``; xmlschema says which child was unexpected and
  what was expected instead. Its compiled schema takes seconds to build, so it is built the
  first time a document is refused, then kept. Should the two disagree (xmlschema finds
  nothing, or fails), libxml2's own messages are reported.

Every finding — of the schema here, of a schematron in :mod:`cda.schematron` — is a
:class:`Finding` located by an XPath over the ``cda:`` prefix (``/cda:ClinicalDocument/
cda:component[2]``) and, when the document was parsed from bytes, a line number.
"""

from __future__ import annotations

import enum
import threading
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from lxml import etree

from cda.document import CDA_NAMESPACE, CdaDocument
from schemas.loader import load_schema, parse_xml, schema_file

__all__ = [
    "CDA_SCHEMA",
    "Finding",
    "Severity",
    "ValidationReport",
    "node_location",
    "validate_schema",
]

CDA_SCHEMA = "cda/CDA_extended.xsd"
"""The CDA R2 schema with the CI-SIS extensions, relative to the ``schemas`` package."""

# Prefixes for locations: the CDA namespace once as ``cda:`` (as in cda.document.NAMESPACES and
# in the CI-SIS schematrons), the extension namespaces under the names their schemas use.
_LOCATION_PREFIXES = {
    CDA_NAMESPACE: "cda",
    "urn:hl7-org:sdtc": "sdtc",
    "urn:ihe:pharm:medication": "pharm",
    "urn:oid:1.3.6.1.4.1.19376.1.3.2": "lab",
    "urn:dicom-org:ps3-20": "ps3-20",
    "http://www.w3.org/2001/XMLSchema-instance": "xsi",
    # the wrapper of a CI-SIS self-presenting document
    "http://www.w3.org/1999/XSL/Transform": "xsl",
    "urn:asip-sante:ci-sis": "data",
}


class Severity(enum.StrEnum):
    """How much a finding weighs; the values are the ISO Schematron ``role`` words CI-SIS uses."""

    ERROR = "error"
    """The document does not conform: a schema violation, a failed assertion."""
    WARNING = "warning"
    """A weakness the rule's authors flag but accept (``role="warning"``)."""
    INFO = "info"
    """Information only (``role="info"``)."""


@dataclass(frozen=True, kw_only=True)
class Finding:
    """One thing a validator says about a document."""

    severity: Severity
    """:attr:`Severity.ERROR` makes the document invalid; the others do not."""
    message: str
    """What is wrong, whitespace-normalised, in the validator's language (CI-SIS: French)."""
    location: str
    """XPath of the offending node, ``cda:`` for the HL7 v3 namespace, positions only where
    siblings share a name; ``/`` when the finding concerns the whole document."""
    line: int | None
    """Line of that node in the parsed bytes, when known."""
    rule: str | None
    """The rule that spoke: a schematron assertion's ``id``, else its pattern's; ``None`` for
    the schema."""


@dataclass(frozen=True, kw_only=True)
class ValidationReport:
    """What one or several validators found in a document."""

    findings: tuple[Finding, ...]
    """In document order for the schema, in the validator's order for a schematron."""
    valid: bool
    """No finding of :attr:`Severity.ERROR`."""

    @classmethod
    def of(cls, findings: Iterable[Finding]) -> ValidationReport:
        """The report of ``findings``, valid unless one of them is an error."""
        found = tuple(findings)
        return cls(
            findings=found,
            valid=not any(finding.severity is Severity.ERROR for finding in found),
        )

    @classmethod
    def merge(cls, reports: Iterable[ValidationReport]) -> ValidationReport:
        """One report of several validators' reports: their findings, valid if all are."""
        gathered = tuple(reports)
        return cls(
            findings=tuple(finding for report in gathered for finding in report.findings),
            valid=all(report.valid for report in gathered),
        )


def validate_schema(document: CdaDocument) -> ValidationReport:
    """Validate ``document`` against ``CDA_extended.xsd`` (levels 1 and 3 alike).

    The report is valid when libxml2 accepts the document; otherwise each finding locates one
    reason, with xmlschema's wording when it agrees. Thread-safe: ``assertValid`` keeps each
    call's errors in its own exception (see :func:`schemas.loader.load_schema`).
    """
    try:
        load_schema(CDA_SCHEMA).assertValid(document.root)
    except etree.DocumentInvalid as refusal:
        findings = _explained(document) or _libxml2_findings(document, refusal.error_log)
        return ValidationReport(findings=findings, valid=False)
    return ValidationReport(findings=(), valid=True)


def node_location(node: Any) -> tuple[str, int | None]:
    """The XPath (``cda:`` prefixed) and line of an lxml element or attribute result.

    An attribute, as an XPath result, is a "smart" string whose ``getparent()`` is its element.

    >>> root = etree.fromstring('<ClinicalDocument xmlns="urn:hl7-org:v3"><id/><id root="1"/>'
    ...                         '</ClinicalDocument>')
    >>> node_location(root[1])
    ('/cda:ClinicalDocument/cda:id[2]', 1)
    >>> node_location(root.xpath('//@root')[0])
    ('/cda:ClinicalDocument/cda:id[2]/@root', 1)
    """
    if isinstance(node, etree._Element):
        return _element_path(node), _line(node)
    parent = getattr(node, "getparent", lambda: None)()
    if isinstance(parent, etree._Element) and getattr(node, "is_attribute", False):
        name = _qualified(getattr(node, "attrname", ""))
        return f"{_element_path(parent)}/@{name}", _line(parent)
    return "/", None


def _line(element: etree._Element) -> int | None:
    line: object = element.sourceline
    return line if isinstance(line, int) else None


def _element_path(element: etree._Element) -> str:
    steps: list[str] = []
    node: etree._Element | None = element
    while node is not None:
        tag: object = node.tag
        if not isinstance(tag, str):  # a comment or processing instruction: its element
            node = node.getparent()
            continue
        step = _qualified(tag)
        parent = node.getparent()
        if parent is not None:
            same = [sibling for sibling in parent if sibling.tag == node.tag]
            if len(same) > 1:
                step += f"[{same.index(node) + 1}]"
        steps.append(step)
        node = parent
    return "/" + "/".join(reversed(steps))


def _qualified(clark: str) -> str:
    if not clark.startswith("{"):
        return clark
    namespace, _, local = clark[1:].partition("}")
    prefix = _LOCATION_PREFIXES.get(namespace)
    return f"{prefix}:{local}" if prefix else f"Q{{{namespace}}}{local}"


def _explained(document: CdaDocument) -> tuple[Finding, ...]:
    """xmlschema's account of why the document is invalid; empty if it sees nothing wrong.

    A document embedded in another (a CI-SIS self-presenting stylesheet) is given to xmlschema
    as a standalone copy, which carries the namespace declarations of its ancestors (xmlschema
    does not look above the element it is given when it resolves ``xsi:type``); its nodes are
    mapped back to the original by position. Should xmlschema itself fail, libxml2's own
    account is used instead.
    """
    root = document.root
    subject = root if root.getparent() is None else parse_xml(etree.tostring(root))
    findings = []
    try:
        for error in _xmlschema_validator().iter_errors(subject):
            invalid_child = getattr(error, "invalid_child", None)
            node = invalid_child if isinstance(invalid_child, etree._Element) else error.elem
            if isinstance(node, etree._Element) and subject is not root:
                node = _follow(root, _positions(node))
            if isinstance(node, etree._Element):
                location, line = node_location(node)
            else:
                location, line = "/", None
            findings.append(
                Finding(
                    severity=Severity.ERROR,
                    message=_normalised(str(error.reason or error.message)),
                    location=location,
                    line=line,
                    rule=None,
                )
            )
    except Exception:  # xmlschema's own failures (XMLSchemaKeyError …): libxml2 speaks instead
        return ()
    return tuple(findings)


def _libxml2_findings(document: CdaDocument, error_log: etree._ListErrorLog) -> tuple[Finding, ...]:
    findings = []
    # libxml2's paths start at the element validated and use the document's own prefixes.
    tree = etree.ElementTree(document.root)
    prefixes = {prefix: uri for prefix, uri in document.root.nsmap.items() if prefix}
    for entry in error_log:
        location, line = "/", entry.line or None
        path = entry.path
        if path:
            try:
                nodes = tree.xpath(path, namespaces=prefixes)
            except etree.XPathError:
                nodes = []
            if isinstance(nodes, list) and nodes:
                location, node_line = node_location(nodes[0])
                line = line or node_line
        findings.append(
            Finding(
                severity=Severity.ERROR,
                message=_normalised(entry.message),
                location=location,
                line=line,
                rule=None,
            )
        )
    return tuple(findings)


def _normalised(text: str) -> str:
    return " ".join(text.split())


def _positions(element: etree._Element) -> list[int]:
    """Child indexes from the root down to ``element``."""
    positions = []
    parent = element.getparent()
    while parent is not None:
        positions.append(parent.index(element))
        element, parent = parent, parent.getparent()
    return positions[::-1]


def _follow(root: etree._Element, positions: list[int]) -> etree._Element | None:
    node = root
    for position in positions:
        if position >= len(node):
            return None
        node = node[position]
    return node


_xmlschema_lock = threading.Lock()
_xmlschema: Any = None


def _xmlschema_validator() -> Any:
    """xmlschema's compiled ``CDA_extended.xsd``, built on the first refusal (a few seconds).

    ``validation="lax"``: the HL7 schemas rely on libxml2's leniency (``infrastructureRoot.xsd``
    names the types of the CDA namespace without declaring it as default), which xmlschema's
    strict mode refuses to build.
    """
    global _xmlschema
    with _xmlschema_lock:
        if _xmlschema is None:
            import xmlschema

            _xmlschema = xmlschema.XMLSchema10(str(schema_file(CDA_SCHEMA)), validation="lax")
        return _xmlschema
