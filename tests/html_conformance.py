"""Checks that a rendered page is HTML an HTML5 parser keeps exactly as written.

No HTML5 validator is installed, so the rules that matter for a renderer are checked here,
on the token stream of :class:`html.parser.HTMLParser` (HTML §13.2 tokenisation): every
non-void element closed, in order; nothing a parser would silently restructure (a block
element inside ``<p>`` or another phrasing-only element, a row outside a row group, an
``<a>`` inside an ``<a>``); ids unique; no event-handler or ``style`` attribute; URLs only of
the kinds the rendering allows. lxml's HTML parser then reads the page and must find the
same elements.
"""

from __future__ import annotations

import re
from collections import Counter
from html.parser import HTMLParser

import lxml.html

VOID = frozenset({"br", "col", "img", "meta", "link", "hr", "wbr", "source", "input"})
HEADINGS = frozenset({"h1", "h2", "h3", "h4", "h5", "h6"})
BLOCKS = frozenset(
    {"div", "dl", "figure", "footer", "header", "main", "nav", "ol", "p", "pre", "section"}
    | {"table", "ul"}
    | HEADINGS
)
PHRASING_ONLY = frozenset(
    {"p", "span", "em", "strong", "u", "sub", "sup", "a", "ins", "del", "time", "dt", "title"}
    | HEADINGS
)
PARENTS = {
    "li": {"ul", "ol"},
    "tr": {"thead", "tbody", "tfoot"},
    "td": {"tr"},
    "th": {"tr"},
    "thead": {"table"},
    "tbody": {"table"},
    "tfoot": {"table"},
    "caption": {"table"},
    "colgroup": {"table"},
    "col": {"colgroup"},
    "dt": {"dl"},
    "dd": {"dl"},
    "figcaption": {"figure"},
}
CHILDREN = {
    "table": {"caption", "colgroup", "thead", "tbody", "tfoot"},
    "thead": {"tr"},
    "tbody": {"tr"},
    "tfoot": {"tr"},
    "tr": {"td", "th"},
    "ul": {"li"},
    "ol": {"li"},
    "colgroup": {"col"},
    "dl": {"dt", "dd"},
}
KNOWN_TAGS = frozenset(
    {"html", "head", "meta", "title", "style", "body", "header", "nav", "main", "footer"}
    | {"section", "dl", "dt", "dd", "time", "object"}
    | {"a", "br", "caption", "col", "colgroup", "del", "div", "em", "figcaption", "figure"}
    | {"img", "ins", "li", "ol", "p", "pre", "span", "strong", "sub", "sup", "table"}
    | {"tbody", "td", "tfoot", "th", "thead", "tr", "u", "ul"}
    | HEADINGS
)
"""Every element a rendered page may hold: anything else leaked from the CDA."""

SAFE_URL = re.compile(
    r"(https?:|mailto:|#)"
    r"|data:(image/(png|jpeg|gif)|application/(pdf|octet-stream)|text/plain);base64,"
)


class _Checker(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[str] = []
        self.problems: list[str] = []
        self.tags: Counter[str] = Counter()
        self.ids: Counter[str] = Counter()
        self.doctype: str | None = None

    def handle_decl(self, decl: str) -> None:
        self.doctype = decl

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags[tag] += 1
        where = "/".join([*self.stack, tag])
        parent = self.stack[-1] if self.stack else None
        if tag not in KNOWN_TAGS:
            self.problems.append(f"unknown element <{tag}> at {where}")
        if tag in BLOCKS and PHRASING_ONLY & set(self.stack):
            self.problems.append(f"block <{tag}> inside phrasing content at {where}")
        if tag == "a" and "a" in self.stack:
            self.problems.append(f"<a> inside <a> at {where}")
        if tag in PARENTS and parent not in PARENTS[tag]:
            self.problems.append(f"<{tag}> in <{parent}> at {where}")
        if parent in CHILDREN and tag not in CHILDREN[parent]:
            self.problems.append(f"<{tag}> in <{parent}> at {where}")
        for name, value in attrs:
            if name.startswith("on") or name == "style":
                self.problems.append(f"attribute {name} at {where}")
            if name == "id" and value:
                self.ids[value] += 1
            if name in ("href", "src", "data") and not SAFE_URL.match(value or ""):
                self.problems.append(f"{name}={(value or '')[:60]!r} at {where}")
        if tag not in VOID:
            self.stack.append(tag)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag not in VOID:
            self.problems.append(f"self-closed <{tag}/>")
        self.handle_starttag(tag, attrs)

    def handle_endtag(self, tag: str) -> None:
        if not self.stack or self.stack[-1] != tag:
            self.problems.append(f"</{tag}> closes {self.stack[-1:] or 'nothing'}")
            return
        self.stack.pop()

    def handle_data(self, data: str) -> None:
        if self.stack and self.stack[-1] in CHILDREN and data.strip():
            self.problems.append(f"text {data.strip()[:30]!r} in <{self.stack[-1]}>")


def check_page(page: str) -> lxml.html.HtmlElement:
    """Assert ``page`` is a conforming HTML5 page as above; return it parsed by lxml."""
    checker = _Checker()
    checker.feed(page)
    checker.close()
    problems = list(checker.problems)
    if checker.doctype is None or checker.doctype.lower() != "doctype html":
        problems.append(f"doctype {checker.doctype!r}")
    if checker.stack:
        problems.append(f"unclosed {checker.stack}")
    problems += [
        f"id {name!r} used {count} times" for name, count in checker.ids.items() if count > 1
    ]
    assert not problems, "\n".join(problems[:20])
    tree = lxml.html.document_fromstring(page)
    parsed = Counter(str(element.tag) for element in tree.iter() if isinstance(element.tag, str))
    assert parsed == checker.tags, f"lxml reads other elements: {parsed - checker.tags}"
    return tree
