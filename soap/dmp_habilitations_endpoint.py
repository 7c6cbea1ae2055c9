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

from registry.dmp_errors import DmpError
from registry.dmp_habilitations import handle_habilitation
from registry.dmp_vocabulary import HABILITATIONS_NAMESPACE, HabilitationOperation
from registry.storage.database import Database
from soap.faults import SoapFault
from soap.transactions import Service, SoapRequest, SoapResponse, Transaction

__all__ = ["dmp_habilitations_service"]

Identity = Callable[[SoapRequest], str | None]


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
        try:
            with database.unit_of_work() as store:
                answer = handle_habilitation(
                    store,
                    request.body,
                    patient_id=patient_identity(request),
                    professional_id=caller_identity(request),
                )
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
            )
            for operation in HabilitationOperation
        ),
    )
