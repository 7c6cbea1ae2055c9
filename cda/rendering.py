"""HL7 CDA R2 §1.2.3 and §4.3 — a CDA document rendered for a human reader.

CDA requires that a document be human-readable with a generic stylesheet: its header, and
every section's title and narrative block, are what the authors attest. :func:`render_html`
writes them as one accessible HTML5 page (WCAG 2.1): ``lang`` from the ``languageCode``, the
document title as ``<title>`` and ``<h1>``, landmarks (banner, navigation, main,
contentinfo), a heading per section at its nesting level, table headers with ``scope``,
images with ``alt`` text. The page is self-contained — images and attached PDFs inline as
``data:`` URIs — and carries a Content-Security-Policy that allows no script at all.

Nothing of the document's markup is copied through: :mod:`cda.narrative` translates the
narrative block element by element, :mod:`cda.media` shows encapsulated content,
:mod:`cda.header_summary` reads the header, and the Jinja2 templates of ``cda/templates``
(autoescape on) write it all out. No XSLT is involved.

:func:`render` gives what a user should be handed: a level-1 document whose body is a PDF
(CDA R2 §4.3.6 ``nonXMLBody``, as the CI-SIS "CDA R2 niveau 1" documents are) is that PDF
itself; anything else is the HTML page.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable
from dataclasses import dataclass

import jinja2
from lxml import etree

from cda.document import NAMESPACES, CdaDocument
from cda.encapsulated_data import read_encapsulated_data
from cda.header_summary import HeaderSummary, summarize_header
from cda.html_tree import HtmlElement, HtmlNode, PageIds
from cda.labels import Labels, labels_for
from cda.media import IMAGE_TYPES, PDF_TYPE, MediaView, safe_filename
from cda.narrative import NarrativeTranslator

__all__ = ["HTML_MEDIA_TYPE", "MAX_SECTION_DEPTH", "Rendered", "render", "render_html"]

HTML_MEDIA_TYPE = "text/html; charset=utf-8"
"""The media type of a rendered page."""

MAX_SECTION_DEPTH = 12
"""Sections nested deeper than this are shown one after the other at this depth."""

_HEADING_LEVELS = 6  # h1 is the document's title


@dataclass(frozen=True, kw_only=True, slots=True)
class Rendered:
    """A document as a reader should receive it."""

    media_type: str
    """``application/pdf`` for a level-1 PDF, :data:`HTML_MEDIA_TYPE` otherwise."""
    content: bytes
    """The PDF, or the UTF-8 HTML page."""
    filename: str
    """A file name to save it under: the document's id, safe for any file system."""


@dataclass(frozen=True, kw_only=True, slots=True)
class _Section:
    """One section of the body, ready for the template."""

    id: str
    heading_id: str
    title: str
    level: int
    """Its heading's level: 2 for a top-level section, at most 6."""
    lang: str | None
    narrative: HtmlElement | None
    subsections: tuple[_Section, ...]


def render(document: CdaDocument) -> Rendered:
    """What to hand a reader: the PDF of a level-1 PDF document, else the HTML page.

    Never raises for a parsed document: what cannot be shown is said on the page.
    """
    header = summarize_header(document)
    name = _document_name(header)
    if document.is_level_1:
        body = document.find("cda:component/cda:nonXMLBody/cda:text")
        if body is not None:
            content = read_encapsulated_data(body)
            if content.media_type == PDF_TYPE and content.data is not None:
                return Rendered(media_type=PDF_TYPE, content=content.data, filename=f"{name}.pdf")
    html = _page(document, header).encode("utf-8")
    return Rendered(media_type=HTML_MEDIA_TYPE, content=html, filename=f"{name}.html")


def render_html(document: CdaDocument) -> str:
    """The document as an accessible, self-contained HTML5 page.

    A level-1 document gets its header and its payload: a PDF embedded and offered for
    download, an image shown, text in a ``<pre>``.
    """
    return _page(document, summarize_header(document))


def _page(document: CdaDocument, header: HeaderSummary) -> str:
    """The page of ``document``, whose header ``header`` summarizes."""
    labels = labels_for(header.language_code)
    language = header.language_code or labels.language
    ids = PageIds()
    title = (
        header.title
        or (header.type.display_name if header.type else None)
        or labels["untitled_document"]
    )
    sections: tuple[_Section, ...] = ()
    payload: tuple[HtmlNode, ...] = ()
    body = document.find("cda:component/cda:structuredBody")
    if body is not None:
        media = _MediaIndex(document.root, labels)
        translator = NarrativeTranslator(
            document.root, ids=ids, media=media, footnotes_label=labels["footnotes"]
        )
        sections = tuple(
            _section(element, translator, ids, labels, depth=1)
            for element in body.iterfind("cda:component/cda:section", NAMESPACES)
        )
    else:
        text = document.find("cda:component/cda:nonXMLBody/cda:text")
        if text is not None:
            view = MediaView(
                content=read_encapsulated_data(text), name=_document_name(header), label=title
            )
            payload = view.page_nodes(labels)
    return (
        _environment()
        .get_template("document.html")
        .render(
            lang=language,
            label_lang=None if _primary(language) == labels.language else labels.language,
            labels=labels,
            title=title,
            header=header,
            sections=sections,
            payload=payload,
        )
    )


