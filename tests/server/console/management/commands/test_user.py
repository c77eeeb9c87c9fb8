"""``intellekta-intake user list``: roles, the last sign-in, locks and until when."""

from __future__ import annotations

from datetime import datetime
from io import StringIO
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.test import Client

pytestmark = pytest.mark.django_db
PASSWORD = "correct-horse-battery"


def listed() -> dict[str, str]:
    out = StringIO()
    call_command("user", "list", stdout=out)
    return {line.split()[0]: line for line in out.getvalue().splitlines()}


def attempt(password: str, address: str) -> int:
    answer = Client().post(
        "/sign-in", {"username": "anna", "password": password}, REMOTE_ADDR=address
    )
    return int(answer.status_code)


def test_the_last_sign_in_in_the_configured_zone(settings: Any) -> None:
    settings.TIME_ZONE = "Europe/Berlin"
    model = get_user_model()
    model.objects.create_user("anna", password=PASSWORD, is_staff=True)
    model.objects.create_user(
        "ben", last_login=datetime(2026, 7, 1, 15, 24, tzinfo=ZoneInfo("UTC"))
    )
    lines = listed()
    assert "administrator" in lines["anna"] and "last sign-in never" in lines["anna"]
    assert "support staff" in lines["ben"] and "2026-07-01 17:24 CEST" in lines["ben"]
    assert "locked" not in lines["anna"] + lines["ben"]


def test_a_locked_address_and_the_accounts_wait_are_shown_until_when(settings: Any) -> None:
    settings.TIME_ZONE = "UTC"
    get_user_model().objects.create_user("anna", password=PASSWORD)
    for _ in range(5):
        attempt("guess", "203.0.113.1")
    line = listed()["anna"]
    assert "locked from 203.0.113.1 until " in line and "other addresses" not in line
    for _ in range(5):
        attempt("guess", "203.0.113.2")  # 10 failures in all: other addresses wait
    line = listed()["anna"]
    assert line.count("locked from") == 2 and "other addresses wait until " in line
    call_command("user", "unlock", "anna", stdout=StringIO())
    assert "locked" not in listed()["anna"]


def test_without_accounts_the_list_says_how_to_create_the_first() -> None:
    out = StringIO()
    call_command("user", "list", stdout=out)
    assert "intellekta-intake user add NAME --admin" in out.getvalue()
