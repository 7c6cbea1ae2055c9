"""HTML Living Standard §3.2.5 and §13.1.2 — the small HTML tree a CDA rendering is built from.

Rendering never copies CDA markup to the page. :mod:`cda.narrative` and :mod:`cda.media`
translate what they read into :class:`HtmlElement` values, and the Jinja2 template
``narrative.html`` writes them out with autoescaping on. The tree is the one place where a tag
or an attribute name comes from: both are checked here against a closed vocabulary, so no
input can make the template write ``<script>`` or ``onclick``. Attribute values and text are
escaped by the template; URLs are vetted before they get here (:func:`cda.narrative.safe_href`
and the ``data:`` URIs of :mod:`cda.media`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

__all__ = ["HtmlElement", "HtmlNode", "PageIds", "is_phrasing"]

TAGS = frozenset(
    {
        "a", "br", "caption", "col", "colgroup", "del", "div", "em", "figcaption", "figure",
        "img", "ins", "li", "object", "ol", "p", "pre", "span", "strong", "sub", "sup", "table",
        "tbody", "td", "tfoot", "th", "thead", "tr", "u", "ul",
    }
)  # fmt: skip
"""Every element the rendering of a narrative block or a payload may produce."""

ATTRIBUTES = frozenset(
    {
        "abbr", "alt", "aria-label", "aria-labelledby", "aria-describedby", "class", "colspan",
        "data", "download", "headers", "href", "id", "lang", "rel", "reversed", "rowspan",
        "scope", "span", "src", "title", "type", "value",
    }
)  # fmt: skip
"""Every attribute it may write; no event handler, no ``style``."""

VOID_TAGS = frozenset({"br", "col", "img"})
"""Elements written without content nor end tag (HTML §13.1.2, void elements)."""

# HTML §3.2.5.2.5 phrasing content, of the tags above; ``a``, ``ins`` and ``del`` are
# transparent: phrasing when their children are.
_PHRASING_TAGS = frozenset({"br", "em", "img", "object", "span", "strong", "sub", "sup", "u"})
_TRANSPARENT_TAGS = frozenset({"a", "ins", "del"})


@dataclass(frozen=True, kw_only=True, slots=True)
class HtmlElement:
    """One HTML element: a tag of :data:`TAGS`, attributes of :data:`ATTRIBUTES`, children."""

    tag: str
    """The element's name, lower case."""
    attributes: tuple[tuple[str, str], ...] = ()
    """``(name, value)`` pairs in the order written; values are raw text, escaped on output."""
    children: tuple[HtmlNode, ...] = ()
    """Elements and text (``str``, escaped on output)."""

    def __post_init__(self) -> None:
        if self.tag not in TAGS:
            raise ValueError(f"<{self.tag}> is not in the rendering's vocabulary")
        for name, _value in self.attributes:
            if name not in ATTRIBUTES:
                raise ValueError(f"attribute {name!r} is not in the rendering's vocabulary")
        if self.children and self.tag in VOID_TAGS:
            raise ValueError(f"<{self.tag}> is a void element")

    @property
    def void(self) -> bool:
        """Whether the element is written without end tag (``br``, ``col``, ``img``)."""
        return self.tag in VOID_TAGS


HtmlNode = HtmlElement | str
"""An element or a run of text."""


def is_phrasing(node: HtmlNode) -> bool:
    """Whether ``node`` is phrasing content (HTML §3.2.5.2.5), allowed inside ``<p>`` or ``<span>``.

    >>> is_phrasing("text"), is_phrasing(HtmlElement(tag="p"))
    (True, False)
    >>> is_phrasing(HtmlElement(tag="a", children=(HtmlElement(tag="em"),)))
    True
    """
    if isinstance(node, str):
        return True
    if node.tag in _PHRASING_TAGS:
        return True
    return node.tag in _TRANSPARENT_TAGS and all(is_phrasing(child) for child in node.children)


# xs:ID is an NCName (XML Namespaces §3); HTML ids only need to be non-empty without spaces.
_ID = re.compile(r"[^\W\d][\w.\-]*")


class PageIds:
    """The ``id`` attributes of one rendered page, so that none is written twice.

    A CDA ``ID`` (an ``xs:ID`` of the narrative block, CDA R2 §4.3.5) becomes the HTML ``id``
    as it is, so a ``linkHtml href="#x"`` or a ``footnoteRef`` still reaches its target. Ids
    the rendering makes up start with ``carnet-``; a document's ``ID`` with that prefix, or
    one already used, is not written.
    """

    PREFIX = "carnet-"

    def __init__(self) -> None:
        self._used: set[str] = set()
        self._count = 0

    def claim(self, cda_id: str | None) -> str | None:
        """``cda_id`` as an HTML id, or ``None`` when it is absent, malformed or taken.

        >>> ids = PageIds()
        >>> ids.claim("vac-01"), ids.claim("vac-01"), ids.claim("carnet-x"), ids.claim("a b")
        ('vac-01', None, None, None)
        """
        if not cda_id or cda_id.startswith(self.PREFIX) or not _ID.fullmatch(cda_id):
            return None
        if cda_id in self._used:
            return None
        self._used.add(cda_id)
        return cda_id

    def new(self, kind: str) -> str:
        """A fresh id of ours: ``carnet-<kind>-<n>``."""
        self._count += 1
        made = f"{self.PREFIX}{kind}-{self._count}"
        self._used.add(made)
        return made

    def is_valid(self, cda_id: str) -> bool:
        """Whether ``cda_id`` could be an id (an NCName), used or not."""
        return bool(_ID.fullmatch(cda_id))
