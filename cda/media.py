"""HL7 CDA R2 §4.3.5.6 renderMultiMedia and §4.3.6 nonXMLBody — showing encapsulated content.

A narrative block shows an image or an attached PDF by referencing an ``observationMedia``
entry (``renderMultiMedia referencedObject="…"``); a level-1 document *is* such content.
Either way the page must stand alone (it is often saved or mailed), so content goes inline
as an RFC 2397 ``data:`` URI:

- PNG, JPEG and GIF — the image types every browser shows — as an ``<img>`` whose ``alt`` is
  the caption, or a label naming the image (WCAG 2.1 SC 1.1.1);
- a PDF as a download link, and at level 1 also embedded with ``<object>``;
- ``text/plain`` as a ``<pre>``;
- anything else (TIFF, RTF, HTML…) as a download typed ``application/octet-stream``: the page
  never gives a browser content of a type it would run or render itself;
- content given only by ``reference`` as a link, when the URL is http or https.

The ``data:`` URI carries base64 we encode ourselves from the decoded bytes, under a media
type from the fixed list above, so nothing of the document's own text reaches the attribute.
"""

from __future__ import annotations

import base64
import re
from dataclasses import dataclass

from cda.encapsulated_data import EncapsulatedData
from cda.html_tree import HtmlElement, HtmlNode
from cda.labels import Labels
from cda.narrative import safe_href

__all__ = ["IMAGE_TYPES", "PDF_TYPE", "MediaView", "data_uri", "safe_filename"]

IMAGE_TYPES = {"image/png": ".png", "image/jpeg": ".jpg", "image/jpg": ".jpg", "image/gif": ".gif"}
"""Images shown inline, with the extension of their download name."""
PDF_TYPE = "application/pdf"
_TEXT_TYPE = "text/plain"
_OCTET_STREAM = "application/octet-stream"
_EXTENSIONS = {PDF_TYPE: ".pdf", _TEXT_TYPE: ".txt", "image/tiff": ".tif", "text/rtf": ".rtf"}
_UNSAFE_FILENAME = re.compile(r"[^A-Za-z0-9._-]+")


def data_uri(media_type: str, data: bytes) -> str:
    """An RFC 2397 ``data:`` URI of ``data``, base64.

    >>> data_uri("image/png", b"\\x89PNG")
    'data:image/png;base64,iVBORw=='
    """
    return f"data:{media_type};base64,{base64.b64encode(data).decode('ascii')}"


def safe_filename(name: str, *, default: str = "document") -> str:
    """``name`` reduced to letters, digits, ``.``, ``_`` and ``-``: a download name.

    >>> safe_filename("1.2.250.1/213 é"), safe_filename("../.."), safe_filename("")
    ('1.2.250.1_213_', 'document', 'document')
    """
    cleaned = _UNSAFE_FILENAME.sub("_", name).strip(".")
    return cleaned[:100] if cleaned.strip("_") else default


