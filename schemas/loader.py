"""XML 1.0 and XML Schema 1.0 — the product's one hardened parser and its cached schema loader.

Every XML document Carnet receives (SOAP envelopes, ebRIM metadata, HL7 v3 messages, CDA
documents) goes through :func:`parse_xml`. It follows the OWASP XXE prevention rules: no DTD is
loaded, no entity is expanded, nothing is fetched from the network, the libxml2 safety limits on
depth and text size stay on (``huge_tree=False``), and any document that carries a document type
declaration at all is refused — XDS, HL7 v3 and CDA messages never need one, so refusing it closes
XXE and the "billion laughs" entity bomb at once. zeep's ``loader.parse_xml`` (``forbid_dtd``,
``forbid_entities``) is the model. The libxml2 limits mean a text node over 10 MB (a document sent
inline in base64 instead of as an MTOM part) or nesting deeper than 256 is refused as unsafe.

:func:`load_schema` compiles a schema shipped in this package once per process and caches it
(signxml's ``get_schema`` with :mod:`importlib.resources` is the model).

Exception tree::

    XmlError                 any XML document Carnet refuses
    ├── MalformedXmlError    not well-formed XML; carries lxml's line and column
    └── UnsafeXmlError       refused for safety: a DOCTYPE, too many bytes, a libxml2 limit
"""

from __future__ import annotations

import functools
import importlib.resources
import threading
from pathlib import Path

from lxml import etree

__all__ = [
    "MalformedXmlError",
    "UnsafeXmlError",
    "XmlError",
    "load_schema",
    "parse_xml",
    "read_schema_file",
    "schema_file",
]

# Only these may be served by read_schema_file (the WSDLs and the XSDs they import).
_SCHEMA_SUFFIXES = frozenset({".xsd", ".wsdl"})

# The prolog scan feeds the document in chunks: the root element almost always starts in the first.
_SCAN_CHUNK_BYTES = 64 * 1024

# libxml2 safety limits without huge_tree (text node over 10 MB, depth over 256, entity
# amplification): refusals for safety rather than malformations.
_LIMIT_ERRORS = frozenset({etree.ErrorTypes.ERR_RESOURCE_LIMIT, etree.ErrorTypes.ERR_ENTITY_LOOP})


class XmlError(Exception):
    """Root of every refusal of an XML document."""


class MalformedXmlError(XmlError):
    """The bytes are not a well-formed XML document."""

    def __init__(self, message: str, *, line: int | None = None, column: int | None = None):
        super().__init__(message)
        self.line = line
        self.column = column


class UnsafeXmlError(XmlError):
    """The document is refused for safety: a DOCTYPE, entity declarations, or too many bytes."""


def parse_xml(data: bytes, *, max_bytes: int | None = None) -> etree._Element:
    """Parse ``data`` with the hardened parser and return the root element.

    Raises :class:`UnsafeXmlError` when ``data`` is longer than ``max_bytes`` or declares a
    document type, :class:`MalformedXmlError` when it is not well-formed.
    """
    return _parse(data, max_bytes=max_bytes, base_url=None)


@functools.cache
def load_schema(relative_path: str) -> etree.XMLSchema:
    """Compile the schema at ``relative_path`` in this package (e.g. ``"xds/lcm.xsd"``), once.

    Imports and includes resolve relative to the schema's own file, so the package must be
    installed as real files (a regular or editable install, not a zip). The schemas are trusted
    package data; the documents validated against them are not. ``XMLSchema.validate`` may be
    called from several threads, but ``error_log`` belongs to the shared object: prefer
    ``assertValid``, whose exception carries its own log.
    """
    path = schema_file(relative_path)
    return etree.XMLSchema(_parse(path.read_bytes(), max_bytes=None, base_url=str(path)))


def schema_file(relative_path: str) -> Path:
    """The file of the WSDL or XSD at ``relative_path`` in this package.

    ``relative_path`` may come from a request (``?xsd=...``): anything that is not a ``.xsd`` or
    ``.wsdl`` file inside the package raises :class:`FileNotFoundError`.
    """
    root = _package_root()
    path = (root / relative_path).resolve()
    if not path.is_relative_to(root) or path.suffix not in _SCHEMA_SUFFIXES or not path.is_file():
        raise FileNotFoundError(f"no schema {relative_path!r} in the schemas package")
    return path


