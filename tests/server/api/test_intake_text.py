"""Only printable text, times that exist and Session IDs of the pattern are stored; rows
stored before these rules existed can still be shown by every page and command."""

from __future__ import annotations

import hashlib
import json
import uuid
from datetime import UTC, datetime
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db import connection
from django.test import Client

from intake_server.api import ledger
from intake_server.api.intake import derived_fields
from intake_server.api.models import Confirmation
from tests.server.records import Built, real_record
from tests.server.test_api import post

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("builtin_notices")]


def changed(built: Built, pointer: str, value: Any) -> bytes:
    """``built``'s body with the field at ``pointer`` set to ``value``, as ASCII JSON (the
    only way a lone surrogate can travel: as the escape ``\\ud800``)."""
    document = json.loads(built.payload)
    *parents, last = pointer.strip("/").split("/")
    target: Any = document
    for part in parents:
        target = target[int(part)] if part.isdigit() else target[part]
    target[int(last) if last.isdigit() else last] = value
    return json.dumps(document, ensure_ascii=True).encode()


def refused_at(answer: Any, pointer: str) -> dict[str, Any]:
    assert answer.status_code == 422, answer.content
    assert answer["Content-Type"] == "application/problem+json"
    problem: dict[str, Any] = answer.json()
    assert problem["type"].endswith(":schema") and problem["status"] == 422
    assert problem["errors"][0]["pointer"] == pointer, problem
    assert not Confirmation.objects.exists()
    return problem


def signed_in_admin() -> Client:
    """A client signed in as an administrator (the export page is theirs)."""
    user = get_user_model().objects.create_superuser("anna", password="correct-horse-battery")
    staff = Client()
    staff.force_login(user)
    return staff


@pytest.fixture
def staff() -> Client:
    return signed_in_admin()


def run(*args: str) -> str:
    """A command's output, which must be text a terminal and a UTF-8 file can take."""
    out, err = StringIO(), StringIO()
    call_command(*args, stdout=out, stderr=err)
    text = out.getvalue() + err.getvalue()
    text.encode("utf-8")  # a lone surrogate would fail here, as on a real stdout
    assert "\x1b" not in text and "\x00" not in text, text
    return text


def content(answer: Any) -> bytes:
    body = b"".join(answer.streaming_content) if answer.streaming else answer.content
    return bytes(body)


def every_reader_shows(
    staff: Client, row: Confirmation, tmp_path: Path, downloads: bool = True
) -> None:
    """Every page and command that shows ``row`` answers, with printable text only. The
    console's ``downloads`` are the evidence the command makes, in a download."""
    today = datetime.now(UTC).date().isoformat()
    pages = [
        staff.get("/"),
        staff.get("/queue/rows"),
        staff.get(f"/search?q={row.receipt_id}"),
        staff.get("/search?q=10472"),
        staff.get("/search?q=Kanzlei"),
        staff.get(f"/r/{row.receipt_id}"),
        staff.post("/export", {"since": today, "until": ""}),
    ]
    if downloads:
        pages += [
            staff.get(f"/r/{row.receipt_id}/evidence.pdf"),
            staff.get(f"/r/{row.receipt_id}/evidence.json"),
        ]
    for answer in pages:
        assert answer.status_code == 200, (answer.request["PATH_INFO"], answer.content[:300])
        body = content(answer)
        if not body.startswith(b"%PDF"):
            assert b"\x1b" not in body and b"\x00" not in body
            body.decode("utf-8")
    if downloads:
        json.loads(content(pages[-1]))
    run("find", row.receipt_id)
    json.loads(run("find", row.receipt_id, "--json"))
    run("export", "--since", today, "--format", "csv")
    for line in run("export", "--since", today, "--format", "jsonl").split("\n")[:-1]:
        json.loads(line)  # lines end at "\n" only: U+2028 may stand inside a JSON string
    run("evidence", row.receipt_id)
    json.loads(run("evidence", row.receipt_id, "--json"))
    run("evidence", row.receipt_id, "--pdf", str(tmp_path / "evidence.pdf"))
    assert (tmp_path / "evidence.pdf").read_bytes().startswith(b"%PDF")


# -- only printable text ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("pointer", "value"),
    [
        ("/open_applications/0/name", "Microsoft Outlook\ud800"),
        ("/client/os_version", "Windows 11 \udfff"),
        ("/customer/company", "Kanzlei\x00"),
        ("/customer/contact_name", "Erika \x1b[31mMustermann"),
        ("/customer/number", "10472\t"),
        ("/open_applications/0/category", "mail\n"),
        ("/notice/version", "2026-11\x85"),
        ("/notice/id", "intellekta-remote-support\x7f"),
        ("/session_id", "1234567890\x00"),
        ("/session_id", "12345\x0067890"),
    ],
)
def test_text_that_cannot_be_stored_is_refused_naming_its_field(
    client: Client, pointer: str, value: str
) -> None:
    built = real_record(language="en")
    problem = refused_at(post(client, built, body=changed(built, pointer, value)), pointer)
    assert "control character" in problem["detail"] and pointer in problem["detail"]
    assert problem["errors"][0]["detail"] == problem["detail"]


