"""Signing in to the console while someone guesses passwords (finding 4 of issue 21).

Each attempt comes from a fresh browser (:func:`attempt`); ``REMOTE_ADDR`` is the address
that connected, ``X-Forwarded-For`` what a proxy in front forwarded.
"""

from __future__ import annotations

import importlib
import logging
import sys
from datetime import timedelta
from io import StringIO
from typing import Any

import pytest
from axes.models import AccessAttempt
from django.apps import apps
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import CommandError
from django.http import HttpResponse
from django.test import Client

from tests.server.test_addresses import configure

pytestmark = pytest.mark.django_db

PASSWORD = "correct-horse-battery"
PROXY = "127.0.0.1"
HOME = "198.51.100.7"  # where anna works
STRANGERS = [f"203.0.113.{n}" for n in range(1, 7)]


@pytest.fixture
def anna() -> Any:
    return get_user_model().objects.create_user("anna", password=PASSWORD)


def attempt(
    name: str, password: str, address: str, forwarded: str | None = None, language: str = "en"
) -> HttpResponse:
    headers = {"REMOTE_ADDR": address, "HTTP_ACCEPT_LANGUAGE": language}
    if forwarded is not None:
        headers["HTTP_X_FORWARDED_FOR"] = forwarded
    answer: HttpResponse = Client().post(
        "/sign-in", {"username": name, "password": password}, **headers
    )
    return answer


def signed_in(answer: HttpResponse) -> bool:
    return answer.status_code == 302 and answer["Location"] == "/"


def wrong(answer: HttpResponse) -> bool:
    """Checked and refused: the form again, saying the password is not right."""
    return answer.status_code == 200 and b"not right" in answer.content


def paused(answer: HttpResponse) -> bool:
    """Not checked at all: the page saying when to try again."""
    return answer.status_code == 429 and int(answer["Retry-After"]) >= 1


def guess(address: str, times: int = 5, forwarded: str | None = None) -> list[HttpResponse]:
    return [attempt("anna", f"guess {n}", address, forwarded) for n in range(times)]


def test_behind_a_proxy_a_strangers_guesses_do_not_lock_anna_out(settings: Any, anna: Any) -> None:
    configure(settings, behind_proxy=True, proxy_count=1)
    guess(PROXY, forwarded=STRANGERS[0])  # nginx appends the stranger's address
    assert signed_in(attempt("anna", PASSWORD, PROXY, forwarded=HOME))
    assert paused(attempt("anna", PASSWORD, PROXY, forwarded=STRANGERS[0]))


def test_behind_a_proxy_a_forged_x_forwarded_for_does_not_choose_the_address(
    settings: Any, anna: Any
) -> None:
    configure(settings, behind_proxy=True, proxy_count=1)
    for n in range(5):  # a new forged first entry each time, then the address nginx saw
        attempt("anna", f"guess {n}", PROXY, forwarded=f"10.9.9.{n}, {STRANGERS[0]}")
    assert paused(attempt("anna", PASSWORD, PROXY, forwarded=f"10.9.9.9, {STRANGERS[0]}"))
    assert paused(attempt("anna", PASSWORD, PROXY, forwarded=f'"{STRANGERS[0]}'))
    assert signed_in(attempt("anna", PASSWORD, PROXY, forwarded=f'"x, {HOME}'))
    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {STRANGERS[0]}


def test_six_addresses_do_not_give_thirty_guesses(anna: Any) -> None:
    answers = [answer for address in STRANGERS for answer in guess(address)]
    checked = [a for a in answers if wrong(a)]
    assert len(checked) <= 10, f"{len(checked)} of 30 guesses were checked"
    assert all(wrong(a) or paused(a) for a in answers)
    assert paused(attempt("anna", PASSWORD, "192.0.2.99"))  # even the right one waits


def test_the_waits_grow_with_each_further_failure(anna: Any) -> None:
    for address in STRANGERS[:2]:
        guess(address)
    waits = []
    for address in STRANGERS[2:5]:
        answer = attempt("anna", "guess", address)
        assert paused(answer)
        waits.append(int(answer["Retry-After"]))
        wait = timedelta(seconds=waits[-1])  # let that time pass: the failures grow older
        for row in AccessAttempt.objects.all():
            row.attempt_time -= wait
            row.save(update_fields=["attempt_time"])
        assert wrong(attempt("anna", "guess", address))
    assert waits[0] <= 120 and waits[0] < waits[1] < waits[2]


@pytest.mark.parametrize("behind_proxy", [False, True])
def test_anna_signs_in_at_her_own_address_while_a_stranger_guesses(
    settings: Any, anna: Any, behind_proxy: bool
) -> None:
    configure(settings, behind_proxy=behind_proxy, proxy_count=1)

    def where(address: str) -> dict[str, Any]:
        return {"address": PROXY, "forwarded": address} if behind_proxy else {"address": address}

    assert signed_in(attempt("anna", PASSWORD, **where(HOME)))  # she worked here before
    for stranger in STRANGERS:
        for n in range(5):
            attempt("anna", f"guess {n}", **where(stranger))
    assert wrong(attempt("anna", "a typo", **where(HOME)))
    assert signed_in(attempt("anna", PASSWORD, **where(HOME)))


