"""``intellekta-helper confirm`` as a subprocess with piped input, against a real HTTPS
server on 127.0.0.1 and real processes named like catalogue applications."""

from __future__ import annotations

import json
import uuid
from datetime import datetime
from pathlib import Path

import pytest

from helper import __version__
from tests.apps.conftest import Spawner
from tests.conftest import Home, run_cli
from tests.intake.server import IntakeServer, Reply
from tests.platform_marks import posix_signals


def confirm(server: IntakeServer, lines: list[str], *extra: str) -> tuple[int, str]:
    result = run_cli(
        *server.cli_args(),
        "-c",
        "intake.send_window_s=2",
        *extra,
        "confirm",
        input="".join(line + "\n" for line in lines),
    )
    assert "Traceback" not in result.stdout + result.stderr
    return result.returncode, result.stdout + result.stderr


def outbox_files(home: Home) -> list[Path]:
    folder = home.data / "outbox"
    return [p for p in folder.iterdir() if p.suffix == ".json"] if folder.exists() else []


def test_delivered_path_payload_field_by_field(
    intake_server: IntakeServer, spawn: Spawner, home: Home
) -> None:
    spawn("thunderbird")
    code, out = confirm(
        intake_server,
        ["12 34", "123 456 789", "Erika Mustermann", "o 1", "w", "ja", "2", "ja"],
        "-c",
        "ui.require_contact_name=true",
        "-c",
        "customer.number=K-1000",
        "-c",
        "customer.company=Praxis Beispiel",
        "--lang",
        "de",
    )
    assert code == 0, out
    assert "Schritt 1 von 4: Session-ID" in out
    assert "Mozilla Thunderbird  (bleibt bewusst geöffnet)" in out
    assert "Erledigt: Ihre Bestätigung ist angekommen." in out
    assert out.count("Bestätigung ist angekommen") == 1, "said once, not twice"
    assert "│   123 456 789   │" in out, "grouped as in the window"
    assert len(intake_server.stored) == 1
    ((submission_id, body),) = intake_server.stored.items()
    record = json.loads(body)
    assert set(record) == {
        "schema_version",
        "submission_id",
        "session_id",
        "confirmed_at",
        "language",
        "notice",
        "confirmations",
        "open_applications",
        "customer",
        "client",
    }
    assert record["schema_version"] == 1
    assert record["submission_id"] == submission_id and uuid.UUID(submission_id).version == 4
    assert record["session_id"] == "123456789"
    assert datetime.fromisoformat(record["confirmed_at"]).utcoffset() is not None
    assert record["language"] == "de"
    assert record["notice"]["id"] and record["notice"]["version"]
    assert len(record["notice"]["sha256"]) == 64
    assert record["confirmations"] == {
        "notice_accepted": True,
        "authority": "it_admin_permission",
        "confidential_apps": "kept_open",
    }
    assert record["open_applications"] == [
        {"id": "thunderbird", "name": "Mozilla Thunderbird", "category": "mail"}
    ]
    assert record["customer"] == {
        "number": "K-1000",
        "company": "Praxis Beispiel",
        "contact_name": "Erika Mustermann",
    }
    assert record["client"]["name"] == "intellekta-helper"
    assert record["client"]["version"] == __version__
    assert record["client"]["platform"] == "linux"
    assert outbox_files(home) == [], "delivered records leave the outbox"
    notice = json.loads(run_cli("--lang", "de", "notice", "--json").stdout)
    assert record["notice"] == {
        "id": notice["id"],
        "version": notice["version"],
        "sha256": notice["sha256"],
    }


def test_invalid_session_ids_are_asked_again(intake_server: IntakeServer) -> None:
    code, out = confirm(intake_server, ["abc", "12 34", "s12-345-678", "yes", "1"], "--lang", "en")
    assert code == 0, out
    assert out.count("Session ID:") >= 3
    assert "QuickSupport" in out
    record = json.loads(next(iter(intake_server.stored.values())))
    assert record["session_id"] == "s12-345-678"
    assert record["confirmations"]["confidential_apps"] == "closed"
    assert record["open_applications"] == []
    assert "customer" not in record or record["customer"] == {}


