"""Rendering every official CI-SIS example (``../shared/cisis/ExemplesCDA``), alone and after a
round trip through a live node (ITI-41 then ITI-43).

The corpus sits beside the project, not in it (``../shared/README.md``): these tests skip,
saying so, when it is absent. Two examples are "auto-présentables": an XSL stylesheet that
carries the ClinicalDocument inside it, rendered here from the document it carries.
"""

from __future__ import annotations

import dataclasses
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from lxml import etree

from carnet.client import XdsClient
from carnet.file_metadata import files_submission
from cda import CDA_NAMESPACE, CdaDocument, cda_document, cda_metadata, render, render_html
from repository.cda_metadata import document_entry_from_cda
from schemas import parse_xml
from tests import live_server
from tests.html_conformance import check_page
from tests.soap.test_registry_endpoint import feed_patient

ROOT = Path(__file__).resolve().parents[2]
CORPUS = ROOT.parent / "shared" / "cisis" / "ExemplesCDA"
ABSENT = f"the CI-SIS examples are not here: {CORPUS} is absent (see ../shared/README.md)"
EXAMPLES = sorted(CORPUS.glob("*.xml")) if CORPUS.is_dir() else []
PARAMETERS: list[Path | None] = [*EXAMPLES] or [None]
CLINICAL_DOCUMENT = f"{{{CDA_NAMESPACE}}}ClinicalDocument"


@pytest.fixture(params=PARAMETERS, ids=lambda path: path.name if path else "absent")
def example(request: pytest.FixtureRequest) -> Path:
    if request.param is None:
        pytest.skip(ABSENT)
    path: Path = request.param
    return path


def load(data: bytes) -> CdaDocument:
    """The CDA document of a CI-SIS example, the one inside an auto-présentable stylesheet too."""
    root = parse_xml(data)
    if root.tag != CLINICAL_DOCUMENT:
        root = next(root.iter(CLINICAL_DOCUMENT))
    return cda_document(root)


def test_every_cisis_example_renders_with_every_section_title(example: Path) -> None:
    document = load(example.read_bytes())
    page = check_page(render_html(document))  # conforming: no CDA element leaks as a tag
    text = " ".join(page.text_content().split())
    for title in document.findall(".//cda:section/cda:title"):
        expected = " ".join(etree.tostring(title, method="text", encoding=str).split())
        assert expected in text, f"section title {expected!r} missing"
    if document.is_level_1:
        assert render(document).content.startswith(b"%PDF-")


# ----------------------------------------------------------------------------- round trip


@pytest.fixture(scope="module")
def retrieved(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[Path, Path]]:
    """Every example sent in one ITI-41 to a node of its own, then fetched back with ITI-43:
    original path → retrieved path."""
    if not EXAMPLES:
        pytest.skip(ABSENT)
    with (
        live_server.live_server(tmp_path_factory.mktemp("render-node"), workers=1) as node,
        XdsClient(node.url) as client,
    ):
        # A domain of its own: the examples' INS must not contradict the patientId
        # (repository/cda_checks.py compares ids of the same assigning authority).
        patient = f"{uuid.uuid4().hex[:12].upper()}^^^&1.2.250.1.999.9.1&ISO"
        feed_patient(client, patient)
        submission, paths = files_submission(EXAMPLES, patient_id=patient)
        # The DocumentEntries the headers give, as the node checks them against the headers.
        entries = tuple(
            document_entry_from_cda(
                cda_metadata(load(paths[entry.entry_uuid].read_bytes())),
                entry_uuid=entry.entry_uuid,
                patient_id=patient,
            )
            for entry in submission.documents
        )
        client.provide_and_register(dataclasses.replace(submission, documents=entries), paths)
        by_unique_id = {entry.unique_id: paths[entry.entry_uuid] for entry in entries}
        result = client.download(list(by_unique_id), tmp_path_factory.mktemp("retrieved"))
        assert result.complete, result
        yield {by_unique_id[document.unique_id]: document.path for document in result.documents}


def test_every_cisis_example_renders_the_same_after_iti41_and_iti43(
    example: Path, retrieved: dict[Path, Path]
) -> None:
    back = retrieved[example].read_bytes()
    assert back == example.read_bytes()
    assert render_html(load(back)) == render_html(load(example.read_bytes()))
