"""CI-SIS ISO Schematron (ISO/IEC 19757-3) — the ANS rules of each kind of CDA document.

The CI-SIS publishes one schematron per "volet de contenu" (lab report CR-BIO, imaging report
CR-IMG, discharge letter LDL-SES, medical summary VSM, …) and one, "Structuration minimale",
that every document sent to the DMP must satisfy. They are shipped in ``schemas/cisis/`` with
the value sets their rules read (``document('../jeuxDeValeurs/…')``), in the folder layout of
ANS ``TestContenuCDA-3-0`` so those relative paths hold (source in ``schemas/PROVENANCE.md``).

Compiling a schematron (once per process, see :func:`compile_schematron`) follows the ISO
"skeleton" reference implementation by Rick Jelliffe, the XSLT 1.0 stylesheets lxml ships,
copied in ``schemas/schematron/iso-schematron-xslt1/``:

1. ``iso_dsdl_include.xsl`` expands ``sch:include``;
2. ``iso_abstract_expand.xsl`` instantiates abstract patterns (``dansJeuDeValeurs`` …);
3. ``iso_svrl_for_xslt1.xsl`` writes the XSLT that reports in SVRL.

These run in libxslt, as lxml's own ``isoschematron`` does. The CI-SIS schematrons declare
``queryBinding="xslt2"``: their expressions need XPath 2.0 (``matches()``, sequences, ``for``).
The XSLT 1 skeleton only refuses that binding by name — what it writes (template rules in one
mode per pattern, ``choose``/``when``, SVRL literal elements) is valid XSLT 2.0 — so the schema
is compiled under the ``xslt`` binding and the generated stylesheet is marked ``version="2.0"``
before Saxon (``saxonche``, XSLT 3.0) compiles it: the schema's expressions then have XPath 2.0
semantics. Over the whole CI-SIS example corpus this gives the failed-assert counts ANS's
``validation_results.csv`` records (``tests/cda/test_schematron_corpus.py``). No maintained
XSLT 2 implementation (SchXslt, the skeleton for XSLT 2) is available from PyPI.

Saxon runs with its loop-lifting optimisation off: with it, Saxon-HE 13.1 aborts the whole
process ("Bad parent pointer in expression tree" in ``LoopLifter``) while compiling what the
skeleton writes for the CR-BIO schematrons.

Which schematron checks a document comes from its header (:func:`volet_schematron`): the
CI-SIS ``templateId`` of its kind (``1.2.250.1.213.1.1.1.N``) and that templateId's
``extension``, the version of the volet (``2024.01``); two volets are recognised by their
LOINC ``code`` instead. A level-1 document (``nonXMLBody``, IHE XDS-SD) carries no volet
templateId: only "Structuration minimale" applies.

Compiled stylesheets are cached per process and shared by threads: each run works on its own
``clone()`` of the Saxon executable, which the saxonche documentation requires.
"""

from __future__ import annotations

import importlib.resources
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from lxml import etree

from cda.document import CdaDocument
from cda.errors import CdaError
from cda.validation import Finding, Severity, ValidationReport, node_location
from schemas.loader import XmlError, parse_xml

__all__ = [
    "STRUCTURATION_MINIMALE",
    "VOLET_SCHEMATRONS",
    "Schematron",
    "SchematronError",
    "compile_schematron",
    "run_schematron",
    "schematron_named",
    "schematrons_for",
    "validate_schematrons",
    "volet_schematron",
]

_SVRL = "http://purl.oclc.org/dsdl/svrl"
_SKELETON = "schematron/iso-schematron-xslt1"
_SCHEMATRONS = "cisis/schematrons"

# Saxon's optimisation flags (Feature.OPTIMIZATION_LEVEL): all but loop lifting ("l").
_SAXON_OPTIMIZATION = ("http://saxon.sf.net/feature/optimizationLevel", "-l")


class SchematronError(CdaError):
    """A schematron that cannot be compiled or run: an upstream include that is missing (see
    ``SCHEMATRON_INCLUDE_ISSUES.tsv`` of the CI-SIS), an XPath error, an unknown name."""


