"""The XSDs and WSDLs Carnet ships, the one hardened XML parser and the cached schema loader.

Folders (sources and licences in ``PROVENANCE.md``): ``xds/`` ebRS 3.0 and IHE XDS.b schemas
that compile in lxml, used for validation; ``wsdl/`` the ITI-18/41/42/43/57/62/86 SOAP 1.2 WSDLs
with the schemas they import, served to clients; ``hl7v3/iti44/`` the ITI-44 WSDLs and HL7 v3
schemas.
"""

from schemas.loader import (
    MalformedXmlError,
    UnsafeXmlError,
    XmlError,
    load_schema,
    parse_xml,
    read_schema_file,
    schema_file,
)

__all__ = [
    "MalformedXmlError",
    "UnsafeXmlError",
    "XmlError",
    "load_schema",
    "parse_xml",
    "read_schema_file",
    "schema_file",
]
