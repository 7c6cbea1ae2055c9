"""CDA benchmark: time per document of the CDA work Carnet does, p50 over N runs.

Run from the project root::

    .venv/bin/python bench/cda.py [--runs 10]

Prints one table: for each measurement, the first call (which compiles what it needs: the
schema, a schematron, once per process) and the median of ``--runs`` calls after it.

Documents, built in memory from ``tests/data/cda``:

* 40 KB level 3: ``AVC-SUNV_2022.01.xml`` (CI-SIS example, 39 KB);
* 1 MB level 3: the same with its body's sections repeated until it passes 1 MB (schema-valid;
  the schematrons report the repeated sections, which is part of the work measured);
* 1 MB level 1: ``BIO-CR-BIO_2021.01_CDA-R2-Niveau-1.xml`` with its base64 PDF grown to 1 MB;
* 40 KB schema-invalid: ``AVC-SUNV_2022.01_xsd-invalid.xml``, for the refusal path (libxml2
  refuses, then xmlschema explains).

Measurements are a list of ``(label, callable)`` rows (:func:`measurements`): parsing,
validation, metadata extraction and rendering; signing and verifying a submission are
``bench/signature.py``'s.
"""

from __future__ import annotations

import argparse
import base64
import re
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from cda.document import CdaDocument, parse_cda  # noqa: E402
from cda.metadata import cda_metadata  # noqa: E402
from cda.rendering import render  # noqa: E402
from cda.schematron import validate_schematrons  # noqa: E402
from cda.validation import validate_schema  # noqa: E402

DATA = ROOT / "tests" / "data" / "cda"
MB = 1024 * 1024

Measurement = tuple[str, Callable[[], object]]


def level_3_40_kb() -> bytes:
    return (DATA / "AVC-SUNV_2022.01.xml").read_bytes()


def level_3_1_mb() -> bytes:
    """The 40 KB document with the sections of its structuredBody repeated past 1 MB.

    Each copy renames the narrative's ``ID`` attributes and the ``#`` references to them, which
    the schema wants unique (``xs:ID``).
    """
    data = level_3_40_kb()
    start = data.index(b"<structuredBody")
    start = data.index(b">", start) + 1
    end = data.rindex(b"</structuredBody>")
    sections = data[start:end]
    copies = -(-(MB - len(data)) // len(sections))  # ceiling
    repeated = b"".join(
        re.sub(rb'(ID="|"#)([^"]+)"', rb'\1\2-copy%d"' % copy, sections)
        for copy in range(1, copies + 1)
    )
    return data[:end] + repeated + data[end:]


def level_1_1_mb() -> bytes:
    """The level-1 CR-BIO example, its PDF grown to 1 MB (a PDF comment at the end)."""
    data = (DATA / "BIO-CR-BIO_2021.01_CDA-R2-Niveau-1.xml").read_bytes()
    match = re.search(rb'(<text[^>]*representation="B64"[^>]*>)(.*?)(</text>)', data, re.S)
    if match is None:
        raise SystemExit("no base64 text in the level-1 example")
    pdf = base64.b64decode(b"".join(match.group(2).split()))
    grown = pdf + b"\n%" + b"x" * max(0, (MB - len(data)) * 3 // 4)
    return data[: match.start(2)] + base64.encodebytes(grown) + data[match.end(2) :]


def xsd_invalid_40_kb() -> bytes:
    return (DATA / "AVC-SUNV_2022.01_xsd-invalid.xml").read_bytes()


def measurements() -> list[Measurement]:
    """The rows of the table, in order; each callable does the work once."""
    documents: dict[str, bytes] = {
        "40 KB level 3": level_3_40_kb(),
        "1 MB level 3": level_3_1_mb(),
        "1 MB level 1": level_1_1_mb(),
    }
    parsed: dict[str, CdaDocument] = {name: parse_cda(data) for name, data in documents.items()}
    invalid = parse_cda(xsd_invalid_40_kb())
    rows: list[Measurement] = []
    for name, data in documents.items():
        size = f"{name} ({len(data) / 1024:.0f} KiB)"
        document = parsed[name]
        rows.append((f"parse, {size}", lambda data=data: parse_cda(data)))
        rows.append((f"XSD validation, {size}", lambda document=document: _valid(document)))
        rows.append(
            (
                f"schematrons (StrucMin + volet if any), {size}",
                lambda document=document: validate_schematrons(document),
            )
        )
        rows.append(
            (f"metadata from the header, {size}", lambda document=document: cda_metadata(document))
        )
        rows.append((f"render as HTML, {size}", lambda document=document: render(document)))
    rows.append(("XSD refusal explained (xmlschema), 40 KB invalid", lambda: _refused(invalid)))
    # Signing and verifying a submission: bench/signature.py (its own PKI and table).
    return rows


def _valid(document: CdaDocument) -> None:
    if not validate_schema(document).valid:
        raise SystemExit("the benchmark documents must be schema-valid")


def _refused(document: CdaDocument) -> None:
    if validate_schema(document).valid:
        raise SystemExit("the invalid benchmark document was accepted")


def measure(run: Callable[[], object], runs: int) -> tuple[float, float]:
    """The first call's time, and the median of ``runs`` calls after it, in seconds."""
    start = time.perf_counter()
    run()
    first = time.perf_counter() - start
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        run()
        times.append(time.perf_counter() - start)
    return first, statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--runs", type=int, default=10, help="timed runs after the first")
    arguments = parser.parse_args()
    rows = measurements()
    width = max(len(label) for label, _ in rows)
    print(f"{'measure':<{width}}  {'first call':>11}  {'p50':>11}")
    print(f"{'-' * width}  {'-' * 11}  {'-' * 11}")
    for label, run in rows:
        first, p50 = measure(run, arguments.runs)
        print(f"{label:<{width}}  {_ms(first):>11}  {_ms(p50):>11}", flush=True)
    print(f"\np50 over {arguments.runs} runs; the first call includes compiling, once a process.")


def _ms(seconds: float) -> str:
    return f"{seconds * 1000:,.1f} ms"


if __name__ == "__main__":
    main()
