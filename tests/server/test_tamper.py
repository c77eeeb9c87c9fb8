"""Tampering with the stored confirmations is detected, and named; a broken configuration
stops every command with exit 2 and a message instead of a traceback.

The database is changed behind the server's back, the way someone with access to it
could: a body or a derived column rewritten, an entry deleted in the middle or at the end,
a well-formed entry (correct hashes) forged after the last one. Each time ``verify`` fails
with exit 1 and names the first entry that does not hold, by its seq and, while the row
exists, its receipt id.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
from collections.abc import Callable
from datetime import timedelta
from io import StringIO
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.test import Client

from intake_server.api import intake, ledger
from intake_server.api.models import Confirmation
from tests.server.conftest import ServerProcess, free_port, intake_env, run_intake
from tests.server.posting import post
from tests.server.records import real_record

URL = "/api/v1/remote-support/confirmations"


# -- in process: pytest-django's database, Django's test client --------------------------


@pytest.fixture
def ledger_of_three(client: Client) -> list[Confirmation]:
    from intake_server.api import notices

    notices.register("")
    for index in range(3):
        built = real_record(session_id=f"{123456780 + index}")
        answer = client.post(URL, data=built.payload, content_type="application/json",
                             **built.headers())  # fmt: skip
        assert answer.status_code == 201, answer.content
    rows = list(Confirmation.objects.order_by("seq"))
    assert [row.seq for row in rows] == [1, 2, 3]
    return rows


def verify_in_process() -> str:
    """``verify``'s report; raises CommandError when it finds damage."""
    out = StringIO()
    call_command("verify", stdout=out, stderr=StringIO())
    return out.getvalue()


def sql(statement: str, *params: object) -> int:
    with connection.cursor() as cursor:
        cursor.execute(statement, list(params))
        return int(cursor.rowcount)


def change_body(rows: list[Confirmation]) -> tuple[int, str]:
    forged = bytes(rows[1].body).replace(b"it_admin_permission", b"owner")
    assert forged != bytes(rows[1].body)
    assert sql("UPDATE api_confirmation SET body = %s WHERE seq = 2", forged) == 1
    return 2, "was changed"


def change_session_id_only(rows: list[Confirmation]) -> tuple[int, str]:
    assert sql("UPDATE api_confirmation SET session_id = %s WHERE seq = 2", "999999999") == 1
    return 2, "session_id"


def change_received_at(rows: list[Confirmation]) -> tuple[int, str]:
    later = rows[1].received_at + timedelta(seconds=1)
    assert Confirmation.objects.filter(seq=2).update(received_at=later) == 1
    return 2, "was changed"


def delete_middle(rows: list[Confirmation]) -> tuple[int, str]:
    assert sql("DELETE FROM api_confirmation WHERE seq = 2") == 1
    return 2, "deleted"


def delete_last(rows: list[Confirmation]) -> tuple[int, str]:
    assert sql("DELETE FROM api_confirmation WHERE seq = 3") == 1
    return 3, "deleted"


def forge_after_last(rows: list[Confirmation]) -> tuple[int, str]:
    """A forger who knows the hash algorithm adds a perfectly formed fourth entry."""
    last = rows[-1]
    built = real_record(session_id="5555555555", company="Forged GmbH")
    receipt_id, received_at = ledger.new_receipt_id(), ledger.now()
    Confirmation.objects.create(
        seq=last.seq + 1, prev_hash=last.entry_hash, receipt_id=receipt_id,
        received_at=received_at, scope="", body=built.payload,
        body_sha256=hashlib.sha256(built.payload).hexdigest(),
        entry_hash=ledger.entry_hash(last.entry_hash, receipt_id, ledger.rfc3339(received_at),
                                     built.payload),
        notice_verified=True,
        **intake.derived_fields(json.loads(built.payload), None),
    )  # fmt: skip
    return 4, "inserted"


def forge_time_that_does_not_exist(rows: list[Confirmation]) -> tuple[int, str]:
    """A forger appends a well-linked entry, head included, whose body confirms at a time
    no reader can convert (its columns copied from a real one)."""
    last = rows[-1]
    built = real_record(session_id="5555555555")
    body = built.payload.replace(
        json.loads(built.payload)["confirmed_at"].encode(), b"0001-01-01T00:00:00+23:59"
    )
    receipt_id, received_at = ledger.new_receipt_id(), ledger.now()
    entry = ledger.entry_hash(last.entry_hash, receipt_id, ledger.rfc3339(received_at), body)
    Confirmation.objects.create(
        seq=last.seq + 1, prev_hash=last.entry_hash, receipt_id=receipt_id,
        received_at=received_at, scope="", body=body, entry_hash=entry,
        body_sha256=hashlib.sha256(body).hexdigest(),
        **intake.derived_fields(json.loads(built.payload), None),
    )  # fmt: skip
    assert sql("UPDATE api_chainhead SET seq = %s, entry_hash = %s", last.seq + 1, entry) == 1
    return 4, "no longer a confirmation"