def read_schema_file(relative_path: str) -> bytes:
    """The bytes of the WSDL or XSD at ``relative_path`` here; see :func:`schema_file`."""
    return schema_file(relative_path).read_bytes()


@functools.cache
def _package_root() -> Path:
    # importlib.resources gives a plain Path for a package installed as files; lxml needs one
    # to resolve the schemas' relative imports, so a zipped install is refused here, loudly.
    root = importlib.resources.files("schemas")
    if not isinstance(root, Path):
        raise RuntimeError(f"the schemas package must be installed as files, not {root!r}")
    return root.resolve()


def _hardened_parser(target: etree.ParserTarget | None = None) -> etree.XMLParser:
    return etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        dtd_validation=False,
        huge_tree=False,
        remove_comments=False,
        target=target,
    )


_local = threading.local()


def _tree_parser() -> etree.XMLParser:
    # lxml parsers keep per-parse state and must not be shared between threads.
    parser: etree.XMLParser | None = getattr(_local, "parser", None)
    if parser is None:
        parser = _local.parser = _hardened_parser()
    return parser


def _parse(data: bytes, *, max_bytes: int | None, base_url: str | None) -> etree._Element:
    if max_bytes is not None and len(data) > max_bytes:
        raise UnsafeXmlError(f"XML document of {len(data)} bytes exceeds the limit of {max_bytes}")
    _refuse_doctype(data)
    parser = _tree_parser()
    try:
        root: etree._Element = (
            etree.fromstring(data, parser)
            if base_url is None
            else etree.fromstring(data, parser, base_url=base_url)
        )
    except etree.XMLSyntaxError as exc:
        if exc.code in _LIMIT_ERRORS:  # type: ignore[attr-defined]  # missing from lxml-stubs 0.5
            raise UnsafeXmlError(f"XML document exceeds a parser limit: {exc.msg}") from None
        line, column = exc.position
        raise MalformedXmlError(f"malformed XML: {exc.msg}", line=line, column=column) from None
    # Entity declarations need a DOCTYPE; this repeats _refuse_doctype so one slip is not enough.
    if root.getroottree().docinfo.doctype:  # type: ignore[attr-defined]  # not in lxml-stubs 0.5
        raise UnsafeXmlError("XML document type declarations are not accepted")
    return root


_Text = str | bytes


class _DoctypeFound(Exception):
    pass


class _RootReached(Exception):
    pass


class _PrologTarget:
    """Parser target that stops at the DOCTYPE or at the root element, whichever comes first.

    libxml2 reports the DOCTYPE before it reads the internal subset, so an entity bomb in an
    attribute of the root (which libxml2 expands even with ``resolve_entities=False``) is refused
    as unsafe before any entity is declared.
    """

    def doctype(self, name: str | None, pubid: str | None, system: str | None) -> None:
        raise _DoctypeFound

    def start(self, tag: _Text, attrib: dict[_Text, _Text], nsmap: object = None) -> None:
        raise _RootReached

    def end(self, tag: _Text) -> None:
        return None

    def data(self, data: _Text) -> None:
        return None

    def comment(self, text: _Text) -> None:
        return None

    def close(self) -> None:
        return None


# Encodings in which "<!DOCTYPE" would not appear as these ASCII bytes (XML 1.0 Appendix F).
_NON_ASCII_FAMILY_STARTS = (b"\xfe\xff", b"\xff\xfe", b"\x00<", b"<\x00", b"\x4c\x6f\xa7\x94")


def _refuse_doctype(data: bytes) -> None:
    # Fast path: in an ASCII-compatible encoding a DOCTYPE is spelt with these bytes, and
    # most documents hold none anywhere. Building the scanning parser costs more than
    # parsing a small envelope, so it runs only when the bytes might be there.
    if b"<!DOCTYPE" not in data and not data.startswith(_NON_ASCII_FAMILY_STARTS):
        return
    scanner = _hardened_parser(_PrologTarget())
    try:
        for start in range(0, len(data), _SCAN_CHUNK_BYTES):
            scanner.feed(data[start : start + _SCAN_CHUNK_BYTES])
        scanner.close()
    except _DoctypeFound:
        raise UnsafeXmlError("XML document type declarations are not accepted") from None
    except (_RootReached, etree.XMLSyntaxError):
        # No DOCTYPE before the root; a syntax error is reported by the tree parse, with context.
        pass
