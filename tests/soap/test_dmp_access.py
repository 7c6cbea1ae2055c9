"""Identity (VIHF) and access (DMP policy) enforced over the wire, issue 5's scenario included.

One live ``carnet serve --profile dmp`` for the module, trusting the test PKI of
``tests/signing_pki.py`` (``CARNET_TRUST_STORE``): its signer signs the VIHFs and the IHE DSG
submission signatures; its ``stranger`` stands for a structure certificate nobody trusts. The
document is the CI-SIS example ``CI-SIS_VAC-NOTE_2023.01.xml`` (author IDNPS ``801234567897``,
patient INS ``279035121518989``), submitted with the metadata its header gives
(``carnet submit --patient auto``). Audit is not part of this module (issue 5 item 7).
"""

from __future__ import annotations

import copy
import shutil
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest
from lxml import etree

from carnet.cda_submission import cda_files_submission
from carnet.client import XdsClient
from carnet.client_errors import RegistryFailure, SoapFaultError
from carnet.dev_identity import signed_vihf
from carnet.vihf import (
    AccessMode,
    AuthenticationMode,
    Code,
    CodeSystem,
    SoftwareIdentity,
    VihfIdentity,
)
from carnet.vihf_check import PATIENT_ROLE
from cda.certificates import SigningKey
from registry.dmp_vocabulary import DmpAvailabilityStatus
from registry.ebrim import submission_element
from registry.model import Association, Author, DocumentEntry, Submission
from registry.model import Code as XdsCode
from registry.vocabulary import AssociationType, AvailabilityStatus, ErrorCode, TransactionAction
from soap.ws_security import security_header
from tests import submissions as build
from tests.carnet.test_cli_cda_metadata import CI_SIS_EXAMPLE
from tests.live_server import LiveServer, live_server
from tests.signing_pki import Pki, make_pki

DATA = Path(__file__).resolve().parent.parent / "data" / "dmp"
SOAP12 = "http://www.w3.org/2003/05/soap-envelope"
WSA = "http://www.w3.org/2005/08/addressing"
WSSE = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd"
HAB = "urn:carnet:dmp:habilitations:1"
HL7 = "urn:hl7-org:v3"
AUDIENCE = "urn:carnet:test-node"
INS = "279035121518989"
INS_OID = "1.2.250.1.213.1.4.10"
PATIENT = f"{INS}^^^&{INS_OID}&ISO"
OTHER_INS = "180017512345660"
AUTHOR = "801234567897"
"""The CDA's author (``assignedAuthor/id``)."""
DOCTOR = "810100000002"
"""A physician the patient has not authorised (until the scenario's grant)."""
EMERGENCY = "810100000003"
"""A physician using break-the-glass."""
DOCUMENT = "1.2.250.1.213.1.1.1.46.2023.1.1"
"""The CDA's uniqueId."""
MASQUE_PS = XdsCode(code="MASQUE_PS", scheme="1.2.250.1.213.1.1.4.13", display_name="Masqué PS")
APPROVED = AvailabilityStatus.APPROVED.value
ARCHIVED = DmpAvailabilityStatus.ARCHIVED.value
DELETED = DmpAvailabilityStatus.DELETED.value
EVERY_STATUS = (APPROVED, AvailabilityStatus.DEPRECATED.value, ARCHIVED, DELETED)


@pytest.fixture(scope="module")
def pki(tmp_path_factory: pytest.TempPathFactory) -> Pki:
    return make_pki(tmp_path_factory.mktemp("pki"))


@pytest.fixture(scope="module")
def node(tmp_path_factory: pytest.TempPathFactory, pki: Pki) -> Iterator[LiveServer]:
    environment = {"CARNET_TRUST_STORE": str(pki.trust_store), "CARNET_VIHF_AUDIENCE": AUDIENCE}
    with live_server(
        tmp_path_factory.mktemp("dmp-access"), profile="dmp", workers=1, extra_env=environment
    ) as running:
        yield running