def test_offline_then_outbox_send(intake_server: IntakeServer, home: Home) -> None:
    intake_server.stop()
    code, out = confirm(intake_server, ["123456789", "yes", "1"], "--lang", "en")
    assert code == 4, out
    assert "Saved: your confirmation will be sent automatically later." in out
    assert len(outbox_files(home)) == 1
    intake_server.start()
    result = run_cli(*intake_server.cli_args(), "outbox", "send")
    assert result.returncode == 0, result.stdout + result.stderr
    assert len(intake_server.stored) == 1
    assert outbox_files(home) == []


def test_rejected_path(intake_server: IntakeServer, home: Home) -> None:
    intake_server.reply(Reply(422, body=b'{"message": "unknown session"}'))
    code, out = confirm(intake_server, ["123456789", "yes", "1"], "--lang", "en")
    assert code == 6, out
    assert "Not accepted" in out and "422" in out
    assert len(outbox_files(home)) == 1, "a rejected record stays on disk"


@pytest.mark.parametrize(
    ("lines", "message"),
    [
        (["123456789", "no"], "You did not agree, so nothing was sent."),
        (["123456789", "yes", "3"], "Please ask the responsible IT administrator"),
        (["123456789"], "Cancelled. Nothing was sent."),
        (["123"], "Cancelled. Nothing was sent."),
        ([], "Cancelled. Nothing was sent."),
    ],
)
def test_declining_or_end_of_input_sends_nothing(
    intake_server: IntakeServer, home: Home, lines: list[str], message: str
) -> None:
    code, out = confirm(intake_server, lines, "--lang", "en")
    assert code == 5, out
    assert message in out
    assert intake_server.posts() == 0
    assert outbox_files(home) == []


def test_no_default_yes(intake_server: IntakeServer) -> None:
    code, out = confirm(intake_server, ["123456789", "", "ok", "yes", "", "1"], "--lang", "en")
    assert code == 0, out
    assert out.count("Please type yes or no.") == 2
    assert "No program that could show confidential data is open." in out


def test_closing_a_real_application_from_the_terminal(intake_server: IntakeServer) -> None:
    from tests.ui.conftest import start_tk_app

    app = start_tk_app("close", "thunderbird")
    try:
        code, out = confirm(intake_server, ["123456789", "yes", "1", "yes", "1"], "--lang", "en")
    finally:
        if app.poll() is None:
            app.kill()  # only if the test failed: the flow must have closed it
        app.wait(timeout=10)
    assert code == 0, out
    assert "Asking Mozilla Thunderbird to close ..." in out
    assert "Mozilla Thunderbird: closed." in out
    assert "“yes” is not a number from the list (there is only 1)." in out
    assert app.returncode == 0, "it closed itself, as on its close button"
    record = json.loads(next(iter(intake_server.stored.values())))
    assert record["confirmations"]["confidential_apps"] == "closed"
    assert record["open_applications"] == []


@posix_signals
def test_ctrl_c_while_sending_keeps_the_saved_record(
    intake_server: IntakeServer, home: Home
) -> None:
    import os
    import signal
    import subprocess
    import sys
    import time

    intake_server.reply(Reply(200, delay_s=20))
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "helper",
            *intake_server.cli_args(),
            "-c",
            "intake.send_window_s=30",
            "-c",
            "intake.timeout_s=30",
            "--lang",
            "en",
            "confirm",
        ],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env=os.environ.copy(),
    )
    assert proc.stdin is not None
    proc.stdin.write("123456789\nyes\n1\n")
    proc.stdin.flush()
    deadline = time.monotonic() + 30
    while not intake_server.posts() and time.monotonic() < deadline:
        time.sleep(0.05)
    assert intake_server.posts() == 1, "the record was on its way"
    proc.send_signal(signal.SIGINT)  # the customer presses Ctrl+C
    out, _ = proc.communicate(timeout=30)
    assert proc.returncode == 4, out
    assert "Sending was interrupted. Your confirmation is saved on this computer" in out
    assert "Traceback" not in out
    assert len(outbox_files(home)) == 1


def test_an_unwritable_data_folder_is_explained(intake_server: IntakeServer, home: Home) -> None:
    home.data.mkdir(parents=True, exist_ok=True)
    (home.data / "outbox").write_text("a file where the outbox folder should be")
    code, out = confirm(intake_server, ["123456789", "yes", "1"], "--lang", "en")
    assert code == 1, out
    assert "Your confirmation could not be saved in" in out
    assert "Nothing was sent." in out
    assert intake_server.posts() == 0
