"""ITI TF-2b 3.44 — Patient Identity Feed HL7 V3 on the Document Registry, one test per rule.

Messages are ``tests/data/hl7v3/*.xml`` (written for Carnet after the ITI-44 examples and the
NE2008 schemas); each test edits a copy to break the one thing its rule is about. The store is a
real database (SQLite, and PostgreSQL when installed) migrated to the newest schema.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from lxml import etree

from registry.errors import RegistryError, UnknownPatientId
from registry.hl7v3 import (
    ACKNOWLEDGEMENT_DETAIL_CODE_SYSTEM,
    HL7V3_NAMESPACE,
    II,
    Interaction,
    hl7,
)
from registry.patient_feed import (
    DuplicatesResolved,
    PatientFeedError,
    PatientRecordAdded,
    PatientRecordRevised,
    add_patient,
    handle_patient_feed,
    parse_patient_feed,
)
from registry.patients import Patient, PatientStatus
from registry.register import register_submission
from registry.storage.database import Database
from schemas.loader import load_schema, parse_xml
from tests import submissions

DATA = Path(__file__).resolve().parent.parent / "data" / "hl7v3"
ADD = "PRPA_IN201301UV02_add.xml"
REVISE = "PRPA_IN201302UV02_revise.xml"
MERGE = "PRPA_IN201304UV02_merge.xml"
SAMPLES = (ADD, REVISE, MERGE)

INS_TEST = "1.2.250.1.213.1.4.10"
SURVIVING = f"279035121518989^^^&{INS_TEST}&ISO"
SUBSUMED = f"180125712345678^^^&{INS_TEST}&ISO"

NS = {"hl7": HL7V3_NAMESPACE}
PATIENT = "hl7:controlActProcess/hl7:subject/hl7:registrationEvent/hl7:subject1/hl7:patient"
PRIOR_ROLE = (
    "hl7:controlActProcess/hl7:subject/hl7:registrationEvent/hl7:replacementOf/"
    "hl7:priorRegistration/hl7:subject1/hl7:priorRegisteredRole"
)
MULTICACHE = "hl7v3/iti44/schema/HL7V3/NE2008/multicacheschemas"


# --------------------------------------------------------------------------- fixtures, helpers


@pytest.fixture
def database(database_url: str) -> Iterator[Database]:
    db = Database(database_url)
    db.migrate()
    try:
        yield db
    finally:
        db.dispose()


def sample(name: str) -> etree._Element:
    return parse_xml((DATA / name).read_bytes())


def one(element: etree._Element, path: str) -> etree._Element:
    found = element.find(path, NS)
    assert found is not None, path
    return found


def feed(database: Database, message: etree._Element, **options: object) -> etree._Element:
    with database.unit_of_work() as store:
        return handle_patient_feed(store, message, **options)  # type: ignore[arg-type]


def ack_code(ack: etree._Element) -> str | None:
    return one(ack, "hl7:acknowledgement/hl7:typeCode").get("code")


def ack_detail(ack: etree._Element) -> dict[str, str | None]:
    detail = one(ack, "hl7:acknowledgement/hl7:acknowledgementDetail")
    code = detail.find("hl7:code", NS)
    location = detail.find("hl7:location", NS)
    return {
        "typeCode": detail.get("typeCode"),
        "code": code.get("code") if code is not None else None,
        "codeSystem": code.get("codeSystem") if code is not None else None,
        "text": one(detail, "hl7:text").text,
        "location": location.text if location is not None else None,
    }


def patient(database: Database, patient_id: str) -> Patient | None:
    with database.snapshot() as store:
        return store.patient(patient_id)


def known(database: Database, patient_id: str) -> Patient:
    found = patient(database, patient_id)
    assert found is not None, f"{patient_id} is not registered"
    return found


def set_patient_id(message: etree._Element, *, root: str | None, extension: str | None) -> None:
    element = one(message, f"{PATIENT}/hl7:id")
    element.attrib.clear()
    if root is not None:
        element.set("root", root)
    if extension is not None:
        element.set("extension", extension)


def validate(element: etree._Element) -> None:
    """Validate against the interaction's own NE2008 schema (see the wrapper test below)."""
    schema = load_schema(f"{MULTICACHE}/{etree.QName(element).localname}.xsd")
    schema.assertValid(etree.ElementTree(element))


# --------------------------------------------------------------------------- add (3.44.4.1)