@functools.cache
def _environment() -> jinja2.Environment:
    """The package's templates, loaded once, on first use; autoescape on for all of them."""
    return jinja2.Environment(
        loader=jinja2.PackageLoader("cda", "templates"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        auto_reload=False,
    )


def _section(
    element: etree._Element,
    translator: NarrativeTranslator,
    ids: PageIds,
    labels: Labels,
    *,
    depth: int,
) -> _Section:
    """``element`` and its subsections; beyond :data:`MAX_SECTION_DEPTH`, flattened."""
    section_id = ids.claim(element.get("ID")) or ids.new("section")
    heading_id = ids.new("heading")
    text = element.find("cda:text", NAMESPACES)
    narrative = translator.translate(text) if text is not None else None
    subsections: tuple[_Section, ...] = ()
    if depth < MAX_SECTION_DEPTH:
        children = element.iterfind("cda:component/cda:section", NAMESPACES)
        subsections = tuple(
            _section(child, translator, ids, labels, depth=depth + 1) for child in children
        )
    elif depth == MAX_SECTION_DEPTH:
        # Every deeper section, in document order, as a child of this one (none nests more).
        descendants = element.iterfind(".//cda:component/cda:section", NAMESPACES)
        subsections = tuple(
            _section(child, translator, ids, labels, depth=depth + 1) for child in descendants
        )
    language = element.find("cda:languageCode", NAMESPACES)
    lang = language.get("code") if language is not None else None
    return _Section(
        id=section_id,
        heading_id=heading_id,
        title=_section_title(element) or labels["untitled_section"],
        level=min(depth + 1, _HEADING_LEVELS),
        lang=lang if lang and _is_language_tag(lang) else None,
        narrative=narrative,
        subsections=subsections,
    )


def _section_title(element: etree._Element) -> str | None:
    """The ``title``, else the display name of the section's ``code`` (CDA R2 §4.3.4)."""
    title = element.find("cda:title", NAMESPACES)
    if title is not None:
        text = " ".join(etree.tostring(title, method="text", encoding=str, with_tail=False).split())
        if text:
            return text
    code = element.find("cda:code", NAMESPACES)
    if code is not None:
        return (code.get("displayName") or "").strip() or None
    return None


class _MediaIndex:
    """The ``observationMedia`` entries of a document by ``ID``: what ``renderMultiMedia``
    references (CDA R2 §4.3.5.6)."""

    def __init__(self, root: etree._Element, labels: Labels) -> None:
        self._labels = labels
        self._values: dict[str, etree._Element] = {}
        for media in root.iterfind(".//cda:observationMedia", NAMESPACES):
            media_id, value = media.get("ID"), media.find("cda:value", NAMESPACES)
            if media_id and value is not None:
                self._values.setdefault(media_id, value)

    def __call__(
        self, reference: str, *, caption: tuple[HtmlNode, ...], flow: bool, in_link: bool
    ) -> tuple[HtmlNode, ...]:
        value = self._values.get(reference)
        if value is None:
            missing = f"{self._labels['media_missing']} ({reference})"
            attributes = (("class", "cda-media-unavailable"),)
            return (HtmlElement(tag="span", attributes=attributes, children=(missing,)),)
        content = read_encapsulated_data(value)
        kind = self._labels["image"] if content.media_type in IMAGE_TYPES else None
        if content.media_type == PDF_TYPE:
            kind = self._labels["pdf_document"]
        label = _text_of(caption) or f"{kind or self._labels['attachment']} ({reference})"
        view = MediaView(content=content, name=reference, label=label, caption=caption)
        return view.nodes(self._labels, flow=flow, in_link=in_link)


def _text_of(nodes: Iterable[HtmlNode]) -> str:
    """The text of rendered nodes, white space collapsed (an ``alt`` from a caption)."""
    parts: list[str] = []

    def walk(items: Iterable[HtmlNode]) -> None:
        for item in items:
            if isinstance(item, str):
                parts.append(item)
            else:
                walk(item.children)

    walk(nodes)
    return " ".join("".join(parts).split())


def _document_name(header: HeaderSummary) -> str:
    """The document's id as a file name: ``root_extension``."""
    identifier = header.document_id
    if identifier is None:
        return "document"
    parts = [part for part in (identifier.root, identifier.extension) if part]
    return safe_filename("_".join(parts))


def _primary(language: str) -> str:
    return language.split("-")[0].lower()


def _is_language_tag(text: str) -> bool:
    parts = text.split("-")
    return all(part.isascii() and part.isalnum() and 0 < len(part) <= 8 for part in parts)
