"""HL7 CDA R2 §1.2.3, §4.2 and §4.3 — rendering a CDA document for a reader, one rule a test.

Narrative blocks are built inline around a minimal header (:func:`document`); the CI-SIS
examples and the hand-written hostile and level-1 documents are in ``tests/data/cda``. Every
page goes through :func:`tests.html_conformance.check_page`.
"""

from __future__ import annotations

import base64
import configparser
import gzip
import subprocess
import sys
from pathlib import Path

import lxml.html
import pytest

from cda import CdaDocument, Rendered, parse_cda, render, render_html
from cda import encapsulated_data as encapsulated_data_module
from cda.narrative import MAX_DEPTH
from cda.rendering import HTML_MEDIA_TYPE, MAX_SECTION_DEPTH
from tests.html_conformance import check_page

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT / "tests" / "data" / "cda"
VAC_NOTE = DATA / "VAC-NOTE_2023.01.xml"
MAMMOGRAPHY = DATA / "CANCER-D2LM-FIDD_2022.01.xml"
HOSTILE = DATA / "hostile_narrative.xml"
LEVEL_1_PDF = DATA / "level1_pdf.xml"

PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg=="
)

HEADER = """<ClinicalDocument xmlns="urn:hl7-org:v3">
  <typeId root="2.16.840.1.113883.1.3" extension="POCD_HD000040"/>
  <id root="1.2.250.1.999.5.1" extension="T1"/>
  <code code="11488-4" displayName="Consult note" codeSystem="2.16.840.1.113883.6.1"/>
  <title>{title}</title>
  <effectiveTime value="20240301091500+0100"/>
  <confidentialityCode code="N" codeSystem="2.16.840.1.113883.5.25"/>
  <languageCode code="{language}"/>
  <recordTarget><patientRole><id root="1.2.250.1.999.5.2" extension="P1"/>
    <patient><name><given>Ana</given><family>TEST</family></name></patient>
  </patientRole></recordTarget>
  <component>{body}</component>
</ClinicalDocument>"""


def document(
    narrative: str = "",
    *,
    entries: str = "",
    title: str = "Test",
    language: str = "fr-FR",
    body: str | None = None,
) -> CdaDocument:
    """A CDA document with one section whose narrative block is ``narrative``."""
    if body is None:
        section = f"<section><title>Section</title><text>{narrative}</text>{entries}</section>"
        body = f"<structuredBody><component>{section}</component></structuredBody>"
    text = HEADER.format(title=title, language=language, body=body)
    return parse_cda(text.encode("utf-8"))


def page_of(cda: CdaDocument) -> lxml.html.HtmlElement:
    """The rendered page, checked for conformance, parsed."""
    return check_page(render_html(cda))


def narrative_of(narrative: str, *, entries: str = "") -> lxml.html.HtmlElement:
    """The ``div`` a narrative block becomes."""
    (div,) = page_of(document(narrative, entries=entries)).find_class("cda-narrative")
    return div


def markup(element: lxml.html.HtmlElement) -> str:
    """The inner HTML of ``element``, white space between tags removed."""
    inner = (element.text or "") + "".join(
        lxml.html.tostring(child, encoding="unicode") for child in element
    )
    return " ".join(inner.split()).replace("> <", "><")


def media_entry(media_id: str, media_type: str, data: bytes) -> str:
    encoded = base64.b64encode(data).decode()
    return (
        f'<entry><observationMedia classCode="OBS" moodCode="EVN" ID="{media_id}">'
        f'<value mediaType="{media_type}" representation="B64">{encoded}</value>'
        "</observationMedia></entry>"
    )


def level_1(media_type: str, text: str, representation: str = "B64", **extra: str) -> CdaDocument:
    attributes = " ".join(f'{name}="{value}"' for name, value in extra.items())
    body = (
        f'<nonXMLBody><text mediaType="{media_type}" representation="{representation}" '
        f"{attributes}>{text}</text></nonXMLBody>"
    )
    return document(body=body, title="Scanned letter")


# ----------------------------------------------------------------------------- the page


def test_page_is_html5_in_the_document_language() -> None:
    html = render_html(parse_cda(VAC_NOTE.read_bytes()))
    assert html.startswith('<!DOCTYPE html>\n<html lang="fr-FR">')
    assert '<meta charset="utf-8">' in html


