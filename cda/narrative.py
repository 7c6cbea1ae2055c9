"""HL7 CDA R2 §4.3.5 — the section narrative block (``StrucDoc.Text``) as HTML.

The narrative block is the part of a section a human reads, and what a legal authenticator
attests (CDA R2 §1.2.3): every section's ``text`` must reach the reader whole. Its vocabulary
is XHTML-like but not XHTML, so it is translated element by element, never copied:

==================  ==========================================================================
CDA (§4.3.5.x)      HTML
==================  ==========================================================================
content             ``span`` (``ins``/``del`` when ``revised``); ``styleCode`` Bold, Italics,
                    Underline, Emphasis → ``strong``, ``em``, ``u`` around the content
linkHtml            ``a`` when the ``href`` is http, https, mailto or a ``#fragment``
                    (:func:`safe_href`); anything else (``javascript:``, relative paths) keeps
                    the text and loses the link
sub, sup, br        ``sub``, ``sup``, ``br``
footnote            a numbered ``sup`` link, the note itself in a list after the block
footnoteRef         a link to the footnote's number
renderMultiMedia    what the referenced ``observationMedia`` is (:mod:`cda.media`)
paragraph           ``p``, its ``caption`` first
list, item          ``ol`` (``listType="ordered"``) or ``ul``, ``li``; list styles as ``type``
                    or class
table …             ``table``, ``caption``, ``colgroup``/``col``, ``thead``, ``tbody``,
                    ``tfoot``, ``tr``, ``th`` (with ``scope``: given, or ``col`` in a header
                    row and ``row`` otherwise), ``td``; ``colspan``, ``rowspan``, ``headers``,
                    ``abbr``; ``align``/``valign`` and the rule ``styleCode``\\s as classes
==================  ==========================================================================

``ID`` attributes become ids (:class:`cda.html_tree.PageIds`), ``language`` becomes
``lang``; every other attribute is dropped. Elements of other namespaces are dropped, unknown
CDA elements are read through (their content kept), comments and processing instructions
vanish. The output stays valid HTML whatever the input nests: a block element where only
phrasing content may go is rendered as a ``span``, stray content in a table or list goes right
after it, and nesting deeper than :data:`MAX_DEPTH` is kept as plain text.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import NamedTuple, Protocol

from lxml import etree

from cda.document import CDA_NAMESPACE
from cda.html_tree import HtmlElement, HtmlNode, PageIds, is_phrasing

__all__ = ["MAX_DEPTH", "MediaRenderer", "NarrativeTranslator", "safe_href"]

MAX_DEPTH = 32
"""Narrative elements nested deeper than this are rendered as their text alone."""

_SAFE_SCHEMES = frozenset({"http", "https", "mailto"})
_LANGUAGE = re.compile(r"[A-Za-z]{1,8}(?:-[A-Za-z0-9]{1,8})*")
_SCHEME = re.compile(r"([A-Za-z][A-Za-z0-9+.\-]*):")
_URL_STRIPPED = "".join(chr(code) for code in range(0x21))  # C0 controls and space
_ROW_GROUPS = {"thead": "thead", "tbody": "tbody", "tfoot": "tfoot"}
_TABLE_PARTS = frozenset({"caption", "col", "colgroup", "thead", "tbody", "tfoot", "tr"})
_SCOPES = frozenset({"row", "col", "rowgroup", "colgroup"})
_ALIGN = frozenset({"left", "center", "right", "justify", "char"})
_VALIGN = frozenset({"top", "middle", "bottom", "baseline"})
_RULES = {"lrule": "cda-lrule", "rrule": "cda-rrule", "toprule": "cda-toprule"}
_RULES["botrule"] = "cda-botrule"
# CDA R2 §4.3.5.1 list styles: ordered → the ``type`` of <ol>, unordered → a class of <ul>.
_ORDERED_STYLES = {"arabic": "1", "littleroman": "i", "bigroman": "I", "littlealpha": "a"}
_ORDERED_STYLES["bigalpha"] = "A"
_UNORDERED_STYLES = {"disc": "cda-disc", "circle": "cda-circle", "square": "cda-square"}


def safe_href(href: str | None) -> str | None:
    """The ``href`` a reader may follow, or ``None``: http, https, mailto or a fragment.

    The check sees the URL as a browser would (URL Standard §4.4: surrounding C0 controls
    and spaces stripped, tabs and newlines removed anywhere), so ``java\\tscript:`` is caught.

    >>> safe_href("https://example.org/a b"), safe_href(" #vac-01"), safe_href("mailto:x@y.fr")
    ('https://example.org/a b', '#vac-01', 'mailto:x@y.fr')
    >>> safe_href("javascript:alert(1)"), safe_href("JaVa\\tScRiPt:x"), safe_href("doc.pdf")
    (None, None, None)
    """
    if href is None:
        return None
    cleaned = href.strip(_URL_STRIPPED).replace("\t", "").replace("\n", "").replace("\r", "")
    if cleaned.startswith("#"):
        return cleaned if len(cleaned) > 1 else None
    scheme = _SCHEME.match(cleaned)
    if scheme is None or scheme.group(1).lower() not in _SAFE_SCHEMES:
        return None
    return cleaned


class MediaRenderer(Protocol):
    """Renders the ``observationMedia`` a ``renderMultiMedia`` references (:mod:`cda.media`)."""

    def __call__(
        self, reference: str, *, caption: tuple[HtmlNode, ...], flow: bool, in_link: bool
    ) -> tuple[HtmlNode, ...]:
        """The nodes showing ``reference``: flow content allowed when ``flow``, no link
        when ``in_link`` (already inside an ``a``)."""
        ...


class _Context(NamedTuple):
    """Where a CDA element is being translated (a named tuple: one is made for most elements,
    and ``_replace`` is cheap)."""

    flow: bool
    """Flow content is allowed here (``div``, ``td``, ``li``); else phrasing only (``p``)."""
    in_link: bool = False
    """Inside an ``a``: no further links (HTML forbids nesting interactive content)."""
    depth: int = 0
    """Narrative elements above this one."""
    header_row: bool = False
    """In a ``thead``, or a row of header cells only: ``th`` scope ``col``."""


@dataclass(frozen=True, kw_only=True, slots=True)
class _Footnote:
    number: int
    html_id: str


class NarrativeTranslator:
    """Translates the narrative blocks of one document, for one page.

    One translator serves a whole page: footnotes are numbered across the document, and a
    ``footnoteRef`` may point to a footnote of another section.
    """

    def __init__(
        self, root: etree._Element, *, ids: PageIds, media: MediaRenderer, footnotes_label: str
    ) -> None:
        self._ids = ids
        self._media = media
        self._footnotes_label = footnotes_label
        self._footnotes: dict[etree._Element, _Footnote] = {}
        self._footnotes_by_id: dict[str, _Footnote] = {}
        for number, element in enumerate(root.iter(_cda("footnote")), start=1):
            footnote = _Footnote(
                number=number, html_id=ids.claim(element.get("ID")) or ids.new("footnote")
            )
            self._footnotes[element] = footnote  # the dict keeps the proxies alive: stable keys
            if element.get("ID"):
                self._footnotes_by_id.setdefault(element.get("ID", ""), footnote)
        self._pending: list[HtmlElement] = []
        self._handlers: dict[str, Callable[[etree._Element, _Context], list[HtmlNode]]] = {
            "content": self._content,
            "linkHtml": self._link,
            "sub": self._sub_or_sup,
            "sup": self._sub_or_sup,
            "br": self._br,
            "footnote": self._footnote,
            "footnoteRef": self._footnote_ref,
            "renderMultiMedia": self._render_multimedia,
            "paragraph": self._paragraph,
            "caption": self._caption,
            "list": self._list,
            "item": self._item,
            "table": self._table,
        }

    def translate(self, text: etree._Element) -> HtmlElement:
        """The HTML of a section's ``text`` element: a ``div``, its footnotes last."""
        self._pending = []
        nodes = self._children(text, _Context(flow=True, depth=1))
        if self._pending:
            nodes.append(
                HtmlElement(
                    tag="ol",
                    attributes=(("class", "cda-footnotes"), ("aria-label", self._footnotes_label)),
                    children=tuple(self._pending),
                )
            )
            self._pending = []
        attributes = (*self._common(text), ("class", "cda-narrative"))
        return HtmlElement(tag="div", attributes=attributes, children=tuple(nodes))

    # ------------------------------------------------------------------------- traversal

    def _children(
        self,
        element: etree._Element,
        context: _Context,
        skipped: etree._Element | None = None,
    ) -> list[HtmlNode]:
        """The translated content of ``element``, but ``skipped`` (a caption placed first)."""
        nodes: list[HtmlNode] = []
        if element.text:
            nodes.append(element.text)
        for child in element:
            # Comments and processing instructions are dropped, their tails kept.
            if isinstance(child.tag, str) and child is not skipped:
                nodes.extend(self._node(child, context))
            if child.tail:
                nodes.append(child.tail)
        return nodes

    def _node(self, element: etree._Element, context: _Context) -> list[HtmlNode]:
        name = _local(element)
        if name is None:
            return []  # foreign markup (XHTML, SVG…): not part of the narrative block
        if context.depth >= MAX_DEPTH:
            text = etree.tostring(element, method="text", encoding=str, with_tail=False)
            return [text] if text else []
        inner = context._replace(depth=context.depth + 1)
        handler = self._handlers.get(name)
        if handler is None:
            if name in _TABLE_PARTS or name in ("th", "td"):
                return self._flattened(element, inner)  # a table part outside its table
            return self._children(element, inner)  # unknown: read through
        return handler(element, inner)

    def _flattened(self, element: etree._Element, context: _Context) -> list[HtmlNode]:
        """A block element where only phrasing content may go: a ``span`` of phrasing."""
        name = _local(element) or "element"
        children = self._children(element, context._replace(flow=False))
        return [
            HtmlElement(
                tag="span",
                attributes=(*self._common(element), ("class", f"cda-{name.lower()}")),
                children=tuple(children),
            )
        ]

    # ------------------------------------------------------------------------- inline

    def _content(self, element: etree._Element, context: _Context) -> list[HtmlNode]:
        children = self._children(element, context._replace(flow=False))
        wrapped, classes = _emphasised(children, element.get("styleCode"))
        revised = (element.get("revised") or "").strip().lower()
        tag = {"insert": "ins", "delete": "del"}.get(revised, "span")
        attributes = self._common(element) + _classes(classes)
        if tag == "span" and not attributes:
            return wrapped
        return [HtmlElement(tag=tag, attributes=attributes, children=tuple(wrapped))]

    def _link(self, element: etree._Element, context: _Context) -> list[HtmlNode]:
        href = None if context.in_link else safe_href(element.get("href"))
        children = self._children(element, context._replace(flow=False, in_link=True))
        wrapped, classes = _emphasised(children, element.get("styleCode"))
        attributes = self._common(element) + _classes(classes)
        title = (element.get("title") or "").strip()
        if title:
            attributes += (("title", title),)
        if href is None:
            return [HtmlElement(tag="span", attributes=attributes, children=tuple(wrapped))]
        link: tuple[tuple[str, str], ...] = (("href", href),)
        if not href.startswith(("#", "mailto:")):
            link += (("rel", "noopener noreferrer"),)
        return [HtmlElement(tag="a", attributes=link + attributes, children=tuple(wrapped))]

    def _sub_or_sup(self, element: etree._Element, context: _Context) -> list[HtmlNode]:
        children = self._children(element, context._replace(flow=False))
        return [
            HtmlElement(
                tag=_local(element) or "span",
                attributes=self._common(element),
                children=tuple(children),
            )
        ]

    def _br(self, element: etree._Element, context: _Context) -> list[HtmlNode]:
        return [HtmlElement(tag="br")]

    def _footnote(self, element: etree._Element, context: _Context) -> list[HtmlNode]:
        footnote = self._footnotes[element]
        body = self._children(element, context._replace(flow=True, in_link=False))
        wrapped, classes = _emphasised(body, element.get("styleCode"))
        self._pending.append(
            HtmlElement(
                tag="li",
                attributes=(
                    ("id", footnote.html_id),
                    ("value", str(footnote.number)),
                    *_language(element),
                    *_classes(classes),
                ),
                children=tuple(wrapped),
            )
        )
        return [self._footnote_mark(footnote, context)]

    def _footnote_ref(self, element: etree._Element, context: _Context) -> list[HtmlNode]:
        footnote = self._footnotes_by_id.get(element.get("IDREF") or "")
        if footnote is None:
            return []
        return [self._footnote_mark(footnote, context)]

    def _footnote_mark(self, footnote: _Footnote, context: _Context) -> HtmlElement:
        number = str(footnote.number)
        if context.in_link:
            return HtmlElement(tag="sup", children=(number,))
        link = HtmlElement(
            tag="a", attributes=(("href", f"#{footnote.html_id}"),), children=(number,)
        )
        return HtmlElement(tag="sup", attributes=(("class", "cda-footnote-ref"),), children=(link,))

    def _render_multimedia(self, element: etree._Element, context: _Context) -> list[HtmlNode]:
        caption_element = element.find(_cda("caption"))
        caption: tuple[HtmlNode, ...] = ()
        if caption_element is not None:
            caption = tuple(self._children(caption_element, context._replace(flow=False)))
        nodes: list[HtmlNode] = []
        for reference in (element.get("referencedObject") or "").split():
            nodes.extend(
                self._media(reference, caption=caption, flow=context.flow, in_link=context.in_link)
            )
        attributes = self._common(element)
        if not attributes:
            return nodes
        return [
            HtmlElement(
                tag="div" if context.flow else "span", attributes=attributes, children=tuple(nodes)
            )
        ]

    def _caption(self, element: etree._Element, context: _Context) -> list[HtmlNode]:
        """A ``caption`` its parent did not place (paragraph, list and table place theirs)."""
        children = self._children(element, context._replace(flow=False))
        wrapped, classes = _emphasised(children, element.get("styleCode"))
        return [
            HtmlElement(
                tag="span",
                attributes=(*self._common(element), *_classes(["cda-caption", *classes])),
                children=tuple(wrapped),
            )
        ]

    # ------------------------------------------------------------------------- blocks

    def _paragraph(self, element: etree._Element, context: _Context) -> list[HtmlNode]:
        phrasing = context._replace(flow=False)
        children: list[HtmlNode] = []
        caption = element.find(_cda("caption"))
        if caption is not None:
            children.extend(self._caption(caption, phrasing))
            children.append(" ")
        children.extend(self._children(element, phrasing, caption))
        wrapped, classes = _emphasised(children, element.get("styleCode"))
        if not context.flow:
            classes = ["cda-paragraph", *classes]
        return [
            HtmlElement(
                tag="p" if context.flow else "span",
                attributes=self._common(element) + _classes(classes),
                children=tuple(wrapped),
            )
        ]

    def _list(self, element: etree._Element, context: _Context) -> list[HtmlNode]:
        if not context.flow:
            return self._flattened(element, context)
        nodes: list[HtmlNode] = []
        items: list[HtmlNode] = []
        strays: list[HtmlNode] = []
        attributes = self._common(element)
        caption = element.find(_cda("caption"))
        if caption is not None:
            caption_id = self._ids.new("caption")
            nodes.append(
                HtmlElement(
                    tag="p",
                    attributes=(("id", caption_id), ("class", "cda-caption")),
                    children=tuple(self._children(caption, context._replace(flow=False))),
                )
            )
            attributes += (("aria-labelledby", caption_id),)
        for child, tail in _element_children(element):
            if child is not None and child is not caption:
                if _local(child) == "item":
                    items.append(self._list_item(child, context))
                elif isinstance(child.tag, str):
                    strays.extend(self._node(child, context))
            if tail.strip():
                strays.append(tail)
        ordered = (element.get("listType") or "").strip().lower() == "ordered"
        styles = _tokens(element.get("styleCode"))
        if ordered:
            kind = next((_ORDERED_STYLES[s] for s in styles if s in _ORDERED_STYLES), None)
            if kind is not None:
                attributes += (("type", kind),)
        else:
            attributes += _classes([_UNORDERED_STYLES[s] for s in styles if s in _UNORDERED_STYLES])
        nodes.append(
            HtmlElement(tag="ol" if ordered else "ul", attributes=attributes, children=tuple(items))
        )
        if (element.text or "").strip():
            strays.insert(0, element.text or "")
        if strays:
            nodes.append(
                HtmlElement(tag="div", attributes=(("class", "cda-stray"),), children=tuple(strays))
            )
        return nodes

    def _list_item(self, element: etree._Element, context: _Context) -> HtmlElement:
        children: list[HtmlNode] = []
        caption = element.find(_cda("caption"))
        if caption is not None:
            children.extend(self._caption(caption, context._replace(flow=False)))
            children.append(" ")
        inner = context._replace(flow=True, depth=context.depth + 1)
        children.extend(self._children(element, inner, caption))
        wrapped, classes = _emphasised(children, element.get("styleCode"))
        return HtmlElement(
            tag="li", attributes=self._common(element) + _classes(classes), children=tuple(wrapped)
        )

    def _item(self, element: etree._Element, context: _Context) -> list[HtmlNode]:
        """An ``item`` outside a ``list``."""
        if not context.flow:
            return self._flattened(element, context)
        item = self._list_item(element, context)
        classes = ["cda-item"]
        attributes = []
        for name, value in item.attributes:
            if name == "class":
                classes.append(value)
            else:
                attributes.append((name, value))
        return [
            HtmlElement(
                tag="div",
                attributes=(*attributes, *_classes(classes)),
                children=item.children,
            )
        ]

    # ------------------------------------------------------------------------- tables

    def _table(self, element: etree._Element, context: _Context) -> list[HtmlNode]:
        if not context.flow:
            return self._flattened(element, context)
        before: list[HtmlNode] = []
        caption: HtmlElement | None = None
        columns: list[HtmlNode] = []
        heads: list[HtmlNode] = []
        bodies: list[HtmlNode] = []
        feet: list[HtmlNode] = []
        loose_rows: list[HtmlNode] = []
        strays: list[HtmlNode] = []
        attributes = self._common(element)
        if (element.get("border") or "").strip() == "0":
            attributes += (("class", "cda-borderless"),)
        summary = (element.get("summary") or "").strip()
        if summary:
            summary_id = self._ids.new("summary")
            before.append(
                HtmlElement(
                    tag="p",
                    attributes=(("id", summary_id), ("class", "cda-table-summary")),
                    children=(summary,),
                )
            )
            attributes += (("aria-describedby", summary_id),)

        def flush_rows() -> None:
            if loose_rows:
                bodies.append(HtmlElement(tag="tbody", children=tuple(loose_rows)))
                loose_rows.clear()

        for child, tail in _element_children(element):
            name = _local(child) if child is not None else None
            if child is None:
                pass
            elif name == "caption" and caption is None:
                children = self._children(child, context._replace(flow=False))
                wrapped, classes = _emphasised(children, child.get("styleCode"))
                caption = HtmlElement(
                    tag="caption",
                    attributes=self._common(child) + _classes(classes),
                    children=tuple(wrapped),
                )
            elif name in ("col", "colgroup"):
                columns.append(self._columns(child))
            elif name in _ROW_GROUPS:
                flush_rows()
                group = self._row_group(child, context, header=name == "thead")
                {"thead": heads, "tbody": bodies, "tfoot": feet}[name].append(group)
            elif name == "tr":
                loose_rows.append(self._row(child, context))
            elif child is not None and isinstance(child.tag, str):
                strays.extend(self._node(child, context))
            if tail.strip():
                strays.append(tail)
        flush_rows()
        if (element.text or "").strip():
            strays.insert(0, element.text or "")
        # HTML §4.9.1: caption, colgroups, thead, tbodies, tfoot — in that order.
        parts = ([caption] if caption else []) + _grouped_columns(columns) + heads[:1] + bodies
        parts += feet[:1]
        table = HtmlElement(tag="table", attributes=attributes, children=tuple(parts))
        nodes = [*before, table]
        for extra in heads[1:] + feet[1:]:  # a second thead or tfoot: its rows after the table
            strays.append(HtmlElement(tag="table", children=(extra,)))
        if strays:
            nodes.append(
                HtmlElement(tag="div", attributes=(("class", "cda-stray"),), children=tuple(strays))
            )
        return nodes

    def _columns(self, element: etree._Element) -> HtmlElement:
        span = _positive(element.get("span"), 1000)
        attributes: tuple[tuple[str, str], ...] = (("span", span),) if span else ()
        if _local(element) == "col":
            return HtmlElement(tag="col", attributes=attributes)
        cols = [self._columns(col) for col in element if _local(col) == "col"]
        return HtmlElement(
            tag="colgroup", attributes=() if cols else attributes, children=tuple(cols)
        )

    def _row_group(
        self, element: etree._Element, context: _Context, *, header: bool
    ) -> HtmlElement:
        rows: list[HtmlNode] = []
        loose_cells: list[HtmlNode] = []
        group_context = context._replace(header_row=header)
        for child, _tail in _element_children(element):
            name = _local(child) if child is not None else None
            if child is None or name is None:
                continue
            if name == "tr":
                if loose_cells:
                    rows.append(HtmlElement(tag="tr", children=tuple(loose_cells)))
                    loose_cells = []
                rows.append(self._row(child, group_context))
            elif name in ("th", "td"):  # a cell straight in the group: a row of its own
                loose_cells.append(self._cell(child, group_context, header_row=header))
        if loose_cells:
            rows.append(HtmlElement(tag="tr", children=tuple(loose_cells)))
        return HtmlElement(
            tag=_local(element) or "tbody",
            attributes=self._common(element) + _classes(_cell_classes(element)),
            children=tuple(rows),
        )

    def _row(self, element: etree._Element, context: _Context) -> HtmlElement:
        cells = [child for child in element if _local(child) in ("th", "td")]
        header_row = context.header_row or (
            bool(cells) and all(_local(cell) == "th" for cell in cells)
        )
        return HtmlElement(
            tag="tr",
            attributes=self._common(element) + _classes(_cell_classes(element)),
            children=tuple(self._cell(cell, context, header_row=header_row) for cell in cells),
        )

    def _cell(self, element: etree._Element, context: _Context, *, header_row: bool) -> HtmlElement:
        name = "th" if _local(element) == "th" else "td"
        # A cell sits three elements below its table (row group, row): count them all.
        inner = context._replace(flow=True, header_row=False, depth=context.depth + 3)
        children = self._children(element, inner)
        if not element.keys():  # most cells: no attribute to read
            scope = (("scope", "col" if header_row else "row"),) if name == "th" else ()
            return HtmlElement(tag=name, attributes=scope, children=tuple(children))
        wrapped, classes = _emphasised(children, element.get("styleCode"))
        attributes = self._common(element)
        if name == "th":
            scope_value = (element.get("scope") or "").strip().lower()
            if scope_value not in _SCOPES:
                scope_value = "col" if header_row else "row"
            attributes += (("scope", scope_value),)
        for span_name, limit in (("colspan", 1000), ("rowspan", 65534)):
            value = _positive(element.get(span_name), limit)
            if value:
                attributes += ((span_name, value),)
        headers = [
            token for token in (element.get("headers") or "").split() if self._ids.is_valid(token)
        ]
        if headers:
            attributes += (("headers", " ".join(headers)),)
        abbr = (element.get("abbr") or "").strip()
        if abbr:
            attributes += (("abbr", abbr),)
        attributes += _classes([*_cell_classes(element), *classes])
        return HtmlElement(tag=name, attributes=attributes, children=tuple(wrapped))

    # ------------------------------------------------------------------------- attributes

    def _common(self, element: etree._Element) -> tuple[tuple[str, str], ...]:
        """``id`` from ``ID`` and ``lang`` from ``language``: the attributes every element keeps."""
        html_id = self._ids.claim(element.get("ID"))
        return ((("id", html_id),) if html_id else ()) + _language(element)


