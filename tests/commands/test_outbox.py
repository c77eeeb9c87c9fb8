"""``intellekta-helper outbox list|send`` as real processes against the loopback server."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

from helper.exitcodes import ExitCode
from helper.intake import Outbox, RecordState
from tests.conftest import REPO, Home, run_cli
from tests.intake.proxy import ConnectProxy
from tests.intake.records import Sample, sample_record
from tests.intake.server import IntakeServer, Reply

TOKEN = "tok-a81f0c2d9e7b4c15"


def _args(server: IntakeServer, data_dir: Path, *command: str) -> list[str]:
    return [*server.cli_args(), "-c", f"paths.data_dir={data_dir}", "outbox", *command]


def _fill(data_dir: Path, count: int) -> list[Sample]:
    outbox = Outbox(data_dir)
    samples = [sample_record() for _ in range(count)]
    for sample in samples:
        outbox.add(sample.payload, sample.submission_id, sample.session_id)
    return samples


def test_list_prints_the_waiting_records_and_exits_4_while_any_is_pending(
    intake_server: IntakeServer, data_dir: Path
) -> None:
    empty = run_cli(*_args(intake_server, data_dir, "list", "--json"))
    assert (empty.returncode, json.loads(empty.stdout)) == (ExitCode.OK, {"records": []})

    first, second = _fill(data_dir, 2)
    outbox = Outbox(data_dir)
    record = outbox.get(first.submission_id)
    assert record is not None
    with outbox.lock(first.submission_id):
        outbox.update(record, state=RecordState.REJECTED, last_error="HTTP 422: no such session")
    result = run_cli(*_args(intake_server, data_dir, "list", "--json"))

    assert result.returncode == ExitCode.PENDING
    records = json.loads(result.stdout)["records"]
    assert [r["submission_id"] for r in records] == [first.submission_id, second.submission_id]
    assert records[0] == {
        "submission_id": first.submission_id,
        "session_id": first.session_id,
        "state": "rejected",
        "created_at": record.created_at,
        "attempts": 0,
        "last_error": "HTTP 422: no such session",
    }
    assert records[1]["state"] == "pending"

    text = run_cli("--lang", "de", *_args(intake_server, data_dir, "list"))
    assert "Session-ID 123 456 789" in text.stdout and "vom Server abgelehnt" in text.stdout


def test_send_delivers_everything_and_exits_0(intake_server: IntakeServer, data_dir: Path) -> None:
    samples = _fill(data_dir, 3)
    result = run_cli(*_args(intake_server, data_dir, "send", "--json"))

    assert result.returncode == ExitCode.OK, result.stderr
    report = json.loads(result.stdout)
    assert (report["delivered"], report["pending"], report["rejected"]) == (3, 0, 0)
    assert [r["submission_id"] for r in report["results"]] == [s.submission_id for s in samples]
    assert intake_server.stored == {s.submission_id: s.payload for s in samples}
    assert Outbox(data_dir).list() == []


def test_send_while_the_server_is_down_exits_4(intake_server: IntakeServer, data_dir: Path) -> None:
    """It stops after the first record, and says so: the server, and every record waiting."""
    samples = _fill(data_dir, 3)
    intake_server.stop()
    args = _args(intake_server, data_dir, "send")
    result = run_cli("-c", "intake.send_window_s=0", *args)

    assert result.returncode == ExitCode.PENDING
    lines = result.stdout.splitlines()
    assert lines[0] == (
        "Sending stopped: the server that receives confirmations cannot be reached. Check that"
        " this computer is connected to the internet."
    )
    assert lines[1] == "3 confirmation(s) are still waiting on this computer:"
    assert sum("Session ID 123 456 789  waiting to be sent" in line for line in lines) == 3
    assert lines[-1] == "Delivered: 0. Still waiting: 3. Refused: 0."
    assert "Traceback" not in result.stderr

    as_json = run_cli("-c", "intake.send_window_s=0", *args, "--json")
    report = json.loads(as_json.stdout)
    assert report["pending"] == 3
    assert [r["submission_id"] for r in report["results"]] == [s.submission_id for s in samples]
    assert [(r["reason"], r["tried"]) for r in report["results"]] == [
        ("connection", True),
        ("not_tried", False),
        ("not_tried", False),
    ]

    intake_server.start()
    assert run_cli(*args).returncode == ExitCode.OK


def test_not_authorised_waits_and_goes_out_with_a_new_token(
    intake_server: IntakeServer, data_dir: Path, tmp_path: Path
) -> None:
    """401 keeps both records waiting (exit 4, not refused); a new token sends them."""
    samples = _fill(data_dir, 2)
    token_file = tmp_path / "token.txt"
    token_file.write_text("revoked-token\n", "utf-8")
    intake_server.reply(Reply(401, body=b'{"message": "token revoked"}'))
    args = [*_args(intake_server, data_dir, "send"), "-c", f"intake.token_file={token_file}"]

    first = run_cli(*args)

    assert first.returncode == ExitCode.PENDING, first.stdout + first.stderr
    assert first.stdout.startswith(
        "Sending stopped: the server did not accept this computer's access token (code 401)."
    )
    assert "Please call the support team." in first.stdout
    assert "Delivered: 0. Still waiting: 2. Refused: 0." in first.stdout
    listed = run_cli(*_args(intake_server, data_dir, "list", "--json"))
    assert listed.returncode == ExitCode.PENDING
    states = [r["state"] for r in json.loads(listed.stdout)["records"]]
    assert states == ["not_authorised", "pending"]  # the second was not tried

    token_file.write_text("new-token\n", "utf-8")
    second = run_cli(*args, "--json")

    assert second.returncode == ExitCode.OK, second.stdout + second.stderr
    assert json.loads(second.stdout)["delivered"] == 2
    assert intake_server.stored == {s.submission_id: s.payload for s in samples}
    assert [s.headers["authorization"] for s in intake_server.seen] == [
        "Bearer revoked-token",
        "Bearer new-token",
        "Bearer new-token",
    ]


def test_refused_records_wait_until_sent_again_on_purpose(
    intake_server: IntakeServer, data_dir: Path
) -> None:
    _fill(data_dir, 1)
    intake_server.reply(Reply(422, body=b'{"message": "unknown session"}'))
    first = run_cli(*_args(intake_server, data_dir, "send", "--json"))
    assert first.returncode == ExitCode.OK  # nothing is pending; the refusal is reported
    report = json.loads(first.stdout)
    assert (report["rejected"], report["results"][0]["http_status"]) == (1, 422)
    assert "unknown session" in report["results"][0]["message"]

    assert (
        json.loads(run_cli(*_args(intake_server, data_dir, "send", "--json")).stdout)["results"]
        == []
    )
    again = run_cli(*_args(intake_server, data_dir, "send", "--json", "--include-rejected"))
    assert json.loads(again.stdout)["delivered"] == 1
    assert intake_server.posts() == 2


def test_the_token_is_sent_but_never_logged_or_shown(
    intake_server: IntakeServer, data_dir: Path, home: Home
) -> None:
    _fill(data_dir, 2)
    echo = json.dumps({"message": f"invalid token Bearer {TOKEN}"}).encode()
    intake_server.reply(Reply(200), Reply(401, body=echo))
    env = {"INTELLEKTA_HELPER_INTAKE_TOKEN": TOKEN}
    result = run_cli(
        "-v", "-c", "logging.level=debug", *_args(intake_server, data_dir, "send"), env=env
    )

    assert [s.headers["authorization"] for s in intake_server.seen] == [f"Bearer {TOKEN}"] * 2
    log_text = (home.logs / "intellekta-helper.log").read_text("utf-8")
    assert "Delivered" in log_text and "did not authorise" in log_text
    on_disk = [p.read_text("utf-8") for p in data_dir.rglob("*") if p.is_file()]
    for text in (log_text, result.stdout, result.stderr, *on_disk):
        assert TOKEN not in text


def test_the_environments_proxy_is_honoured_by_the_command(
    intake_server: IntakeServer, data_dir: Path
) -> None:
    _fill(data_dir, 2)
    with ConnectProxy() as proxy:
        result = run_cli(*_args(intake_server, data_dir, "send"), env={"HTTPS_PROXY": proxy.url})
    assert result.returncode == ExitCode.OK, result.stdout + result.stderr
    assert proxy.tunnels == [f"127.0.0.1:{intake_server.port}"]


def test_two_senders_at_once_never_send_a_record_twice(
    intake_server: IntakeServer, data_dir: Path
) -> None:
    samples = _fill(data_dir, 60)
    intake_server.watch_receipts = data_dir / "receipts"
    command = [sys.executable, "-m", "helper", *_args(intake_server, data_dir, "send")]
    senders = [
        subprocess.Popen(command, cwd=REPO, env=dict(os.environ), stdout=subprocess.DEVNULL)
        for _ in range(2)
    ]
    for sender in senders:
        sender.wait(timeout=120)

    assert intake_server.post_counts() == {s.submission_id: 1 for s in samples}
    assert intake_server.late == [] and Outbox(data_dir).list() == []


def test_list_right_after_a_killed_send_shows_only_what_still_waits(
    intake_server: IntakeServer, data_dir: Path
) -> None:
    """The server answers three records, then holds the fourth; the sender is killed while
    it waits. The three have receipts on disk but are still in the outbox folder (a batch
    tidies up at its end): they are delivered, and ``outbox list`` must say so."""
    samples = _fill(data_dir, 5)
    intake_server.reply(Reply(), Reply(), Reply(), Reply(delay_s=30))
    sender = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "helper",
            *_args(intake_server, data_dir, "send"),
            "-c",
            "intake.timeout_s=60",
        ],
        cwd=REPO,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    receipts = data_dir / "receipts"
    try:
        deadline = time.monotonic() + 30
        while len(list(receipts.glob("*.json"))) < 3 or len(intake_server.seen) < 4:
            assert time.monotonic() < deadline, "the server did not get that far"
            time.sleep(0.02)
    finally:
        sender.kill()  # SIGKILL: no clean-up
        sender.wait()
    delivered = {p.stem for p in receipts.glob("*.json")}
    assert len(delivered) == 3
    assert delivered <= {p.stem for p in (data_dir / "outbox").glob("*.json")}, "not tidied"

    listed = run_cli(*_args(intake_server, data_dir, "list", "--json"))
    assert listed.returncode == ExitCode.PENDING, listed.stderr
    waiting = {r["submission_id"] for r in json.loads(listed.stdout)["records"]}
    assert waiting == {s.submission_id for s in samples} - delivered

    sent = run_cli(*_args(intake_server, data_dir, "send"))
    assert sent.returncode == 0, sent.stdout + sent.stderr
    assert len(intake_server.stored) == 5
    listed = run_cli(*_args(intake_server, data_dir, "list"))
    assert listed.returncode == 0, listed.stdout
