"""Search that finds, in a real Chromium against a real ``serve`` process: what support
types into the console's search box, as a customer spells it on the phone, finds the
confirmation: a company of eight letters, a name with its umlaut written out, a customer
number with its separator, the contact's name.

The screenshots are kept in the folder ``INTELLEKTA_CONSOLE_SHOTS`` names (else the
test's temporary folder) to be looked at."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, expect

from tests.server.conftest import ServerProcess, Tls, intake_env, run_intake
from tests.server.console.browser import CHROMIUM
from tests.server.console.support import PASSWORD, post, sign_in
from tests.server.records import real_record

pytestmark = [
    pytest.mark.skipif(not CHROMIUM.exists(), reason=f"no Chromium at {CHROMIUM}"),
    pytest.mark.filterwarnings("ignore::DeprecationWarning"),
]
#: What is stored (Session ID, company, customer number, contact), by what support types.
STORED = {
    "Apotheke": ("111222333", "Apotheke am Markt", "40001", "Erika Mustermann"),
    "Mueller": ("222333444", "Praxis Dr. Müller", "40002", "Erika Mustermann"),
    "k-1": ("333444555", "Steuerkanzlei Beispiel GmbH", "K1", "Erika Mustermann"),
    "Juergen Weiss": ("444555666", "Ingenieurbüro Nord", "40004", "Jürgen Weiß"),
}
#: Confirmations that none of the searches may find.
OTHERS = (
    ("555666777", "Zahnarztpraxis Sonnenschein", "40005", "Anna Schmidt"),
    ("666777888", "Kanzlei Schröder", "K-10", "Jörg Weber"),
)


@pytest.fixture(scope="module")
def server(
    tmp_path_factory: pytest.TempPathFactory, server_tls: Tls
) -> Iterator[tuple[ServerProcess, dict[str, str]]]:
    """A server on SQLite with a support account and the confirmations of
    :data:`STORED` (their receipts by what finds them) and :data:`OTHERS`."""
    folder = tmp_path_factory.mktemp("search")
    env = intake_env(folder / "data", f"sqlite:///{folder / 'intake.sqlite3'}")
    assert run_intake("migrate", env=env).returncode == 0
    added = run_intake("user", "add", "ben", env=env, input=PASSWORD + "\n")
    assert added.returncode == 0, added.stderr
    running = ServerProcess(env, server_tls).start()
    try:
        receipts = {}
        for typed, (session_id, company, number, contact) in (
            *STORED.items(),
            *((f"other {n}", other) for n, other in enumerate(OTHERS)),
        ):
            built = real_record(
                session_id=session_id, company=company, number=number, contact_name=contact
            )
            receipts[typed] = post(running, built.payload, built.submission_id)["receipt_id"]
        yield running, receipts
    finally:
        running.stop()


@pytest.mark.parametrize("locale", ["de-DE", "en-GB"])
@pytest.mark.parametrize("typed", list(STORED))
def test_what_support_types_finds_the_confirmation(
    browser: Browser,
    server: tuple[ServerProcess, dict[str, str]],
    typed: str,
    locale: str,
    tmp_path: Path,
) -> None:
    running, receipts = server
    context = browser.new_context(
        ignore_https_errors=True, locale=locale, viewport={"width": 1280, "height": 800}
    )
    page = context.new_page()
    sign_in(page, running.base, "ben")
    page.fill("#q", typed)
    page.press("#q", "Enter")
    page.wait_for_url("**/search?**")
    expect(page.locator("html")).to_have_attribute("lang", locale[:2])
    found = page.locator("a[href^='/r/R-']")
    expect(found.first).to_be_visible()
    links = {str(link.get_attribute("href")).removeprefix("/r/") for link in found.all()}
    assert links == {receipts[typed]}, (typed, links)
    shots = Path(os.environ.get("INTELLEKTA_CONSOLE_SHOTS") or tmp_path)
    shots.mkdir(parents=True, exist_ok=True)
    name = typed.lower().replace(" ", "-")
    page.screenshot(path=str(shots / f"search-{locale[:2]}-{name}.png"), full_page=True)
    context.close()
