"""DMP ``patients`` and ``habilitations`` services over the wire, against a live node.

One ``carnet serve --profile dmp`` for the module; each test works on an INS of its own. The
TD1.1 message is ``tests/data/dmp/PRPA_IN201311UV02_create.xml``; the others are built here
after the same sources (TLSi kit, DRIMbox ``VerifyAuthorizationRequest``; ``DMP.md`` §1.2).
"""

from __future__ import annotations

import itertools
import uuid
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from lxml import etree

from registry.ins import nir_key
from registry.storage.database import Database
from tests.live_server import LiveServer, live_server

DATA = Path(__file__).resolve().parent.parent / "data" / "dmp"
HL7 = "urn:hl7-org:v3"
HAB = "urn:carnet:dmp:habilitations:1"
SOAP12 = "http://www.w3.org/2003/05/soap-envelope"
WSA = "http://www.w3.org/2005/08/addressing"
NS = {"hl7": HL7, "hab": HAB, "env": SOAP12}
INS_TEST = "1.2.250.1.213.1.4.10"
DOCTOR = "810100000001"
OTHER_DOCTOR = "810100000002"
_serial = itertools.count(10)


@pytest.fixture(scope="module")
def node(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    # The callers are named by the messages here; tests/soap/test_dmp_access.py sends VIHFs.
    with live_server(
        tmp_path_factory.mktemp("dmp"),
        profile="dmp",
        workers=1,
        extra_env={"CARNET_CHECK_VIHF": "off"},
    ) as running:
        yield running


def new_ins() -> str:
    """A fresh test INS with a valid NIR key."""
    number = f"27903512{next(_serial):05d}"
    return f"{number}{nir_key(number):02d}"


def cx(ins: str) -> str:
    return f"{ins}^^^&{INS_TEST}&ISO"


def post(node: LiveServer, path: str, action: str, body: str) -> httpx.Response:
    envelope = (
        f'<env:Envelope xmlns:env="{SOAP12}" xmlns:wsa="{WSA}"><env:Header>'
        f"<wsa:Action>{action}</wsa:Action><wsa:MessageID>urn:uuid:{uuid.uuid4()}</wsa:MessageID>"
        f"<wsa:To>{node.url}{path}</wsa:To></env:Header><env:Body>{body}</env:Body></env:Envelope>"
    )
    return httpx.post(
        node.url + path,
        content=envelope.encode(),
        headers={"Content-Type": f'application/soap+xml; charset=UTF-8; action="{action}"'},
        timeout=30,
    )


def hl7_body(response: httpx.Response) -> etree._Element:
    assert response.status_code == 200, response.text
    body = etree.fromstring(response.content).find("env:Body", NS)
    assert body is not None
    return body[0]


def ack_code(answer: etree._Element) -> str:
    return answer.find("hl7:acknowledgement/hl7:typeCode", NS).get("code")  # type: ignore[union-attr]


def ack_text(answer: etree._Element) -> str:
    return answer.findtext("hl7:acknowledgement/hl7:acknowledgementDetail/hl7:text", "", NS)


def wrapper(interaction: str, reason: str, payload: str) -> str:
    return (
        f'<{interaction} xmlns="{HL7}" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" '
        f'ITSVersion="XML_1.0"><id root="1.2.250.1.999.7" extension="{uuid.uuid4()}"/>'
        f'<creationTime value="20261210093000"/>'
        f'<interactionId root="2.16.840.1.113883.1.6" extension="{interaction}"/>'
        '<processingCode code="P"/><processingModeCode code="T"/><acceptAckCode code="AL"/>'
        '<receiver typeCode="RCV"><device classCode="DEV" determinerCode="INSTANCE">'
        '<id root="1.2.250.1.213.4.1.1.1"/></device></receiver>'
        '<sender typeCode="SND"><device classCode="DEV" determinerCode="INSTANCE">'
        '<id root="1.2.250.1.999.7.1"/></device></sender>'
        '<controlActProcess classCode="CACT" moodCode="EVN">'
        f'<reasonCode code="{reason}" codeSystem="1.2.250.1.213.1.1.4.11"/>'
        f"{payload}</controlActProcess></{interaction}>"
    )


def existence_test(node: LiveServer, ins: str, *, caller: str | None = DOCTOR) -> etree._Element:
    """TD0.2 as DRIMbox sends it; the caller's IDNPS stands in for the VIHF."""
    author = (
        '<authorOrPerformer typeCode="AUT"><assignedPerson classCode="ASSIGNED">'
        f'<id root="1.2.250.1.71.4.2.1" extension="{caller}"/></assignedPerson></authorOrPerformer>'
        if caller
        else ""
    )
    payload = (
        f'{author}<queryByParameter><queryId root="1.2.250.1.999.7" extension="{uuid.uuid4()}"/>'
        '<statusCode code="new"/><responseModalityCode code="R"/><responsePriorityCode code="I"/>'
        f'<parameterList><patientIdentifier><value root="{INS_TEST}" extension="{ins}"/>'
        "<semanticsText>Patient.Id</semanticsText></patientIdentifier></parameterList>"
        "</queryByParameter>"
    )
    body = wrapper("PRPA_IN201307UV02", "TEST_EXST", payload)
    return hl7_body(post(node, "/dmp/patients", "urn:hl7-org:v3:PRPA_IN201307UV02", body))


def create(node: LiveServer, ins: str, *, consent: str = "true") -> etree._Element:
    text = (DATA / "PRPA_IN201311UV02_create.xml").read_text(encoding="utf-8")
    text = text.split("?>", 1)[1].replace("279035121518989", ins)
    text = text.replace(
        'CONSENTEMENT_OUVERTURE_DMP" codeSystem="1.2.250.1.213.4.1.2.3"/>\n'
        '                <value xsi:type="BL" value="true"/>',
        'CONSENTEMENT_OUVERTURE_DMP" codeSystem="1.2.250.1.213.4.1.2.3"/>\n'
        f'                <value xsi:type="BL" value="{consent}"/>',
    )
    return hl7_body(post(node, "/dmp/patients", "urn:hl7-org:v3:PRPA_IN201311UV02", text))


def revise(
    node: LiveServer, ins: str, reason: str, *, patient: str = "", event: str = ""
) -> etree._Element:
    payload = (
        '<subject typeCode="SUBJ"><registrationRequest classCode="REG" moodCode="RQO">'
        '<subject1 typeCode="SBJ"><patient classCode="PAT">'
        f'<id root="{INS_TEST}" extension="{ins}"/>'
        f"{patient}</patient></subject1>"
        '<author typeCode="AUT"><assignedEntity classCode="ASSIGNED">'
        f'<id root="1.2.250.1.71.4.2.1" extension="{DOCTOR}"/></assignedEntity></author>'
        f"{event}</registrationRequest></subject>"
    )
    body = wrapper("PRPA_IN201314UV02", reason, payload)
    return hl7_body(post(node, "/dmp/patients", "urn:hl7-org:v3:PRPA_IN201314UV02", body))


def close(node: LiveServer, ins: str) -> etree._Element:
    event = (
        '<reasonOf typeCode="RSON"><detectedIssueEvent classCode="ALRT" moodCode="EVN">'
        '<code code="FERMETURE_DEMANDE_PATIENT" codeSystem="1.2.250.1.213.4.1.2.4"/>'
        "<text>Demande explicite du patient</text></detectedIssueEvent></reasonOf>"
    )
    return revise(node, ins, "FERM", patient='<statusCode code="terminated"/>', event=event)


def observation(code: str, value: str) -> str:
    return (
        '<subjectOf typeCode="SBJ"><administrativeObservation classCode="OBS" moodCode="EVN">'
        f'<code code="{code}" codeSystem="1.2.250.1.213.4.1.2.3"/>'
        f'<value xsi:type="BL" value="{value}"/></administrativeObservation></subjectOf>'
    )


def flags(answer: etree._Element) -> dict[str, str]:
    found = {}
    for element in answer.iterfind(".//hl7:administrativeObservation", NS):
        code = element.find("hl7:code", NS)
        value = element.find("hl7:value", NS)
        assert code is not None and value is not None
        found[str(code.get("code"))] = str(value.get("value"))
    return found


def query_response_code(answer: etree._Element) -> str:
    code = answer.find("hl7:controlActProcess/hl7:queryAck/hl7:queryResponseCode", NS)
    assert code is not None
    return str(code.get("code"))


def habilitation(node: LiveServer, operation: str, *children: tuple[str, str]) -> httpx.Response:
    inner = "".join(f"<hab:{name}>{value}</hab:{name}>" for name, value in children)
    body = f'<hab:{operation} xmlns:hab="{HAB}">{inner}</hab:{operation}>'
    return post(node, "/dmp/habilitations", f"{HAB}:{operation}", body)


def grant(
    node: LiveServer, ins: str, professional: str, *, treating: bool = False
) -> httpx.Response:
    role = (("role", "MEDECIN_TRAITANT"),) if treating else ()
    return habilitation(
        node,
        "setAuthorization",
        ("action", "AJOUT"),
        *role,
        ("patientId", cx(ins).replace("&", "&amp;")),
        ("professionalId", professional),
    )


def revoke(node: LiveServer, ins: str, professional: str) -> httpx.Response:
    return habilitation(
        node,
        "setAuthorization",
        ("action", "SUPPRESSION"),
        ("patientId", cx(ins).replace("&", "&amp;")),
        ("professionalId", professional),
    )


def block(node: LiveServer, ins: str, professional: str, action: str = "AJOUT") -> httpx.Response:
    return habilitation(
        node,
        "setBlock",
        ("action", action),
        ("patientId", cx(ins).replace("&", "&amp;")),
        ("professionalId", professional),
    )


def listing(node: LiveServer, ins: str, mode: str = "TOUTE") -> list[tuple[str, str, str]]:
    response = habilitation(
        node,
        "listAuthorizationByPatient",
        ("mode", mode),
        ("patientId", cx(ins).replace("&", "&amp;")),
    )
    answer = hl7_body(response)
    return [
        (
            e.findtext("hab:professionalId", "", NS),
            e.findtext("hab:status", "", NS),
            e.findtext("hab:medecinTraitant", "", NS),
        )
        for e in answer.iterfind("hab:authorization", NS)
    ]


def fault(response: httpx.Response) -> tuple[str, str]:
    assert response.status_code == 400, response.text
    root = etree.fromstring(response.content)
    subcode = root.findtext(".//env:Subcode/env:Value", "", NS)
    return subcode.split(":")[-1], root.findtext(".//env:Reason/env:Text", "", NS)


# --------------------------------------------------------------------------- TD0.2, TD1.x


def test_td02_answers_nf_for_a_patient_without_record(node: LiveServer) -> None:
    answer = existence_test(node, new_ins())
    assert etree.QName(answer).localname == "PRPA_IN201308UV02"
    assert ack_code(answer) == "AA"
    assert query_response_code(answer) == "NF"


def test_td11_creates_the_record_with_consent_and_oppositions(node: LiveServer) -> None:
    ins = new_ins()
    answer = create(node, ins)
    assert etree.QName(answer).localname == "MCCI_IN000002UV01"
    assert ack_code(answer) == "AA", ack_text(answer)
    found = existence_test(node, ins)
    assert query_response_code(found) == "OK"
    patient = found.find(".//hl7:patient", NS)
    assert patient is not None
    assert patient.find("hl7:statusCode", NS).get("code") == "active"  # type: ignore[union-attr]
    assert patient.findtext(".//hl7:family", "", NS) == "DUPONT"
    assert flags(found) == {
        "OPPOSITION_BRIS_DE_GLACE": "true",
        "OPPOSITION_ACCES_URGENCE": "false",
        # The creator (the message's IDNPS author, no VIHF here) is authorised by TD1.1.
        "AUTORISATION_ACCES": "true",
        "MEDECIN_TRAITANT_DMP": "false",
        "ACCES_BLOQUE": "false",
    }
    database = Database(f"sqlite:///{node.data_dir / 'registry.sqlite3'}")
    try:
        with database.snapshot() as store:
            record = store.dmp_records.record(cx(ins))
            known = store.patient(cx(ins))
    finally:
        database.dispose()
    assert record is not None and record.consent.collected_by == DOCTOR
    assert known is not None and known.family_name == "DUPONT"


def test_td11_refuses_a_record_without_consent(node: LiveServer) -> None:
    ins = new_ins()
    answer = create(node, ins, consent="false")
    assert ack_code(answer) == "AE"
    assert "CONSENTEMENT_OUVERTURE_DMP" in ack_text(answer)
    assert query_response_code(existence_test(node, ins)) == "NF"


def test_td11_refuses_a_second_record(node: LiveServer) -> None:
    ins = new_ins()
    create(node, ins)
    answer = create(node, ins)
    assert ack_code(answer) == "AE"
    assert "already has a DMP" in ack_text(answer)


def test_td11_refuses_an_ins_with_a_wrong_nir_key(node: LiveServer) -> None:
    ins = new_ins()
    wrong = ins[:13] + f"{(int(ins[13:]) % 97) + 1:02d}"
    answer = create(node, wrong)
    assert ack_code(answer) == "AE"
    assert "key" in ack_text(answer)


def test_td13b_updates_administrative_data_and_oppositions(node: LiveServer) -> None:
    ins = new_ins()
    create(node, ins)
    person = (
        '<patientPerson classCode="PSN" determinerCode="INSTANCE"><name><family>DURAND</family>'
        "</name></patientPerson>"
    )
    answer = revise(
        node, ins, "MODIF_DATA", patient=person + observation("OPPOSITION_ACCES_URGENCE", "true")
    )
    assert ack_code(answer) == "AA", ack_text(answer)
    found = existence_test(node, ins)
    assert found.findtext(".//hl7:patientPerson/hl7:name/hl7:family", "", NS) == "DURAND"
    assert flags(found)["OPPOSITION_ACCES_URGENCE"] == "true"
    assert flags(found)["OPPOSITION_BRIS_DE_GLACE"] == "true"


def test_td14_closes_the_record_with_its_reason(node: LiveServer) -> None:
    ins = new_ins()
    create(node, ins)
    assert ack_code(close(node, ins)) == "AA"
    found = existence_test(node, ins)
    assert query_response_code(found) == "OK"
    assert found.find(".//hl7:patient/hl7:statusCode", NS).get("code") == "terminated"  # type: ignore[union-attr]
    reason = found.find(".//hl7:detectedIssueEvent/hl7:code", NS)
    assert reason is not None and reason.get("code") == "FERMETURE_DEMANDE_PATIENT"
    assert found.find(".//hl7:registrationEvent/hl7:effectiveTime/hl7:high", NS) is not None


def test_td14_needs_a_closing_reason(node: LiveServer) -> None:
    ins = new_ins()
    create(node, ins)
    answer = revise(node, ins, "FERM")
    assert ack_code(answer) == "AE"
    assert "detectedIssueEvent" in ack_text(answer)


def test_closed_record_refuses_everything_but_the_existence_test(node: LiveServer) -> None:
    ins = new_ins()
    create(node, ins)
    grant(node, ins, DOCTOR)
    close(node, ins)
    update = revise(
        node, ins, "MODIF_DATA", patient=observation("OPPOSITION_ACCES_URGENCE", "true")
    )
    assert ack_code(update) == "AE" and "closed" in ack_text(update)
    assert ack_code(close(node, ins)) == "AE"
    assert fault(grant(node, ins, OTHER_DOCTOR))[0] == "DmpRecordClosed"
    assert fault(block(node, ins, OTHER_DOCTOR))[0] == "DmpRecordClosed"
    listed = habilitation(
        node, "listAuthorizationByPatient", ("patientId", cx(ins).replace("&", "&amp;"))
    )
    assert fault(listed)[0] == "DmpRecordClosed"
    assert query_response_code(existence_test(node, ins)) == "OK"


def test_td12_reactivates_a_closed_record_with_consent(node: LiveServer) -> None:
    ins = new_ins()
    create(node, ins)
    close(node, ins)
    refused = revise(node, ins, "REAC")
    assert ack_code(refused) == "AE" and "CONSENTEMENT_REACTIVATION_DMP" in ack_text(refused)
    answer = revise(node, ins, "REAC", patient=observation("CONSENTEMENT_REACTIVATION_DMP", "true"))
    assert ack_code(answer) == "AA", ack_text(answer)
    found = existence_test(node, ins)
    assert found.find(".//hl7:patient/hl7:statusCode", NS).get("code") == "active"  # type: ignore[union-attr]
    assert found.find(".//hl7:detectedIssueEvent", NS) is None


def test_td12_refuses_an_open_record(node: LiveServer) -> None:
    ins = new_ins()
    create(node, ins)
    answer = revise(node, ins, "REAC", patient=observation("CONSENTEMENT_REACTIVATION_DMP", "true"))
    assert ack_code(answer) == "AE" and "open" in ack_text(answer)


def test_td1x_refuses_a_patient_without_record(node: LiveServer) -> None:
    answer = revise(node, new_ins(), "MODIF_DATA")
    assert ack_code(answer) == "AE" and "no DMP" in ack_text(answer)


def test_reason_code_must_match_the_interaction(node: LiveServer) -> None:
    answer = revise(node, new_ins(), "CREA_RD")
    assert ack_code(answer) == "AE"
    assert "REAC, MODIF_DATA, FERM" in ack_text(answer)


def test_td02_without_reason_code_is_answered_ae(node: LiveServer) -> None:
    body = wrapper("PRPA_IN201307UV02", "TEST_EXST", "").replace(
        '<reasonCode code="TEST_EXST" codeSystem="1.2.250.1.213.1.1.4.11"/>', ""
    )
    answer = hl7_body(post(node, "/dmp/patients", "urn:hl7-org:v3:PRPA_IN201307UV02", body))
    assert ack_code(answer) == "AE"
    assert query_response_code(answer) == "AE"
    assert "reasonCode is missing" in ack_text(answer)


def test_td02_tells_the_caller_it_is_authorised_and_treating_physician(node: LiveServer) -> None:
    ins = new_ins()
    create(node, ins)
    grant(node, ins, DOCTOR, treating=True)
    mine = flags(existence_test(node, ins, caller=DOCTOR))
    assert mine["AUTORISATION_ACCES"] == "true" and mine["MEDECIN_TRAITANT_DMP"] == "true"
    other = flags(existence_test(node, ins, caller=OTHER_DOCTOR))
    assert other["AUTORISATION_ACCES"] == "false"
    assert "AUTORISATION_ACCES" not in flags(existence_test(node, ins, caller=None))


# --------------------------------------------------------------------------- habilitations


def test_grant_then_revoke_round_trip(node: LiveServer) -> None:
    ins = new_ins()
    create(node, ins)
    answer = hl7_body(grant(node, ins, DOCTOR, treating=True))
    assert answer.findtext("hab:status", "", NS) == "OK"
    grant(node, ins, OTHER_DOCTOR)
    assert listing(node, ins) == [(DOCTOR, "AUTORISE", "true"), (OTHER_DOCTOR, "AUTORISE", "false")]
    assert hl7_body(revoke(node, ins, DOCTOR)).findtext("hab:status", "", NS) == "OK"
    assert listing(node, ins) == [(OTHER_DOCTOR, "AUTORISE", "false")]


def test_revoking_an_absent_authorisation_is_refused(node: LiveServer) -> None:
    ins = new_ins()
    create(node, ins)
    assert fault(revoke(node, ins, "810100000099"))[0] == "NoAuthorisation"


def test_td11_authorises_the_professional_who_creates_the_record(node: LiveServer) -> None:
    ins = new_ins()
    create(node, ins)
    assert listing(node, ins) == [(DOCTOR, "AUTORISE", "false")]
    # An authorisation like any other: the patient revokes it.
    revoke(node, ins, DOCTOR)
    assert listing(node, ins) == []


def test_block_and_unblock_round_trip(node: LiveServer) -> None:
    ins = new_ins()
    create(node, ins)
    grant(node, ins, DOCTOR)
    assert hl7_body(block(node, ins, OTHER_DOCTOR)).findtext("hab:status", "", NS) == "OK"
    assert listing(node, ins) == [(DOCTOR, "AUTORISE", "false"), (OTHER_DOCTOR, "BLOQUE", "false")]
    assert listing(node, ins, "BLOQUES") == [(OTHER_DOCTOR, "BLOQUE", "false")]
    assert listing(node, ins, "AUTORISES") == [(DOCTOR, "AUTORISE", "false")]
    assert flags(existence_test(node, ins, caller=OTHER_DOCTOR))["ACCES_BLOQUE"] == "true"
    block(node, ins, OTHER_DOCTOR, "SUPPRESSION")
    assert listing(node, ins, "BLOQUES") == []
    assert fault(block(node, ins, OTHER_DOCTOR, "SUPPRESSION"))[0] == "NoAuthorisation"


def test_blocked_professional_cannot_be_authorised(node: LiveServer) -> None:
    ins = new_ins()
    create(node, ins)
    block(node, ins, DOCTOR)
    code, reason = fault(grant(node, ins, DOCTOR))
    assert code == "ProfessionalBlocked" and DOCTOR in reason


def test_habilitations_refuse_a_patient_without_record(node: LiveServer) -> None:
    assert fault(grant(node, new_ins(), DOCTOR))[0] == "UnknownDmpRecord"


def test_malformed_habilitation_is_answered_with_a_clear_fault(node: LiveServer) -> None:
    ins = new_ins()
    create(node, ins)
    response = habilitation(
        node,
        "setAuthorization",
        ("action", "PEUT-ETRE"),
        ("patientId", cx(ins).replace("&", "&amp;")),
        ("professionalId", DOCTOR),
    )
    code, reason = fault(response)
    assert code == "MalformedDmpMessage"
    assert "habilitations.xsd" in reason and "action" in reason


def test_habilitation_needs_the_patient_until_the_vihf_gives_it(node: LiveServer) -> None:
    code, reason = fault(habilitation(node, "setAuthorization", ("action", "AJOUT")))
    assert code == "MalformedDmpMessage" and "patientId" in reason


def test_habilitation_refuses_a_patient_id_that_is_not_an_ins(node: LiveServer) -> None:
    bad = habilitation(
        node,
        "setAuthorization",
        ("action", "AJOUT"),
        ("patientId", "123^^^&amp;1.2.3.4&amp;ISO"),
        ("professionalId", DOCTOR),
    )
    code, reason = fault(bad)
    assert code == "InvalidIns" and "not an INS authority" in reason
