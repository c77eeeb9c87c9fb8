"""Which confirmations a list holds and which a page shows (:mod:`listing`): keyset pages
that reach every row once, also among equal times; the filters; "today" in the zone."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import pytest
from django.http import QueryDict
from django.test import Client
from django.utils import timezone

from intake_server.api.models import Confirmation, Damage
from intake_server.console import listing
from intake_server.console.listing import PAGE_SIZE, Key
from tests.server.records import real_record
from tests.server.register import make_token, register_customer
from tests.server.test_api import post

pytestmark = pytest.mark.django_db(transaction=True)


def _posted(client: Client, count: int, **record: Any) -> list[Confirmation]:
    for n in range(count):
        post(client, real_record(session_id=f"{100000000 + n}", **record))
    return list(Confirmation.objects.order_by("seq"))


def _walk(way: str, first: listing.Page, found: Any) -> list[listing.Page]:
    """Every page from ``first`` on, following ``way`` ("older" or "newer")."""
    pages = [first]
    while (key := getattr(pages[-1], way)) is not None:
        pages.append(listing.page(found, QueryDict(f"{way}={key}")))
    return pages


def _config(settings: Any, **changes: Any) -> None:
    settings.CONFIG = type(settings.CONFIG)({**settings.CONFIG.values, **changes}, "")


def test_pages_reach_every_row_once_in_order_also_among_equal_times(client: Client) -> None:
    rows = _posted(client, 2 * PAGE_SIZE + 10)
    moments = [datetime(2026, 12, 8, 16, 0, tzinfo=UTC) + timedelta(minutes=i) for i in range(3)]
    for row in rows:  # three times for 110 rows: the seq must decide within each
        Confirmation.objects.filter(pk=row.pk).update(received_at=moments[row.seq % 3])
    found = Confirmation.objects.all()
    older = _walk("older", listing.page(found, QueryDict()), found)
    assert [(p.start, p.end, p.total) for p in older] == [
        (1, 50, 110),
        (51, 100, 110),
        (101, 110, 110),
    ]
    keys = [Key.of(row) for page in older for row in page.rows]
    assert keys == sorted(keys, key=lambda k: (k.received_at, k.seq), reverse=True)
    assert len({k.seq for k in keys}) == len(rows)
    newer = _walk("newer", older[-1], found)
    assert [[r.seq for r in p.rows] for p in newer] == [
        [r.seq for r in p.rows] for p in older[::-1]
    ]
    assert newer[-1].first and newer[-1].newer is None


def test_a_newer_page_within_the_newest_is_the_first_page(client: Client) -> None:
    rows = _posted(client, PAGE_SIZE + 5)
    found = Confirmation.objects.all()
    below_the_top = Key.of(rows[-3])
    shown = listing.page(found, QueryDict(f"newer={below_the_top}"))
    assert shown.first and shown.start == 1 and shown.rows[0].seq == rows[-1].seq
    assert len(shown.rows) == PAGE_SIZE and shown.older is not None


@pytest.mark.parametrize(
    "key", ["", "x", "12_", "_3", "9" * 40 + "_1", "-5_2", "0_" + "9" * 40, "0_-" + "9" * 30]
)
def test_a_key_no_page_gave_shows_the_first_page_or_nothing_older(client: Client, key: str) -> None:
    _posted(client, 3)
    shown = listing.page(Confirmation.objects.all(), QueryDict(f"older={key}"))
    assert shown.total == 3 and shown.start == 1 and len(shown.rows) in (0, 3)


def test_a_key_survives_its_link() -> None:
    key = Key(datetime(2026, 12, 8, 16, 24, 5, 123456, tzinfo=UTC), 42)
    assert Key.parse(str(key)) == key


def test_filters_come_from_the_query_and_default_to_the_window_given() -> None:
    chosen = listing.filters_of(QueryDict("when=7d&kept_open=1&damaged=on&bogus=1"), "24h")
    assert chosen.when == "7d" and chosen.checks == {"kept_open", "damaged"}
    assert listing.filters_of(QueryDict("when=forever"), "24h").when == "24h"
    assert chosen.params() == {"when": "7d", "damaged": "1", "kept_open": "1"}


@pytest.mark.parametrize(
    ("zone", "now", "midnight"),
    [
        ("Europe/Berlin", datetime(2026, 12, 8, 23, 30, tzinfo=UTC), datetime(2026, 12, 8, 23, 0)),
        ("Europe/Berlin", datetime(2026, 12, 8, 22, 30, tzinfo=UTC), datetime(2026, 12, 7, 23, 0)),
        ("Europe/Berlin", datetime(2026, 7, 1, 12, 0, tzinfo=UTC), datetime(2026, 6, 30, 22, 0)),
        ("America/New_York", datetime(2026, 12, 8, 3, 0, tzinfo=UTC), datetime(2026, 12, 7, 5, 0)),
    ],
)
def test_today_starts_at_midnight_in_the_configured_zone(
    settings: Any, zone: str, now: datetime, midnight: datetime
) -> None:
    _config(settings, time_zone=zone)
    assert listing.since("today", now) == midnight.replace(tzinfo=UTC)
    assert listing.since("24h", now) == now - timedelta(hours=24)
    assert listing.since("all", now) is None


def _count(**checks: str) -> int:
    chosen = listing.filters_of(QueryDict(urlencode(checks)), "all")
    return listing.filtered(Confirmation.objects.all(), chosen).count()


@pytest.mark.usefixtures("builtin_notices")
def test_each_filter_keeps_what_it_names(client: Client, tmp_path: Path) -> None:
    post(client, real_record(session_id="111111111", kept_open=()))
    post(client, real_record(session_id="222222222", kept_open=("Outlook",)))
    token = make_token("10472", "Steuerkanzlei Beispiel GmbH")
    post(client, real_record(session_id="333333333", kept_open=()), token=token)
    notice = tmp_path / "notice.toml"
    notice.write_text('id = "acme"\nversion = "7"\n[de]\ntext = "Unser Text {dpa_url}"\n', "utf-8")
    unregistered = real_record(session_id="444444444", kept_open=(), notice_file=str(notice))
    post(client, unregistered, token=token)
    seq = Confirmation.objects.get(session_id="111111111").seq
    Damage.objects.create(seq=seq, receipt_id="", what="test")
    assert _count() == 4
    assert _count(kept_open="1") == 1
    assert _count(unverified="1") == 3  # no token (two), or an unregistered notice
    assert _count(damaged="1") == 1
    assert _count(kept_open="1", unverified="1") == 1


def test_no_av_keeps_customers_without_one_and_unknown_ones(client: Client) -> None:
    register_customer("K-1", "Mit Vertrag GmbH", av_signed_on=datetime(2024, 3, 1).date())
    register_customer("K-2", "Ohne Vertrag GmbH")
    for session, number in (("111111111", "k1"), ("222222222", "K-2"), ("333333333", "K-9")):
        post(client, real_record(session_id=session, number=number))
    post(client, real_record(session_id="444444444", number=""))
    kept = listing.filtered(
        Confirmation.objects.all(), listing.filters_of(QueryDict("no_av=1"), "all")
    )
    assert sorted(kept.values_list("session_id", flat=True)) == [
        "222222222",
        "333333333",
        "444444444",
    ]


def test_the_window_counts_by_arrival(client: Client) -> None:
    rows = _posted(client, 3)
    Confirmation.objects.filter(pk=rows[0].pk).update(
        received_at=timezone.now() - timedelta(days=2)
    )
    Confirmation.objects.filter(pk=rows[1].pk).update(
        received_at=timezone.now() - timedelta(days=9)
    )
    assert [_count(when=w) for w in ("24h", "7d", "all")] == [1, 2, 3]


def test_same_session_finds_recent_others_only(client: Client) -> None:
    for number in ("1", "2", "3"):
        post(client, real_record(session_id="123456789", number=number))
    post(client, real_record(session_id="987654321"))
    rows = list(Confirmation.objects.order_by("seq"))
    Confirmation.objects.filter(pk=rows[2].pk).update(
        received_at=timezone.now() - timedelta(days=8)
    )
    found = listing.same_session(rows[0], timezone.now())
    assert [r.pk for r in found] == [rows[1].pk]