def test_iti44_add_registers_patient(database: Database) -> None:
    ack = feed(database, sample(ADD))

    assert ack_code(ack) == "AA"
    registered = known(database, SURVIVING)
    assert registered.status is PatientStatus.ACTIVE
    assert registered.merged_into is None
    assert (registered.given_name, registered.family_name) == ("Jeanne Marie", "Durand")
    assert (registered.birth_time, registered.gender) == ("19790315", "F")
    assert ("telecom", "tel:+33102030405") in registered.demographics
    assert ("addr", "12 rue des Lilas, Lyon, 69003, FRA") in registered.demographics


def test_iti44_patient_ii_becomes_cx_with_iso_authority() -> None:
    event = parse_patient_feed(sample(ADD))

    assert isinstance(event, PatientRecordAdded)
    assert event.patient_id == SURVIVING
    assert event.message_id == II(root="1.2.250.1.999.3.1.1", extension="ADD-20240315-0001")


def test_iti44_add_of_known_patient_replaces_demographics(database: Database) -> None:
    feed(database, sample(ADD))
    again = sample(ADD)
    one(again, f"{PATIENT}/hl7:patientPerson/hl7:name/hl7:family").text = "Durand-Petit"

    assert ack_code(feed(database, again)) == "AA"
    assert known(database, SURVIVING).family_name == "Durand-Petit"


def test_iti44_registered_patient_is_accepted_on_register(database: Database) -> None:
    feed(database, sample(ADD))

    with database.unit_of_work() as store:
        registered = register_submission(store, submissions.submission(patient_id=SURVIVING))

    assert registered.submission_set.entry_uuid.startswith("urn:uuid:")


# --------------------------------------------------------------------------- revise (3.44.4.1)


def test_iti44_revise_updates_demographics(database: Database) -> None:
    feed(database, sample(ADD))

    ack = feed(database, sample(REVISE))

    assert ack_code(ack) == "AA"
    revised = known(database, SURVIVING)
    assert (revised.given_name, revised.family_name, revised.birth_time) == (
        "Jeanne",
        "Martin",
        "19790316",
    )
    assert revised.demographics == ()


def test_iti44_revise_of_unknown_patient_creates_it(database: Database) -> None:
    ack = feed(database, sample(REVISE))

    assert ack_code(ack) == "AA"
    assert isinstance(parse_patient_feed(sample(REVISE)), PatientRecordRevised)
    assert known(database, SURVIVING).is_active


# --------------------------------------------------------------------------- merge (3.44.4.2)


def add(database: Database, extension: str) -> None:
    message = sample(ADD)
    set_patient_id(message, root=INS_TEST, extension=extension)
    assert ack_code(feed(database, message)) == "AA"


def test_iti44_merge_reads_subsumed_and_surviving_ids() -> None:
    event = parse_patient_feed(sample(MERGE))

    assert isinstance(event, DuplicatesResolved)
    assert (event.surviving_patient_id, event.subsumed_patient_id) == (SURVIVING, SUBSUMED)


def test_iti44_merge_marks_subsumed_patient_merged(database: Database) -> None:
    add(database, "279035121518989")
    add(database, "180125712345678")

    assert ack_code(feed(database, sample(MERGE))) == "AA"

    subsumed = known(database, SUBSUMED)
    assert subsumed.status is PatientStatus.MERGED
    assert subsumed.merged_into == SURVIVING
    assert known(database, SURVIVING).is_active


def test_iti44_merge_repoints_documents(database: Database) -> None:
    add(database, "279035121518989")
    add(database, "180125712345678")
    with database.unit_of_work() as store:
        registered = register_submission(store, submissions.submission(patient_id=SUBSUMED))

    feed(database, sample(MERGE))

    document_uuid = registered.documents[0].entry_uuid
    set_uuid = registered.submission_set.entry_uuid
    with database.snapshot() as store:
        assert [d.patient_id for d in store.documents([document_uuid])] == [SURVIVING]
        assert [s.patient_id for s in store.submission_sets([set_uuid])] == [SURVIVING]


def test_iti44_merged_patient_id_is_refused_on_register(database: Database) -> None:
    add(database, "279035121518989")
    add(database, "180125712345678")
    feed(database, sample(MERGE))

    with database.unit_of_work() as store, pytest.raises(RegistryError) as refused:
        register_submission(store, submissions.submission(patient_id=SUBSUMED))

    assert [type(e) for e in refused.value.errors] == [UnknownPatientId]
    assert "merged into" in refused.value.reason


def test_iti44_merge_updates_surviving_demographics(database: Database) -> None:
    add(database, "279035121518989")

    feed(database, sample(MERGE))

    assert known(database, SURVIVING).family_name == "Martin"