def professional(
    subject: str, *, mode: AccessMode = AccessMode.NORMAL, patient: str | None = INS
) -> VihfIdentity:
    return VihfIdentity(
        subject_id=subject,
        subject_name=f"Dr {subject}",
        structure_id="10B0000001",
        sector=Code(code="SA07", system=CodeSystem.TRE_R02_SECTOR.value),
        authentication_mode=AuthenticationMode.DIRECT,
        roles=(
            Code(code="10", system=CodeSystem.TRE_G15_PROFESSION.value),
            Code(code="SM26", system=CodeSystem.TRE_R01_SPECIALTY.value),
        ),
        access_mode=mode,
        software=SoftwareIdentity(name="Carnet tests", approval="CARNET-TEST"),
        patient_id=None if patient is None else f"{patient}^^^&{INS_OID}&ISO^NH",
    )


def patient_holder(ins: str = INS) -> VihfIdentity:
    """The record's holder, as Carnet reads a DMP user role ``PATIENT``."""
    return VihfIdentity(
        subject_id=ins,
        subject_name="Patient",
        structure_id="MES",
        sector=Code(code="SA07", system=CodeSystem.TRE_R02_SECTOR.value),
        authentication_mode=AuthenticationMode.DIRECT,
        roles=(Code(code=PATIENT_ROLE, system=CodeSystem.DMP_USER_ROLE.value),),
        access_mode=AccessMode.NORMAL,
        software=SoftwareIdentity(name="Carnet tests", approval="CARNET-TEST"),
        patient_id=f"{ins}^^^&{INS_OID}&ISO^NH",
    )


def vihf(
    identity: VihfIdentity,
    pki: Pki,
    *,
    key: SigningKey | None = None,
    audience: str | None = AUDIENCE,
    now: datetime | None = None,
) -> etree._Element:
    return signed_vihf(identity, key=key or pki.signer, audience=audience, now=now)


def client(node: LiveServer, assertion: etree._Element | None) -> XdsClient:
    return XdsClient(node.url, assertion=assertion)


def post(
    node: LiveServer, path: str, action: str, body: str, assertion: etree._Element | None
) -> httpx.Response:
    security = etree.tostring(security_header(assertion)).decode() if assertion is not None else ""
    envelope = (
        f'<env:Envelope xmlns:env="{SOAP12}" xmlns:wsa="{WSA}"><env:Header>'
        f"<wsa:Action>{action}</wsa:Action><wsa:MessageID>urn:uuid:{uuid.uuid4()}</wsa:MessageID>"
        f"<wsa:To>{node.url}{path}</wsa:To>{security}</env:Header><env:Body>{body}</env:Body>"
        "</env:Envelope>"
    )
    return httpx.post(
        node.url + path,
        content=envelope.encode(),
        headers={"Content-Type": f'application/soap+xml; charset=UTF-8; action="{action}"'},
        timeout=30,
    )


def create_record(node: LiveServer, assertion: etree._Element) -> str:
    """TD1.1 with consent and no opposition to break-the-glass; the acknowledgement code."""
    text = (DATA / "PRPA_IN201311UV02_create.xml").read_text(encoding="utf-8")
    text = text.split("?>", 1)[1].replace(
        'OPPOSITION_BRIS_DE_GLACE" codeSystem="1.2.250.1.213.4.1.2.3"/>\n'
        '                <value xsi:type="BL" value="true"/>',
        'OPPOSITION_BRIS_DE_GLACE" codeSystem="1.2.250.1.213.4.1.2.3"/>\n'
        '                <value xsi:type="BL" value="false"/>',
    )
    response = post(node, "/dmp/patients", "urn:hl7-org:v3:PRPA_IN201311UV02", text, assertion)
    assert response.status_code == 200, response.text
    code = etree.fromstring(response.content).find(f".//{{{HL7}}}acknowledgement/{{{HL7}}}typeCode")
    assert code is not None
    return str(code.get("code"))


def authorise(node: LiveServer, assertion: etree._Element, professional_id: str) -> None:
    """``setAuthorization AJOUT`` sent by the patient: the VIHF names the patient."""
    body = (
        f'<hab:setAuthorization xmlns:hab="{HAB}"><hab:action>AJOUT</hab:action>'
        f"<hab:patientId>{PATIENT.replace('&', '&amp;')}</hab:patientId>"
        f"<hab:professionalId>{professional_id}</hab:professionalId></hab:setAuthorization>"
    )
    response = post(node, "/dmp/habilitations", f"{HAB}:setAuthorization", body, assertion)
    assert response.status_code == 200, response.text


