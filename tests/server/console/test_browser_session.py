"""Signed out without losing work, in a real Chromium against real ``serve`` processes
(issue 24): the note typed before the idle timeout survives, the page warns before it,
the sign-in page says why, and the queue says when the server cannot be reached.

The idle time is 30 minutes (the shortest the configuration allows is one); instead of
waiting, the tests move the session's last activity back in the server's own SQLite
database (:func:`idle_for`), and the page's clock forward (Playwright's clock), as the
passing time would."""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.core import signing
from playwright.sync_api import Browser, Page, expect

from tests.server.conftest import ServerProcess, Tls, intake_env, run_intake
from tests.server.console.browser import CHROMIUM
from tests.server.console.support import PASSWORD, post_samples, sign_in

pytestmark = [
    pytest.mark.skipif(not CHROMIUM.exists(), reason=f"no Chromium at {CHROMIUM}"),
    pytest.mark.filterwarnings("ignore::DeprecationWarning"),
]
SESSION_SALT = "django.contrib.sessions.SessionStore"
SAID = {
    "de": {
        "reason": "Sie wurden nach 30 Minuten ohne Aktivität abgemeldet.",
        "saved": "Ihre Notiz, die nach Ihrer Abmeldung ankam, wurde gespeichert.",
        "warning": "Ohne Aktivität werden Sie in",
        "stay": "Angemeldet bleiben",
        "unreachable": "Server nicht erreichbar — neue Bestätigungen erscheinen erst wieder",
        "next_try": "Nächster Versuch in",
    },
    "en": {
        "reason": "You were signed out after 30 minutes of inactivity.",
        "saved": "Your note, sent after you were signed out, was saved.",
        "warning": "Without activity you will be signed out in",
        "stay": "Stay signed in",
        "unreachable": "Server not reachable — new confirmations appear again only",
        "next_try": "Next attempt in",
    },
}


def add_user(env: dict[str, str], name: str) -> None:
    assert run_intake("user", "add", name, env=env, input=PASSWORD + "\n").returncode == 0


def start(folder: Path, tls: Tls) -> ServerProcess:
    env = intake_env(folder / "data", f"sqlite:///{folder / 'intake.sqlite3'}")
    run_intake("migrate", env=env)
    add_user(env, "ben")
    return ServerProcess(env, tls).start()


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory, server_tls: Tls) -> Iterator[ServerProcess]:
    running = start(tmp_path_factory.mktemp("session"), server_tls)
    post_samples(running)
    yield running
    running.stop()


@pytest.fixture(params=["de", "en"])
def page(request: pytest.FixtureRequest, browser: Browser) -> Iterator[Page]:
    context = browser.new_context(ignore_https_errors=True, locale=request.param)
    opened = context.new_page()
    opened.clock.install()  # the page's timers run only as the test moves its clock
    yield opened
    context.close()


def language(page: Page) -> str:
    return str(page.evaluate("navigator.language"))[:2]


def idle_for(server: ServerProcess, page: Page, minutes: float) -> None:
    """As if the last request a person made in this session was ``minutes`` ago: changed
    in the session the server keeps in its database, signed with its secret key."""
    env = server.env
    key = (Path(env["INTELLEKTA_INTAKE_DATA_DIR"]) / "secret_key").read_text().strip()
    cookie = next(c["value"] for c in page.context.cookies() if c["name"] == "sessionid")
    database = env["INTELLEKTA_INTAKE_DATABASE_URL"].removeprefix("sqlite:///")
    with sqlite3.connect(database) as connection:
        query = "SELECT session_data FROM django_session WHERE session_key = ?"
        (data,) = connection.execute(query, (cookie,)).fetchone()
        session = signing.loads(data, key=key, salt=SESSION_SALT)
        session["console_seen"] -= minutes * 60
        data = signing.dumps(session, key=key, salt=SESSION_SALT, compress=True)
        connection.execute(
            "UPDATE django_session SET session_data = ? WHERE session_key = ?", (data, cookie)
        )


