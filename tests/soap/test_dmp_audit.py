"""Issue 5 item 7 over the wire: every transaction of a live dmp node audited, allowed or refused.

Replays issue 5's scenario with the helpers and fixtures of ``tests/soap/test_dmp_access.py``
(its own live node: a history of its own), then reads the trail as the patient is shown it,
with ``carnet audit --patient INS --data DIR --json`` run as a process against the node's data
directory. The identity refusals of the "Must show" list are each checked refused, with
nothing leaked in the fault, and audited.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from carnet.cda_submission import cda_files_submission
from carnet.client_errors import RegistryFailure
from carnet.settings import Settings
from carnet.vihf import AccessMode
from registry.audit import AuditEvent, Outcome
from registry.storage.database import Database
from tests.carnet.test_cli_cda_metadata import CI_SIS_EXAMPLE
from tests.live_server import LiveServer
from tests.signing_pki import Pki
from tests.soap.test_dmp_access import (
    AUTHOR,
    DELETED,
    DOCTOR,
    DOCUMENT,
    EMERGENCY,
    INS,
    OTHER_INS,
    authorise,
    client,
    create_record,
    hidden_version,
    node,
    patient_holder,
    pki,
    professional,
    refused,
    retrieves,
    status_update,
    subcode,
    update,
    vihf,
    visible,
)

__all__ = ["node", "pki"]  # the module's live node and PKI, as fixtures

Step = tuple[str, str, str | None, str | None, bool]
"""transaction, outcome, caller, access mode, whether the document is named."""


def history(node: LiveServer) -> list[dict[str, Any]]:
    """``carnet audit --patient INS --json`` against the node's data, oldest first."""
    done = subprocess.run(
        [
            *(sys.executable, "-m", "carnet", "audit", "--patient", INS, "--json"),
            *("--limit", "500", "--data", str(node.data_dir)),
        ],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    return list(reversed(json.loads(done.stdout)))


def all_events(node: LiveServer) -> list[AuditEvent]:
    """Every event of the node's trail, oldest first (none is exported: no audit_syslog)."""
    database = Database(Settings(data_dir=node.data_dir).effective_database_url)
    try:
        with database.snapshot() as store:
            return [record.event for record in store.audit.pending_export(limit=10_000)]
    finally:
        database.dispose()


def test_issue5_scenario_lists_every_step_with_its_outcome(
    node: LiveServer, pki: Pki, tmp_path: Path
) -> None:
    author = vihf(professional(AUTHOR), pki)
    doctor = vihf(professional(DOCTOR), pki)
    holder = vihf(patient_holder(), pki)
    emergency = vihf(professional(EMERGENCY, mode=AccessMode.BREAK_THE_GLASS), pki)
    assert create_record(node, author) == "AA"
    authorise(node, holder, AUTHOR)
    cda = tmp_path / "vac-note.xml"
    shutil.copyfile(CI_SIS_EXAMPLE, cda)
    built = cda_files_submission([cda])
    with client(node, author) as xds:
        xds.provide_and_register(built.submission, built.documents, signing_key=pki.signer)
    assert visible(node, doctor) == {}
    assert not retrieves(node, doctor, tmp_path / "denied")
    authorise(node, holder, DOCTOR)
    assert DOCUMENT in visible(node, doctor)
    assert retrieves(node, doctor, tmp_path / "allowed")
    update(node, holder, hidden_version(visible(node, holder)[DOCUMENT]))
    assert DOCUMENT not in visible(node, doctor)
    assert DOCUMENT in visible(node, emergency)
    assert retrieves(node, emergency, tmp_path / "emergency")
    # TD3.3c: the author deletes it (ITI-57 to urn:asip:ci-sis:2010:StatusType:Deleted).
    update(node, author, status_update(visible(node, author)[DOCUMENT], DELETED))
    assert DOCUMENT not in visible(node, doctor)

    steps: list[Step] = [
        (
            e["transaction"],
            e["outcome"],
            e["subject_id"],
            e["access_mode"],
            DOCUMENT in e["document_ids"],
        )
        for e in history(node)
    ]
    normal = AccessMode.NORMAL.value
    assert steps == [
        ("TD1.1", "success", AUTHOR, normal, False),  # creation, with consent
        ("setAuthorization", "success", INS, normal, False),
        ("ITI-41", "success", AUTHOR, normal, True),  # submission
        ("ITI-18", "success", DOCTOR, normal, False),  # unauthorised: an empty answer
        ("ITI-43", "refused", DOCTOR, normal, True),  # and a refused retrieve
        ("setAuthorization", "success", INS, normal, False),  # the grant
        ("ITI-18", "success", DOCTOR, normal, True),
        ("ITI-43", "success", DOCTOR, normal, True),
        ("ITI-18", "success", INS, normal, True),
        ("ITI-57", "success", INS, normal, True),  # hidden (MASQUE_PS)
        ("ITI-18", "success", DOCTOR, normal, False),
        ("ITI-18", "success", EMERGENCY, AccessMode.BREAK_THE_GLASS.value, True),
        ("ITI-43", "success", EMERGENCY, AccessMode.BREAK_THE_GLASS.value, True),
        ("ITI-18", "success", AUTHOR, normal, True),  # the author finds the latest version
        ("ITI-57", "success", AUTHOR, normal, True),  # and deletes it (TD3.3c)
        ("ITI-18", "success", DOCTOR, normal, False),  # final empty query
    ]
    refusal = history(node)[4]
    assert refusal["outcome_detail"] == "urn:ihe:iti:2007:ErrorCode:XDSDocumentUniqueIdError" or (
        "XDSDocumentUniqueIdError" in refusal["outcome_detail"]
    )


def last_event(node: LiveServer) -> AuditEvent:
    return all_events(node)[-1]


def test_forged_vihf_is_refused_and_audited(node: LiveServer, pki: Pki) -> None:
    assertion = vihf(professional(DOCTOR), pki)
    name_id = assertion.find(".//{urn:oasis:names:tc:SAML:2.0:assertion}NameID")
    assert name_id is not None
    name_id.text = AUTHOR
    assert subcode(refused(node, assertion)) == "FailedCheck"
    event = last_event(node)
    assert (event.transaction.value, event.outcome) == ("ITI-18", Outcome.REFUSED)
    assert event.subject_id is None  # a forged claim is never taken as the caller
    assert event.subject_name == f"unverified claim: {AUTHOR}"
    assert event.outcome_detail is not None and "FailedCheck" in event.outcome_detail
    assert event.remote_address == "127.0.0.1"


def test_expired_vihf_is_refused_and_audited(node: LiveServer, pki: Pki) -> None:
    from datetime import UTC, datetime, timedelta

    past = datetime.now(UTC) - timedelta(hours=2)
    assert subcode(refused(node, vihf(professional(AUTHOR), pki, now=past))) == "MessageExpired"
    event = last_event(node)
    assert event.outcome is Outcome.REFUSED and event.subject_id is None
    assert event.outcome_detail is not None and "MessageExpired" in event.outcome_detail


def test_vihf_of_an_unknown_structure_certificate_is_refused_and_audited(
    node: LiveServer, pki: Pki
) -> None:
    assertion = vihf(professional(AUTHOR), pki, key=pki.stranger)
    assert subcode(refused(node, assertion)) == "FailedAuthentication"
    event = last_event(node)
    assert event.outcome is Outcome.REFUSED and event.subject_id is None
    assert event.outcome_detail is not None and "UntrustedIssuer" in event.outcome_detail


def test_query_on_another_patient_than_the_vihfs_is_refused_and_audited(
    node: LiveServer, pki: Pki
) -> None:
    fault = refused(node, vihf(professional(AUTHOR, patient=OTHER_INS), pki))
    assert subcode(fault) == "FailedAuthentication" and OTHER_INS not in fault.reason
    event = last_event(node)
    # The VIHF verified: its caller is known; the refusal is filed under the patient queried.
    assert (event.outcome, event.subject_id) == (Outcome.REFUSED, AUTHOR)
    assert event.patient_id is not None and event.patient_id.startswith(INS)
    assert event.outcome_detail is not None and "WrongPatient" in event.outcome_detail


def test_refused_iti41_leaves_its_refusal_audited_and_nothing_else(
    node: LiveServer, pki: Pki, tmp_path: Path
) -> None:
    author = vihf(professional(AUTHOR), pki)
    cda = tmp_path / "vac-note.xml"
    shutil.copyfile(CI_SIS_EXAMPLE, cda)
    built = cda_files_submission([cda])
    before = len(all_events(node))
    with client(node, author) as xds, pytest.raises(RegistryFailure):
        xds.provide_and_register(built.submission, built.documents)  # unsigned: refused (dmp)
    events = all_events(node)[before:]
    assert [(e.transaction.value, e.outcome) for e in events] == [("ITI-41", Outcome.REFUSED)]
    assert events[0].document_ids == (DOCUMENT,) and events[0].subject_id == AUTHOR
    assert DOCUMENT not in visible(node, author)