def test_page_title_is_the_cda_title() -> None:
    page = page_of(parse_cda(VAC_NOTE.read_bytes()))
    assert page.findtext(".//title") == "NOTE DE VACCINATION"
    assert page.findtext(".//h1") == "NOTE DE VACCINATION"


def test_page_has_banner_navigation_main_and_contentinfo_landmarks() -> None:
    page = page_of(parse_cda(VAC_NOTE.read_bytes()))
    body = page.find("body")
    assert [child.tag for child in body] == ["a", "header", "nav", "main", "footer"]
    assert body[0].get("href") == "#" + body.find("main").get("id")  # skip link
    (link,) = page.find(".//nav").iterfind(".//a")
    assert page.get_element_by_id(link.get("href")[1:]).tag == "section"


def test_page_forbids_scripts_with_a_content_security_policy() -> None:
    page = page_of(parse_cda(VAC_NOTE.read_bytes()))
    (policy,) = page.xpath("//meta[@http-equiv='Content-Security-Policy']")
    assert policy.get("content").startswith("default-src 'none';")
    assert "script-src" not in policy.get("content")


def test_section_headings_follow_the_nesting_level() -> None:
    nested = "<section><title>{}</title>{}</section>"
    inner = nested.format("Level 3", "")
    middle = nested.format("Level 2", f"<component>{inner}</component>")
    top = nested.format("Level 1", f"<component>{middle}</component>")
    body = f"<structuredBody><component>{top}</component></structuredBody>"
    page = page_of(document(body=body))
    headings = [(h.tag, h.text) for h in page.find("body/main").iter("h2", "h3", "h4")]
    assert headings[-3:] == [("h2", "Level 1"), ("h3", "Level 2"), ("h4", "Level 3")]
    for section in page.find("body/main").iter("section"):
        assert page.get_element_by_id(section.get("aria-labelledby")).tag.startswith("h")


def test_sections_nested_beyond_the_limit_are_shown_at_the_limit() -> None:
    depth = MAX_SECTION_DEPTH + 5
    section = ""
    for level in range(depth, 0, -1):
        inner = f"<component>{section}</component>" if section else ""
        section = f"<section><title>S{level}</title>{inner}</section>"
    body = f"<structuredBody><component>{section}</component></structuredBody>"
    page = page_of(document(body=body))
    titles = [h.text for h in page.find("body/main").iter("h2", "h3", "h4", "h5", "h6")]
    assert titles[-depth:] == [f"S{level}" for level in range(1, depth + 1)]
    deepest = page.find("body/main").xpath("count(.//section[not(.//section)]/ancestor::section)")
    assert deepest == MAX_SECTION_DEPTH


def test_untitled_section_is_headed_by_its_code() -> None:
    section = '<section><code code="10160-0" displayName="Traitements"/><text>x</text></section>'
    body = f"<structuredBody><component>{section}</component></structuredBody>"
    assert "Traitements" in [h.text for h in page_of(document(body=body)).iter("h2")]


# ----------------------------------------------------------------------------- the header


def header_facts(page: lxml.html.HtmlElement, container: str) -> dict[str, str]:
    facts: dict[str, str] = {}
    for dl in page.find(f"body/{container}").iter("dl"):
        for dt in dl.iterfind("dt"):
            facts[dt.text_content()] = " ".join(dt.getnext().text_content().split())
    return facts


def test_header_shows_the_patient_names_birth_date_sex_and_ins() -> None:
    facts = header_facts(page_of(parse_cda(VAC_NOTE.read_bytes())), "main")
    assert facts["Nom de naissance"] == "PAT-TROIS"
    assert facts["Prénoms"] == "DOMINIQUE MARIE-LOUISE"
    assert facts["Prénom utilisé"] == "DOMINIQUE"
    assert facts["Date de naissance"] == "28/03/1979"
    assert facts["Sexe"] == "Féminin"
    assert facts["INS-NIR de test"] == "279035121518989"
    assert facts["Identifiants"] == "1234567890121 (1.2.3.4.567.8.9.10)"


def test_header_shows_authors_with_role_and_organisation() -> None:
    page = page_of(parse_cda(VAC_NOTE.read_bytes()))
    (author,) = page.get_element_by_id("carnet-authors").getnext().iterfind("li")
    assert " ".join(author.text_content().split()) == (
        "M Charles MULLER DR, Médecin - Qualifié en Médecine Générale (SM), "
        "Cabinet Médical du Dr MULLER (03/06/2010 09:49)"
    )


