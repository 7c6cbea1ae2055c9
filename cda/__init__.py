"""HL7 CDA R2 documents: parsing and the XDS metadata a CDA header implies."""

__all__: list[str] = []
