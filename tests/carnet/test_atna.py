"""carnet/atna.py: audit events as DICOM audit messages (PS3.15 A.5, ITI-20)."""

from __future__ import annotations

import base64
from pathlib import Path

import pytest
from lxml import etree

from carnet.atna import AuditSource, audit_message, audit_message_bytes
from registry.audit import AccessMode, AuditEvent, Outcome, SubjectKind, Transaction
from tests.registry.audit_samples import DOCUMENT, PATIENT, retrieve

SCHEMA = Path(__file__).parent.parent / "data" / "atna" / "dicom-audit-message.rng"
SOURCE = AuditSource(
    source_id="carnet@node1",
    endpoint="http://node1:8080/xds",
    host="node1",
    enterprise_site_id="CARNET-TEST",
)
QUERY_ID = "urn:uuid:14d4debf-8f97-4251-9a74-a90016b0af0d"  # FindDocuments, ITI TF-2a 3.18.4.1.2.4


@pytest.fixture(scope="module")
def schema() -> etree.RelaxNG:
    return etree.RelaxNG(etree.parse(str(SCHEMA)))


def _message(event: AuditEvent) -> etree._Element:
    return audit_message(event, source=SOURCE)


def _objects(message: etree._Element, role: str) -> list[etree._Element]:
    """The ParticipantObjectIdentifications of that ParticipantObjectTypeCodeRole."""
    return [
        o
        for o in message.iterfind("ParticipantObjectIdentification")
        if o.get("ParticipantObjectTypeCodeRole") == role
    ]


def _participant(message: etree._Element, user_id: str) -> list[etree._Element]:
    return [p for p in message.iterfind("ActiveParticipant") if p.get("UserID") == user_id]


def _roles(message: etree._Element) -> dict[str, str]:
    """Each ActiveParticipant's UserID by its first RoleIDCode."""
    return {
        p.get("UserID", ""): p.find("RoleIDCode").get("csd-code", "")  # type: ignore[union-attr]
        for p in message.iterfind("ActiveParticipant")
    }


@pytest.mark.parametrize("transaction", list(Transaction))
@pytest.mark.parametrize("outcome", list(Outcome))
def test_every_event_type_is_a_valid_dicom_audit_message(
    schema: etree.RelaxNG, transaction: Transaction, outcome: Outcome
) -> None:
    event = retrieve(
        transaction=transaction,
        outcome=outcome,
        query_id=QUERY_ID,
        outcome_detail="XDSRegistryError" if outcome is not Outcome.SUCCESS else None,
    )
    message = etree.fromstring(audit_message_bytes(event, source=SOURCE))
    assert schema.validate(message), schema.error_log


def test_unidentified_caller_is_still_a_valid_message(schema: etree.RelaxNG) -> None:
    event = AuditEvent(
        time=retrieve().time,
        transaction=Transaction.ITI_18,
        outcome=Outcome.REFUSED,
        outcome_detail="VIHF signature invalid",
        subject_kind=SubjectKind.SYSTEM,
    )
    message = _message(event)
    assert schema.validate(message), schema.error_log
    (caller,) = [p for p in message.iterfind("ActiveParticipant") if p.get("UserID") == "unknown"]
    assert caller.get("UserIsRequestor") == "true"
    assert message.find("ParticipantObjectIdentification") is None


def test_schema_refuses_a_message_without_event_identification(schema: etree.RelaxNG) -> None:
    message = _message(retrieve())
    message.remove(message[0])
    assert not schema.validate(message)


def test_iti18_is_a_query_executed_with_its_query_object() -> None:
    message = _message(retrieve(transaction=Transaction.ITI_18, document_ids=(), query_id=QUERY_ID))
    identification = message.find("EventIdentification")
    assert identification is not None
    assert identification.get("EventActionCode") == "E"
    assert identification.find("EventID").attrib == {  # type: ignore[union-attr]
        "csd-code": "110112",
        "codeSystemName": "DCM",
        "originalText": "Query",
    }
    assert identification.find("EventTypeCode").attrib == {  # type: ignore[union-attr]
        "csd-code": "ITI-18",
        "codeSystemName": "IHE Transactions",
        "originalText": "Registry Stored Query",
    }
    (query,) = _objects(message, "24")
    assert query.get("ParticipantObjectID") == QUERY_ID
    assert base64.b64decode(query.findtext("ParticipantObjectQuery") or "").decode() == QUERY_ID
    # The consumer is the source, the registry the destination (ITI TF-2a 3.18.5.1.2).
    assert _roles(message)["Carnet LPS 1.0 (HOMOLOG-42)"] == "110153"
    assert _roles(message)["http://node1:8080/xds"] == "110152"