@dataclass(frozen=True, kw_only=True)
class Schematron:
    """One shipped schematron and the documents it is for."""

    name: str
    """The file's stem, e.g. ``CI-SIS_BIO-CR-BIO_2024.01``."""
    path: str
    """The ``.sch`` file, relative to the ``schemas`` package."""
    template_id: str | None = None
    """The CI-SIS templateId (``ClinicalDocument/templateId/@root``) of the document kind."""
    versions: frozenset[str | None] = field(default_factory=frozenset)
    """Values of that templateId's ``@extension`` it checks (``None``: no extension)."""
    document_code: str | None = None
    """``ClinicalDocument/code/@code`` (LOINC) of the kind, for volets without a templateId."""


def _volet(
    stem: str,
    template_id: str | None = None,
    *,
    versions: tuple[str | None, ...] | None = None,
    code: str | None = None,
) -> Schematron:
    version = stem.rpartition("_")[2]
    return Schematron(
        name=f"CI-SIS_{stem}",
        path=f"{_SCHEMATRONS}/CI-SIS_{stem}.sch",
        template_id=None if template_id is None else f"1.2.250.1.213.1.1.1.{template_id}",
        versions=frozenset((version,) if versions is None else versions),
        document_code=code,
    )


STRUCTURATION_MINIMALE = Schematron(
    name="ASIP-STRUCT-MIN-StrucMin",
    path=f"{_SCHEMATRONS}/profils/structurationMinimale/ASIP-STRUCT-MIN-StrucMin.sch",
)
"""CI-SIS "Structuration minimale des documents de santé" (ART-DECOR scenario StrucMin,
1.2.250.1.213.1.1.1.1.4.2): the header every CDA document of the DMP must have."""

