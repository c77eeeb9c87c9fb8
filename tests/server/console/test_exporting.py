"""The console's export (console.exporting): CSV that German Excel opens as columns, a
plain RFC 4180 option, days of the configured zone, the current month by default."""

from __future__ import annotations

import csv
import io
import re
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.utils import timezone

from intake_server.api import fields
from intake_server.api.models import Confirmation
from intake_server.console.models import AccessEntry
from tests.server.records import real_record
from tests.server.test_api import post

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("builtin_notices")]
COMPANY = list(fields.CSV_HEADER).index("company")


@pytest.fixture
def anna(client: Client) -> Client:
    client.force_login(get_user_model().objects.create_user("anna", is_staff=True))
    return client


def download(client: Client, language: str = "de", **form: str) -> bytes:
    today = timezone.localdate()
    form = {"since": str(today - timedelta(days=1)), "until": str(today), **form}
    answer = client.post("/export", form, HTTP_ACCEPT_LANGUAGE=language)
    assert answer.status_code == 200 and answer["Content-Type"] == "text/csv; charset=utf-8"
    return b"".join(answer.streaming_content)


def checked(page: str) -> list[str]:
    """The values of the checked radio buttons."""
    return re.findall(r'<input type="radio"[^>]*value="([^"]+)"[^>]*checked>', page)


def as_excel_reads(data: bytes) -> list[list[str]]:
    """What Excel in a German locale does: a BOM says UTF-8, the semicolon separates."""
    assert data.startswith(b"\xef\xbb\xbf")
    text = data[3:].decode("utf-8")
    return list(csv.reader(io.StringIO(text, newline=""), delimiter=";"))


def test_the_german_default_opens_in_excel_with_mueller_in_his_own_column(anna: Client) -> None:
    post(anna, real_record(company="Praxis Dr. Müller; Söhne", kept_open=("A", "B")))
    data = download(anna, dialect="excel-de")
    rows = as_excel_reads(data)
    assert rows[0] == list(fields.CSV_HEADER) and len(rows) == 2
    assert rows[1][COMPANY].startswith("Praxis Dr. Müller; Söhne")  # "(wie angegeben)"
    assert len(rows[1]) == len(rows[0])
    assert data.count(b"\r\n") == 2 and b"\n" not in data.replace(b"\r\n", b"")
    assert download(anna, "de", dialect="excel-de") == data


def test_rfc_4180_has_commas_crlf_and_no_bom(anna: Client) -> None:
    post(anna, real_record(company="=HYPERLINK(1), Müller"))
    data = download(anna, dialect="rfc4180")
    assert not data.startswith(b"\xef\xbb\xbf") and data.endswith(b"\r\n")
    rows = list(csv.reader(io.StringIO(data.decode(), newline="")))
    assert rows[1][COMPANY].startswith("'=HYPERLINK(1), Müller")  # still no formula
    log = AccessEntry.objects.get(action=AccessEntry.EXPORT)
    assert log.username == "anna" and "rfc4180" in log.detail


def test_the_form_offers_the_current_month_and_the_languages_format(
    anna: Client, settings: Any
) -> None:
    settings.TIME_ZONE = "Europe/Berlin"
    today = timezone.localdate()
    german = anna.get("/export", HTTP_ACCEPT_LANGUAGE="de").content.decode()
    assert f'name="since" type="date" required value="{today.replace(day=1).isoformat()}"' in german
    assert f'name="until" type="date" value="{today.isoformat()}"' in german
    assert checked(german) == ["excel-de"]
    assert "Zeitzone Europe/Berlin" in german
    english = anna.get("/export", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert 'value="rfc4180"' in english and "time zone Europe/Berlin" in english
    assert checked(english) == ["rfc4180"]


@pytest.mark.parametrize(("zone", "inside"), [("Europe/Berlin", True), ("UTC", False)])
def test_days_are_days_in_the_configured_zone(
    anna: Client, settings: Any, zone: str, inside: bool
) -> None:
    """23:30 UTC on 31 December is 1 January in Berlin."""
    settings.TIME_ZONE = zone
    post(anna, real_record())
    arrived = datetime(2026, 12, 31, 23, 30, tzinfo=ZoneInfo("UTC"))
    Confirmation.objects.update(received_at=arrived)
    form = {"since": "2027-01-01", "until": "2027-01-01", "dialect": "rfc4180"}
    rows = download(anna, **form).decode().splitlines()
    assert len(rows) == (2 if inside else 1)


def test_a_last_day_before_the_first_is_refused(anna: Client) -> None:
    answer = anna.post(
        "/export",
        {"since": "2026-12-08", "until": "2026-12-01", "dialect": "excel-de"},
        HTTP_ACCEPT_LANGUAGE="de",
    )
    assert (
        answer.status_code == 400
        and "Der letzte Tag liegt vor dem ersten." in answer.content.decode()
    )
    assert anna.post("/export", {"since": "soon", "dialect": "excel-de"}).status_code == 400
    assert not AccessEntry.objects.exists()


def test_without_a_last_day_everything_until_now(anna: Client) -> None:
    post(anna, real_record())
    form = {"since": str(date.today() - timedelta(days=2)), "until": "", "dialect": "rfc4180"}
    assert len(download(anna, **form).decode().splitlines()) == 2
