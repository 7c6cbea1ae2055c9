"""WSDL 1.1 §3 (types), §2.1.1 (import) and XML Schema §4.2 — publishing the WSDLs over HTTP.

``GET <endpoint>?wsdl`` answers the service's WSDL (shipped in the ``schemas``
package) with its ``soap12:address/@location`` set to the URL the client used,
and every ``schemaLocation`` / ``wsdl:import/@location`` turned into
``<endpoint>?xsd=<path>`` — a URL this same endpoint answers with the schema,
rewritten the same way. A client such as zeep can then build itself from the
endpoint alone. Only ``.xsd``/``.wsdl`` files under the WSDLs' folder are served
(``schemas.schema_file`` refuses the rest); ``..`` never leaves it.
"""

from __future__ import annotations

import functools
import logging
import posixpath
from collections.abc import Sequence
from urllib.parse import quote, urlsplit

from lxml import etree

from schemas import parse_xml, read_schema_file

__all__ = ["schema_document", "schemas_folder", "wsdl_document"]

_log = logging.getLogger(__name__)

_XSD = "http://www.w3.org/2001/XMLSchema"
_WSDL = "http://schemas.xmlsoap.org/wsdl/"
_ADDRESSES = (
    "{http://schemas.xmlsoap.org/wsdl/soap12/}address",
    "{http://schemas.xmlsoap.org/wsdl/soap/}address",
)
# (element, attribute) pairs that point at another document.
_REFERENCES = (
    (f"{{{_XSD}}}import", "schemaLocation"),
    (f"{{{_XSD}}}include", "schemaLocation"),
    (f"{{{_XSD}}}redefine", "schemaLocation"),
    (f"{{{_WSDL}}}import", "location"),
)


def schemas_folder(wsdls: Sequence[str]) -> str:
    """The folder (in ``schemas``) whose tree may be served for these WSDLs: their common one.

    >>> schemas_folder(["wsdl/iti18.wsdl", "wsdl/iti42.wsdl"])
    'wsdl'
    """
    return posixpath.commonpath([posixpath.dirname(w) for w in wsdls]) if wsdls else ""


def wsdl_document(wsdl: str, *, folder: str, endpoint_url: str) -> bytes:
    """The WSDL at ``wsdl`` with its address and schema locations rewritten for ``endpoint_url``."""
    return _rewritten(wsdl, folder, endpoint_url)


def schema_document(relative: str, *, folder: str, endpoint_url: str) -> bytes:
    """The schema ``relative`` to ``folder``, rewritten; ``FileNotFoundError`` if not servable."""
    path = posixpath.normpath(relative.strip())
    if not path or path.startswith(("..", "/")) or "\\" in path or path == ".":
        raise FileNotFoundError(relative)
    return _rewritten(posixpath.join(folder, path) if folder else path, folder, endpoint_url)


@functools.lru_cache(maxsize=128)
def _rewritten(path: str, folder: str, endpoint_url: str) -> bytes:
    root = parse_xml(read_schema_file(path))
    here = posixpath.relpath(posixpath.dirname(path) or ".", folder or ".")
    for tag in _ADDRESSES:
        for address in root.iter(tag):
            address.set("location", endpoint_url)
    for tag, attribute in _REFERENCES:
        for reference in root.iter(tag):
            location = reference.get(attribute)
            if location is not None:
                reference.set(attribute, _served_location(location, here, endpoint_url))
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8")


def _served_location(location: str, here: str, endpoint_url: str) -> str:
    """``location`` (relative to the folder ``here``) as a ``?xsd=`` URL of the endpoint."""
    if urlsplit(location).scheme:
        return location  # absolute URL: not ours to serve
    target = posixpath.normpath(posixpath.join(here, location))
    if target.startswith(".."):
        _log.warning("schema reference %r leaves the served folder; left as is", location)
        return location
    return f"{endpoint_url}?xsd={quote(target, safe='/')}"
