"""DMP ``patients`` service - TD0.2 and TD1.1 to TD1.4 over SOAP 1.2 (``DMP.md`` §1.1, §1.2).

The DMP serves its HL7 V3 patient interactions at ``…/si-dmp-server/v2/services/patients``
(DmpConnect); Carnet at ``/dmp/patients``. The ``wsa:Action`` is ``urn:hl7-org:v3:<interaction>``
(DRIMbox sends ``urn:hl7-org:v3:PRPA_IN201307UV02`` for TD0.2), one transaction per interaction;
the reasonCode inside tells TD1.2, TD1.3b and TD1.4 apart (``registry/dmp_patients.py``).

TD0.2 reads in a snapshot; the others write in one unit of work each, so that a record created
and its patient id made known to the registry commit together.
"""

from __future__ import annotations

from collections.abc import Callable

from lxml import etree

from registry.audit import Outcome
from registry.audit import Transaction as AuditTransaction
from registry.dmp_errors import DmpError
from registry.dmp_patients import handle_dmp_patients, parse_dmp_patient_request
from registry.dmp_vocabulary import DmpInteraction, DmpReason
from registry.hl7v3 import HL7V3_NAMESPACE
from registry.storage.database import Database
from registry.storage.store import RegistryStore
from soap.transactions import Service, SoapRequest, SoapResponse, Transaction

__all__ = ["CallerIdentity", "dmp_patients_service"]

CallerIdentity = Callable[[SoapRequest], str | None]
"""The calling professional's national id for a request (the VIHF's ``Subject/NameID``)."""


_AUDITED_AS = {
    DmpReason.EXISTENCE_TEST: AuditTransaction.TD0_2,
    DmpReason.CREATE: AuditTransaction.TD1_1,
    DmpReason.REACTIVATE: AuditTransaction.TD1_2,
    DmpReason.UPDATE_DATA: AuditTransaction.TD1_3,
    DmpReason.CLOSE: AuditTransaction.TD1_4,
}
_TYPE_CODE = f"{{{HL7V3_NAMESPACE}}}acknowledgement/{{{HL7V3_NAMESPACE}}}typeCode"
_DETAIL_CODE = (
    f"{{{HL7V3_NAMESPACE}}}acknowledgement/{{{HL7V3_NAMESPACE}}}acknowledgementDetail"
    f"/{{{HL7V3_NAMESPACE}}}code"
)


def _no_identity(_request: SoapRequest) -> str | None:
    return None


def _audit_request(request: SoapRequest) -> None:
    """Note the TD (by reasonCode) and the patient's INS, when the message says them."""
    if request.audit is None:
        return
    try:
        parsed = parse_dmp_patient_request(request.body)
    except DmpError:
        return  # malformed: answered AE, audited under the interaction's default TD
    request.audit.about(
        patient_id=parsed.ins.patient_id, transaction=_AUDITED_AS.get(parsed.reason)
    )


def _audit_answer(request: SoapRequest, answer: etree._Element, store: RegistryStore) -> None:
    """Audit in ``store``'s unit of work; an ``AE`` answer (nothing changed) as refused."""
    if request.audit is None:
        return
    type_code = answer.find(f".//{_TYPE_CODE}")
    if type_code is not None and type_code.get("code") not in (None, "AA", "CA"):
        detail = answer.find(f".//{_DETAIL_CODE}")
        request.audit.conclude(
            outcome=Outcome.REFUSED,
            detail=" ".join(
                code
                for code in (type_code.get("code"), None if detail is None else detail.get("code"))
                if code
            ),
        )
    request.audit.record(store)


def dmp_patients_service(
    database: Database,
    *,
    caller_identity: CallerIdentity = _no_identity,
    path: str = "/dmp/patients",
) -> Service:
    """The ``patients`` endpoint. ``caller_identity`` is where the VIHF wiring plugs in; until
    then it answers ``None`` and the message's own IDNPS id stands for the caller."""

    def existence_test(request: SoapRequest) -> SoapResponse:
        _audit_request(request)
        with database.snapshot() as store:
            answer = handle_dmp_patients(store, request.body, caller=caller_identity(request))
        if request.audit is not None:
            with database.unit_of_work() as store:  # a read: audited once answered
                _audit_answer(request, answer, store)
        return SoapResponse(body=answer)

    def change(request: SoapRequest) -> SoapResponse:
        _audit_request(request)
        with database.unit_of_work() as store:  # the change and its audit record, together
            answer = handle_dmp_patients(store, request.body, caller=caller_identity(request))
            _audit_answer(request, answer, store)
        return SoapResponse(body=answer)

    acknowledgement = DmpInteraction.ACCEPT_ACKNOWLEDGEMENT
    query_response = DmpInteraction.GET_DEMOGRAPHICS_RESPONSE
    return Service(
        path=path,
        name="DMP patients",
        transactions=(
            Transaction(
                name="DMP TD0.2 existence test",
                action=DmpInteraction.GET_DEMOGRAPHICS_QUERY.soap_action,
                response_action=query_response.soap_action,
                response_element=etree.QName(HL7V3_NAMESPACE, query_response.value),
                handler=existence_test,
                audited_as=AuditTransaction.TD0_2,
            ),
            Transaction(
                name="DMP TD1.1 create",
                action=DmpInteraction.ADD_REQUEST.soap_action,
                response_action=acknowledgement.soap_action,
                response_element=etree.QName(HL7V3_NAMESPACE, acknowledgement.value),
                handler=change,
                audited_as=AuditTransaction.TD1_1,
            ),
            Transaction(
                name="DMP TD1.2 reactivate, TD1.3b update, TD1.4 close",
                action=DmpInteraction.REVISE_REQUEST.soap_action,
                response_action=acknowledgement.soap_action,
                response_element=etree.QName(HL7V3_NAMESPACE, acknowledgement.value),
                handler=change,
                audited_as=AuditTransaction.TD1_3,
            ),
        ),
    )
