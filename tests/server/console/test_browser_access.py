"""The access log as a record of actions, in a real Chromium against a real ``serve``
(issue 24): one visit with three marks was four "opened" entries and no mark at all; now
it is one opening and one entry per mark or note."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, expect

from tests.server.conftest import ServerProcess, Tls, intake_env, run_intake
from tests.server.console.browser import CHROMIUM
from tests.server.console.support import PASSWORD, post_samples, sign_in

pytestmark = [
    pytest.mark.skipif(not CHROMIUM.exists(), reason=f"no Chromium at {CHROMIUM}"),
    pytest.mark.filterwarnings("ignore::DeprecationWarning"),
]
WORDS = {
    "de": {
        "started": "Sitzung begonnen",
        "finished": "Sitzung beendet",
        "save": "Notiz speichern",
        "opened": "Bestätigung geöffnet",
        "note": "Notiz gespeichert",
    },
    "en": {
        "started": "Session started",
        "finished": "Session finished",
        "save": "Save note",
        "opened": "Opened the record",
        "note": "Note saved",
    },
}


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory, server_tls: Tls) -> Iterator[ServerProcess]:
    folder = tmp_path_factory.mktemp("access")
    env = intake_env(folder / "data", f"sqlite:///{folder / 'intake.sqlite3'}")
    run_intake("migrate", env=env)
    for name in ("anna.de", "anna.en"):  # one each: a language's visit is its own
        run_intake("user", "add", name, "--admin", env=env, input=PASSWORD + "\n")
    running = ServerProcess(env, server_tls).start()
    yield running
    running.stop()


@pytest.mark.parametrize("lang", ["de", "en"])
def test_one_visit_with_three_marks_is_one_opening_and_three_actions(
    browser: Browser, server: ServerProcess, lang: str
) -> None:
    receipt = post_samples(server)
    words = WORDS[lang]
    context = browser.new_context(ignore_https_errors=True, locale=lang)
    page = context.new_page()
    sign_in(page, server.base, f"anna.{lang}")
    page.goto(f"{server.base}/r/{receipt}")
    page.get_by_role("button", name=words["started"]).click()
    page.wait_for_url(f"{server.base}/r/{receipt}")
    page.fill("#note", "Kunde bittet um Rückruf")
    page.get_by_role("button", name=words["save"]).click()
    page.wait_for_url(f"{server.base}/r/{receipt}")
    page.get_by_role("button", name=words["finished"]).click()
    page.wait_for_url(f"{server.base}/r/{receipt}")

    page.goto(f"{server.base}/access-log?user=anna.{lang}&receipt={receipt}")
    rows = page.locator("main table tbody tr")
    expect(rows).to_have_count(4)
    what = [rows.nth(i).locator("td").nth(2).inner_text() for i in range(4)]
    assert what == [words["finished"], words["note"], words["started"], words["opened"]]
    context.close()
