"""The ledger's gauges on ``/metrics``: what the last recorded verification found, read from
the database at each scrape; no value before the first one.

In process, on SQLite or (``INTELLEKTA_TEST_DATABASE=postgres``) PostgreSQL; a real server
with several processes and a database that goes away: ``tests/server/test_serve.py``.
"""

from __future__ import annotations

import contextlib
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.test import Client
from prometheus_client.parser import text_string_to_metric_families

from tests.server.records import real_record
from tests.server.test_api import post

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("builtin_notices")]
GAUGES = (
    "intake_ledger_damaged_entries",
    "intake_ledger_verified_timestamp_seconds",
    "intake_ledger_full_verified_timestamp_seconds",
)


def _scrape(client: Client) -> tuple[dict[str, float], set[str]]:
    """The samples by name, and the names of every metric described."""
    answer = client.get("/metrics")
    assert answer.status_code == 200
    families = list(text_string_to_metric_families(answer.content.decode()))
    samples = {sample.name: sample.value for family in families for sample in family.samples}
    return samples, {family.name for family in families}


def _verify(*options: str) -> None:
    """``verify`` as ``serve`` runs it; damage is recorded before it exits 1."""
    with contextlib.suppress(CommandError):
        call_command("verify", "--json", *options, stdout=StringIO(), stderr=StringIO())


def _store(client: Client, count: int) -> None:
    for index in range(count):
        assert post(client, real_record(session_id=f"55566677{index}")).status_code == 201


def test_before_the_first_verification_the_gauges_have_no_value(client: Client) -> None:
    _store(client, 1)
    samples, described = _scrape(client)
    assert set(GAUGES) <= described
    assert not set(GAUGES) & set(samples)
    assert samples["intake_confirmations_received_total"] >= 1


def test_an_intact_ledger_is_0_with_the_times_of_the_runs(client: Client) -> None:
    _store(client, 2)
    _verify()
    samples, _described = _scrape(client)
    assert samples["intake_ledger_damaged_entries"] == 0
    full = samples["intake_ledger_full_verified_timestamp_seconds"]
    assert samples["intake_ledger_verified_timestamp_seconds"] == full
    _verify("--new")
    samples, _described = _scrape(client)
    assert samples["intake_ledger_full_verified_timestamp_seconds"] == full
    assert samples["intake_ledger_verified_timestamp_seconds"] >= full


def test_damage_stays_counted_until_a_full_run_finds_it_gone(client: Client) -> None:
    _store(client, 3)
    with connection.cursor() as cursor:
        cursor.execute("UPDATE api_confirmation SET session_id = %s WHERE seq = 2", ["999"])
    _verify()
    assert _scrape(client)[0]["intake_ledger_damaged_entries"] == 1
    _store(client, 1)
    _verify("--new")  # reads only the new entry: the damage found before is still counted
    assert _scrape(client)[0]["intake_ledger_damaged_entries"] == 1
    with connection.cursor() as cursor:
        cursor.execute("UPDATE api_confirmation SET session_id = %s WHERE seq = 2", ["555666771"])
    _verify()
    assert _scrape(client)[0]["intake_ledger_damaged_entries"] == 0
