"""Pages that belong, in a real Chromium against real ``serve`` processes (issue 24): an
unknown address answers the console's own page in its language, and a server without any
account says, in its log and on the sign-in page, how to create the first."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, expect

from tests.server.conftest import ServerProcess, Tls, intake_env, run_intake
from tests.server.console.browser import CHROMIUM
from tests.server.console.support import PASSWORD, sign_in

pytestmark = [
    pytest.mark.skipif(not CHROMIUM.exists(), reason=f"no Chromium at {CHROMIUM}"),
    pytest.mark.filterwarnings("ignore::DeprecationWarning"),
]
FIRST_ACCOUNT = "intellekta-intake user add NAME --admin"


@pytest.fixture
def server(tmp_path: Path, server_tls: Tls) -> Iterator[ServerProcess]:
    """A server started on an empty database: no account yet."""
    env = intake_env(tmp_path / "data", f"sqlite:///{tmp_path / 'intake.sqlite3'}")
    running = ServerProcess(env, server_tls).start()
    yield running
    running.stop()


def test_the_first_start_says_how_to_create_the_first_account(
    browser: Browser, server: ServerProcess, shots: Path
) -> None:
    assert server.log_text().count(FIRST_ACCOUNT) == 1
    context = browser.new_context(ignore_https_errors=True, locale="de-DE")
    page = context.new_page()
    page.goto(server.base + "/")
    expect(page.locator(".first-start")).to_contain_text("Es gibt noch kein Konto")
    expect(page.locator(".first-start code")).to_have_text(FIRST_ACCOUNT)
    page.screenshot(path=str(shots / "first-start-de.png"))
    added = run_intake("user", "add", "anna", "--admin", env=server.env, input=PASSWORD + "\n")
    assert added.returncode == 0, added.stderr
    page.reload()
    expect(page.locator("main")).not_to_contain_text("user add")
    context.close()


def test_an_unknown_address_is_a_console_page_in_the_chosen_language(
    browser: Browser, server: ServerProcess, shots: Path
) -> None:
    run_intake("user", "add", "ben", env=server.env, input=PASSWORD + "\n")
    context = browser.new_context(ignore_https_errors=True, locale="de-DE")
    page = context.new_page()
    sign_in(page, server.base, "ben")
    answer = page.goto(server.base + "/r/R-GIBT-ESNICHT/etwas")
    assert answer is not None and answer.status == 404
    expect(page.get_by_role("heading", level=1)).to_have_text("Seite nicht gefunden")
    expect(page.locator("header.top")).to_be_visible()  # the console's own frame
    back = page.get_by_role("link", name="Zurück zum Eingang")
    expect(back).to_have_attribute("href", "/")
    page.screenshot(path=str(shots / "not-found-de.png"))
    page.select_option("#language", "en")
    page.get_by_role("button", name="Wechseln").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Page not found")
    page.screenshot(path=str(shots / "not-found-en.png"))
    page.get_by_role("link", name="Back to the queue").click()
    expect(page).to_have_url(server.base + "/")
    context.close()
