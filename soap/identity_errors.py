"""OASIS WSS 1.1 SOAP Message Security §12 — why a caller's identity (the VIHF) is refused.

A DMP request proves who is calling with a signed SAML 2.0 assertion (the VIHF) in its
``wsse:Security`` header (``soap/ws_security.py``, ``soap/saml.py``, ``carnet/vihf.py``).
Every way that proof can fail is one class below, carrying the WSS 1.1 §12 fault code
it is answered with; ``soap/faults.py`` alone turns them into SOAP faults
(:func:`soap.faults.identity_fault`).

``reason`` is what the caller is told: it names what is wrong and never echoes the
assertion, a certificate or a stack. ``internal`` is for the server's log only (the
certificate's subject, the library's message).

Exception tree::

    IdentityError                 the caller's identity cannot be accepted
    ├── MissingAssertion          no wsse:Security header, or no saml2:Assertion in it
    ├── MalformedAssertion        not a SAML 2.0 assertion as core §2 shapes it (no Issuer, bad
    │                             dates, several assertions, unsupported signature transforms)
    ├── UnsignedAssertion         no enveloped ds:Signature (SAML 2.0 core §5.4)
    ├── ForgedAssertion           the signature does not verify, or covers something else
    │                             (a changed attribute, signature wrapping)
    ├── UntrustedIssuer           the signing certificate does not chain to the trust store
    ├── ExpiredAssertion          past Conditions/@NotOnOrAfter (or too old without one)
    ├── PrematureAssertion        before Conditions/@NotBefore, or issued in the future
    ├── WrongAudience             an AudienceRestriction that does not name this node
    ├── MissingAttribute          a VIHF attribute the DMP requires is absent (``name``)
    ├── InvalidAttribute          a VIHF attribute with a value outside its vocabulary (``name``)
    ├── WrongPatient              the request concerns another patient than the VIHF names
    ├── MissingClientCertificate  no TLS client certificate where its match is required
    └── ClientCertificateMismatch the TLS client certificate is not the VIHF's signer
"""

from __future__ import annotations

from enum import StrEnum

__all__ = [
    "ClientCertificateMismatch",
    "ExpiredAssertion",
    "ForgedAssertion",
    "IdentityError",
    "InvalidAttribute",
    "MalformedAssertion",
    "MissingAssertion",
    "MissingAttribute",
    "MissingClientCertificate",
    "PrematureAssertion",
    "SecurityFaultCode",
    "UnsignedAssertion",
    "UntrustedIssuer",
    "WrongAudience",
    "WrongPatient",
]


class SecurityFaultCode(StrEnum):
    """WSS 1.1 SOAP Message Security §12, Tables 12-1/12-2: the ``wsse:`` fault codes
    (local names in the ``wsse`` namespace), used as ``env:Subcode`` of a Sender fault."""

    UNSUPPORTED_SECURITY_TOKEN = "UnsupportedSecurityToken"
    UNSUPPORTED_ALGORITHM = "UnsupportedAlgorithm"
    INVALID_SECURITY = "InvalidSecurity"
    """"An error was discovered processing the <wsse:Security> header"."""
    INVALID_SECURITY_TOKEN = "InvalidSecurityToken"
    """"An invalid security token was provided"."""
    FAILED_AUTHENTICATION = "FailedAuthentication"
    """"The security token could not be authenticated or authorized"."""
    FAILED_CHECK = "FailedCheck"
    """"The signature or decryption was invalid"."""
    SECURITY_TOKEN_UNAVAILABLE = "SecurityTokenUnavailable"
    MESSAGE_EXPIRED = "MessageExpired"
    """"The message has expired"."""


class IdentityError(Exception):
    """The caller's identity cannot be accepted; ``reason`` says why, safe to tell the caller."""

    fault_code = SecurityFaultCode.INVALID_SECURITY
    """The WSS 1.1 §12 fault code the refusal is answered with."""

    def __init__(self, reason: str, *, internal: str | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.internal = internal
        """Details for the server log only (never rendered on the wire)."""

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.fault_code.value}: {self.reason!r})"