def test_a_trailing_line_break_does_not_slip_past_a_pattern(client: Client) -> None:
    built = real_record()
    sha256 = json.loads(built.payload)["notice"]["sha256"]
    refused_at(
        post(client, built, body=changed(built, "/notice/sha256", sha256 + "\n")), "/notice/sha256"
    )


@pytest.mark.parametrize(
    ("pointer", "value", "words"),
    [
        ("/customer/company", "A\ud800", "Steuerzeichen"),
        ("/confirmed_at", "0001-01-01T00:00:00+23:59", "außerhalb der Jahre 1 bis 9999"),
        ("/session_id", "abc", "Session-ID, die dieser Server annimmt"),
    ],
)
def test_the_refusal_speaks_the_records_language(
    client: Client, pointer: str, value: str, words: str
) -> None:
    built = real_record(language="de")
    detail = refused_at(post(client, built, body=changed(built, pointer, value)), pointer)["detail"]
    assert words in detail


# -- times that exist ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "moment",
    [
        "0001-01-01T00:00:00+23:59",
        "9999-12-31T23:59:59-00:01",
        "2016-12-31T12:34:60Z",
        "2016-12-31T23:58:60Z",
        "2026-02-30T10:00:00Z",
    ],
)
def test_a_time_that_does_not_exist_in_utc_is_refused(client: Client, moment: str) -> None:
    built = real_record()
    problem = refused_at(
        post(client, built, body=changed(built, "/confirmed_at", moment)), "/confirmed_at"
    )
    assert "confirmed_at" in problem["detail"]


@pytest.mark.parametrize(
    ("moment", "stored"),
    [
        ("2016-12-31T23:59:60Z", "2016-12-31T23:59:59.999Z"),
        ("2017-01-01T00:59:60.5+01:00", "2016-12-31T23:59:59.999Z"),
        ("0001-01-01T00:00:00Z", "0001-01-01T00:00:00.000Z"),
        ("9999-12-31T23:59:59.999999Z", "9999-12-31T23:59:59.999Z"),
        ("2003-07-04T12:00:00+14:00", "2003-07-03T22:00:00.000Z"),
    ],
)
def test_leap_seconds_and_times_far_from_the_servers_clock_are_stored(
    client: Client, staff: Client, moment: str, stored: str, tmp_path: Path
) -> None:
    built = real_record()
    answer = post(client, built, body=changed(built, "/confirmed_at", moment))
    assert answer.status_code == 201, answer.content
    row = Confirmation.objects.get()
    assert ledger.rfc3339(row.confirmed_at) == stored
    every_reader_shows(staff, row, tmp_path)
    assert stored in run("find", row.receipt_id, "--json")
    run("verify")  # the column still says what the body says


# -- the Session ID pattern ------------------------------------------------------------------


@pytest.mark.parametrize("session_id", ["abc", "a<b>c", "12345", "12345678901"])
def test_a_session_id_outside_the_pattern_is_refused(client: Client, session_id: str) -> None:
    built = real_record(language="en")
    problem = refused_at(
        post(client, built, body=changed(built, "/session_id", session_id)), "/session_id"
    )
    assert "session_id_pattern" in problem["detail"]


def test_the_administrators_pattern_is_the_one_enforced(client: Client, settings: Any) -> None:
    settings.CONFIG = type(settings.CONFIG)(
        {**settings.CONFIG.values, "session_id_pattern": r"[a-z]{3}\d{3}"}, ""
    )
    built = real_record()
    refused_at(post(client, built), "/session_id")
    assert post(client, built, body=changed(built, "/session_id", "abc123")).status_code == 201


# -- rows stored before these rules ----------------------------------------------------------


def store_as_before(document: dict[str, Any]) -> Confirmation:
    """Append ``document`` as the server did before it checked text: straight to the ledger."""
    body = json.dumps(document, ensure_ascii=True).encode()
    row, created = ledger.append(
        "",
        document["submission_id"],
        lambda: Confirmation(
            scope="",
            body=body,
            body_sha256=hashlib.sha256(body).hexdigest(),
            server_facts=ledger.server_facts_text(None, False),
            **derived_fields(document, None),
        ),
    )
    assert created
    return row


def test_a_row_stored_before_the_rule_is_shown_everywhere(staff: Client, tmp_path: Path) -> None:
    document = json.loads(real_record().payload)
    document["submission_id"] = str(uuid.uuid4())
    controls = "\x1b[2J\x1b]0;owned\x07\x85\t\n"
    document["customer"]["company"] = f"Kanzlei{controls}Beispiel"
    document["customer"]["contact_name"] = f"Erika{controls}"
    document["open_applications"] = [
        {"id": "outlook", "name": f"Outlook{controls}", "category": "mail\x9b"}
    ]
    document["client"]["os_version"] = f"Linux{controls}"
    if connection.vendor == "sqlite":  # PostgreSQL never took these
        document["session_id"] = "12345\x006789"
        document["customer"]["contact_name"] += "\x00"
        document["open_applications"][0]["name"] += "\ud800"
        document["client"]["os_version"] += "\udfff"
    row = store_as_before(document)
    every_reader_shows(staff, row, tmp_path)
    found = json.loads(run("find", row.receipt_id, "--json"))[0]
    assert found["customer"]["company"].startswith("Kanzlei\ufffd[2J")
    assert found["open_applications"][0]["name"].startswith("Outlook\ufffd")
    run("verify")  # and the ledger is untouched