def test_header_shows_the_custodian_and_the_legal_authenticator() -> None:
    facts = header_facts(page_of(parse_cda(VAC_NOTE.read_bytes())), "footer")
    assert facts["Organisation chargée de la conservation"] == "Cabinet médical du Dr MULLER"
    assert facts["Responsable du document"].startswith("M Charles MULLER DR, Médecin")
    assert facts["Responsable du document"].endswith("(29/07/2019 09:51)")


def test_header_shows_the_dates_type_and_confidentiality() -> None:
    page = page_of(parse_cda(LEVEL_1_PDF.read_bytes()))
    facts = header_facts(page, "header")
    assert facts["Type de document"] == "CR d'examens biologiques (11502-2)"
    assert facts["Date du document"] == "15/01/2024 10:30"
    assert facts["Acte documenté"] == "du 15/01/2024 08:00 au 15/01/2024 10:00"
    assert facts["Confidentialité"] == "Normal"
    times = [time.get("datetime") for time in page.find("body/header").iter("time")]
    assert times[0] == "2024-01-15T10:30:00+01:00"


def test_labels_follow_the_document_language_and_are_marked_when_they_differ() -> None:
    english = page_of(document("x", language="en-GB"))
    assert english.get("lang") == "en-GB"
    assert english.get_element_by_id("carnet-contents").text == "Contents"
    assert english.get_element_by_id("carnet-contents").get("lang") is None
    german = page_of(document("x", language="de-DE"))
    assert german.get("lang") == "de-DE"
    assert german.get_element_by_id("carnet-contents").get("lang") == "en"


# ----------------------------------------------------------------------------- narrative


def test_content_style_codes_become_strong_em_and_u() -> None:
    div = narrative_of(
        '<content styleCode="Bold">b</content><content styleCode="Italics">i</content>'
        '<content styleCode="Underline">u</content><content styleCode="Bold Italics">bi</content>'
    )
    assert markup(div) == "<strong>b</strong><em>i</em><u>u</u><strong><em>bi</em></strong>"


def test_content_revisions_become_ins_and_del() -> None:
    div = narrative_of(
        '<content revised="insert">new</content><content revised="delete">old</content>'
    )
    assert markup(div) == "<ins>new</ins><del>old</del>"


def test_paragraph_becomes_p_with_its_caption_first() -> None:
    div = narrative_of("<paragraph><caption>Note</caption>Text</paragraph>")
    assert markup(div) == '<p><span class="cda-caption">Note</span> Text</p>'


def test_line_breaks_subscripts_and_superscripts_are_kept() -> None:
    div = narrative_of("H<sub>2</sub>O<br/>m<sup>2</sup>")
    assert markup(div) == "H<sub>2</sub>O<br>m<sup>2</sup>"


def test_lists_become_ol_or_ul_with_their_caption() -> None:
    div = narrative_of(
        '<list listType="ordered" styleCode="LittleRoman"><caption>Steps</caption>'
        "<item>one</item><item>two</item></list><list><item>dot</item></list>"
    )
    caption, ordered, unordered = div
    assert caption.text == "Steps"
    assert ordered.tag == "ol" and ordered.get("type") == "i"
    assert ordered.get("aria-labelledby") == caption.get("id")
    assert [item.text for item in ordered] == ["one", "two"]
    assert unordered.tag == "ul" and unordered[0].text == "dot"


def test_table_parts_and_spans_are_kept_in_html_order() -> None:
    div = narrative_of(
        "<table><caption>Results</caption><col/><col/>"
        "<thead><tr><th>Test</th><th>Value</th></tr></thead>"
        '<tfoot><tr><td colspan="2">foot</td></tr></tfoot>'
        '<tbody><tr><td rowspan="2">A</td><td>1</td></tr><tr><td>2</td></tr></tbody></table>'
    )
    (table,) = div
    assert [part.tag for part in table] == ["caption", "colgroup", "thead", "tbody", "tfoot"]
    assert table.find("tfoot/tr/td").get("colspan") == "2"
    assert table.find("tbody/tr/td").get("rowspan") == "2"


def test_table_header_cells_get_a_scope() -> None:
    div = narrative_of(
        "<table><thead><tr><th>Test</th><th>Value</th></tr></thead>"
        '<tbody><tr><th>Na</th><td>140</td></tr><tr><th scope="rowgroup">K</th><td>4</td></tr>'
        "<tr><th>Only</th><th>headers</th></tr></tbody></table>"
    )
    scopes = [(th.text, th.get("scope")) for th in div.iter("th")]
    assert scopes == [
        ("Test", "col"), ("Value", "col"), ("Na", "row"), ("K", "rowgroup"),
        ("Only", "col"), ("headers", "col"),
    ]  # fmt: skip