TAMPERINGS: list[Callable[[list[Confirmation]], tuple[int, str]]] = [
    change_body, change_session_id_only, change_received_at, delete_middle, delete_last,
    forge_after_last, forge_time_that_does_not_exist,
]  # fmt: skip


@pytest.mark.django_db(transaction=True)
def test_an_untouched_ledger_verifies(ledger_of_three: list[Confirmation]) -> None:
    report = verify_in_process()
    assert "Ledger intact: 3 entries checked" in report
    assert ledger_of_three[-1].entry_hash in report


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("tamper", TAMPERINGS, ids=lambda f: f.__name__)
def test_tampering_is_detected_and_the_entry_named(
    ledger_of_three: list[Confirmation], tamper: Callable[[list[Confirmation]], tuple[int, str]]
) -> None:
    seq, what = tamper(ledger_of_three)
    with pytest.raises(CommandError) as caught:
        verify_in_process()
    assert caught.value.returncode == 1
    message = str(caught.value)
    assert f"ledger entry {seq}" in message, message
    assert what in message, message
    still_there = {row.seq: row.receipt_id for row in Confirmation.objects.all()}
    if seq in still_there and seq <= 3:
        assert still_there[seq] in message, f"the receipt id is not named: {message}"


# -- the real command line on a real server's SQLite file ---------------------------------


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_the_command_line_names_the_damaged_entry(serve: ServerProcess, database_url: str) -> None:
    posted = [post(serve, real_record(session_id=f"{223456780 + i}")) for i in range(3)]
    assert [status for status, _ in posted] == [201, 201, 201], serve.log_text()
    receipts = [answer["receipt_id"] for _, answer in posted]
    assert run_intake("verify", env=serve.env).returncode == 0

    path = urlsplit(database_url).path
    with sqlite3.connect(path) as db:
        (original,) = db.execute("SELECT body FROM api_confirmation WHERE seq = 2").fetchone()
        db.execute("UPDATE api_confirmation SET body = ? WHERE seq = 2",
                   [bytes(original).replace(b"Steuerkanzlei", b"Steuerkanzlai")])  # fmt: skip
    damaged = run_intake("verify", env=serve.env)
    assert damaged.returncode == 1, damaged.stdout + damaged.stderr
    assert "Traceback" not in damaged.stderr
    assert damaged.stderr.startswith("intellekta-intake verify: the ledger is damaged")
    assert f"ledger entry 2 (receipt {receipts[1]})" in damaged.stderr
    assert "1 entries before it are intact" in damaged.stderr

    with sqlite3.connect(path) as db:  # the backup's bytes back: intact again
        db.execute("UPDATE api_confirmation SET body = ? WHERE seq = 2", [original])
    assert run_intake("verify", env=serve.env).returncode == 0

    with sqlite3.connect(path) as db:
        db.execute("DELETE FROM api_confirmation WHERE seq = 3")
    truncated = run_intake("verify", env=serve.env)
    assert truncated.returncode == 1, truncated.stdout + truncated.stderr
    assert "Traceback" not in truncated.stderr
    assert "ledger entry 3" in truncated.stderr and "deleted" in truncated.stderr


# -- a broken configuration ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('require_token = true\nrate_limit_address = "300/m\n',
         ["not valid TOML", "line 2"]),
        ('require_token = true\nrate_limit_adress = "10/m"\n',
         ["line 2", "unknown setting 'rate_limit_adress'", "did you mean 'rate_limit_address'"]),
        ('retention_days = "soon"\n',
         ["line 1", "retention_days", "expected a whole number"]),
        ('[rate_limit]\naddress = 5\n',
         ["line 2", "rate_limit_address", "expected text in quotes"]),
        ("require_token = 1\n", ["line 1", "require_token", "expected true or false"]),
    ],
    ids=["bad-toml", "unknown-key", "wrong-type", "wrong-type-in-section", "not-a-boolean"],
)  # fmt: skip
@pytest.mark.parametrize("command", [["check"], ["serve", "--port", "0"]], ids=lambda c: c[0])
def test_a_broken_configuration_file_stops_with_exit_2(
    tmp_path: Path, text: str, expected: list[str], command: list[str]
) -> None:
    path = tmp_path / "intake.toml"
    path.write_text(text, encoding="utf-8")
    env = intake_env(tmp_path / "data", f"sqlite:///{tmp_path / 'intake.sqlite3'}")
    if command[0] == "serve":
        command = ["serve", "--port", str(free_port())]
    result = run_intake("--config", str(path), *command, env=env, timeout=60)
    assert result.returncode == 2, result.stdout + result.stderr
    assert "Traceback" not in result.stderr
    assert "the configuration cannot be used" in result.stderr
    assert str(path) in result.stderr, result.stderr
    for part in expected:
        assert part in result.stderr, result.stderr
    assert not (tmp_path / "data").exists(), "nothing is created from a broken configuration"
