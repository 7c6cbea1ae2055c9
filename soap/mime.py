"""RFC 2045 §5.1 (Content-Type), RFC 2387 (multipart/related) and RFC 2392 (cid: URLs).

Tolerant readers of the MIME header values SOAP stacks send. Real senders differ:
Axis2 leaves ``boundary`` unquoted (``MIMEBoundary_urn_uuid_…``), WCF quotes
boundaries holding ``+`` and ``=`` (``uuid:…+id=1``) and percent-encodes its
``http://tempuri.org/1/…`` Content-IDs in ``cid:`` hrefs, CXF nests a quoted
``action`` inside ``start-info`` with backslash escapes. Parameter names are
case-insensitive (RFC 2045 §5.1); values keep their case.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from urllib.parse import quote, unquote

__all__ = [
    "MediaType",
    "action_uri",
    "cid_url",
    "content_id_from_header",
    "content_id_from_href",
    "parse_media_type",
]

# RFC 3986 §4.3 absolute URI: scheme ":" hier-part.
_ABSOLUTE_URI = re.compile(r"^[A-Za-z][A-Za-z0-9+.\-]*:\S+$")
# A run of characters that mean nothing to quoted-string splitting, or one that does.
_SPLIT_TOKENS = re.compile(r'[^";\\]+|.', re.DOTALL)
# Distinct Content-Type values remembered: each client sends a handful (its outer
# multipart/related value carries a fresh boundary and is not worth keeping).
_CACHED_MEDIA_TYPES = 256


@dataclass(frozen=True, kw_only=True)
class MediaType:
    """A parsed ``Content-Type`` value."""

    essence: str
    """``type/subtype`` in lower case, e.g. ``multipart/related``."""
    params: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))
    """Parameters, names in lower case, values unquoted and unescaped; read-only, since
    :func:`parse_media_type` shares one instance between equal header values."""

    def param(self, name: str) -> str | None:
        """The value of parameter ``name`` (case-insensitive), or ``None``."""
        return self.params.get(name.lower())


def action_uri(value: str | None) -> str | None:
    """The ``action`` parameter of ``application/soap+xml`` (RFC 3902 §3), if it is one.

    RFC 3902 makes it an absolute URI; anything else (``""``, or the literal ``"None"``
    zeep 4 sends when the WSDL gives no soapAction, as the IHE WSDLs do) names no
    action and is ignored.

    >>> action_uri(' urn:ihe:iti:2007:RegisterDocumentSet-b '), action_uri("None")
    ('urn:ihe:iti:2007:RegisterDocumentSet-b', None)
    """
    value = (value or "").strip()
    return value if _ABSOLUTE_URI.match(value) else None


def parse_media_type(value: str) -> MediaType:
    """Parse a Content-Type header value, tolerating what real stacks send.

    >>> m = parse_media_type('multipart/related; type="application/xop+xml"; '
    ...     'boundary=uuid:5b9c+id=1; start-info="application/soap+xml; action=\\\\"urn:a\\\\""')
    >>> m.essence, m.param("boundary"), m.param("START-INFO")
    ('multipart/related', 'uuid:5b9c+id=1', 'application/soap+xml; action="urn:a"')
    >>> parse_media_type("Application/SOAP+XML;charset=utf-8").param("charset")
    'utf-8'

    The result is shared between equal values (its ``params`` are read-only): a
    request parses the same part and ``start-info`` types several times, and every
    request of a client sends the same ones.
    """
    return _parse_media_type(value)


@functools.lru_cache(maxsize=_CACHED_MEDIA_TYPES)
def _parse_media_type(value: str) -> MediaType:
    # Without a quoted-string every ";" separates (a backslash escapes only in quotes).
    segments = _split_unquoted(value) if '"' in value else value.split(";")
    essence = segments[0].strip().lower()
    params: dict[str, str] = {}
    for segment in segments[1:]:
        name, sep, raw = segment.partition("=")
        name = name.strip().lower()
        if not sep or not name:
            continue
        params.setdefault(name, _unquote(raw.strip()))
    return MediaType(essence=essence, params=MappingProxyType(params))


def _split_unquoted(value: str) -> list[str]:
    """Split on ``;`` outside quoted strings (RFC 822 quoted-string, ``\\`` escapes).

    Walks runs of ordinary characters (:data:`_SPLIT_TOKENS`) rather than single
    characters: a ``multipart/related`` value is a few hundred characters long.
    """
    parts: list[str] = []
    current: list[str] = []
    quoted = escaped = False
    for token in _SPLIT_TOKENS.findall(value):
        if escaped:
            escaped = False
        elif token == "\\" and quoted:
            escaped = True
        elif token == '"':
            quoted = not quoted
        elif token == ";" and not quoted:
            parts.append("".join(current))
            current = []
            continue
        current.append(token)
    parts.append("".join(current))
    return parts


def _unquote(raw: str) -> str:
    """The value of a token or quoted-string; text after a closing quote is ignored."""
    if not raw.startswith('"'):
        return raw
    if "\\" not in raw:
        end = raw.find('"', 1)
        return raw[1:] if end < 0 else raw[1:end]
    out: list[str] = []
    escaped = False
    for char in raw[1:]:
        if escaped:
            out.append(char)
            escaped = False
        elif char == "\\":
            escaped = True
        elif char == '"':
            break
        else:
            out.append(char)
    return "".join(out)


def content_id_from_header(value: str) -> str:
    """The ``Content-ID`` (RFC 2045 §7) without its angle brackets.

    >>> content_id_from_header(" <root.message@cxf.apache.org> ")
    'root.message@cxf.apache.org'
    >>> content_id_from_header("0.urn:uuid:1@apache.org")
    '0.urn:uuid:1@apache.org'
    """
    value = value.strip()
    if value.startswith("<") and value.endswith(">"):
        value = value[1:-1].strip()
    return value


def content_id_from_href(href: str) -> str | None:
    """The Content-ID a ``cid:`` URL (RFC 2392) designates, or ``None`` for another scheme.

    RFC 2392 percent-encodes the addr-spec; some senders also keep the angle brackets.

    >>> content_id_from_href("cid:http%3A%2F%2Ftempuri.org%2F1%2F6345")
    'http://tempuri.org/1/6345'
    >>> content_id_from_href("CID:<1.urn:uuid:AB@apache.org>")
    '1.urn:uuid:AB@apache.org'
    >>> content_id_from_href("http://example.org/doc") is None
    True
    """
    href = href.strip()
    if href[:4].lower() != "cid:":
        return None
    return content_id_from_header(unquote(href[4:]))


def cid_url(content_id: str) -> str:
    """The ``cid:`` URL of a Content-ID (RFC 2392), percent-encoding what must be.

    >>> cid_url("doc-1@carnet")
    'cid:doc-1@carnet'
    """
    return "cid:" + quote(content_id, safe="@.-_~!$&'()*+,;=:")