@dataclass(frozen=True, kw_only=True, slots=True)
class MediaView:
    """Encapsulated content to show, with what the page says about it."""

    content: EncapsulatedData
    name: str
    """The download name, without extension (a media ``ID``, the document's id)."""
    label: str
    """What the content is, for a reader: its caption text, or a label of ours."""
    caption: tuple[HtmlNode, ...] = ()
    """The caption as rendered narrative, shown next to the content."""

    @property
    def media_type(self) -> str:
        """The media type the page gives the content: the document's when it is one we show."""
        declared = self.content.media_type
        if declared in IMAGE_TYPES:
            return "image/jpeg" if declared == "image/jpg" else declared
        if declared in (PDF_TYPE, _TEXT_TYPE):
            return declared
        return _OCTET_STREAM

    @property
    def filename(self) -> str:
        """The download name with the extension of the declared media type."""
        declared = self.content.media_type
        extension = IMAGE_TYPES.get(declared) or _EXTENSIONS.get(declared, ".bin")
        return safe_filename(self.name) + extension

    def text(self) -> str:
        """Text content decoded with its charset (UTF-8 when unknown, errors replaced)."""
        data = self.content.data or b""
        try:
            return data.decode(self.content.charset or "utf-8", errors="replace")
        except LookupError:
            return data.decode("utf-8", errors="replace")

    def nodes(self, labels: Labels, *, flow: bool, in_link: bool) -> tuple[HtmlNode, ...]:
        """The content within a narrative block: flow content when ``flow``, no link when
        ``in_link``."""
        media_type = self.media_type
        if self.content.data is None:
            return self._unavailable_or_reference(labels, in_link=in_link)
        if media_type in IMAGE_TYPES:
            image = HtmlElement(
                tag="img",
                attributes=(("src", data_uri(media_type, self.content.data)), ("alt", self.label)),
            )
            return (self._figure(image) if flow else self._inline(image),)
        if media_type == _TEXT_TYPE:
            if flow:
                return (HtmlElement(tag="pre", children=(self.text(),)),)
            return (
                HtmlElement(
                    tag="span", attributes=(("class", "cda-media"),), children=(self.text(),)
                ),
            )
        return (self._download(labels, in_link=in_link),)

    def page_nodes(self, labels: Labels) -> tuple[HtmlNode, ...]:
        """The content as the body of a level-1 document: a PDF embedded and offered for
        download, an image, text in a ``<pre>``."""
        if self.content.data is not None and self.media_type == PDF_TYPE:
            uri = data_uri(PDF_TYPE, self.content.data)
            # Two copies of the PDF, not three: what a browser that cannot embed it shows
            # instead is a sentence, the link below it is for everyone.
            embedded = HtmlElement(
                tag="object",
                attributes=(
                    ("data", uri),
                    ("type", PDF_TYPE),
                    ("title", self.label),
                    ("class", "cda-pdf"),
                ),
                children=(HtmlElement(tag="p", children=(self.label,)),),
            )
            link = HtmlElement(
                tag="a",
                attributes=(
                    ("href", uri),
                    ("download", self.filename),
                    ("type", PDF_TYPE),
                    ("class", "cda-media"),
                ),
                children=(labels["open_pdf"],),
            )
            return (embedded, HtmlElement(tag="p", children=(link,)))
        return self.nodes(labels, flow=True, in_link=False)

    def _figure(self, image: HtmlElement) -> HtmlElement:
        children: tuple[HtmlNode, ...] = (image,)
        if self.caption:
            children += (HtmlElement(tag="figcaption", children=self.caption),)
        return HtmlElement(tag="figure", attributes=(("class", "cda-media"),), children=children)

    def _inline(self, image: HtmlElement) -> HtmlElement:
        children: tuple[HtmlNode, ...] = (image,)
        if self.caption:
            caption = HtmlElement(
                tag="span", attributes=(("class", "cda-caption"),), children=self.caption
            )
            children += (" ", caption)
        return HtmlElement(tag="span", attributes=(("class", "cda-media"),), children=children)

    def _download(self, labels: Labels, *, in_link: bool) -> HtmlElement:
        label: tuple[HtmlNode, ...] = self.caption or (self.label,)
        if in_link or self.content.data is None:
            return HtmlElement(tag="span", attributes=(("class", "cda-media"),), children=label)
        return HtmlElement(
            tag="a",
            attributes=(
                ("href", data_uri(self.media_type, self.content.data)),
                ("download", self.filename),
                ("type", self.media_type),
                ("class", "cda-media"),
            ),
            children=label,
        )

    def _unavailable_or_reference(self, labels: Labels, *, in_link: bool) -> tuple[HtmlNode, ...]:
        href = safe_href(self.content.reference)
        label: tuple[HtmlNode, ...] = self.caption or (self.label,)
        if href is not None and not href.startswith(("#", "mailto:")) and not in_link:
            link = HtmlElement(
                tag="a",
                attributes=(("href", href), ("rel", "noopener noreferrer"), ("class", "cda-media")),
                children=label,
            )
            return (link,)
        reason = self.content.problem or self.content.media_type
        note = f"{labels['media_unavailable']} ({reason})"
        return (
            HtmlElement(
                tag="span",
                attributes=(("class", "cda-media-unavailable"),),
                children=(*label, " — ", note),
            ),
        )
