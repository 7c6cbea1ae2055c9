"""HL7 CDA R2 documents: parsing, validation, the XDS metadata a CDA header implies,
rendering and signatures.

A leaf package: it uses :mod:`schemas` (the hardened parser, the shipped schemas) and
nothing else of Carnet, so the repository, the client and the command line can all use it.
"""

from cda.certificates import SigningKey, TrustStore, load_signing_key, load_trust_store
from cda.coded_value import CodedValue
from cda.document import CDA_NAMESPACE, BodyKind, CdaDocument, cda_document, parse_cda
from cda.errors import CdaError, CdaMetadataError, NotCdaError, SignatureError
from cda.ins import InsAuthority
from cda.metadata import CdaAuthor, CdaMetadata, cda_metadata
from cda.rendering import Rendered, render, render_html
from cda.schematron import (
    STRUCTURATION_MINIMALE,
    VOLET_SCHEMATRONS,
    Schematron,
    SchematronError,
    compile_schematron,
    run_schematron,
    schematron_named,
    schematrons_for,
    validate_schematrons,
    volet_schematron,
)
from cda.signature import (
    SignaturePurpose,
    VerifiedSignature,
    sign_submission_set,
    verify_enveloped_signature,
    verify_submission_signature,
)
from cda.validation import Finding, Severity, ValidationReport, validate_schema
from cda.value_sets import CodeProblem, check_codes

__all__ = [
    "CDA_NAMESPACE",
    "STRUCTURATION_MINIMALE",
    "VOLET_SCHEMATRONS",
    "BodyKind",
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
    "Schematron",
    "SchematronError",
    "Severity",
    "SignatureError",
    "SignaturePurpose",
    "SigningKey",
    "TrustStore",
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
