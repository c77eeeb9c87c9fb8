"""``purge``: confirmations past retention are deleted, and the rest of the ledger still
verifies from its checkpoint."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.test import Client

from intake_server.api import ledger
from intake_server.api.models import Checkpoint, Confirmation
from tests.server.conftest import run
from tests.server.records import real_record
from tests.server.test_api import post

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("builtin_notices")]


def test_purge_keeps_the_rest_of_the_ledger_verifiable(
    client: Client, settings: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    real_now = ledger.now
    monkeypatch.setattr(ledger, "now", lambda: real_now() - timedelta(days=40))
    for number in range(3):
        post(client, real_record(number=f"old{number}"))
    monkeypatch.setattr(ledger, "now", real_now)
    for number in range(2):
        post(client, real_record(number=f"new{number}"))
    settings.CONFIG = type(settings.CONFIG)({**settings.CONFIG.values, "retention_days": 30}, "")
    assert "would delete 3" in run("purge", "--dry-run")[0]
    assert Confirmation.objects.count() == 5
    assert "deleted 3" in run("purge")[0]
    assert sorted(Confirmation.objects.values_list("seq", flat=True)) == [4, 5]
    assert Checkpoint.objects.get().seq == 3
    out, _ = run("verify")
    assert "2 entries checked after checkpoint 3" in out
    post(client, real_record(number="newest"))
    assert "3 entries checked" in run("verify")[0]
    assert "deleted 0" in run("purge")[0]
