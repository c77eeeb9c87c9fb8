"""Times in a real Chromium against real ``serve`` processes configured for Berlin and for
New York: the queue, search and the detail page show the arrival to the second in the
configured zone, beside "just now", and name the zone once; UTC never stands unnamed."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import datetime
from zoneinfo import ZoneInfo

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
FORMATS = {"de": "%d.%m.%Y, %H:%M:%S", "en": "%Y-%m-%d %H:%M:%S"}
NAMED = {"de": "Zeiten in {zone}", "en": "Times in {zone}"}
#: The page's text without "As received", the record as the helper sent it (in UTC).
WITHOUT_AS_RECEIVED = """main => {
  const copy = main.cloneNode(true);
  copy.querySelectorAll("details").forEach(d => d.remove());
  return copy.textContent;
}"""


@pytest.fixture(scope="module", params=["Europe/Berlin", "America/New_York"])
def zoned(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory, server_tls: Tls
) -> Iterator[tuple[ServerProcess, str, dict[str, str]]]:
    """A server whose ``time_zone`` is the parameter, with one confirmation: (server,
    zone, the server's answer to it)."""
    zone = str(request.param)
    folder = tmp_path_factory.mktemp("zone")
    env = intake_env(folder / "data", f"sqlite:///{folder / 'intake.sqlite3'}", time_zone=zone)
    assert run_intake("migrate", env=env).returncode == 0
    assert run_intake("user", "add", "ben", env=env, input=PASSWORD + "\n").returncode == 0
    server = ServerProcess(env, server_tls).start()
    try:
        built = real_record(session_id="246813579")
        yield server, zone, post(server, built.payload, built.submission_id)
    finally:
        server.stop()


@pytest.mark.parametrize("locale", ["de-DE", "en-GB"])
def test_times_are_shown_in_the_configured_zone_to_the_second_and_the_zone_named(
    browser: Browser, zoned: tuple[ServerProcess, str, dict[str, str]], locale: str
) -> None:
    server, zone, answer = zoned
    lang = locale[:2]
    received = datetime.fromisoformat(answer["received_at"])
    local = f"{received.astimezone(ZoneInfo(zone)):{FORMATS[lang]}}"
    utc = f"{received.astimezone(ZoneInfo('UTC')):%H:%M:%S}"
    page = browser.new_context(ignore_https_errors=True, locale=locale).new_page()
    sign_in(page, server.base, "ben")
    for url in ("/", "/search?q=246813579"):
        page.goto(server.base + url)
        row = page.locator("tr", has_text="246 813 579")
        expect(row.locator(".exact")).to_have_text(local)
        expect(row.locator("time")).to_have_text(re.compile(r"\S"))  # "just now" beside it
        named = page.get_by_text(NAMED[lang].format(zone=zone))
        expect(named).to_have_count(1)
    page.goto(f"{server.base}/r/{answer['receipt_id']}")
    facts = page.locator("dl.facts")
    expect(facts).to_contain_text(local)
    expect(page.get_by_text(NAMED[lang].format(zone=zone))).to_have_count(1)
    shown = page.locator("main").evaluate(WITHOUT_AS_RECEIVED)
    assert utc not in shown.replace(f"{utc} UTC", "")
