"""The SOAP 1.2 layer: XDS.b transactions over HTTP (ITI TF-2x Appendix V).

Its job: take an HTTP request, check it is a SOAP 1.2 envelope (plain or MTOM/XOP)
with WS-Addressing 1.0, hand the transaction's handler a :class:`SoapRequest`,
and write its :class:`SoapResponse`, a SOAP fault, or the ebRS failure response of
a ``registry.errors.RegistryError`` back — nothing about XDS metadata itself.
It is a thin layer on lxml and python-multipart; zeep's ``wsdl/`` and ``xsd/``
packages are the model for its shape.

Modules, named after the specification each implements:

* :mod:`soap.envelope` — SOAP 1.2 Part 1 §5: reading and building envelopes;
* :mod:`soap.addressing` — WS-Addressing 1.0 Core and SOAP Binding;
* :mod:`soap.mtom` / :mod:`soap.mtom_writer` — MTOM/XOP requests and responses;
* :mod:`soap.mime` — Content-Type parameters, Content-IDs and ``cid:`` URLs;
* :mod:`soap.faults` — the only place errors become XML (SOAP faults, ebRS errors);
* :mod:`soap.transactions` — transactions and services as records;
* :mod:`soap.http_body` — reading the request body under a size cap;
* :mod:`soap.wsdl` — publishing the WSDLs at ``?wsdl``;
* :mod:`soap.wsgi` — the WSGI application (SOAP 1.2 Part 2 §7, HTTP binding);
* :mod:`soap.registry_endpoint` / :mod:`soap.repository_endpoint` — the Document Registry's
  and Repository's services bound to their handlers;
* :mod:`soap.registry_client` — this node's client of a Document Registry on another node
  (ITI-42, ITI-18), for the repository's registrations;
* :mod:`soap.dmp_patients_endpoint` / :mod:`soap.dmp_habilitations_endpoint` — the DMP's
  ``patients`` (TD0.2, TD1.x) and ``habilitations`` services (profile ``dmp``);
* :mod:`soap.ws_security` — WSS 1.1: the ``wsse:Security`` header and its SAML assertion;
* :mod:`soap.saml` — SAML 2.0: verifying a signed assertion (the DMP's VIHF);
* :mod:`soap.identity_errors` — why a caller's identity is refused (WSS 1.1 §12 codes);
* :mod:`soap.access_control` — the access guard handlers ask under an access policy;
* :mod:`soap.audit_trail` — one audit record per transaction, allowed or refused (ITI-20
  events, written in the transaction they audit).

Imports flow one way: ``soap`` may use ``registry`` and ``schemas``, never the reverse.
"""

from soap.addressing import Addressing, AddressingUri
from soap.envelope import Namespace
from soap.faults import FaultCode, SoapFault, registry_error_response
from soap.mtom import Attachment, include_content_id, xop_include
from soap.mtom_writer import MtomBody, OutgoingAttachment, build_mtom
from soap.transactions import Handler, Service, SoapRequest, SoapResponse, Transaction
from soap.wsgi import SoapApplication

__all__ = [
    "Addressing",
    "AddressingUri",
    "Attachment",
    "FaultCode",
    "Handler",
    "MtomBody",
    "Namespace",
    "OutgoingAttachment",
    "Service",
    "SoapApplication",
    "SoapFault",
    "SoapRequest",
    "SoapResponse",
    "Transaction",
    "build_mtom",
    "include_content_id",
    "registry_error_response",
    "xop_include",
]