def _cda(name: str) -> str:
    return f"{{{CDA_NAMESPACE}}}{name}"


_CDA_PREFIX = f"{{{CDA_NAMESPACE}}}"


def _local(element: etree._Element) -> str | None:
    """The local name of a CDA element; ``None`` for another namespace, a comment, a PI."""
    tag = element.tag
    if isinstance(tag, str) and tag.startswith(_CDA_PREFIX):
        return tag[len(_CDA_PREFIX) :]
    return None


def _element_children(
    element: etree._Element,
) -> list[tuple[etree._Element | None, str]]:
    """Each child with its tail (comments and PIs as ``None``, their tails kept)."""
    return [(child if isinstance(child.tag, str) else None, child.tail or "") for child in element]


def _language(element: etree._Element) -> tuple[tuple[str, str], ...]:
    language = (element.get("language") or "").strip()
    return (("lang", language),) if _LANGUAGE.fullmatch(language) else ()


def _tokens(style_code: str | None) -> list[str]:
    return [token.lower() for token in (style_code or "").split()]


def _emphasised(
    children: list[HtmlNode], style_code: str | None
) -> tuple[list[HtmlNode], list[str]]:
    """``children`` inside ``strong``/``em``/``u`` for the emphasis ``styleCode``\\s
    (CDA R2 §4.3.5.11), or, when they are not all phrasing content, the classes saying so."""
    tokens = _tokens(style_code)
    wanted = []
    # Bold, Italics, Underline, Emphasis — and compounds met in the wild ("BoldItalics").
    if any("bold" in token for token in tokens):
        wanted.append(("strong", "cda-bold"))
    if any("italic" in token or token == "emphasis" for token in tokens):
        wanted.append(("em", "cda-italics"))
    if any("underline" in token for token in tokens):
        wanted.append(("u", "cda-underline"))
    rules = [_RULES[token] for token in tokens if token in _RULES]
    if not wanted or not children:
        return children, rules
    if not all(is_phrasing(child) for child in children):
        return children, [css for _tag, css in wanted] + rules
    wrapped: tuple[HtmlNode, ...] = tuple(children)
    for tag, _css in reversed(wanted):
        wrapped = (HtmlElement(tag=tag, children=wrapped),)
    return list(wrapped), rules