def test_iti43_is_an_export_read_with_the_repository_as_source() -> None:
    message = _message(retrieve())
    identification = message.find("EventIdentification")
    assert identification is not None
    assert identification.get("EventActionCode") == "R"
    assert identification.find("EventID").get("csd-code") == "110106"  # type: ignore[union-attr]
    assert _roles(message)["http://node1:8080/xds"] == "110153"
    assert _roles(message)["Carnet LPS 1.0 (HOMOLOG-42)"] == "110152"
    (document,) = _objects(message, "3")
    assert document.get("ParticipantObjectID") == DOCUMENT
    assert document.find("ParticipantObjectIDTypeCode").get("csd-code") == "9"  # type: ignore[union-attr]


@pytest.mark.parametrize(
    ("transaction", "event_id", "action"),
    [
        (Transaction.ITI_41, "110107", "C"),
        (Transaction.ITI_42, "110107", "C"),
        (Transaction.ITI_57, "110107", "U"),
        (Transaction.ITI_62, "110110", "D"),
        (Transaction.TD1_1, "110110", "C"),
        (Transaction.TD1_4, "110110", "U"),
        (Transaction.TD0_2, "110112", "E"),
        (Transaction.SET_AUTHORIZATION, "110110", "U"),
    ],
)
def test_event_id_and_action_follow_the_transaction(
    transaction: Transaction, event_id: str, action: str
) -> None:
    identification = _message(retrieve(transaction=transaction)).find("EventIdentification")
    assert identification is not None
    assert identification.find("EventID").get("csd-code") == event_id  # type: ignore[union-attr]
    assert identification.get("EventActionCode") == action
    system = identification.find("EventTypeCode").get("codeSystemName")  # type: ignore[union-attr]
    assert system == ("IHE Transactions" if transaction.is_ihe else "DMP Transactions")


def test_refusal_carries_outcome_indicator_and_reason() -> None:
    event = retrieve(outcome=Outcome.REFUSED, outcome_detail="XDSDocumentUniqueIdError")
    identification = _message(event).find("EventIdentification")
    assert identification is not None
    assert identification.get("EventOutcomeIndicator") == "4"
    assert identification.findtext("EventOutcomeDescription") == "XDSDocumentUniqueIdError"


def test_break_the_glass_is_an_event_type_code_of_tre_r248() -> None:
    message = _message(retrieve(access_mode=AccessMode.BREAK_THE_GLASS))
    codes = [(c.get("csd-code"), c.get("codeSystemName")) for c in message.iter("EventTypeCode")]
    assert ("bris_de_glace", "1.2.250.1.213.1.1.4.248") in codes


def test_human_requestor_carries_name_and_roles() -> None:
    (human,) = _participant(_message(retrieve()), "810100000001")
    assert human.get("UserIsRequestor") == "true"
    assert human.get("UserName") == "HOUSE Gregory"
    assert [r.get("csd-code") for r in human.iterfind("RoleIDCode")] == ["10", "SM26"]


def test_patient_object_is_a_person_patient_number() -> None:
    (patient,) = _objects(_message(retrieve()), "1")
    assert patient.get("ParticipantObjectID") == PATIENT
    assert patient.get("ParticipantObjectTypeCode") == "1"
    assert patient.find("ParticipantObjectIDTypeCode").get("csd-code") == "2"  # type: ignore[union-attr]


def test_audit_source_identification_names_this_node() -> None:
    source = _message(retrieve()).find("AuditSourceIdentification")
    assert source is not None
    assert source.get("AuditSourceID") == "carnet@node1"
    assert source.get("AuditEnterpriseSiteID") == "CARNET-TEST"
    assert source.find("AuditSourceTypeCode").get("csd-code") == "4"  # type: ignore[union-attr]


def test_serialised_message_is_utf8_xml_with_declaration() -> None:
    data = audit_message_bytes(retrieve(), source=SOURCE)
    assert data.startswith(b"<?xml version='1.0' encoding='UTF-8'?>")
    assert "Médecin" in data.decode("utf-8")