# The CI-SIS volets: templateId 1.2.250.1.213.1.1.1.N of the document kind (the "Entete" rules
# of each volet, and the ANS examples), version = templateId/@extension = the volet's edition.
VOLET_SCHEMATRONS: tuple[Schematron, ...] = (
    _volet("ANEST-CR-ANEST_2022.01", "40"),
    _volet("ANEST-CR-CPA_2022.01", "41"),
    _volet("AVC-AUNV_2022.01", "15"),
    _volet("AVC-EUNV_2022.01", "16"),
    _volet("AVC-PAVC_2022.01", "25"),
    _volet("AVC-SUNV_2022.01", "17"),
    # CR-BIO 2021.01 predates versioned templateIds: its documents carry no extension.
    _volet("BIO-CR-BIO_2021.01", "55", versions=(None, "2021.01")),
    _volet("BIO-CR-BIO_2023.01", "55"),
    _volet("BIO-CR-BIO_2024.01", "55"),
    _volet("BIO-TROD_2024.01", "59"),
    _volet("CANCER-CR-GM_2022.01", "32"),
    _volet("CANCER-D2LM-FIDD_2022.01", "28"),
    _volet("CANCER-D2LM-FIN_2022.01", "27"),
    _volet("CANCER-FRCP_2022.01", "8"),
    _volet("CANCER-PPS_2022.01", "26"),
    _volet("CARD-F-PRC-AVK_2022.01", "2.1.1"),
    _volet("CARD-F-PRC-TAP_2022.01", "2.1.2"),
    _volet("CARD-F-PRC-DCI_2022.01", "2.1.3"),
    _volet("CARD-F-PRC-PSC_2022.01", "2.1.4"),
    _volet("CARD-F-PRC-PPV_2022.01", "2.1.5"),
    _volet("CNAM-HR_2021.01", "36"),
    _volet("CSE-CS8_2022.01", "5.1"),
    _volet("CSE-CS8_2024.01", "5.1"),
    _volet("CSE-CS8_2025.01", "5.1"),
    _volet("CSE-CS9_2022.01", "5.2"),
    _volet("CSE-CS9_2024.01", "5.2"),
    _volet("CSE-CS9_2025.01", "5.2"),
    _volet("CSE-CS24_2022.01", "5.3"),
    _volet("CSE-CS24_2024.01", "5.3"),
    _volet("CSE-CS24_2025.01", "5.3"),
    _volet("CSE-MDE_2023.01", "5.4"),
    _volet("DLU-EHPAD-DLU_2022.01", "22"),
    _volet("DLU-EHPAD-FLUDT_2022.01", "23"),
    _volet("DLU-EHPAD-FLUDR_2022.01", "24"),
    _volet("EP-MED-DM_2022.01", "39"),
    _volet("EP-MED-DM_2023.01", "39"),
    _volet("EP-MED-DM_2024.01", "39"),
    _volet("IMG-CR-IMG_2024.01", "45"),
    _volet("IMG-DA-IMG_2024.01", "47"),
    _volet("IPS-FR_2024.01", "51"),
    _volet("LDL-EES_2022.01", "21"),
    _volet("LDL-SES_2022.01", "29"),
    _volet("OBP-SAP_2024.01", "12.1"),
    _volet("OBP-SNM_2024.01", "12.2"),
    _volet("OBP-SNE_2024.01", "12.3"),
    _volet("OBP-SCM_2024.01", "12.4"),
    _volet("OBP-SEM_2024.01", "12.5"),
    _volet("OPH-BRE_2022.01", "42"),
    _volet("OPH-BRE_2022.02", "42"),
    _volet("SDM-MR_2022.01", "30"),
    _volet("SDM-MR_2024.01", "30"),
    _volet("TLM-DA_2022.01", "38"),
    _volet("VAC-NOTE_2023.01", "46"),
    _volet("VAC_2023.01", "37"),
    # VSM 1.4 (2013) documents carry the extension "201310".
    _volet("VSM_1.4_2022.01", "13", versions=("201310",)),
    _volet("VSM_2023.01", "13"),
    _volet("eDISP-MED_2024.01", "54"),
    # Recognised by their LOINC code: retinography report, telemedicine report (level 1).
    _volet("OPH-CR-RTN_2022.01", code="75492-9"),
    _volet("TLM-CR_2022.01", code="85208-7"),
)
"""Every CI-SIS volet schematron shipped, with the documents it is for."""


def schematron_named(name: str) -> Schematron:
    """The shipped schematron called ``name`` (a file stem such as ``CI-SIS_VSM_2023.01``)."""
    for schematron in (STRUCTURATION_MINIMALE, *VOLET_SCHEMATRONS):
        if schematron.name == name or f"{schematron.name}.sch" == name:
            return schematron
    raise SchematronError(f"no schematron named {name!r} is shipped")


def volet_schematron(document: CdaDocument) -> Schematron | None:
    """The volet schematron for ``document``'s kind and version, or ``None`` if none applies.

    >>> from cda.document import parse_cda
    >>> document = parse_cda(b'<ClinicalDocument xmlns="urn:hl7-org:v3">'
    ...     b'<templateId root="1.2.250.1.213.1.1.1.55" extension="2024.01"/></ClinicalDocument>')
    >>> volet_schematron(document).name
    'CI-SIS_BIO-CR-BIO_2024.01'
    """
    declared = {
        (template.get("root"), _stripped(template.get("extension")))
        for template in document.findall("cda:templateId")
    }
    for schematron in VOLET_SCHEMATRONS:
        if schematron.template_id is not None and any(
            root == schematron.template_id and extension in schematron.versions
            for root, extension in declared
        ):
            return schematron
    code = document.find("cda:code")
    if code is not None and code.get("code"):
        for schematron in VOLET_SCHEMATRONS:
            if schematron.template_id is None and schematron.document_code == code.get("code"):
                return schematron
    return None


def schematrons_for(document: CdaDocument) -> tuple[Schematron, ...]:
    """The schematrons a DMP document must satisfy: "Structuration minimale", then its volet's."""
    volet = volet_schematron(document)
    return (STRUCTURATION_MINIMALE,) if volet is None else (STRUCTURATION_MINIMALE, volet)