def test_footnotes_are_numbered_and_listed_after_the_block() -> None:
    div = narrative_of(
        'Dose<footnote ID="fn-dose">per day</footnote> and route<footnote>oral</footnote>,'
        ' see<footnoteRef IDREF="fn-dose"/>'
    )
    marks = [(sup.text_content(), sup.find("a").get("href")) for sup in div.iter("sup")]
    assert marks[0] == ("1", "#fn-dose") and marks[2] == ("1", "#fn-dose")
    assert marks[1][0] == "2"
    notes = div.find("ol")
    assert notes.get("class") == "cda-footnotes"
    assert [(li.get("value"), li.text) for li in notes] == [("1", "per day"), ("2", "oral")]
    assert notes[0].get("id") == "fn-dose"


def test_cda_ids_become_html_ids_that_fragment_links_reach() -> None:
    div = narrative_of('<content ID="vac-01">BCG</content> <linkHtml href="#vac-01">see</linkHtml>')
    assert div.find("span").get("id") == "vac-01"
    assert div.find("a").get("href") == "#vac-01"


def test_duplicate_malformed_or_reserved_ids_are_not_written() -> None:
    div = narrative_of(
        '<content ID="a">1</content><content ID="a">2</content>'
        '<content ID="carnet-main">3</content><content ID="x y">4</content>'
    )
    assert [span.get("id") for span in div.iter("span")] == ["a"]


def test_language_becomes_lang() -> None:
    div = narrative_of('<content language="en-GB">tea</content>')
    assert div.find("span").get("lang") == "en-GB"


def test_http_https_mailto_and_fragment_links_are_kept() -> None:
    div = narrative_of(
        '<linkHtml href="http://example.org/a">a</linkHtml>'
        '<linkHtml href="https://example.org/b" title="B">b</linkHtml>'
        '<linkHtml href="mailto:x@example.org">c</linkHtml><content ID="d">d</content>'
        '<linkHtml href="#d">e</linkHtml>'
    )
    links = [(a.get("href"), a.get("rel"), a.text) for a in div.iter("a")]
    assert links == [
        ("http://example.org/a", "noopener noreferrer", "a"),
        ("https://example.org/b", "noopener noreferrer", "b"),
        ("mailto:x@example.org", None, "c"),
        ("#d", None, "e"),
    ]


@pytest.mark.parametrize(
    "href",
    [
        "javascript:alert(1)",
        "JaVaScRiPt:alert(1)",
        "java&#9;script:alert(1)",
        "&#10; javascript:alert(1)",
        "data:text/html;base64,PHNjcmlwdD4=",
        "vbscript:msgbox(1)",
        "file:///etc/passwd",
        "relative/page.html",
        "//example.org/protocol-relative",
    ],
)
def test_other_links_are_dropped_and_their_text_kept(href: str) -> None:
    div = narrative_of(f'<linkHtml href="{href}">label</linkHtml>')
    assert div.find(".//a") is None
    assert markup(div) == "<span>label</span>"


def test_a_link_inside_a_link_is_not_nested() -> None:
    div = narrative_of(
        '<linkHtml href="https://a.example">a <linkHtml href="https://b.example">b</linkHtml></linkHtml>'
    )
    assert [a.get("href") for a in div.iter("a")] == ["https://a.example"]


def test_render_multimedia_image_becomes_an_img_with_alt_text() -> None:
    div = narrative_of(
        '<renderMultiMedia referencedObject="scan"><caption>Chest X-ray</caption>'
        "</renderMultiMedia>"
        '<paragraph>inline <renderMultiMedia referencedObject="scan"/></paragraph>',
        entries=media_entry("scan", "image/png", PNG),
    )
    figure, paragraph = div
    image = figure.find("img")
    assert image.get("src") == "data:image/png;base64," + base64.b64encode(PNG).decode()
    assert image.get("alt") == "Chest X-ray"
    assert figure.findtext("figcaption") == "Chest X-ray"
    assert paragraph.find(".//img").get("alt") == "Image (scan)"


def test_render_multimedia_pdf_becomes_a_download_link() -> None:
    div = narrative_of(
        '<renderMultiMedia referencedObject="report"/>',
        entries=media_entry("report", "application/pdf", b"%PDF-1.4 test"),
    )
    link = div.find("a")
    assert link.get("href").startswith("data:application/pdf;base64,")
    assert link.get("download") == "report.pdf"
    assert link.text == "Document PDF (report)"


