"""The intake API's log lines, read from a real server's log: one per accepted
confirmation (receipt id, new or replayed, token id or none, milliseconds) and one per
refusal (reason, status, JSON pointer), never a name, a company or a Session ID; and what
``/readyz`` says of the ledger."""

from __future__ import annotations

import contextlib
import json
import re
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.test import Client

from tests.server.conftest import URL_PATH, ServerProcess, Tls, intake_env, run_intake
from tests.server.posting import post, send
from tests.server.records import Built, real_record

RFC3339_UTC = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z")


def test_each_answer_is_one_log_line_without_personal_data(tmp_path: Path, server_tls: Tls) -> None:
    env = intake_env(tmp_path / "data", f"sqlite:///{tmp_path / 'intake.sqlite3'}")
    assert run_intake("migrate", env=env).returncode == 0
    added = run_intake("customer", "add", "77001", "--company", "Kanzlei Geheim GmbH", env=env)
    assert added.returncode == 0, added.stderr
    created = run_intake("token", "create", "--customer", "77001", env=env)
    assert created.returncode == 0, created.stderr
    server = ServerProcess(env, server_tls).start()
    try:
        built = real_record(
            session_id="5550001234",
            company="Kanzlei Geheim GmbH",
            contact_name="Erika Verborgen",
            number="77001",
        )
        status, answer = post(server, built)
        assert status == 201
        assert post(server, built) == (200, answer)
        with_token = real_record(session_id="5550001235", number="77001")
        assert send(server, with_token, created.stdout.strip())[0] == 201
        document = json.loads(built.payload)
        document["session_id"] = "5550001236"
        document["customer"]["contact_name"] = 5  # not a string
        wrong = Built(json.dumps(document).encode(), "6d7f1c1e-0000-4000-8000-000000000001", "")
        assert post(server, wrong)[0] == 422
        assert post(server, Built(b"{", "6d7f1c1e-0000-4000-8000-000000000002", ""))[0] == 400
    finally:
        server.stop()

    log = server.log_text()
    lines = [line for line in log.splitlines() if " intake_server.api: " in line]
    receipt = re.escape(answer["receipt_id"])
    assert re.search(
        rf"INFO intake_server\.api: Confirmation accepted: receipt {receipt}, "
        r"new, token none, \d+ ms$",
        lines[0],
    ), lines
    assert re.search(rf"accepted: receipt {receipt}, replayed, token none, \d+ ms$", lines[1])
    assert re.search(r"accepted: receipt R-\S+, new, token 1, \d+ ms$", lines[2]), lines
    assert re.search(
        r"INFO intake_server\.api: Confirmation refused: schema \(422\) at "
        r"/customer/contact_name, \d+ ms$",
        lines[3],
    ), lines
    assert re.search(r"refused: not_json \(400\), \d+ ms$", lines[4]), lines
    assert len(lines) == 5, lines
    for secret in ("5550001234", "555 000 1234", "Kanzlei Geheim", "Erika Verborgen"):
        assert secret not in log


def test_with_json_logs_the_parts_are_fields(tmp_path: Path, server_tls: Tls) -> None:
    env = intake_env(
        tmp_path / "data", f"sqlite:///{tmp_path / 'intake.sqlite3'}", log_format="json"
    )
    server = ServerProcess(env, server_tls).start()
    try:
        status, answer = post(server, real_record(session_id="5550001234"))
        assert status == 201
        assert post(server, Built(b"[]", "6d7f1c1e-0000-4000-8000-000000000003", ""))[0] == 422
    finally:
        server.stop()

    entries = [json.loads(line) for line in server.log_text().splitlines() if line.startswith("{")]
    accepted, refused = (e for e in entries if e["logger"] == "intake_server.api")
    assert accepted["receipt_id"] == answer["receipt_id"] and accepted["outcome"] == "new"
    assert accepted["token_id"] is None and isinstance(accepted["duration_ms"], int)
    assert (refused["reason"], refused["status"], refused["pointer"]) == ("schema", 422, "/")
    assert "5550001234" not in server.log_text()


# -- /readyz: ready while the database answers; the ledger's state for information ----------


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("builtin_notices")
def test_readyz_tells_what_the_last_verification_found_and_stays_ready(client: Client) -> None:
    assert client.get("/readyz").json() == {
        "status": "ready",
        "ledger": {"damaged": None, "checked_at": None, "full_at": None},
    }
    for session_id in ("333444555", "333444556"):
        built = real_record(session_id=session_id)
        answer = client.post(
            URL_PATH, data=built.payload, content_type="application/json", **built.headers()
        )
        assert answer.status_code == 201
    with connection.cursor() as cursor:  # changed behind the server's back
        cursor.execute("UPDATE api_confirmation SET session_id = %s WHERE seq = 1", ["999"])
    with contextlib.suppress(CommandError):  # exit 1: damage, recorded first
        call_command("verify", stdout=StringIO(), stderr=StringIO())
    answer = client.get("/readyz")
    ledger = answer.json()["ledger"]
    assert (answer.status_code, answer.json()["status"], ledger["damaged"]) == (200, "ready", 1)
    for moment in (ledger["checked_at"], ledger["full_at"]):
        assert RFC3339_UTC.fullmatch(moment), moment
