"""``export``: a date range of confirmations as CSV or JSON Lines, oldest first, safe to
open in a spreadsheet, and quiet when its reader stops early."""

from __future__ import annotations

import csv
import json
import subprocess
import sys
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client
from django.utils import translation

from intake_server.api import ledger, reading
from intake_server.api.export import csv_row
from intake_server.api.fields import CSV_HEADER
from intake_server.api.models import Confirmation
from tests.conftest import REPO
from tests.server.conftest import intake_env, run, shared_database_url
from tests.server.console.hostile import edited
from tests.server.records import real_record
from tests.server.test_api import post

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("builtin_notices")]


def received_on(client: Client, monkeypatch: pytest.MonkeyPatch, day: str, **record: Any) -> str:
    """Store a confirmation as if it arrived at noon (UTC) of ``day``; its receipt id."""
    moment = datetime.fromisoformat(f"{day}T12:00:00+00:00")
    monkeypatch.setattr(ledger, "now", lambda: moment)
    answer = post(client, real_record(**record))
    assert answer.status_code == 201, answer.content
    return str(answer.json()["receipt_id"])


@pytest.fixture
def three_months(client: Client, monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Receipts of 31 Dec 2025 (newest stored first), 15 Jan and 1 Feb 2026."""
    return [
        received_on(client, monkeypatch, "2026-02-01", number="3"),
        received_on(
            client,
            monkeypatch,
            "2026-01-15",
            number="2",
            company='=HYPERLINK("https://evil.example")',
            contact_name="@Chef",
        ),
        received_on(client, monkeypatch, "2025-12-31", number="-1"),
    ]


def test_csv_has_a_header_and_the_range_oldest_first(three_months: list[str]) -> None:
    february, january, december = three_months
    with translation.override("en"):
        out, _ = run("export", "--since", "2025-12-01", "--until", "2026-02-01")
    header, *rows = list(csv.reader(StringIO(out)))
    assert tuple(header) == CSV_HEADER
    assert [row[0] for row in rows] == [december, january]  # 1 Feb is the end, not included
    cells = dict(zip(header, rows[1], strict=True))
    assert cells["company"] == '\'=HYPERLINK("https://evil.example") (as stated)'
    assert cells["contact_name"] == "'@Chef (as stated)"
    assert cells["customer_number"] == "2 (as stated)"
    assert cells["confidential_programs"] == "kept open on purpose: Microsoft Outlook (mail)"
    assert cells["notice_check"] == "text verified: the server holds this exact text"
    assert cells["received_at"] == "2026-01-15 13:00:00 Europe/Berlin (12:00:00 UTC)"
    assert cells["ledger"] == "proven by the ledger (entry 2)"
    assert dict(zip(header, rows[0], strict=True))["customer_number"] == "'-1 (as stated)"
    everything, _ = run("export", "--since", "2026-01-16")
    assert [row[0] for row in list(csv.reader(StringIO(everything)))[1:]] == [february]


def test_csv_for_german_excel_has_semicolons_and_a_byte_order_mark(
    three_months: list[str],
) -> None:
    out, _ = run("export", "--since", "2025-12-01", "--dialect", "excel-de")
    assert out.startswith("\ufeff") and out.count("\r\n") == 4
    header, *rows = list(csv.reader(StringIO(out[1:], newline=""), delimiter=";"))
    assert tuple(header) == CSV_HEADER and len(rows) == 3
    assert all(len(row) == len(header) for row in rows)


def test_json_lines_hold_one_summary_each(three_months: list[str]) -> None:
    _february, january, december = three_months
    out, _ = run("export", "--since", "2025-12-31", "--until", "2026-01-16", "--format", "jsonl")
    lines = [json.loads(line) for line in out.splitlines()]
    assert [line["receipt_id"] for line in lines] == [december, january]
    assert lines[1]["customer"]["company"] == '=HYPERLINK("https://evil.example")'  # as given
    assert lines[1]["notice"]["status"] == "verified" and "body" not in lines[1]
    assert lines[1]["ledger"] == {"seq": 2, "proven": True, "damaged": False, "problems": []}
    assert run("export", "--since", "2030-01-01", "--format", "jsonl")[0] == ""


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (["--since", "2026-1-5"], "expected YYYY-MM-DD"),
        (["--since", "2026-02-30"], "--since '2026-02-30' is not a date"),
        (["--since", "2026-01-01", "--until", "yesterday"], "--until 'yesterday'"),
        (["--since", "2026-02-01", "--until", "2026-01-01"], "must be later than --since"),
    ],
)
def test_a_bad_date_says_the_expected_form(args: list[str], says: str) -> None:
    with pytest.raises(CommandError) as refused:
        run("export", *args)
    assert refused.value.returncode == 2 and says in str(refused.value)


class ClosedEarly(StringIO):
    """A reader that goes away after the first line, as ``| head -1`` does."""

    def write(self, text: str) -> int:
        if self.getvalue():
            raise BrokenPipeError
        return super().write(text)


def test_a_reader_that_stops_early_is_not_an_error(three_months: list[str]) -> None:
    out = ClosedEarly()
    call_command("export", "--since", "2025-01-01", stdout=out, stderr=StringIO())
    assert out.getvalue().startswith("receipt_id,")


def test_the_command_line_stays_quiet_when_head_closes_the_pipe(
    client: Client, settings: Any, tmp_path: Path
) -> None:
    settings.CONFIG = type(settings.CONFIG)(
        {**settings.CONFIG.values, "rate_limit_address": "off"}, ""
    )
    for number in range(150):  # more than a pipe holds
        assert post(client, real_record(number=str(number))).status_code == 201
    env = intake_env(tmp_path / "data", shared_database_url())
    export = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "intake_server",
            "export",
            "--since",
            "2000-01-01",
            "--format",
            "jsonl",
        ],
        env=env,
        cwd=REPO,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    assert export.stdout is not None and export.stderr is not None
    first = json.loads(export.stdout.readline())
    export.stdout.close()
    assert export.wait(timeout=120) == 0
    assert export.stderr.read() == b""
    assert first["receipt_id"] == Confirmation.objects.order_by("seq").first().receipt_id


def company_cell(client: Client, text: str) -> tuple[str, str]:
    """The company and contact cells of a stored confirmation whose customer typed
    ``text`` as both (put into its reading: the API strips what a spreadsheet skips)."""
    assert post(client, real_record()).status_code == 201
    found = reading.read_one(Confirmation.objects.get())
    assert found.facts is not None
    typed = replace(found, facts=replace(found.facts, stated_company=text, contact_name=text))
    with translation.override("en"):
        cells = dict(zip(CSV_HEADER, csv_row(typed), strict=True))
    return cells["company"], cells["contact_name"]


@pytest.mark.parametrize(
    "text",
    [
        " =1+1",
        "\n=1+1",
        "\t =1",
        "\r\n@SUM(A1)",
        "\u00a0=1",
        "\u3000+1",
        "\u2003-1",
        "  \u00a0 @A1",
        "\u200b=1",
        "\ufeff\u202e=1",
        "\x0b\x0c=1",
        "=1",
        "+1",
        "-1",
        "@A1",
    ],
)
def test_a_cell_whose_first_non_blank_character_starts_a_formula_is_neutralised(
    client: Client, text: str
) -> None:
    assert company_cell(client, text) == ("'" + text + " (as stated)",) * 2


@pytest.mark.parametrize("text", ["Müller = Meier GmbH", " GmbH", "1+1", "a@b.example"])
def test_other_cells_are_left_as_they_are(client: Client, text: str) -> None:
    assert company_cell(client, text) == (text + " (as stated)",) * 2


def test_an_empty_company_is_an_empty_cell(client: Client) -> None:
    assert company_cell(client, "") == ("", "")


def test_the_consoles_export_neutralises_the_same_cells(client: Client) -> None:
    admin = get_user_model().objects.create_user("anna", password="x", is_staff=True)
    client.force_login(admin)
    typed = {"company": " =HYPERLINK(1)", "contact_name": "\u00a0@Chef"}  # the helper strips
    assert (
        post(client, edited(real_record(), lambda d: d["customer"].update(typed))).status_code
        == 201
    )
    today = datetime.now(UTC).date()
    form = {"since": str(today - timedelta(days=1)), "until": str(today), "dialect": "rfc4180"}
    answer = client.post("/export", form)
    assert answer.status_code == 200
    content = b"".join(answer.streaming_content).decode()
    header, row = list(csv.reader(StringIO(content)))
    cells = dict(zip(header, row, strict=True))
    assert cells["company"].startswith("' =HYPERLINK(1) (")  # (as stated), in German
    assert cells["contact_name"].startswith("'\u00a0@Chef (")
