"""Customer text in a real Chromium (Debian's, through Playwright) against a real
``intellekta-intake serve``: a right-to-left override in a company does not reorder what
follows it, and a 5,000-character company or program name does not widen the queue."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.server.conftest import ServerProcess, Tls, intake_env
from tests.server.console.browser import CHROMIUM
from tests.server.console.hostile import RLO, edited
from tests.server.console.support import post, sign_in
from tests.server.console.test_browser import add_user, start
from tests.server.records import real_record

pytestmark = [
    pytest.mark.skipif(not CHROMIUM.exists(), reason=f"no Chromium at {CHROMIUM}"),
    pytest.mark.filterwarnings("ignore::DeprecationWarning"),
]
NUMBER = "+4912345"
LONG = "W" * 5000
#: The left edge of each character of ``needle`` where it first stands in the queue's rows.
CHARACTER_EDGES = """needle => {
  const walker = document.createTreeWalker(document.getElementById("queue-rows"),
                                           NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const at = node.data.indexOf(needle);
    if (at < 0) continue;
    return Array.from(needle, (_, i) => {
      const range = document.createRange();
      range.setStart(node, at + i);
      range.setEnd(node, at + i + 1);
      return range.getBoundingClientRect().left;
    });
  }
  return null;
}"""
WIDTHS = """() => ({page: document.documentElement.scrollWidth, viewport: window.innerWidth,
            table: document.querySelector("table.records").getBoundingClientRect().width})"""


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory, server_tls: Tls) -> Iterator[ServerProcess]:
    """A server with a support account, a company that starts with a right-to-left
    override (written into the body: the helper strips such characters) and one with a
    5,000-character company and program name."""
    folder = tmp_path_factory.mktemp("display")
    running = start(
        intake_env(folder / "data", f"sqlite:///{folder / 'intake.sqlite3'}"), server_tls
    )
    add_user(running.env, "ben")
    company = RLO + "gnp.exe"
    hostile = edited(
        real_record(session_id="111222333", number=NUMBER),
        lambda document: document["customer"].update(company=company),
    )
    long = real_record(session_id="444555666", company=LONG, kept_open=(LONG,))
    for built in (hostile, long):
        post(running, built.payload, built.submission_id)
    yield running
    running.stop()


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(
        ignore_https_errors=True, locale="en-GB", viewport={"width": 1280, "height": 800}
    )
    opened = context.new_page()
    yield opened
    context.close()


def test_a_right_to_left_override_stays_inside_the_company(
    page: Page, server: ServerProcess, tmp_path: Path
) -> None:
    sign_in(page, server.base, "ben")
    row = page.locator("#queue-rows tr", has_text="111 222 333")
    expect(row).to_be_visible()
    page.screenshot(path=tmp_path / "rlo-queue.png")
    edges = page.evaluate(CHARACTER_EDGES, NUMBER)
    assert edges is not None and edges == sorted(edges) and len(set(edges)) == len(NUMBER), edges
    company = row.locator("bdi", has_text="gnp.exe").bounding_box()
    assert company is not None and company["x"] + company["width"] <= edges[0]


def test_long_values_do_not_widen_the_queue_or_the_detail_page(
    page: Page, server: ServerProcess, tmp_path: Path
) -> None:
    sign_in(page, server.base, "ben")
    row = page.locator("#queue-rows tr", has_text="444 555 666")
    expect(row).to_be_visible()
    page.screenshot(path=tmp_path / "long-queue.png", full_page=True)
    widths = page.evaluate(WIDTHS)
    assert widths["page"] <= widths["viewport"] and widths["table"] <= widths["viewport"], widths
    row.locator("a.session").click()
    expect(page.locator("dl.facts")).to_contain_text("W" * 300)  # the whole stored company
    page.screenshot(path=tmp_path / "long-detail.png", full_page=True)
    assert page.evaluate("() => document.documentElement.scrollWidth") <= 1280