def visible(node: LiveServer, assertion: etree._Element) -> dict[str, DocumentEntry]:
    with client(node, assertion) as xds:
        return {entry.unique_id: entry for entry in xds.find_documents(PATIENT)}


def retrieves(node: LiveServer, assertion: etree._Element, out: Path) -> bool:
    """Whether ITI-43 returns the document; an unknown-document refusal is False."""
    with client(node, assertion) as xds:
        try:
            xds.retrieve("1.2.250.1.999.1.1.1", [DOCUMENT], out, verify=False)
        except RegistryFailure as failure:
            assert failure.codes == (ErrorCode.DOCUMENT_UNIQUE_ID_ERROR.value,)
            return False
    return True


def update(node: LiveServer, assertion: etree._Element, submission: Submission) -> None:
    with client(node, assertion) as xds:
        answer = xds.call(
            xds.registry_url, TransactionAction.UPDATE, submission_element(submission)
        )
    assert answer.get("status", "").endswith(":Success"), etree.tostring(answer)


def hidden_version(previous: DocumentEntry) -> Submission:
    """TD3.3a: a new version of the entry with ``MASQUE_PS`` added (ITI-57)."""
    ss = build.submission_set(patient_id=previous.patient_id)
    entry = previous.with_(
        entry_uuid="Document02",
        logical_id=previous.logical_id or previous.entry_uuid,
        confidentiality_codes=(*previous.confidentiality_codes, MASQUE_PS),
    )
    member = build.has_member("member", ss.entry_uuid, "Document02").with_(
        previous_version=previous.version or "1"
    )
    return Submission(submission_set=ss, documents=(entry,), associations=(member,))


def shown_version(previous: DocumentEntry) -> Submission:
    """TD3.3a undone: a new version of the entry without ``MASQUE_PS`` (ITI-57)."""
    ss = build.submission_set(patient_id=previous.patient_id)
    entry = previous.with_(
        entry_uuid="Document03",
        logical_id=previous.logical_id or previous.entry_uuid,
        confidentiality_codes=tuple(
            code for code in previous.confidentiality_codes if code.code != MASQUE_PS.code
        ),
    )
    member = build.has_member("member", ss.entry_uuid, "Document03").with_(
        previous_version=previous.version or "1"
    )
    return Submission(submission_set=ss, documents=(entry,), associations=(member,))


def status_update(entry: DocumentEntry, new_status: str, *, original: str = APPROVED) -> Submission:
    """ITI-57 UpdateAvailabilityStatus of ``entry``: TD3.3c (``…:Deleted``), TD3.3d
    (``…:Archived`` and back to Approved)."""
    ss = build.submission_set(patient_id=entry.patient_id)
    change = Association(
        entry_uuid="status",
        association_type=AssociationType.UPDATE_AVAILABILITY_STATUS.value,
        source_id=ss.entry_uuid,
        target_id=entry.entry_uuid,
        original_status=original,
        new_status=new_status,
    )
    return Submission(submission_set=ss, associations=(change,))


def refused_update(
    node: LiveServer, assertion: etree._Element, submission: Submission
) -> tuple[str, ...]:
    """The error codes of an ITI-57 the registry refuses."""
    with client(node, assertion) as xds, pytest.raises(RegistryFailure) as caught:
        xds.update(submission)
    return caught.value.codes


def delete_everything(node: LiveServer, assertion: etree._Element) -> None:
    """ITI-62 of every object of the patient the caller sees (GetAll, both versions)."""
    statuses = (AvailabilityStatus.APPROVED, AvailabilityStatus.DEPRECATED)
    with client(node, assertion) as xds:
        found = xds.get_all(
            PATIENT, document_statuses=statuses, submission_set_statuses=statuses, metadata_level=2
        )
        ids = [
            obj.entry_uuid
            for group in (found.documents, found.submission_sets, found.associations)
            for obj in group
        ]
        xds.delete(ids)


