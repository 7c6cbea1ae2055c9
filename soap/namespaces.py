"""W3C SOAP 1.2 Part 1 §5, WS-Addressing 1.0 Core §2.1, XOP §2 — the namespaces of the SOAP layer.

The wire strings of the envelope, addressing and XOP vocabularies, named once.
The ebRIM/ebRS namespaces live in ``registry.vocabulary.Namespace``.
"""

from __future__ import annotations

from enum import Enum, StrEnum


class Namespace(StrEnum):
    """XML namespaces the SOAP layer reads and writes."""

    SOAP12 = "http://www.w3.org/2003/05/soap-envelope"
    """SOAP 1.2 Part 1 §5: the envelope namespace this server speaks."""
    SOAP11 = "http://schemas.xmlsoap.org/soap/envelope/"
    """SOAP 1.1 §4.1.2: recognised only to answer with a VersionMismatch fault."""
    WSA = "http://www.w3.org/2005/08/addressing"
    """WS-Addressing 1.0 Core §2.1 (the version ITI TF-2x Appendix V mandates)."""
    XOP = "http://www.w3.org/2004/08/xop/include"
    """XOP §3: ``xop:Include`` pointing at a MIME part."""
    WSSE = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd"
    """WS-Security 1.0: ``wsse:Security`` (understood only when configured)."""
    XML = "http://www.w3.org/XML/1998/namespace"
    """The ``xml:`` prefix (``xml:lang`` on fault reasons)."""


def clark(namespace: str, local_name: str) -> str:
    """The ``{namespace}local`` name lxml uses for tags and attributes.

    >>> clark(Namespace.WSA, "Action")
    '{http://www.w3.org/2005/08/addressing}Action'

    Works with any ``str`` enum of namespaces (``registry.vocabulary.Namespace`` too).
    """
    uri = namespace.value if isinstance(namespace, Enum) else namespace
    return f"{{{uri}}}{local_name}"
