"""Signature benchmark: the IHE DSG SubmissionSet Signature, signed and verified per submission.

Prints one table. Run from the project root: ``.venv/bin/python bench/signature.py``.

Each row is one submission of one document (40 KB, then 1 MB), signed by an RSA 2048 key
whose certificate chains through an intermediate to the trust store's root (the PKI of the
tests, generated on the spot):

* sign — :func:`cda.signature.sign_submission_set`: SHA-256 of the document, the XAdES
  signature over the manifest (what ``carnet submit --sign-key`` adds);
* verify — :func:`cda.signature.verify_submission_signature`: parse, certificate path,
  XMLDSig core validation, XAdES properties, the document's digest (what ITI-41 adds on the
  repository);
* baseline — SHA-256 of the document alone, the part that grows with its size;
* loading the PEM key and certificate, cold, against the per-process cache.
"""

from __future__ import annotations

import argparse
import functools
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import hashlib  # noqa: E402

from cda.certificates import load_signing_key, load_trust_store  # noqa: E402
from cda.signature import sign_submission_set, verify_submission_signature  # noqa: E402
from tests.signing_pki import make_pki  # noqa: E402

SUBMISSION_SET = "1.2.250.1.999.9.1"
DOCUMENT = "1.2.250.1.999.9.2"


def _time(action: Callable[[], object], repeat: int) -> tuple[float, float]:
    """p50 and p95 of ``action`` in milliseconds, after one warm-up call."""
    action()
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        action()
        samples.append((time.perf_counter() - start) * 1000)
    samples.sort()
    return statistics.median(samples), samples[int(len(samples) * 0.95) - 1]


def measurements(directory: Path) -> list[tuple[str, Callable[[], object], str]]:
    """``(label, callable, notes)`` rows; each call is one submission's work."""
    pki = make_pki(directory)
    trust = load_trust_store(pki.trust_store)
    rows: list[tuple[str, Callable[[], object], str]] = []
    for label, size in (("40 KB", 40 * 1024), ("1 MB", 1024 * 1024)):
        documents = {DOCUMENT: (bytes(range(256)) * (size // 256 + 1))[:size]}
        sign = functools.partial(
            sign_submission_set,
            submission_set_unique_id=SUBMISSION_SET,
            documents=documents,
            key=pki.signer,
        )
        signature = sign()
        verify = functools.partial(
            verify_submission_signature,
            signature,
            submission_set_unique_id=SUBMISSION_SET,
            documents=documents,
            trust_store=trust,
        )
        data = documents[DOCUMENT]
        rows += [
            (f"sign, one {label} document", sign, "RSA 2048, SHA-256, XAdES-BES"),
            (f"verify, one {label} document", verify, "chain of 3, signature, manifest"),
            (
                f"baseline: SHA-256 of {label}",
                functools.partial(hashlib.sha256, data),
                "the size-dependent part",
            ),
        ]

    def load_cold() -> object:
        load_signing_key.cache_clear()
        return load_signing_key(pki.key_file, pki.certificate_file)

    rows += [
        ("load PEM key + certificate, cold", load_cold, "once per process"),
        (
            "load PEM key + certificate, cached",
            functools.partial(load_signing_key, pki.key_file, pki.certificate_file),
            "every later call",
        ),
    ]
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=200, help="calls per row (default 200)")
    arguments = parser.parse_args()
    with tempfile.TemporaryDirectory() as directory:
        rows = measurements(Path(directory))
        results = [(label, _time(action, arguments.repeat), notes) for label, action, notes in rows]
    width = max(len(label) for label, _, _ in results)
    print(f"{'measure':<{width}}  {'p50 ms':>8}  {'p95 ms':>8}  notes")
    print(f"{'-' * width}  {'-' * 8}  {'-' * 8}  -----")
    for label, (p50, p95), notes in results:
        print(f"{label:<{width}}  {p50:>8.3f}  {p95:>8.3f}  {notes}")


if __name__ == "__main__":
    main()