@pytest.mark.parametrize("media_type", ["text/html", "image/svg+xml", "application/xhtml+xml"])
def test_render_multimedia_of_other_types_is_only_offered_as_a_download(media_type: str) -> None:
    div = narrative_of(
        '<renderMultiMedia referencedObject="m"/>',
        entries=media_entry("m", media_type, b"<script>alert(1)</script>"),
    )
    assert div.find(".//img") is None
    assert div.find("a").get("href").startswith("data:application/octet-stream;base64,")


def test_render_multimedia_of_a_missing_object_says_so() -> None:
    div = narrative_of('<renderMultiMedia referencedObject="nowhere"/>')
    assert div.text_content() == "Contenu multimédia introuvable (nowhere)"


def test_block_elements_in_inline_content_are_flattened() -> None:
    div = narrative_of(
        "<paragraph>a <content><paragraph>b</paragraph></content>"
        "<content><list><item>c</item></list></content>"
        "<content><table><tbody><tr><td>d</td></tr></tbody></table></content></paragraph>"
    )
    (paragraph,) = div
    assert paragraph.tag == "p"
    assert not [element for element in paragraph.iter() if element.tag in ("p", "ul", "table")][1:]
    assert paragraph.text_content() == "a bcd"  # all the text, in order


def test_deep_nesting_is_kept_as_text() -> None:
    depth = 200  # the hardened parser allows 256 levels; the page must still render
    div = narrative_of("<content>" * depth + "deep" + "</content>" * depth)
    assert div.text_content() == "deep"
    assert max(len(list(element.iterancestors())) for element in div.iter()) < MAX_DEPTH + 10


# ----------------------------------------------------------------------------- hostile input


def test_hostile_document_renders_nothing_that_could_run() -> None:
    page = page_of(parse_cda(HOSTILE.read_bytes()))
    assert not page.xpath("//script | //iframe | //svg | //body//style | //object")
    assert not page.xpath("//@*[starts-with(name(), 'on')] | //@style")
    urls = page.xpath("//@href | //@src")
    assert not [url for url in urls if "javascript" in url.lower() or "data:text/html" in url]


def test_markup_in_document_text_is_escaped() -> None:
    html = render_html(parse_cda(HOSTILE.read_bytes()))
    assert (
        "<title>&lt;/title&gt;&lt;script&gt;alert(&#39;title&#39;)&lt;/script&gt;</title>" in html
    )
    assert (
        "Text with &lt;script&gt;alert(&#39;text&#39;)&lt;/script&gt; &amp; an ampersand." in html
    )
    assert "<script" not in html and "<img src=x" not in html


def test_attributes_never_pass_through() -> None:
    div = narrative_of(
        '<content onclick="alert(1)" style="x" styleCode="Bold&quot; onclick=&quot;y">a</content>'
        '<table onclick="z" width="100%"><tbody><tr>'
        '<td colspan="2&quot; onmouseover=&quot;x" valign="top&quot; x=&quot;" bgcolor="red">b</td>'
        "</tr></tbody></table>"
    )
    assert [(element.tag, dict(element.attrib)) for element in div.iter()][1:] == [
        ("strong", {}), ("table", {}), ("tbody", {}), ("tr", {}), ("td", {}),
    ]  # fmt: skip


def test_foreign_elements_comments_and_instructions_are_dropped() -> None:
    div = narrative_of(
        'a<x:script xmlns:x="http://www.w3.org/1999/xhtml">alert(1)</x:script>b'
        "<!-- <script>c</script> -->d<?php e ?>f"
    )
    assert markup(div) == "abdf"


def test_unknown_cda_elements_are_read_through() -> None:
    div = narrative_of("<script>alert(1)</script><unknown>kept <content>text</content></unknown>")
    assert markup(div) == "alert(1)kept text"


# ----------------------------------------------------------------------------- level 1 and render()


def test_level_1_pdf_is_rendered_as_the_pdf_itself() -> None:
    cda = parse_cda(LEVEL_1_PDF.read_bytes())
    text = cda.find("cda:component/cda:nonXMLBody/cda:text")
    assert text is not None and text.text is not None
    rendered = render(cda)
    assert rendered == Rendered(
        media_type="application/pdf",
        content=base64.b64decode("".join(text.text.split())),
        filename="1.2.250.1.999.3.1_L1-PDF-0001.pdf",
    )
    assert rendered.content.startswith(b"%PDF-1.4")