def test_issue5_scenario_consent_feed_authorise_hide_break_glass_delete(
    node: LiveServer, pki: Pki, tmp_path: Path
) -> None:
    author = vihf(professional(AUTHOR), pki)
    doctor = vihf(professional(DOCTOR), pki)
    holder = vihf(patient_holder(), pki)
    # The record is created with the patient's consent (TD1.1) by the author, who is thereby
    # authorised on it.
    assert create_record(node, author) == "AA"
    # Its author submits a signed CDA (ITI-41 with VIHF and IHE DSG signature).
    cda = tmp_path / "vac-note.xml"
    shutil.copyfile(CI_SIS_EXAMPLE, cda)
    built = cda_files_submission([cda])
    with client(node, author) as xds:
        xds.provide_and_register(built.submission, built.documents, signing_key=pki.signer)
    assert DOCUMENT in visible(node, author)
    # A professional the patient has not authorised sees nothing, retrieves nothing.
    assert visible(node, doctor) == {}
    assert not retrieves(node, doctor, tmp_path / "denied")
    # The patient authorises them: both work.
    authorise(node, holder, DOCTOR)
    assert DOCUMENT in visible(node, doctor)
    assert retrieves(node, doctor, tmp_path / "allowed")
    # The patient hides the document from professionals (ITI-57, MASQUE_PS).
    update(node, holder, hidden_version(visible(node, holder)[DOCUMENT]))
    assert DOCUMENT not in visible(node, doctor)
    assert not retrieves(node, doctor, tmp_path / "hidden")
    assert DOCUMENT in visible(node, author)
    # Break-the-glass (not opposed at creation) sees it.
    emergency = vihf(professional(EMERGENCY, mode=AccessMode.BREAK_THE_GLASS), pki)
    assert DOCUMENT in visible(node, emergency)
    assert retrieves(node, emergency, tmp_path / "emergency")
    # Only its author deletes it (TD3.3c): break-the-glass sees it but is refused.
    latest = visible(node, author)[DOCUMENT]
    assert refused_update(node, emergency, status_update(latest, DELETED)) == (
        ErrorCode.REGISTRY_ERROR.value,
    )
    # The author deletes it: ITI-57 to urn:asip:ci-sis:2010:StatusType:Deleted. Nobody finds it,
    # even asking for Deleted documents, nor retrieves it.
    update(node, author, status_update(latest, DELETED))
    for caller in (author, doctor, holder, emergency):
        assert DOCUMENT not in visible(node, caller)
        with client(node, caller) as xds:
            listed = xds.find_documents(PATIENT, statuses=EVERY_STATUS)
            assert DOCUMENT not in {entry.unique_id for entry in listed}
        assert not retrieves(node, caller, tmp_path / "deleted")
    # A logical delete is final, and the document is unknown to everyone, its author included.
    assert refused_update(node, author, status_update(latest, APPROVED, original=DELETED)) == (
        ErrorCode.UNRESOLVED_REFERENCE.value,
    )


# --- identity refusals: a Sender fault with a WSS 1.1 §12 subcode, nothing leaked ----------


def refused(node: LiveServer, assertion: etree._Element | None) -> SoapFaultError:
    with client(node, assertion) as xds, pytest.raises(SoapFaultError) as caught:
        xds.find_documents(PATIENT)
    fault = caught.value
    assert fault.http_status == 400
    assert fault.code.endswith("Sender")
    for secret in (INS, AUTHOR, "Carnet test", "CN=", "Traceback", "1.2.250.1.213.1.4.10"):
        assert secret not in fault.reason
    return fault


def subcode(fault: SoapFaultError) -> str:
    return fault.subcodes[0].rsplit(":", 1)[-1].rsplit("}", 1)[-1]


def test_request_without_vihf_is_refused(node: LiveServer) -> None:
    assert subcode(refused(node, None)) == "InvalidSecurity"


def test_unsigned_vihf_is_refused(node: LiveServer, pki: Pki) -> None:
    assertion = vihf(professional(AUTHOR), pki)
    for signature in assertion.findall("{http://www.w3.org/2000/09/xmldsig#}Signature"):
        assertion.remove(signature)
    assert subcode(refused(node, assertion)) == "FailedAuthentication"


def test_forged_vihf_is_refused(node: LiveServer, pki: Pki) -> None:
    assertion = copy.deepcopy(vihf(professional(DOCTOR), pki))
    name_id = assertion.find(".//{urn:oasis:names:tc:SAML:2.0:assertion}NameID")
    assert name_id is not None
    name_id.text = AUTHOR  # claim to be the author after signing
    assert subcode(refused(node, assertion)) == "FailedCheck"