def test_the_pause_says_when_to_try_again(anna: Any) -> None:
    guess(STRANGERS[0])
    english = attempt("anna", PASSWORD, STRANGERS[0])
    assert paused(english) and int(english["Retry-After"]) > 14 * 60
    assert b"Please try again in 15 minutes" in english.content
    german = attempt("anna", PASSWORD, STRANGERS[0], language="de")
    assert paused(german) and b'lang="de"' in german.content


def add_user(name: str) -> str:
    out = StringIO()
    stdin, sys.stdin = sys.stdin, StringIO(PASSWORD + "\n")
    try:
        call_command("user", "add", name, stdout=out)
    finally:
        sys.stdin = stdin
    return out.getvalue()


def test_user_names_match_without_regard_to_case_or_width() -> None:
    assert "Account anna " in add_user("Anna")
    assert list(get_user_model().objects.values_list("username", flat=True)) == ["anna"]
    for typed in ("anna", "Anna", "ANNA", "ａｎｎａ", " anna "):
        assert signed_in(attempt(typed, PASSWORD, HOME)), typed
    typings = ("Anna", "ANNA", "ａｎｎａ", "anna", "aNNa")  # one person, not five
    answers = [attempt(typed, "guess", STRANGERS[0]) for typed in typings]
    assert all(wrong(a) for a in answers[:4]) and paused(answers[4])  # the 5th locks
    assert paused(attempt("anna", PASSWORD, STRANGERS[0]))
    out = StringIO()
    call_command("user", "unlock", "ＡＮＮＡ", stdout=out)
    assert out.getvalue().startswith("anna: 1 lock(s) removed")
    assert signed_in(attempt("ANNA", PASSWORD, STRANGERS[0]))


def test_user_add_refuses_a_name_that_differs_only_in_case_or_width() -> None:
    get_user_model().objects.create_user(
        "Ben", password=PASSWORD
    )  # stored before names were normalised
    with pytest.raises(CommandError, match="Ben"):
        add_user("ｂｅｎ")
    assert "Account carl (support staff) added" in add_user("Carl")
    assert "Account carl (support staff) updated" in add_user("CARL")  # a new password


def test_accounts_stored_with_capitals_are_renamed_and_sign_in() -> None:
    model = get_user_model()
    model.objects.create_user("Dora", password=PASSWORD)
    model.objects.create_user("Emil", password=PASSWORD)
    model.objects.create_user("emil", password=PASSWORD)  # would collide: both kept
    migration = importlib.import_module("intake_server.console.migrations.0002_normalise_usernames")
    migration.normalise_usernames(apps, None)
    names = set(model.objects.values_list("username", flat=True))
    assert names == {"dora", "Emil", "emil"}
    assert signed_in(attempt("Dora", PASSWORD, HOME))


def test_failed_and_locked_sign_ins_are_logged_with_name_and_address(
    anna: Any, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    guess(STRANGERS[0])
    attempt("ANNA", "the secret guess", STRANGERS[0])
    warnings = [
        r
        for r in caplog.records
        if r.levelno == logging.WARNING and r.name.startswith("intake_server")
    ]
    failed = [r.getMessage() for r in warnings if "failed" in r.getMessage()]
    locked = [r.getMessage() for r in warnings if "locked" in r.getMessage()]
    assert len(failed) == 5 and all("'anna'" in m and STRANGERS[0] in m for m in failed)
    assert len(locked) == 2 and all("'anna'" in m and STRANGERS[0] in m for m in locked)
    assert "guess" not in caplog.text and "the secret guess" not in caplog.text


def test_without_any_account_the_sign_in_page_says_how_to_create_the_first() -> None:
    german = Client().get("/sign-in", HTTP_ACCEPT_LANGUAGE="de").content.decode()
    assert "Es gibt noch kein Konto" in german
    assert "<code>intellekta-intake user add NAME --admin</code>" in german
    get_user_model().objects.create_user("anna", password=PASSWORD)
    page = Client().get("/sign-in", HTTP_ACCEPT_LANGUAGE="de").content.decode()
    assert "kein Konto" not in page and "user add" not in page


@pytest.mark.parametrize(
    ("typed", "lands"),
    [("/search?q=1", "/search?q=1"), ("https://evil.example/", "/"), ("//evil.example", "/")],
)
def test_sign_in_returns_only_to_a_page_of_this_server(anna: Any, typed: str, lands: str) -> None:
    answer = Client().post(
        "/sign-in", {"username": "anna", "password": PASSWORD, "next": typed}, REMOTE_ADDR=HOME
    )
    assert answer.status_code == 302 and answer["Location"] == lands