def validate_schematrons(document: CdaDocument) -> ValidationReport:
    """Run every schematron of :func:`schematrons_for` and merge their reports.

    Raises :class:`SchematronError` when one of them cannot be compiled or run.
    """
    return ValidationReport.merge(
        run_schematron(document, schematron) for schematron in schematrons_for(document)
    )


def run_schematron(document: CdaDocument, schematron: Schematron) -> ValidationReport:
    """Run one schematron over ``document``: its SVRL failed assertions and successful reports.

    A finding's severity is its ``role`` (``warning``, ``info``; anything else or nothing is an
    error: the CI-SIS writes its errors as ``report`` without a role too). Its location is the
    SVRL ``location`` resolved in ``document``, so it carries the node's line.
    """
    executable = _executable(schematron)
    text = etree.tostring(document.root, encoding="unicode")
    try:
        source = _saxon().new_document_builder().parse_xml(xml_text=text, encoding="UTF-8")
        output = executable.transform_to_string(xdm_node=source)
    except Exception as error:  # saxonche raises PySaxonApiError and, on bad input, others
        raise SchematronError(f"{schematron.name} failed: {_first_line(error)}") from None
    try:
        svrl = parse_xml(output.encode("utf-8"))
    except XmlError as error:
        raise SchematronError(f"{schematron.name} wrote an unreadable report: {error}") from None
    tree = etree.ElementTree(document.root)
    findings = []
    pattern: str | None = None
    for node in svrl.iter(
        f"{{{_SVRL}}}active-pattern", f"{{{_SVRL}}}failed-assert", f"{{{_SVRL}}}successful-report"
    ):
        if node.tag == f"{{{_SVRL}}}active-pattern":
            pattern = node.get("id") or node.get("name")
            continue
        findings.append(_finding(node, tree, pattern))
    return ValidationReport.of(findings)


def compile_schematron(schematron: Schematron) -> None:
    """Compile ``schematron`` now if it is not yet (the first run otherwise pays for it).

    "Structuration minimale" takes 15 to 20 s on the project's machine (140 files, 10 MB of
    generated XSLT for Saxon); a volet, a second at most. Raises :class:`SchematronError` if
    it cannot be compiled, and again on each later use: the failure is cached too.
    """
    _executable(schematron)


def _finding(node: etree._Element, tree: etree._ElementTree, pattern: str | None) -> Finding:
    raw_location = node.get("location") or "/"
    location, line = raw_location, None
    try:
        found = tree.xpath(raw_location)
    except etree.XPathError:
        found = None
    if isinstance(found, list) and found:
        location, line = node_location(found[0])
    text = node.find(f"{{{_SVRL}}}text")
    message = "" if text is None else " ".join(str(text.xpath("string()")).split())
    return Finding(
        severity=_severity(node.get("role") or node.get("flag")),
        message=message,
        location=location,
        line=line,
        rule=node.get("id") or pattern,
    )


def _severity(role: str | None) -> Severity:
    word = (role or "").strip().lower()
    if word in ("warning", "warn"):
        return Severity.WARNING
    if word in ("info", "information", "informational"):
        return Severity.INFO
    return Severity.ERROR


def _stripped(value: str | None) -> str | None:
    return None if value is None else value.strip()


def _first_line(error: BaseException) -> str:
    text = str(error).strip()
    return text.splitlines()[0].strip() if text else type(error).__name__


# --------------------------------------------------------------------------- compilation

_lock = threading.Lock()  # compilations, one at a time
_engine_lock = threading.Lock()  # creating the Saxon processor
_compiled: dict[str, Any] = {}  # schematron path -> Saxon executable, or its SchematronError
_engines: dict[str, Any] = {}  # "skeleton": the three libxslt stages; "saxon": the processor