def open_first_record(page: Page, server: ServerProcess) -> str:
    sign_in(page, server.base, "ben")
    page.locator("a.session").first.click()
    expect(page.locator("#note")).to_be_visible()
    return page.url


def test_a_note_typed_before_the_timeout_is_saved_after_signing_in_again(
    page: Page, server: ServerProcess, shots: Path
) -> None:
    said = SAID[language(page)]
    record = open_first_record(page, server)
    page.fill("#note", "Drucker neu installiert, Kunde informiert")
    idle_for(server, page, 31)  # the idle time passes while the note is typed
    page.get_by_role("button", name=re.compile("Notiz speichern|Save note")).click()
    expect(page).to_have_url(re.compile(r"/sign-in\?next="))
    expect(page.get_by_role("status").first).to_contain_text(said["reason"])
    page.screenshot(path=str(shots / f"sign-in-reason-{language(page)}.png"))
    page.fill("#id_username", "ben")
    page.fill("#id_password", PASSWORD)
    page.click("button.primary")
    expect(page).to_have_url(record)
    expect(page.locator(".note-saved")).to_contain_text(said["saved"])
    expect(page.locator(".marks")).to_contain_text("Drucker neu installiert, Kunde informiert")
    expect(page.locator("#note")).to_have_value("")  # saved: not offered again


def test_the_page_warns_before_the_timeout_and_keeps_the_sign_in(
    page: Page, server: ServerProcess, shots: Path
) -> None:
    said = SAID[language(page)]
    open_first_record(page, server)
    page.fill("#note", "halb geschrieben")
    idle_for(server, page, 29)
    page.clock.fast_forward("28:30")  # the page asks how long is left: one minute
    warning = page.locator("#idle-warning")
    expect(warning).to_be_visible()
    expect(warning).to_contain_text(said["warning"])
    page.screenshot(path=str(shots / f"idle-warning-{language(page)}.png"))
    warning.get_by_role("button", name=said["stay"]).click()
    expect(warning).to_be_hidden()
    page.clock.fast_forward("05:00")
    expect(warning).to_be_hidden()  # renewed: no warning for a long while
    page.reload()
    expect(page.locator("#note")).to_have_value("halb geschrieben")  # kept in the page


def test_the_queue_goes_to_sign_in_with_the_reason(page: Page, server: ServerProcess) -> None:
    sign_in(page, server.base, "ben")
    idle_for(server, page, 31)
    page.clock.fast_forward(3000)  # the queue's next refresh
    expect(page).to_have_url(re.compile(r"/sign-in\?next=%2F$|/sign-in\?next=/$"))
    expect(page.get_by_role("status").first).to_contain_text(SAID[language(page)]["reason"])


def test_the_queue_says_when_the_server_is_unreachable_and_recovers(
    browser: Browser, tmp_path: Path, server_tls: Tls, shots: Path
) -> None:
    server = start(tmp_path, server_tls)
    try:
        for lang in ("de", "en"):
            context = browser.new_context(ignore_https_errors=True, locale=lang)
            page = context.new_page()
            sign_in(page, server.base, "ben")
            banner, hint = page.locator("#unreachable"), page.locator("[data-live-hint]")
            expect(banner).to_be_hidden()
            expect(hint).to_be_visible()  # "new confirmations appear by themselves"
            server.stop()
            expect(banner).to_be_visible(timeout=10_000)
            expect(banner).to_contain_text(SAID[lang]["unreachable"])
            expect(banner).to_contain_text(SAID[lang]["next_try"])
            expect(hint).to_be_hidden()  # no such promise while the server is gone
            page.screenshot(path=str(shots / f"unreachable-{lang}.png"))
            server = ServerProcess(server.env, server_tls, port=server.port).start()
            expect(banner).to_be_hidden(timeout=40_000)
            expect(hint).to_be_visible()
            context.close()
    finally:
        server.stop()