def test_level_1_pdf_page_shows_the_header_and_embeds_the_pdf() -> None:
    page = page_of(parse_cda(LEVEL_1_PDF.read_bytes()))
    assert page.findtext(".//h1") == "Compte rendu de biologie (PDF)"
    (embedded,) = page.iter("object")
    assert embedded.get("type") == "application/pdf"
    assert embedded.get("data").startswith("data:application/pdf;base64,JVBERi0xLjQ")
    links = [a for a in page.iter("a") if a.get("download")]
    assert links and all(a.get("href") == embedded.get("data") for a in links)


def test_level_1_text_is_a_pre() -> None:
    cda = level_1("text/plain", "Line 1\n  &lt;Line 2&gt;", representation="TXT")
    rendered = render(cda)
    assert rendered.media_type == HTML_MEDIA_TYPE
    (pre,) = check_page(rendered.content.decode()).iter("pre")
    assert pre.text == "Line 1\n  <Line 2>"


def test_level_1_image_is_embedded_with_the_title_as_alt() -> None:
    page = check_page(render(level_1("image/png", base64.b64encode(PNG).decode())).content.decode())
    (image,) = page.iter("img")
    assert image.get("alt") == "Scanned letter"
    assert image.get("src").startswith("data:image/png;base64,")


def test_level_1_compressed_text_is_decompressed() -> None:
    cda = level_1(
        "text/plain", base64.b64encode(gzip.compress(b"zipped")).decode(), compression="GZ"
    )
    assert next(page_of(cda).iter("pre")).text == "zipped"


def test_level_1_decompression_is_capped(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(encapsulated_data_module, "MAX_DECODED_BYTES", 1000)
    bomb = base64.b64encode(gzip.compress(b"0" * 100_000)).decode()
    page = page_of(level_1("text/plain", bomb, compression="GZ"))
    assert not list(page.iter("pre"))
    assert "1000 bytes" in page.find_class("cda-media-unavailable")[0].text_content()


def test_level_1_pdf_with_invalid_base64_renders_a_page_saying_so() -> None:
    rendered = render(level_1("application/pdf", "not base64 at all!"))
    assert rendered.media_type == HTML_MEDIA_TYPE
    assert rendered.filename.endswith(".html")
    note = check_page(rendered.content.decode()).find_class("cda-media-unavailable")[0]
    assert "not valid base64" in note.text_content()


def test_structured_document_is_rendered_as_its_page() -> None:
    cda = parse_cda(VAC_NOTE.read_bytes())
    rendered = render(cda)
    assert rendered.media_type == "text/html; charset=utf-8"
    assert rendered.content == render_html(cda).encode("utf-8")
    assert rendered.filename == "1.2.250.1.213.1.1.1.46.2023.1.1.html"


@pytest.mark.parametrize(
    "path", [VAC_NOTE, MAMMOGRAPHY, HOSTILE, LEVEL_1_PDF], ids=lambda path: path.name
)
def test_test_documents_render_as_conforming_html(path: Path) -> None:
    page = page_of(parse_cda(path.read_bytes()))
    assert page.find("body/main") is not None


def test_real_images_of_a_cisis_example_are_shown() -> None:
    page = page_of(parse_cda(MAMMOGRAPHY.read_bytes()))
    images = [image.get("alt") for image in page.iter("img")]
    assert images == ["Image (mammo-oblique)", "Image (mammo-face)"]


# ----------------------------------------------------------------------------- packaging


def test_templates_are_loaded_on_first_use_only() -> None:
    code = (
        "import cda, cda.rendering as r; before = r._environment.cache_info().currsize; "
        f"r.render_html(cda.parse_cda(open({str(VAC_NOTE)!r}, 'rb').read())); "
        "print(before, r._environment.cache_info().currsize)"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT
    )
    assert done.stdout.split() == ["0", "1"]


def test_templates_ship_as_package_data() -> None:
    config = configparser.ConfigParser()
    config.read(ROOT / "setup.cfg", encoding="utf-8")
    patterns = [p.strip() for p in config["options.package_data"]["cda"].split(",")]
    assert "templates/*.html" in patterns
    assert sorted(path.name for path in (ROOT / "cda" / "templates").iterdir()) == [
        "document.html",
        "narrative.html",
    ]
