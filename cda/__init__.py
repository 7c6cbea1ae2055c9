"""HL7 CDA R2 documents: parsing, validation, the XDS metadata a CDA header implies,
rendering and signatures.

A leaf package: it uses :mod:`schemas` (the hardened parser, the shipped schemas) and
nothing else of Carnet, so the repository, the client and the command line can all use it.
"""

from cda.document import CDA_NAMESPACE, BodyKind, CdaDocument, cda_document, parse_cda
from cda.errors import CdaError, NotCdaError

__all__ = [
    "CDA_NAMESPACE",
    "BodyKind",
    "CdaDocument",
    "CdaError",
    "NotCdaError",
    "cda_document",
    "parse_cda",
]