def test_iti44_merge_with_unknown_ids_creates_surviving_and_retires_subsumed(
    database: Database,
) -> None:
    assert ack_code(feed(database, sample(MERGE))) == "AA"

    assert known(database, SURVIVING).is_active
    assert known(database, SUBSUMED).merged_into == SURVIVING


def test_iti44_merge_sent_twice_is_accepted(database: Database) -> None:
    feed(database, sample(MERGE))

    assert ack_code(feed(database, sample(MERGE))) == "AA"
    assert known(database, SUBSUMED).merged_into == SURVIVING


def test_iti44_merge_without_subsumed_id_is_acknowledged_ae(database: Database) -> None:
    message = sample(MERGE)
    replacement = one(
        message, "hl7:controlActProcess/hl7:subject/hl7:registrationEvent/hl7:replacementOf"
    )
    replacement.getparent().remove(replacement)  # type: ignore[union-attr]

    ack = feed(database, message)

    assert ack_code(ack) == "AE"
    assert ack_detail(ack)["code"] == "SYN100"
    assert "priorRegisteredRole" in str(ack_detail(ack)["text"])
    assert patient(database, SURVIVING) is None


def test_iti44_merge_into_itself_is_acknowledged_ae(database: Database) -> None:
    message = sample(MERGE)
    one(message, f"{PRIOR_ROLE}/hl7:id").set("extension", "279035121518989")

    ack = feed(database, message)

    assert ack_code(ack) == "AE"
    assert "into itself" in str(ack_detail(ack)["text"])


def test_iti44_merge_across_assigning_authorities_is_acknowledged_ae(database: Database) -> None:
    message = sample(MERGE)
    one(message, f"{PRIOR_ROLE}/hl7:id").set("root", "1.2.250.1.999.7")

    ack = feed(database, message)

    assert ack_code(ack) == "AE"
    assert "different patient identification domains" in str(ack_detail(ack)["text"])
    assert patient(database, SUBSUMED) is None


def test_iti44_merge_into_an_already_subsumed_id_is_acknowledged_ae(database: Database) -> None:
    feed(database, sample(MERGE))
    backwards = sample(MERGE)
    set_patient_id(backwards, root=INS_TEST, extension="180125712345678")
    one(backwards, f"{PRIOR_ROLE}/hl7:id").set("extension", "555555555555555")

    ack = feed(database, backwards)

    assert ack_code(ack) == "AE"
    assert "no longer in use" in str(ack_detail(ack)["text"])
    assert patient(database, f"555555555555555^^^&{INS_TEST}&ISO") is None


def test_iti44_subsumed_id_cannot_be_added_again(database: Database) -> None:
    feed(database, sample(MERGE))
    message = sample(ADD)
    set_patient_id(message, root=INS_TEST, extension="180125712345678")

    ack = feed(database, message)

    assert ack_code(ack) == "AE"
    assert known(database, SUBSUMED).status is PatientStatus.MERGED


# --------------------------------------------------------------------------- acknowledgement


def test_iti44_ack_targets_request_message_id(database: Database) -> None:
    ack = feed(database, sample(ADD))

    target = one(ack, "hl7:acknowledgement/hl7:targetMessage/hl7:id")
    assert (target.get("root"), target.get("extension")) == (
        "1.2.250.1.999.3.1.1",
        "ADD-20240315-0001",
    )


def test_iti44_ack_is_mcci_in000002uv01_never_acknowledged(database: Database) -> None:
    ack = feed(
        database,
        sample(ADD),
        ack_id=II(root="1.2.250.1.999.2.1.9", extension="ACK-1"),
        now=datetime(2024, 3, 15, 10, 30, 1, tzinfo=UTC),
    )

    assert ack.tag == hl7("MCCI_IN000002UV01")
    assert ack.get("ITSVersion") == "XML_1.0"
    assert one(ack, "hl7:id").get("extension") == "ACK-1"
    assert one(ack, "hl7:creationTime").get("value") == "20240315103001"
    interaction = one(ack, "hl7:interactionId")
    assert (interaction.get("root"), interaction.get("extension")) == (
        "2.16.840.1.113883.1.6",
        "MCCI_IN000002UV01",
    )
    assert one(ack, "hl7:processingCode").get("code") == "P"
    assert one(ack, "hl7:processingModeCode").get("code") == "T"
    assert one(ack, "hl7:acceptAckCode").get("code") == "NE"


