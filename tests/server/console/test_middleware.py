"""Signing out after the idle time (console.middleware), and the page's question how much
time is left (console.sign_in.session_state)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.utils import timezone

from intake_server.console import middleware

pytestmark = pytest.mark.django_db
PASSWORD = "correct-horse-battery"


@pytest.fixture
def ben(client: Client, settings: Any) -> Client:
    settings.CONSOLE_IDLE = timedelta(minutes=30)
    user = get_user_model().objects.create_user("ben", password=PASSWORD)
    client.force_login(user)
    client.get("/")  # a person's request: the idle time starts
    return client


def idle_for(client: Client, minutes: float) -> None:
    """As if the last request a person made was ``minutes`` ago."""
    session = client.session
    session["console_seen"] = (timezone.now() - timedelta(minutes=minutes)).timestamp()
    session.save()


def test_the_sign_in_page_says_why_after_an_idle_sign_out(ben: Client) -> None:
    idle_for(ben, 31)
    assert ben.get("/queue/rows", HTTP_X_CONSOLE_REFRESH="1").status_code == 401
    assert ben.session[middleware.IDLE_MINUTES] == 30 and ben.session[middleware.IDLE_USER] == "ben"
    german = ben.get("/sign-in?next=/", HTTP_ACCEPT_LANGUAGE="de").content.decode()
    assert "Sie wurden nach 30 Minuten ohne Aktivität abgemeldet." in german
    english = ben.get("/sign-in?next=/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "You were signed out after 30 minutes of inactivity." in english
    signed_in = ben.post("/sign-in", {"username": "ben", "password": PASSWORD})
    assert signed_in.status_code == 302 and middleware.IDLE_MINUTES not in ben.session


def test_signing_out_oneself_gives_no_reason(ben: Client) -> None:
    ben.post("/sign-out")
    page = ben.get("/sign-in", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "inactivity" not in page


def test_asking_how_long_is_left_is_no_activity_and_stay_signed_in_is(ben: Client) -> None:
    idle_for(ben, 29)
    state = ben.get("/session", HTTP_X_CONSOLE_REFRESH="1").json()
    assert 50 <= state["remaining_s"] <= 60 and state["warn_s"] == 120
    assert ben.get("/session", HTTP_X_CONSOLE_REFRESH="1").json()["remaining_s"] <= 60
    assert ben.post("/session").json()["remaining_s"] > 29 * 60  # "Stay signed in"
    idle_for(ben, 31)
    assert ben.get("/session", HTTP_X_CONSOLE_REFRESH="1").status_code == 401


def test_the_warning_comes_at_most_half_the_idle_time_early(ben: Client, settings: Any) -> None:
    settings.CONSOLE_IDLE = timedelta(minutes=1)
    assert ben.get("/session", HTTP_X_CONSOLE_REFRESH="1").json()["warn_s"] == 30


def test_renewing_needs_the_csrf_token(ben: Client) -> None:
    checked = Client(enforce_csrf_checks=True)
    checked.cookies = ben.cookies
    assert checked.post("/session").status_code == 403


def test_a_signed_in_page_carries_the_session_address_and_the_warning(ben: Client) -> None:
    page = ben.get("/", HTTP_ACCEPT_LANGUAGE="de").content.decode()
    assert 'data-session-url="/session"' in page and 'id="idle-warning"' in page
    assert "Angemeldet bleiben" in page
    anonymous = Client().get("/sign-in").content.decode()
    assert "data-session-url" not in anonymous and 'id="idle-warning"' not in anonymous