def _executable(schematron: Schematron) -> Any:
    """A private clone of the compiled schematron (Saxon executables are not thread-safe)."""
    compiled = _compiled.get(schematron.path)
    if compiled is None:
        with _lock:
            compiled = _compiled.get(schematron.path)
            if compiled is None:
                try:
                    compiled = _compile(schematron)
                except SchematronError as error:
                    compiled = error
                _compiled[schematron.path] = compiled
    if isinstance(compiled, SchematronError):
        raise SchematronError(compiled.reason)
    return compiled.clone()


def _compile(schematron: Schematron) -> Any:
    """ISO skeleton (libxslt) then Saxon; called with ``_lock`` held."""
    path = _package_file(schematron.path)
    try:
        schema = parse_xml(path.read_bytes())
    except (OSError, XmlError) as error:
        raise SchematronError(f"{schematron.name} cannot be read: {error}") from None
    schema.getroottree().docinfo.URL = str(path)  # sch:include hrefs are relative to it
    include, expand, to_svrl = _skeleton()
    try:
        expanded = expand(include(schema.getroottree()))
        root = expanded.getroot()
        if root is None:
            raise SchematronError(f"{schematron.name}: include expansion produced nothing")
        binding = root.get("queryBinding", "xslt")
        if binding in ("xslt2", "xslt3"):
            root.set("queryBinding", "xslt")
        generated = to_svrl(expanded).getroot()
    except etree.XSLTError as error:
        raise SchematronError(f"{schematron.name} cannot be compiled: {error}") from None
    if generated is None:
        raise SchematronError(f"{schematron.name}: the skeleton produced no stylesheet")
    if binding in ("xslt2", "xslt3"):
        generated.set("version", "2.0" if binding == "xslt2" else "3.0")
    saxon = _saxon()
    try:
        builder = saxon.new_document_builder()
        builder.set_base_uri(path.as_uri())  # document('../jeuxDeValeurs/…') resolves here
        node = builder.parse_xml(
            xml_text=etree.tostring(generated, encoding="unicode"), encoding="UTF-8"
        )
        return saxon.new_xslt30_processor().compile_stylesheet(stylesheet_node=node)
    except Exception as error:  # saxonche's PySaxonApiError
        raise SchematronError(
            f"{schematron.name} cannot be compiled: {_first_line(error)}"
        ) from None


def _skeleton() -> tuple[etree.XSLT, etree.XSLT, etree.XSLT]:
    """The three ISO skeleton stages as libxslt stylesheets; called with ``_lock`` held."""
    stages = _engines.get("skeleton")
    if stages is None:
        # Package files only: no network, no writing; reading the included .sch files is needed.
        access = etree.XSLTAccessControl(  # type: ignore[call-arg]  # missing from lxml-stubs 0.5
            read_network=False, write_file=False, create_dir=False, write_network=False
        )
        built = []
        for name in ("iso_dsdl_include.xsl", "iso_abstract_expand.xsl", "iso_svrl_for_xslt1.xsl"):
            path = _package_file(f"{_SKELETON}/{name}")
            stylesheet = parse_xml(path.read_bytes())
            stylesheet.getroottree().docinfo.URL = str(path)  # xsl:import of the skeleton
            built.append(etree.XSLT(stylesheet.getroottree(), access_control=access))
        stages = _engines["skeleton"] = tuple(built)
    include, expand, to_svrl = stages
    return include, expand, to_svrl


def _saxon() -> Any:
    """The process's one Saxon processor (saxonche wants a single ``PySaxonProcessor``)."""
    processor = _engines.get("saxon")
    if processor is None:
        with _engine_lock:
            processor = _engines.get("saxon")
            if processor is None:
                from saxonche import PySaxonProcessor  # type: ignore[import-not-found]  # no stubs

                processor = PySaxonProcessor(license=False)
                processor.set_configuration_property(*_SAXON_OPTIMIZATION)
                _engines["saxon"] = processor
    return processor


def _package_file(relative_path: str) -> Path:
    # The schematrons include, and read, files by relative path: the package must be files.
    root = importlib.resources.files("schemas")
    if not isinstance(root, Path):
        raise SchematronError(f"the schemas package must be installed as files, not {root!r}")
    return root.joinpath(relative_path)