def _cell_classes(element: etree._Element) -> list[str]:
    """``align``, ``valign`` (CDA R2 §4.3.5.7, HTML 4 table attributes) as classes."""
    classes = []
    align = (element.get("align") or "").strip().lower()
    if align in _ALIGN:
        classes.append(f"cda-align-{align}")
    valign = (element.get("valign") or "").strip().lower()
    if valign in _VALIGN:
        classes.append(f"cda-valign-{valign}")
    return classes


def _classes(classes: list[str]) -> tuple[tuple[str, str], ...]:
    return (("class", " ".join(classes)),) if classes else ()


def _positive(value: str | None, limit: int) -> str | None:
    """``value`` when it is a whole number from 1 to ``limit`` (HTML §4.9.11 spans)."""
    text = (value or "").strip()
    if not text.isascii() or not text.isdigit() or not 1 <= int(text) <= limit:
        return None
    return str(int(text))


def _grouped_columns(columns: list[HtmlNode]) -> list[HtmlNode]:
    """``col`` elements straight in the table, wrapped in ``colgroup``\\s as HTML requires."""
    grouped: list[HtmlNode] = []
    loose: list[HtmlNode] = []
    for column in columns:
        if isinstance(column, HtmlElement) and column.tag == "col":
            loose.append(column)
            continue
        if loose:
            grouped.append(HtmlElement(tag="colgroup", children=tuple(loose)))
            loose = []
        grouped.append(column)
    if loose:
        grouped.append(HtmlElement(tag="colgroup", children=tuple(loose)))
    return grouped