class MissingAssertion(IdentityError):
    """No ``wsse:Security`` header, or no ``saml2:Assertion`` in it (the DMP requires one
    on every call)."""

    fault_code = SecurityFaultCode.INVALID_SECURITY


class MalformedAssertion(IdentityError):
    """Not a SAML 2.0 assertion as core §2.3.3 shapes it, or one this node cannot check as
    given (signature transforms beyond SAML 2.0 core §5.4.4, several assertions)."""

    fault_code = SecurityFaultCode.INVALID_SECURITY_TOKEN


class UnsignedAssertion(IdentityError):
    """The assertion carries no enveloped ``ds:Signature`` (SAML 2.0 core §5.4): anybody
    could have written it."""

    fault_code = SecurityFaultCode.FAILED_AUTHENTICATION


class ForgedAssertion(IdentityError):
    """XMLDSig core validation failed (a value changed after signing), or the signature
    covers another element than the assertion read (signature wrapping)."""

    fault_code = SecurityFaultCode.FAILED_CHECK


class UntrustedIssuer(IdentityError):
    """The certificate that signed the assertion does not chain to the configured trust
    store, or is not valid now (RFC 5280 §6)."""

    fault_code = SecurityFaultCode.FAILED_AUTHENTICATION


class ExpiredAssertion(IdentityError):
    """Now is at or after ``Conditions/@NotOnOrAfter`` (SAML 2.0 core §2.5.1.2), clock skew
    allowed for."""

    fault_code = SecurityFaultCode.MESSAGE_EXPIRED


class PrematureAssertion(IdentityError):
    """Now is before ``Conditions/@NotBefore`` or ``@IssueInstant``, clock skew allowed for."""

    fault_code = SecurityFaultCode.INVALID_SECURITY_TOKEN


class WrongAudience(IdentityError):
    """An ``AudienceRestriction`` does not name this node (SAML 2.0 core §2.5.1.4)."""

    fault_code = SecurityFaultCode.FAILED_AUTHENTICATION


class MissingAttribute(IdentityError):
    """A VIHF attribute the DMP requires is absent or empty; ``name`` is its wire name."""

    fault_code = SecurityFaultCode.INVALID_SECURITY_TOKEN

    def __init__(self, reason: str, *, name: str, internal: str | None = None) -> None:
        super().__init__(reason, internal=internal)
        self.name = name


class InvalidAttribute(IdentityError):
    """A VIHF attribute whose value is outside its vocabulary; ``name`` is its wire name."""

    fault_code = SecurityFaultCode.INVALID_SECURITY_TOKEN

    def __init__(self, reason: str, *, name: str, internal: str | None = None) -> None:
        super().__init__(reason, internal=internal)
        self.name = name


class WrongPatient(IdentityError):
    """The request (a query's patient id, a submission's, a record's) concerns another patient
    than the VIHF's ``resource-id``: the assertion vouches for access to that patient only
    (ANS VIHF mapping, ``resource-id``). The reason names neither patient."""

    fault_code = SecurityFaultCode.FAILED_AUTHENTICATION


class MissingClientCertificate(IdentityError):
    """The node requires the TLS client certificate to match the VIHF's signer, and the request
    came with none this node may believe (none forwarded, or forwarded by a peer that is not a
    trusted proxy, or unreadable)."""

    fault_code = SecurityFaultCode.FAILED_AUTHENTICATION


class ClientCertificateMismatch(IdentityError):
    """The TLS client certificate holds another key than the certificate that signed the VIHF:
    whoever holds the channel did not sign the assertion (SAML V2.0 Holder-of-Key Assertion
    Profile §2.5: the presenter proves possession of the confirming key)."""

    fault_code = SecurityFaultCode.FAILED_AUTHENTICATION