def test_expired_vihf_is_refused(node: LiveServer, pki: Pki) -> None:
    past = datetime.now(UTC) - timedelta(hours=2)
    assert subcode(refused(node, vihf(professional(AUTHOR), pki, now=past))) == "MessageExpired"


def test_vihf_signed_by_an_unknown_structure_certificate_is_refused(
    node: LiveServer, pki: Pki
) -> None:
    assertion = vihf(professional(AUTHOR), pki, key=pki.stranger)
    assert subcode(refused(node, assertion)) == "FailedAuthentication"


def test_vihf_addressed_to_another_node_is_refused(node: LiveServer, pki: Pki) -> None:
    assertion = vihf(professional(AUTHOR), pki, audience="urn:somewhere:else")
    assert subcode(refused(node, assertion)) == "FailedAuthentication"


def test_query_on_another_patient_than_the_vihfs_is_refused(node: LiveServer, pki: Pki) -> None:
    assertion = vihf(professional(AUTHOR, patient=OTHER_INS), pki)
    fault = refused(node, assertion)
    assert subcode(fault) == "FailedAuthentication"
    assert OTHER_INS not in fault.reason


def test_dmp_services_refuse_a_request_without_vihf(node: LiveServer) -> None:
    body = (
        f'<hab:listAuthorizationByPatient xmlns:hab="{HAB}"><hab:patientId>x</hab:patientId>'
        "</hab:listAuthorizationByPatient>"
    )
    response = post(node, "/dmp/habilitations", f"{HAB}:listAuthorizationByPatient", body, None)
    assert response.status_code == 400
    assert b"InvalidSecurity" in response.content


# --- access refusals on writes ----------------------------------------------------------------


def registration(patient_id: str) -> Submission:
    entry = build.document_entry("Document01", patient_id=patient_id)
    ss = build.submission_set(patient_id=patient_id)
    member = build.has_member("member", ss.entry_uuid, entry.entry_uuid)
    return Submission(submission_set=ss, documents=(entry,), associations=(member,))


def test_feeding_a_patient_without_dmp_record_is_refused(node: LiveServer, pki: Pki) -> None:
    other = f"{OTHER_INS}^^^&{INS_OID}&ISO"
    assertion = vihf(professional(AUTHOR, patient=OTHER_INS), pki)
    with client(node, assertion) as xds, pytest.raises(RegistryFailure) as caught:
        xds.register(registration(other))
    assert caught.value.codes == (ErrorCode.UNKNOWN_PATIENT_ID.value,)


def test_feeding_another_patient_than_the_vihfs_is_refused(node: LiveServer, pki: Pki) -> None:
    other = f"{OTHER_INS}^^^&{INS_OID}&ISO"
    assertion = vihf(professional(AUTHOR), pki)
    with client(node, assertion) as xds, pytest.raises(SoapFaultError) as caught:
        xds.register(registration(other))
    assert caught.value.http_status == 400
    assert OTHER_INS not in caught.value.reason and INS not in caught.value.reason


# --- TD3.3a/c/d on documents fed by ITI-42 ----------------------------------------------------


@pytest.fixture
def record(node: LiveServer, pki: Pki) -> None:
    """The patient's record, created by the author (TD1.1) unless the scenario did already;
    the doctor authorised by the patient."""
    assert create_record(node, vihf(professional(AUTHOR), pki)) in ("AA", "AE")
    authorise(node, vihf(patient_holder(), pki), DOCTOR)


def fed(node: LiveServer, assertion: etree._Element, *, author_id: str = AUTHOR) -> str:
    """Register (ITI-42) one document by ``author_id`` in the record; its uniqueId."""
    entry = build.document_entry("Document01", patient_id=PATIENT)
    person = f"{author_id}^Médecin^Paul^^^Dr^^^&1.2.250.1.71.4.2.1&ISO"
    entry = entry.with_(authors=(Author(person=person, roles=entry.authors[0].roles),))
    ss = build.submission_set(patient_id=PATIENT)
    member = build.has_member("member", ss.entry_uuid, entry.entry_uuid)
    with client(node, assertion) as xds:
        xds.register(Submission(submission_set=ss, documents=(entry,), associations=(member,)))
    return entry.unique_id


def found(node: LiveServer, assertion: etree._Element, *statuses: str) -> dict[str, DocumentEntry]:
    with client(node, assertion) as xds:
        return {e.unique_id: e for e in xds.find_documents(PATIENT, statuses=statuses)}