def test_iti44_ack_swaps_sender_and_receiver(database: Database) -> None:
    ack = feed(database, sample(ADD))

    receiver = one(ack, "hl7:receiver/hl7:device/hl7:id")
    sender = one(ack, "hl7:sender/hl7:device/hl7:id")
    assert receiver.get("extension") == "PATIENT-IDENTITY-SOURCE"
    assert sender.get("extension") == "CARNET-REGISTRY"
    assert one(ack, "hl7:receiver").get("typeCode") == "RCV"
    assert one(ack, "hl7:sender").get("typeCode") == "SND"


def test_iti44_ack_echoes_debugging_processing_code(database: Database) -> None:
    message = sample(ADD)
    one(message, "hl7:processingCode").set("code", "D")

    assert one(feed(database, message), "hl7:processingCode").get("code") == "D"


def test_iti44_message_without_id_is_still_acknowledged(database: Database) -> None:
    message = sample(ADD)
    message_id = one(message, "hl7:id")
    message.remove(message_id)

    ack = feed(database, message)

    assert one(ack, "hl7:acknowledgement/hl7:targetMessage/hl7:id").get("nullFlavor") == "UNK"
    validate(ack)


# --------------------------------------------------------------------------- refusals (AE)


def test_iti44_missing_patient_id_is_acknowledged_ae(database: Database) -> None:
    message = sample(ADD)
    patient_element = one(message, PATIENT)
    patient_element.remove(one(patient_element, "hl7:id"))

    ack = feed(database, message)

    assert ack_code(ack) == "AE"
    assert ack_detail(ack) == {
        "typeCode": "E",
        "code": "SYN101",
        "codeSystem": ACKNOWLEDGEMENT_DETAIL_CODE_SYSTEM,
        "text": (
            "no patient id: controlActProcess/subject/registrationEvent/subject1/patient/id "
            "is missing or has a nullFlavor"
        ),
        "location": "controlActProcess/subject/registrationEvent/subject1/patient/id",
    }


def test_iti44_null_flavored_patient_id_is_acknowledged_ae(database: Database) -> None:
    message = sample(ADD)
    element = one(message, f"{PATIENT}/hl7:id")
    element.attrib.clear()
    element.set("nullFlavor", "UNK")

    ack = feed(database, message)

    assert ack_code(ack) == "AE"
    assert ack_detail(ack)["code"] == "SYN101"


@pytest.mark.parametrize(
    ("root", "extension", "code", "reason"),
    [
        ("INS-C", "279035121518989", "SYN102", "is not an ISO OID"),
        ("urn:oid:1.2.250.1.213.1.4.10", "279035121518989", "SYN102", "is not an ISO OID"),
        (None, "279035121518989", "SYN101", "has no root"),
        (INS_TEST, None, "SYN101", "has no extension"),
    ],
)
def test_iti44_patient_id_without_iso_root_is_acknowledged_ae(
    database: Database, root: str | None, extension: str | None, code: str, reason: str
) -> None:
    message = sample(ADD)
    set_patient_id(message, root=root, extension=extension)

    ack = feed(database, message)

    assert ack_code(ack) == "AE"
    assert ack_detail(ack)["code"] == code
    assert reason in str(ack_detail(ack)["text"])


@pytest.mark.parametrize("extension", ["123^^^&1.2.3&ISO", "12&3", "12~3", "12\\3"])
def test_iti44_patient_id_with_cx_separator_is_acknowledged_ae(
    database: Database, extension: str
) -> None:
    message = sample(ADD)
    set_patient_id(message, root=INS_TEST, extension=extension)

    ack = feed(database, message)

    assert ack_code(ack) == "AE"
    assert "separator" in str(ack_detail(ack)["text"])


def test_iti44_unsupported_interaction_is_acknowledged_ae(database: Database) -> None:
    message = sample(ADD)
    message.tag = hl7("PRPA_IN201305UV02")

    ack = feed(database, message)

    assert ack_code(ack) == "AE"
    assert ack_detail(ack)["code"] == "NS200"


def test_iti44_several_registration_events_are_acknowledged_ae(database: Database) -> None:
    message = sample(ADD)
    control_act = one(message, "hl7:controlActProcess")
    control_act.append(etree.fromstring(etree.tostring(one(control_act, "hl7:subject"))))

    ack = feed(database, message)

    assert ack_code(ack) == "AE"
    assert ack_detail(ack)["code"] == "SYN110"


def test_iti44_missing_patient_is_acknowledged_ae(database: Database) -> None:
    message = sample(ADD)
    subject1 = one(message, f"{PATIENT}/..")
    subject1.remove(one(subject1, "hl7:patient"))

    ack = feed(database, message)

    assert ack_code(ack) == "AE"
    assert ack_detail(ack)["code"] == "SYN100"


