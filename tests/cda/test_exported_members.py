"""The cda package's public surface (STYLE principle 3)."""

from __future__ import annotations

import cda


def test_cda_exports() -> None:
    assert sorted(cda.__all__) == [
        "BodyKind",
        "CDA_NAMESPACE",
        "CdaAuthor",
        "CdaDocument",
        "CdaError",
        "CdaMetadata",
        "CdaMetadataError",
        "CodeProblem",
        "CodedValue",
        "Finding",
        "InsAuthority",
        "NotCdaError",
        "Rendered",
        "STRUCTURATION_MINIMALE",
        "Schematron",
        "SchematronError",
        "Severity",
        "SignatureError",
        "SignaturePurpose",
        "SigningKey",
        "TrustStore",
        "VOLET_SCHEMATRONS",
        "ValidationReport",
        "VerifiedSignature",
        "cda_document",
        "cda_metadata",
        "check_codes",
        "compile_schematron",
        "load_signing_key",
        "load_trust_store",
        "parse_cda",
        "render",
        "render_html",
        "run_schematron",
        "schematron_named",
        "schematrons_for",
        "sign_submission_set",
        "validate_schema",
        "validate_schematrons",
        "verify_enveloped_signature",
        "verify_submission_signature",
        "volet_schematron",
    ]


def test_cda_exports_come_from_its_own_modules() -> None:
    for name in cda.__all__:
        value = getattr(cda, name)
        if isinstance(value, str | tuple):  # constants: CDA_NAMESPACE, VOLET_SCHEMATRONS
            continue
        module = getattr(value, "__module__", None) or type(value).__module__
        assert module.startswith("cda."), name
