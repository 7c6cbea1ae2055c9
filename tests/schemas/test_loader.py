"""schemas/loader.py: the hardened parser refuses what it must; schemas load once and validate."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from lxml import etree

from schemas import (
    MalformedXmlError,
    UnsafeXmlError,
    XmlError,
    load_schema,
    loader,
    parse_xml,
    read_schema_file,
    schema_file,
)

DATA = Path(__file__).parent.parent / "data" / "ipf"

BILLION_LAUGHS = (
    b'<?xml version="1.0"?>\n<!DOCTYPE lolz [\n<!ENTITY lol0 "lol">\n'
    + b"".join(
        b'<!ENTITY lol%d "%s">\n' % (level, b"&lol%d;" % (level - 1) * 10) for level in range(1, 10)
    )
    + b']>\n<lolz a="&lol9;">&lol9;</lolz>'
)


def test_parse_xml_returns_the_root_element_with_comments() -> None:
    root = parse_xml(b'<?xml version="1.0" encoding="UTF-8"?>\n<a x="&amp;"><!-- c --><b/></a>')
    assert root.tag == "a"
    assert root.get("x") == "&"
    assert isinstance(root[0], etree._Comment)


def test_parse_xml_refuses_a_doctype() -> None:
    with pytest.raises(UnsafeXmlError, match="document type"):
        parse_xml(b"<!DOCTYPE a><a/>")


def test_parse_xml_refuses_a_utf16_bomb() -> None:
    # UTF-16 hides the DOCTYPE's bytes from the fast check: the scanner must still run.
    with pytest.raises(UnsafeXmlError, match="document type"):
        parse_xml(BILLION_LAUGHS.replace(b'<?xml version="1.0"?>', b"").decode().encode("utf-16"))


def test_parse_xml_refuses_a_lowercase_doctype_as_malformed() -> None:
    # XML spells it <!DOCTYPE; libxml2 refuses any other spelling before reading a subset.
    with pytest.raises(MalformedXmlError):
        parse_xml(b'<!doctype a [<!ENTITY e "text">]><a>&e;</a>')


def test_parse_xml_refuses_an_internal_entity_declaration() -> None:
    with pytest.raises(UnsafeXmlError):
        parse_xml(b'<!DOCTYPE a [<!ENTITY e "text">]><a>&e;</a>')


def test_parse_xml_refuses_a_billion_laughs_bomb_quickly() -> None:
    started = time.perf_counter()
    with pytest.raises(UnsafeXmlError):
        parse_xml(BILLION_LAUGHS)
    assert time.perf_counter() - started < 0.5


@pytest.mark.parametrize(
    "template",
    [
        b'<!DOCTYPE a [<!ENTITY x SYSTEM "file://%s">]><a>&x;</a>',
        b'<!DOCTYPE a [<!ENTITY %% x SYSTEM "file://%s"> %%x;]><a/>',
        b'<!DOCTYPE a SYSTEM "file://%s"><a/>',
    ],
    ids=["general-entity", "parameter-entity", "external-subset"],
)
def test_parse_xml_refuses_xxe_without_reading_the_file(template: bytes, tmp_path: Path) -> None:
    # A FIFO with no writer blocks whoever opens it: if the parser tried to read the "file",
    # the parse would hang, and the test fails after the timeout instead.
    fifo = tmp_path / "passwd"
    os.mkfifo(fifo)
    outcome: list[BaseException | None] = []

    def parse() -> None:
        try:
            parse_xml(template % str(fifo).encode())
        except BaseException as exc:
            outcome.append(exc)
        else:
            outcome.append(None)

    worker = threading.Thread(target=parse, daemon=True)
    worker.start()
    worker.join(timeout=5)
    if worker.is_alive():
        with open(fifo, "wb"):  # unblock the reader before failing
            pass
        worker.join(timeout=5)
        pytest.fail("the parser opened the external entity's file")
    assert len(outcome) == 1
    assert isinstance(outcome[0], UnsafeXmlError)


def test_parse_xml_reports_malformed_xml_with_its_line() -> None:
    with pytest.raises(MalformedXmlError) as raised:
        parse_xml(b"<a>\n<b>\n</a>")
    assert raised.value.line == 3
    assert raised.value.column is not None
    assert "line 3" in str(raised.value)


def test_parse_xml_reports_an_empty_document_as_malformed() -> None:
    with pytest.raises(MalformedXmlError):
        parse_xml(b"")


def test_parse_xml_refuses_a_document_over_max_bytes() -> None:
    with pytest.raises(UnsafeXmlError, match="exceeds"):
        parse_xml(b"<a>" + b"x" * 100 + b"</a>", max_bytes=100)


def test_parse_xml_refuses_depth_beyond_the_libxml2_limit() -> None:
    with pytest.raises(UnsafeXmlError, match="limit"):
        parse_xml(b"<a>" * 1000 + b"</a>" * 1000)


def test_parse_xml_gives_each_thread_its_own_parser() -> None:
    parsers: list[etree.XMLParser] = []
    worker = threading.Thread(target=lambda: parsers.append(loader._tree_parser()))
    worker.start()
    worker.join()
    assert parsers[0] is not loader._tree_parser()
    assert loader._tree_parser() is loader._tree_parser()


def test_importing_schemas_compiles_nothing() -> None:
    probe = "import schemas.loader as l; print(l.load_schema.cache_info().currsize)"
    result = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "0"


def test_xml_errors_share_one_root() -> None:
    assert issubclass(MalformedXmlError, XmlError)
    assert issubclass(UnsafeXmlError, XmlError)


def test_load_schema_caches_the_compiled_schema() -> None:
    assert load_schema("xds/query.xsd") is load_schema("xds/query.xsd")


def test_lcm_schema_validates_the_ipf_submit_objects_request() -> None:
    document = parse_xml((DATA / "SubmitObjectsRequest_ebrs30.xml").read_bytes())
    load_schema("xds/lcm.xsd").assertValid(document)


def test_query_schema_validates_the_ipf_iti18_request() -> None:
    document = parse_xml((DATA / "iti18request.xml").read_bytes())
    load_schema("xds/query.xsd").assertValid(document)


def test_query_schema_rejects_a_submit_objects_request() -> None:
    document = parse_xml((DATA / "SubmitObjectsRequest_ebrs30.xml").read_bytes())
    assert not load_schema("xds/query.xsd").validate(document)


def test_iti44_schema_compiles_with_its_hl7v3_imports() -> None:
    assert isinstance(load_schema("hl7v3/iti44/iti44.xsd"), etree.XMLSchema)


def test_read_schema_file_serves_a_wsdl() -> None:
    wsdl = parse_xml(read_schema_file("wsdl/iti18.wsdl"))
    assert wsdl.tag == "{http://schemas.xmlsoap.org/wsdl/}definitions"


def test_wsdl_imports_resolve_inside_the_package() -> None:
    wsdl = parse_xml(read_schema_file("wsdl/iti41.wsdl"))
    found = wsdl.xpath("//*[local-name()='import']/@schemaLocation")
    assert isinstance(found, list)
    locations = [str(location) for location in found]
    assert locations
    for location in locations:
        assert schema_file(f"wsdl/{location}").is_file()


@pytest.mark.parametrize(
    "path", ["../setup.cfg", "/etc/passwd", "loader.py", "PROVENANCE.md", "xds/absent.xsd"]
)
def test_schema_file_refuses_paths_outside_the_shipped_schemas(path: str) -> None:
    with pytest.raises(FileNotFoundError):
        schema_file(path)
