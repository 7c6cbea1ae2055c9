"""OASIS WSS 1.1 SOAP Message Security §5-6 — the ``wsse:Security`` header and its SAML token.

The DMP puts its VIHF, a SAML 2.0 assertion, in the ``wsse:Security`` header of every call
(OASIS WSS SAML Token Profile 1.1 §3.3: the assertion itself is the security token). This
module finds that header and that assertion in a request's header blocks, and builds the
header a client sends. Checking the assertion is ``soap/saml.py``'s job.

``wsse:Security`` is usually sent with ``mustUnderstand="true"``; a node understands it only
when it checks the VIHF (:func:`understood_headers`), otherwise SOAP 1.2 requires a
``MustUnderstand`` fault rather than silently ignoring the caller's identity.
"""

from __future__ import annotations

import copy
from collections.abc import Sequence

from lxml import etree

from schemas import XmlError, parse_xml
from soap.identity_errors import MalformedAssertion, MissingAssertion
from soap.namespaces import Namespace, clark

__all__ = [
    "SAML_ASSERTION",
    "SAML_NAMESPACE",
    "SECURITY_HEADER",
    "find_assertion",
    "find_security_header",
    "security_header",
    "understood_headers",
]

SAML_NAMESPACE = "urn:oasis:names:tc:SAML:2.0:assertion"
"""SAML 2.0 core §2: the assertion namespace (``saml2:``)."""

SECURITY_HEADER = clark(Namespace.WSSE, "Security")
"""WSS 1.1 §5: the ``wsse:Security`` header block, as a Clark name."""

SAML_ASSERTION = clark(SAML_NAMESPACE, "Assertion")
"""SAML 2.0 core §2.3.3: ``saml2:Assertion``, as a Clark name."""

_ROLE = clark(Namespace.SOAP12, "role")
_OUR_ROLES = frozenset(
    {
        "",
        "http://www.w3.org/2003/05/soap-envelope/role/next",
        "http://www.w3.org/2003/05/soap-envelope/role/ultimateReceiver",
    }
)


def understood_headers(*, vihf_enabled: bool) -> frozenset[str]:
    """The header blocks to declare understood (``SoapApplication(understood_headers=…)``):
    ``wsse:Security`` when this node checks the VIHF, nothing otherwise."""
    return frozenset({SECURITY_HEADER}) if vihf_enabled else frozenset()


def find_security_header(headers: Sequence[etree._Element]) -> etree._Element | None:
    """The ``wsse:Security`` block targeted at this node (no role, ``next`` or
    ``ultimateReceiver``), or None.

    WSS 1.1 §6.1 allows one such block per role; two aimed at us are refused, since the one
    checked might not be the one another layer reads.
    """
    ours = [
        block
        for block in headers
        if block.tag == SECURITY_HEADER and (block.get(_ROLE) or "").strip() in _OUR_ROLES
    ]
    if len(ours) > 1:
        raise MalformedAssertion(
            "the request carries several wsse:Security headers for this node (WSS 1.1 §6.1)"
        )
    return ours[0] if ours else None


def find_assertion(headers: Sequence[etree._Element]) -> etree._Element:
    """The one ``saml2:Assertion`` child of the request's ``wsse:Security`` header.

    Raises :class:`~soap.identity_errors.MissingAssertion` when there is no header or no
    assertion, :class:`~soap.identity_errors.MalformedAssertion` when there are several (a
    second assertion is how signature-wrapping attacks hide the one that is verified).
    """
    security = find_security_header(headers)
    if security is None:
        raise MissingAssertion(
            "the request has no wsse:Security header: a signed SAML 2.0 assertion (VIHF) "
            "identifying the caller is required"
        )
    assertions = [child for child in security if child.tag == SAML_ASSERTION]
    if not assertions:
        raise MissingAssertion(
            "the wsse:Security header holds no saml2:Assertion: a signed SAML 2.0 assertion "
            "(VIHF) identifying the caller is required"
        )
    if len(assertions) > 1:
        raise MalformedAssertion(
            f"the wsse:Security header holds {len(assertions)} saml2:Assertion elements; "
            "exactly one is expected"
        )
    return assertions[0]


def security_header(
    assertion: etree._Element | bytes, *, must_understand: bool = True
) -> etree._Element:
    """A ``wsse:Security`` header block carrying ``assertion`` (a copy, left untouched so its
    signature still verifies), marked ``mustUnderstand`` unless told otherwise.

    ``assertion`` given as bytes is parsed by the one hardened parser; it must be a
    ``saml2:Assertion``.
    """
    if isinstance(assertion, bytes):
        try:
            element = parse_xml(assertion)
        except XmlError as error:
            raise MalformedAssertion(f"the assertion is not well-formed XML: {error}") from None
    else:
        element = copy.deepcopy(assertion)
    if element.tag != SAML_ASSERTION:
        raise MalformedAssertion(
            f"{etree.QName(element).text} is not a SAML 2.0 assertion "
            f"({{{SAML_NAMESPACE}}}Assertion)"
        )
    header = etree.Element(
        SECURITY_HEADER,
        nsmap={"wsse": Namespace.WSSE.value, "env": Namespace.SOAP12.value},
    )
    if must_understand:
        header.set(clark(Namespace.SOAP12, "mustUnderstand"), "true")
    header.append(element)
    return header