def test_td33d_archive_and_unarchive_with_iti57(node: LiveServer, pki: Pki, record: None) -> None:
    author = vihf(professional(AUTHOR), pki)
    doctor = vihf(professional(DOCTOR), pki)
    unique_id = fed(node, author)
    entry = found(node, author, APPROVED)[unique_id]
    update(node, author, status_update(entry, ARCHIVED))
    # Approved-only queries leave it out; asking for Archived finds it, for everyone who sees it.
    for caller in (author, doctor):
        assert unique_id not in found(node, caller, APPROVED)
        archived = found(node, caller, ARCHIVED)[unique_id]
        assert archived.availability_status == ARCHIVED
        assert unique_id in found(node, caller, APPROVED, ARCHIVED)
    # An authorised professional who sees it unarchives it (TD3.3d, back to Approved).
    update(node, doctor, status_update(entry, APPROVED, original=ARCHIVED))
    assert unique_id in found(node, author, APPROVED)
    assert unique_id not in found(node, author, ARCHIVED)


def test_td33d_archive_refused_to_a_professional_who_does_not_see_the_document(
    node: LiveServer, pki: Pki, record: None
) -> None:
    stranger = vihf(professional("810100000004"), pki)
    author = vihf(professional(AUTHOR), pki)
    unique_id = fed(node, author)
    entry = found(node, author, APPROVED)[unique_id]
    assert refused_update(node, stranger, status_update(entry, ARCHIVED)) == (
        ErrorCode.UNRESOLVED_REFERENCE.value,
    )


def test_td33c_delete_refused_to_a_non_author(node: LiveServer, pki: Pki, record: None) -> None:
    author = vihf(professional(AUTHOR), pki)
    doctor = vihf(professional(DOCTOR), pki)
    unique_id = fed(node, author)
    entry = found(node, doctor, APPROVED)[unique_id]
    assert refused_update(node, doctor, status_update(entry, DELETED)) == (
        ErrorCode.REGISTRY_ERROR.value,
    )
    assert unique_id in found(node, doctor, APPROVED)


def test_td33c_delete_of_an_archived_document(node: LiveServer, pki: Pki, record: None) -> None:
    author = vihf(professional(AUTHOR), pki)
    unique_id = fed(node, author)
    entry = found(node, author, APPROVED)[unique_id]
    update(node, author, status_update(entry, ARCHIVED))
    update(node, author, status_update(entry, DELETED, original=ARCHIVED))
    assert unique_id not in found(node, author, *EVERY_STATUS)


def test_td33a_hide_and_unhide_from_professionals(node: LiveServer, pki: Pki, record: None) -> None:
    author = vihf(professional(AUTHOR), pki)
    doctor = vihf(professional(DOCTOR), pki)
    holder = vihf(patient_holder(), pki)
    unique_id = fed(node, author)
    # The author hides it (new version with MASQUE_PS): the doctor no longer sees it.
    update(node, author, hidden_version(found(node, author, APPROVED)[unique_id]))
    assert unique_id not in found(node, doctor, APPROVED)
    assert unique_id in found(node, author, APPROVED)
    # The doctor, who cannot see it, cannot show it again either.
    hidden = found(node, author, APPROVED)[unique_id]
    assert refused_update(node, doctor, shown_version(hidden)) == (
        ErrorCode.UNRESOLVED_REFERENCE.value,
    )
    # The patient shows it again (new version without MASQUE_PS): the doctor sees version 3.
    update(node, holder, shown_version(hidden))
    shown = found(node, doctor, APPROVED)[unique_id]
    assert shown.version == "3"
    assert MASQUE_PS.code not in {code.code for code in shown.confidentiality_codes}


def test_author_sees_own_document_without_authorisation(
    node: LiveServer, pki: Pki, record: None
) -> None:
    """An author the patient never authorised (feeding needs none) keeps seeing what they
    wrote, and only that (access policy: authors keep access unless blocked)."""
    newcomer_id = "810100000005"
    newcomer = vihf(professional(newcomer_id), pki)
    unique_id = fed(node, newcomer, author_id=newcomer_id)
    assert list(found(node, newcomer, APPROVED)) == [unique_id]
