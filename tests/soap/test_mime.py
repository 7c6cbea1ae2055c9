"""soap/mime.py: Content-Type parameters, Content-IDs and cid: URLs as real stacks write them."""

from __future__ import annotations

import doctest

import pytest

import soap.mime
import soap.namespaces
import soap.wsdl
from soap.mime import cid_url, content_id_from_header, content_id_from_href, parse_media_type


@pytest.mark.parametrize("module", [soap.mime, soap.namespaces, soap.wsdl])
def test_doctests(module: object) -> None:
    failures, tried = doctest.testmod(module)  # type: ignore[arg-type]
    assert tried > 0
    assert failures == 0


@pytest.mark.parametrize(
    ("header", "boundary"),
    [
        (
            "multipart/related; boundary=MIMEBoundary_urn_uuid_ABC; type=x",
            "MIMEBoundary_urn_uuid_ABC",
        ),
        ('multipart/related; boundary="uuid:b8b3+id=1"', "uuid:b8b3+id=1"),
        ("multipart/related;boundary=----=_Part_0_1.2", "----=_Part_0_1.2"),
        ('multipart/related; BOUNDARY = "a;b"; type=x', "a;b"),
    ],
)
def test_boundary_variants(header: str, boundary: str) -> None:
    assert parse_media_type(header).param("boundary") == boundary


def test_nested_quoted_action_is_unescaped() -> None:
    media = parse_media_type(
        'multipart/related; start-info="application/soap+xml; action=\\"urn:ihe:iti:2007:X\\""'
    )
    inner = parse_media_type(media.param("start-info") or "")
    assert (inner.essence, inner.param("action")) == ("application/soap+xml", "urn:ihe:iti:2007:X")


def test_first_parameter_wins_and_garbage_is_skipped() -> None:
    media = parse_media_type("text/xml; charset=utf-8; junk; charset=latin1; =x")
    assert media.params == {"charset": "utf-8"}


def test_content_id_forms() -> None:
    assert content_id_from_header("<a@b>") == "a@b"
    assert content_id_from_header("a@b") == "a@b"
    assert content_id_from_href("cid:a%40b") == "a@b"
    assert content_id_from_href("cid:") == ""


def test_cid_url_round_trips() -> None:
    for content_id in [
        "doc@carnet",
        "http://tempuri.org/1/636",
        "1.urn:uuid:AB%CD@apache.org",
        "a b",
    ]:
        assert content_id_from_href(cid_url(content_id)) == content_id
