"""OASIS WSS 1.1 SAML Token Profile §3.3, ANS VIHF — who calls a DMP endpoint, checked per request.

Under the DMP profile every request to the registry, the repository and the ``patients`` and
``habilitations`` services carries a VIHF in ``wsse:Security`` (DMP.md §1.1; DRIMbox
``BaseRequest``). :class:`VihfCheck` is the :data:`soap.transactions.CallerResolver` those
services run before their handler: it finds the assertion (``soap/ws_security.py``), verifies
it against the trust store, audience and validity window (``soap/saml.py``), reads its DMP
meaning (``carnet/vihf.py``) and the :class:`~carnet.access_policy.Caller` the access policy
judges (:func:`caller_from_vihf`); when mutual TLS is bound to the VIHF, the client
certificate must hold the signer's key (``carnet/client_certificate.py``). Any failure is a
``soap.identity_errors.IdentityError``, answered by ``soap/faults.py`` as a Sender fault that
names what is wrong and nothing else.

Which VIHF roles make which kind of caller is Carnet's reading (the DMP's is not public): a
TRE_G15 profession makes a professional; the DMP user roles (``1.2.250.1.213.1.1.4.6``)
``PATIENT`` and ``REPRESENTANT_LEGAL`` make the patient and a legal representative — both must
name the patient in ``resource-id``, and the patient's ``Subject/NameID`` must be that INS —;
anything else (``AUTOMATE``…) is an automated system.
"""

from __future__ import annotations

from dataclasses import dataclass

from carnet.access_policy import Caller, CallerKind
from carnet.client_certificate import ClientCertificateBinding
from carnet.vihf import CodeSystem, VihfIdentity, read_vihf
from soap.identity_errors import MissingAssertion, MissingAttribute, WrongPatient
from soap.saml import AssertionPolicy, verify_assertion
from soap.transactions import SoapRequest
from soap.ws_security import find_assertion

__all__ = ["PATIENT_ROLE", "REPRESENTATIVE_ROLE", "VihfCheck", "caller_from_vihf", "vihf_of"]

PATIENT_ROLE = "PATIENT"
"""DMP user role (``1.2.250.1.213.1.1.4.6``) of the record's holder. *Carnet's choice.*"""

REPRESENTATIVE_ROLE = "REPRESENTANT_LEGAL"
"""DMP user role of a legal representative of the holder. *Carnet's choice.*"""


@dataclass(frozen=True, kw_only=True)
class VihfCheck:
    """The DMP services' caller resolver: the request's verified VIHF, as a
    :class:`~carnet.vihf.VihfIdentity` put in ``SoapRequest.caller``."""

    policy: AssertionPolicy
    """Trust store, audience and clock skew the assertion is checked against."""
    client_certificate: ClientCertificateBinding | None = None
    """When set, the TLS client certificate must hold the VIHF signer's key
    (``Settings.match_client_certificate``); None: not checked."""

    def __call__(self, request: SoapRequest) -> VihfIdentity:
        assertion = verify_assertion(find_assertion(request.headers), policy=self.policy)
        if self.client_certificate is not None:
            self.client_certificate.check(request, assertion.signer)
        identity = read_vihf(assertion)
        caller_from_vihf(identity)  # refuse at once a VIHF no rule could judge
        return identity


def vihf_of(caller: object | None) -> VihfIdentity:
    """The VIHF a :class:`VihfCheck` put in ``SoapRequest.caller``; a request that reached a
    DMP handler without one is refused like one without assertion."""
    if not isinstance(caller, VihfIdentity):
        raise MissingAssertion(
            "a signed SAML 2.0 assertion (VIHF) identifying the caller is required"
        )
    return caller


def caller_from_vihf(identity: VihfIdentity) -> Caller:
    """The access policy's view of the VIHF (module docstring for the role reading).

    Raises :class:`~soap.identity_errors.MissingAttribute` when a patient or representative
    names no patient, :class:`~soap.identity_errors.WrongPatient` when a patient's own id is not
    the INS the VIHF names.
    """
    profession = identity.profession
    specialty = identity.specialty
    user_roles = {
        role.code for role in identity.roles if role.system == CodeSystem.DMP_USER_ROLE.value
    }
    if profession is not None:
        kind = CallerKind.PROFESSIONAL
    elif PATIENT_ROLE in user_roles:
        kind = CallerKind.PATIENT
    elif REPRESENTATIVE_ROLE in user_roles:
        kind = CallerKind.LEGAL_REPRESENTATIVE
    else:
        kind = CallerKind.SYSTEM
    if kind in (CallerKind.PATIENT, CallerKind.LEGAL_REPRESENTATIVE):
        ins = identity.patient_ins
        if ins is None:
            raise MissingAttribute(
                "a patient's or representative's VIHF must name the patient (resource-id)",
                name="urn:oasis:names:tc:xacml:2.0:resource:resource-id",
            )
        if kind is CallerKind.PATIENT and identity.subject_id != ins[0]:
            raise WrongPatient("the VIHF's subject is not the patient it names")
    return Caller(
        kind=kind,
        subject_id=identity.subject_id,
        profession=profession.code if profession is not None else None,
        specialty=specialty.code if specialty is not None else None,
        structure_id=identity.structure_id,
        access_mode=identity.access_mode,
    )
