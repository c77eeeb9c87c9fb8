"""The one list of a confirmation's fields (:mod:`fields`): times in the configured zone,
named, with UTC beside them; parts marked in words; the CSV's header and cells, for an
intact entry and a damaged one."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from django.test import Client
from django.utils import translation

from intake_server.api import fields, reading
from intake_server.api.fields import CSV_HEADER, Part, plain, when
from intake_server.api.models import Confirmation
from tests.server.records import real_record
from tests.server.test_api import post
from tests.server.test_tamper import sql_set


def cells(row: Confirmation) -> dict[str, str]:
    """The CSV cells of ``row``, in English (a request to the test client leaves the
    language it used active)."""
    with translation.override("en"):
        return dict(zip(CSV_HEADER, fields.csv_cells(reading.read_one(row)), strict=True))


def in_zone(settings: Any, zone: str) -> None:
    settings.CONFIG = type(settings.CONFIG)({**settings.CONFIG.values, "time_zone": zone}, "")


@pytest.mark.parametrize(
    ("moment", "text"),
    [
        (
            datetime(2026, 12, 7, 19, 51, 18, tzinfo=UTC),
            "2026-12-07 20:51:18 Europe/Berlin (19:51:18 UTC)",
        ),
        (
            datetime(2026, 7, 1, 8, 0, 0, tzinfo=UTC),
            "2026-07-01 10:00:00 Europe/Berlin (08:00:00 UTC)",
        ),
        (
            datetime(2026, 12, 31, 23, 30, 0, tzinfo=UTC),
            "2027-01-01 00:30:00 Europe/Berlin (2026-12-31 23:30:00 UTC)",
        ),
    ],
    ids=["winter", "summer", "the-day-changes"],
)
def test_a_time_is_shown_in_the_zone_named_with_utc_beside_it(moment: datetime, text: str) -> None:
    assert when(moment) == text


def test_the_configured_zone_is_the_one_shown(settings: Any) -> None:
    in_zone(settings, "America/New_York")
    moment = datetime(2026, 12, 7, 3, 0, 0, tzinfo=UTC)
    assert when(moment) == "2026-12-06 22:00:00 America/New_York (2026-12-07 03:00:00 UTC)"
    in_zone(settings, "UTC")
    assert when(moment) == "2026-12-07 03:00:00 UTC (03:00:00 UTC)"


@pytest.mark.parametrize(
    ("zone", "moment"),
    [
        ("Europe/Berlin", datetime(9999, 12, 31, 23, 59, 59, 999000, tzinfo=UTC)),
        ("America/New_York", datetime(1, 1, 1, 0, 0, 0, tzinfo=UTC)),
    ],
    ids=["after-the-last-day", "before-the-first-day"],
)
def test_a_time_the_zone_cannot_hold_is_still_shown(
    settings: Any, zone: str, moment: datetime
) -> None:
    """The API stores any time between the years 1 and 9999 in UTC (test_intake_text);
    in the zone it may fall outside them."""
    in_zone(settings, zone)
    assert f"{moment:%Y-%m-%d %H:%M:%S}" in when(moment)


def test_parts_are_marked_in_words() -> None:
    parts = (Part("Known AG", True), Part("Stated GmbH", False), Part("owner"))
    with translation.override("en"):
        assert plain(parts) == "Known AG (verified); Stated GmbH (as stated); owner"
    assert plain(()) == ""
    with translation.override("de"):
        assert plain(parts[:2]) == "Known AG (geprüft); Stated GmbH (wie angegeben)"


def test_the_csv_header_is_the_fields_and_the_ledger() -> None:
    keys = [field.key for field in fields.FIELDS]
    assert (*keys, "ledger") == CSV_HEADER and len(set(CSV_HEADER)) == len(CSV_HEADER)
    assert CSV_HEADER[:2] == ("receipt_id", "session_id")


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("builtin_notices")
def test_csv_cells_of_an_intact_and_a_damaged_entry(client: Client) -> None:
    assert post(client, real_record(session_id="123456789", number="10472")).status_code == 201
    row = Confirmation.objects.get()
    intact = cells(row)
    assert intact["receipt_id"] == row.receipt_id and intact["session_id"] == "123 456 789"
    assert intact["customer_number"] == "10472 (as stated)"
    assert intact["ledger"] == "proven by the ledger (entry 1)"

    sql_set(1, "session_id", "987654321")
    column = cells(Confirmation.objects.get())
    assert column["session_id"] == "123 456 789"  # the entry's, not the column's
    assert column["ledger"] == (
        "DAMAGED: the column session_id says 987654321, the entry says 123456789"
    )

    sql_set(1, "body", bytes(row.body).replace(b"123456789", b"987654321"))
    body = list(cells(Confirmation.objects.get()).values())
    assert body[0] == row.receipt_id and set(body[1:-1]) == {""}
    assert body[-1].startswith("DAMAGED: its content was changed")


@pytest.mark.parametrize(
    ("zone", "lang", "exact", "named"),
    [
        ("Europe/Berlin", "de", "08.12.2026, 17:24:05", "Europe/Berlin (MEZ)"),
        ("Europe/Berlin", "en", "2026-12-08 17:24:05", "Europe/Berlin (CET)"),
        ("America/New_York", "de", "08.12.2026, 11:24:05", "America/New_York (EST)"),
        ("UTC", "en", "2026-12-08 16:24:05", "UTC"),
    ],
)
def test_a_page_writes_times_in_the_zone_in_its_language_and_names_the_zone(
    settings: Any, zone: str, lang: str, exact: str, named: str
) -> None:
    in_zone(settings, zone)
    moment = datetime(2026, 12, 8, 16, 24, 5, tzinfo=UTC)
    with translation.override(lang):
        assert fields.exact(moment) == exact
        assert fields.zone_named(moment) == named
        assert fields.day(moment.date()) == ("08.12.2026" if lang == "de" else "2026-12-08")


def test_summer_time_is_named_as_such(settings: Any) -> None:
    in_zone(settings, "Europe/Berlin")
    with translation.override("de"):
        assert fields.zone_named(datetime(2026, 7, 1, tzinfo=UTC)) == "Europe/Berlin (MESZ)"
