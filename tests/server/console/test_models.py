"""The access log's entries (console.models.AccessEntry): one per visit, one per action."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from intake_server.console.models import AccessEntry

pytestmark = pytest.mark.django_db


def actions() -> list[tuple[str, str, str]]:
    entries = AccessEntry.objects.order_by("at", "pk")
    return list(entries.values_list("username", "action", "receipt_id"))


def test_opening_a_record_again_within_the_visit_adds_nothing() -> None:
    for _ in range(4):
        AccessEntry.log("ben", AccessEntry.VIEW, "R-AAAA-AAAA")
    AccessEntry.log("ben", AccessEntry.STARTED, "R-AAAA-AAAA")
    AccessEntry.log("ben", AccessEntry.VIEW, "R-AAAA-AAAA")
    assert actions() == [("ben", "view", "R-AAAA-AAAA"), ("ben", "session_started", "R-AAAA-AAAA")]


def test_another_record_another_user_or_a_later_visit_is_a_new_entry() -> None:
    AccessEntry.log("ben", AccessEntry.VIEW, "R-AAAA-AAAA")
    AccessEntry.log("anna", AccessEntry.VIEW, "R-AAAA-AAAA")
    AccessEntry.log("ben", AccessEntry.VIEW, "R-BBBB-BBBB")
    AccessEntry.log("ben", AccessEntry.VIEW, "R-AAAA-AAAA")  # back after another record
    assert len(actions()) == 4
    AccessEntry.objects.update(at=timezone.now() - AccessEntry.VISIT - timedelta(seconds=1))
    AccessEntry.log("ben", AccessEntry.VIEW, "R-AAAA-AAAA")
    assert len(actions()) == 5


def test_downloads_and_exports_are_never_folded() -> None:
    for _ in range(2):
        AccessEntry.log("ben", AccessEntry.EVIDENCE_PDF, "R-AAAA-AAAA")
        AccessEntry.log("ben", AccessEntry.EXPORT, detail="2026-12-01 – 2026-12-08")
    assert len(actions()) == 4