def test_iti44_malformed_birth_time_is_acknowledged_ae(database: Database) -> None:
    message = sample(ADD)
    one(message, f"{PATIENT}/hl7:patientPerson/hl7:birthTime").set("value", "15/03/1979")

    ack = feed(database, message)

    assert ack_code(ack) == "AE"
    assert ack_detail(ack)["code"] == "SYN102"
    assert patient(database, SURVIVING) is None


def test_iti44_ae_changes_nothing(database: Database) -> None:
    feed(database, sample(ADD))
    message = sample(REVISE)
    one(message, f"{PATIENT}/hl7:patientPerson/hl7:birthTime").set("value", "yesterday")

    assert ack_code(feed(database, message)) == "AE"
    assert known(database, SURVIVING).family_name == "Durand"


# --------------------------------------------------------------------------- affinity domain


def test_iti44_ids_of_other_domains_are_ignored(database: Database) -> None:
    message = sample(ADD)
    set_patient_id(message, root="1.2.250.1.999.3.5", extension="IPP-4711")

    ack = feed(database, message, assigning_authorities={INS_TEST})

    assert ack_code(ack) == "AA"
    assert ack_detail(ack)["typeCode"] == "I"
    assert patient(database, "IPP-4711^^^&1.2.250.1.999.3.5&ISO") is None


def test_iti44_affinity_domain_id_is_chosen_among_several(database: Database) -> None:
    message = sample(ADD)
    first = one(message, f"{PATIENT}/hl7:id")
    local = etree.Element(hl7("id"), root="1.2.250.1.999.3.5", extension="IPP-4711")
    first.addprevious(local)

    ack = feed(database, message, assigning_authorities={INS_TEST})

    assert ack_code(ack) == "AA"
    assert patient(database, SURVIVING) is not None
    assert patient(database, "IPP-4711^^^&1.2.250.1.999.3.5&ISO") is None


# --------------------------------------------------------------------------- command line


def test_cli_add_patient_registers_cx(database: Database) -> None:
    with database.unit_of_work() as store:
        added = add_patient(store, SURVIVING, family_name="Durand", birth_time="19790315")

    assert added.patient_id == SURVIVING
    assert known(database, SURVIVING).family_name == "Durand"


@pytest.mark.parametrize(
    "patient_id",
    [
        "279035121518989",
        "279035121518989^^^&1.2.250.1.213.1.4.10&DNS",
        "279035121518989^^^1.2.250.1.213.1.4.10",
        "279035121518989^^^&INS&ISO",
        "^^^&1.2.250.1.213.1.4.10&ISO",
    ],
)
def test_cli_add_patient_rejects_malformed_cx(database: Database, patient_id: str) -> None:
    with database.unit_of_work() as store, pytest.raises(PatientFeedError):
        add_patient(store, patient_id)


def test_cli_add_patient_refuses_merged_id(database: Database) -> None:
    feed(database, sample(MERGE))

    with database.unit_of_work() as store, pytest.raises(PatientFeedError, match="merged"):
        add_patient(store, SUBSUMED)


# --------------------------------------------------------------------------- schemas


@pytest.mark.parametrize("name", SAMPLES)
def test_iti44_sample_messages_are_schema_valid(name: str) -> None:
    validate(sample(name))


@pytest.mark.parametrize(
    ("name", "break_it"),
    [
        (ADD, False),
        (REVISE, False),
        (MERGE, False),
        (ADD, True),
    ],
)
def test_iti44_acknowledgements_are_schema_valid(
    database: Database, name: str, break_it: bool
) -> None:
    message = sample(name)
    if break_it:
        set_patient_id(message, root="INS-C", extension=None)

    ack = feed(database, message)

    assert ack_code(ack) == ("AE" if break_it else "AA")
    validate(ack)


def test_iti44_xsd_wrapper_declares_only_its_first_import_in_lxml() -> None:
    """libxml2 skips an xs:import of a namespace it already imported: iti44.xsd knows only
    PRPA_IN201301UV02, so each message is validated against its own multicacheschemas XSD."""
    wrapper = load_schema("hl7v3/iti44/iti44.xsd")

    assert wrapper.validate(etree.ElementTree(sample(ADD)))
    assert not wrapper.validate(etree.ElementTree(sample(REVISE)))


def test_iti44_interactions_name_their_soap_actions() -> None:
    assert [i.soap_action for i in Interaction] == [
        "urn:hl7-org:v3:PRPA_IN201301UV02",
        "urn:hl7-org:v3:PRPA_IN201302UV02",
        "urn:hl7-org:v3:PRPA_IN201304UV02",
        "urn:hl7-org:v3:MCCI_IN000002UV01",
    ]
