"""carnet/cli_audit.py: ``carnet audit`` lists a patient's access history; ``audit export``."""

from __future__ import annotations

import json
import socket
from pathlib import Path

import pytest

from carnet.app import open_database
from carnet.cli import main
from carnet.exit_codes import ExitCode
from carnet.settings import Settings
from registry.audit import AccessMode, Outcome, Transaction
from tests.registry.audit_samples import DOCUMENT, OTHER_PATIENT, PATIENT, retrieve

INS = PATIENT.partition("^")[0]


@pytest.fixture
def data(tmp_path: Path) -> Path:
    database = open_database(Settings(data_dir=tmp_path))
    try:
        with database.unit_of_work() as store:
            store.audit.record(retrieve(minutes=0, transaction=Transaction.ITI_18, document_ids=()))
            store.audit.record(
                retrieve(
                    minutes=5,
                    access_mode=AccessMode.BREAK_THE_GLASS,
                    outcome=Outcome.REFUSED,
                    outcome_detail="OPPOSITION_BRIS_DE_GLACE",
                )
            )
            store.audit.record(retrieve(minutes=9, patient_id=OTHER_PATIENT))
    finally:
        database.dispose()
    return tmp_path


def test_audit_lists_history_newest_first_as_a_table(
    data: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["audit", "--patient", PATIENT, "--data", str(data)]) == ExitCode.OK
    header, first, second = capsys.readouterr().out.splitlines()
    assert header.split() == [
        "time",
        "who",
        "role",
        "structure",
        "mode",
        "transaction",
        "documents",
        "outcome",
    ]
    assert first.startswith("2026-12-10T09:35:00+00:00  HOUSE Gregory (810100000001)")
    for text in (
        "Médecin",
        "10B0152872",
        "bris_de_glace",
        "ITI-43 Retrieve Document Set",
        DOCUMENT,
        "refused (OPPOSITION_BRIS_DE_GLACE)",
    ):
        assert text in first
    assert "ITI-18 Registry Stored Query" in second and second.rstrip().endswith("success")


def test_audit_accepts_a_bare_ins(data: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["audit", "--patient", INS, "--data", str(data), "--json"]) == ExitCode.OK
    events = json.loads(capsys.readouterr().out)
    assert [e["transaction"] for e in events] == ["ITI-43", "ITI-18"]
    assert events[0]["access_mode"] == "bris_de_glace"
    assert events[0]["outcome"] == "refused"
    assert events[0]["document_ids"] == [DOCUMENT]


def test_audit_of_a_patient_without_history_prints_only_the_header(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["audit", "--patient", PATIENT, "--data", str(tmp_path)]) == ExitCode.OK
    assert capsys.readouterr().out.splitlines()[0].startswith("time")


def test_audit_refuses_an_invalid_ins(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["audit", "--patient", "279035121518988", "--data", str(tmp_path)]) == (
        ExitCode.USAGE
    )
    assert "key" in capsys.readouterr().err


def test_audit_without_patient_is_a_usage_error(tmp_path: Path) -> None:
    assert main(["audit", "--data", str(tmp_path)]) == ExitCode.USAGE


def test_audit_export_without_target_is_a_usage_error(
    data: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.delenv("CARNET_AUDIT_SYSLOG", raising=False)
    assert main(["audit", "export", "--data", str(data)]) == ExitCode.USAGE
    assert "audit_syslog" in capsys.readouterr().err


def test_audit_export_sends_over_udp(
    data: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as server:
        server.bind(("127.0.0.1", 0))
        server.settimeout(5)
        monkeypatch.setenv("CARNET_AUDIT_SYSLOG", f"udp://127.0.0.1:{server.getsockname()[1]}")
        assert main(["audit", "export", "--data", str(data)]) == ExitCode.OK
        received = [server.recv(65535) for _ in range(3)]
    assert all(b"<AuditMessage>" in message for message in received)
    assert capsys.readouterr().out.startswith("3 audit events sent")
    assert main(["audit", "export", "--data", str(data)]) == ExitCode.OK
    assert capsys.readouterr().out.startswith("0 audit events sent")


def test_audit_export_to_an_unreachable_target_exits_3(
    data: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with socket.create_server(("127.0.0.1", 0)) as probe:
        port = probe.getsockname()[1]
    monkeypatch.setenv("CARNET_AUDIT_SYSLOG", f"tcp://127.0.0.1:{port}")
    assert main(["audit", "export", "--data", str(data)]) == ExitCode.UNREACHABLE


def test_audit_syslog_setting_must_be_a_syslog_url() -> None:
    from carnet.settings import SettingsError

    with pytest.raises(SettingsError, match="audit_syslog"):
        Settings(audit_syslog="http://audit:514")
