"""DMP ``habilitations`` service — authorisations and blocks over SOAP 1.2 (``DMP.md`` §1.2).

Carnet's messages (``registry/dmp_habilitations.py``, ``schemas/dmp/habilitations.xsd``) at
``/dmp/habilitations``, one transaction per request element, ``wsa:Action``
``urn:carnet:dmp:habilitations:1:<request>``. Each runs in one unit of work. A refusal is an
``env:Sender`` fault whose subcode names it in the habilitations namespace
(``hab:UnknownDmpRecord``, ``hab:DmpRecordClosed``, ``hab:ProfessionalBlocked``,
``hab:NoAuthorisation``, ``hab:MalformedDmpMessage``, ``hab:InvalidIns``), its reason the
error's (``soap/faults.py`` writes it).
"""

from __future__ import annotations

from collections.abc import Callable

from lxml import etree

from registry.audit import Transaction as AuditTransaction
from registry.dmp_errors import DmpError
from registry.dmp_habilitations import handle_habilitation
from registry.dmp_vocabulary import HABILITATIONS_NAMESPACE, HabilitationOperation
from registry.storage.database import Database
from soap.audit_trail import record_change
from soap.faults import SoapFault
from soap.transactions import Service, SoapRequest, SoapResponse, Transaction

__all__ = ["dmp_habilitations_service"]

Identity = Callable[[SoapRequest], str | None]

_AUDITED_AS = {
    HabilitationOperation.SET_AUTHORIZATION: AuditTransaction.SET_AUTHORIZATION,
    HabilitationOperation.SET_BLOCK: AuditTransaction.SET_BLOCK,
    HabilitationOperation.LIST_BY_PATIENT: AuditTransaction.LIST_AUTHORIZATIONS,
}
_PATIENT_ID = etree.QName(HABILITATIONS_NAMESPACE, "patientId").text


def _unknown(_request: SoapRequest) -> str | None:
    return None


def dmp_habilitations_service(
    database: Database,
    *,
    caller_identity: Identity = _unknown,
    patient_identity: Identity = _unknown,
    path: str = "/dmp/habilitations",
) -> Service:
    """The ``habilitations`` endpoint. ``caller_identity`` and ``patient_identity`` are where the
    VIHF wiring plugs in (its ``Subject/NameID`` and ``resource-id``); until then they answer
    ``None`` and the message's ``professionalId`` and ``patientId`` are used."""

    def handle(request: SoapRequest) -> SoapResponse:
        if request.audit is not None and request.audit.patient_id is None:
            named = request.body.findtext(_PATIENT_ID)
            request.audit.about(patient_id=(named or "").strip() or None)
        try:
            with database.unit_of_work() as store:  # the change and its audit record, together
                answer = handle_habilitation(
                    store,
                    request.body,
                    patient_id=patient_identity(request),
                    professional_id=caller_identity(request),
                )
                record_change(request, store)
        except DmpError as error:
            raise SoapFault(
                error.reason, subcode=etree.QName(HABILITATIONS_NAMESPACE, type(error).__name__)
            ) from None
        return SoapResponse(body=answer)

    return Service(
        path=path,
        name="DMP habilitations",
        transactions=tuple(
            Transaction(
                name=f"DMP habilitations {operation.value}",
                action=operation.soap_action,
                response_action=operation.response_action,
                response_element=etree.QName(HABILITATIONS_NAMESPACE, f"{operation.value}Response"),
                handler=handle,
                audited_as=_AUDITED_AS[operation],
            )
            for operation in HabilitationOperation
        ),
    )
