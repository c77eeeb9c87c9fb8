"""The queue and search of a whole support day in a real Chromium against real ``serve``
processes: every confirmation counted and reachable page by page, the filters, one
Session ID from three customers pointed out, and whether an AV-Vertrag is on file.

The screenshots are kept in the folder ``INTELLEKTA_CONSOLE_SHOTS`` names (else the
test's temporary folder) to be looked at."""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.server.conftest import ServerProcess, Tls, intake_env, run_intake
from tests.server.console.browser import CHROMIUM
from tests.server.console.support import PASSWORD, post, sign_in
from tests.server.records import real_record

pytestmark = [
    pytest.mark.skipif(not CHROMIUM.exists(), reason=f"no Chromium at {CHROMIUM}"),
    pytest.mark.filterwarnings("ignore::DeprecationWarning"),
]
DAY = 110  # confirmations of the support day the issue was observed with
CUSTOMERS = (
    ("10472", "Steuerkanzlei Beispiel GmbH", "2024-03-01"),  # with an AV-Vertrag
    ("20931", "Praxis Dr. Müller GmbH", ""),  # in the register, without one
)
UNKNOWN = ("31877", "Ingenieurbüro Nord GmbH")  # not in the register
SHARED = "123456789"  # the Session ID three customers send
WORDS = {
    "de": {
        "count": f"{DAY} Bestätigungen",
        "older": "Ältere",
        "newer": "Neuere",
        "kept_open": "Offen gelassen",
        "no_av": "Ohne AV-Vertrag",
        "damaged": "Beschädigt",
        "filter": "Filtern",
        "shared": "Session ID 123 456 789 wurde von 3 Kunden gesendet",
        "shared_row": "von 3 Kunden",
        "other": "auch von 2 anderen Kunden gesendet",
        "signed": "AV-Vertrag vom 01.03.2024",
        "missing": "Kein AV-Vertrag hinterlegt",
        "unknown": "Kunde nicht im Register",
        "register": "aktuelle Eintrag im Kundenregister",
    },
    "en": {
        "count": f"{DAY} confirmations",
        "older": "Older",
        "newer": "Newer",
        "kept_open": "Kept open",
        "no_av": "No AV-Vertrag",
        "damaged": "Damaged",
        "filter": "Filter",
        "shared": "Session ID 123 456 789 was sent by 3 customers",
        "shared_row": "from 3 customers",
        "other": "also sent by 2 other customers",
        "signed": "AV-Vertrag signed on 2024-03-01",
        "missing": "No AV-Vertrag on file",
        "unknown": "Customer not in the register",
        "register": "customer register's current entry",
    },
}


def _start(folder: Path, tls: Tls) -> tuple[ServerProcess, dict[str, str]]:
    env = intake_env(folder / "data", f"sqlite:///{folder / 'intake.sqlite3'}")
    assert run_intake("migrate", env=env).returncode == 0
    added = run_intake("user", "add", "ben", env=env, input=PASSWORD + "\n")
    assert added.returncode == 0, added.stderr
    return ServerProcess(env, tls).start(), env


@pytest.fixture(scope="module")
def day(
    tmp_path_factory: pytest.TempPathFactory, server_tls: Tls
) -> Iterator[tuple[ServerProcess, list[str]]]:
    """A server that received a support day: :data:`DAY` confirmations from the real
    helper's code, every third with confidential programs kept open, the last three
    with the Session ID :data:`SHARED` from three customers (their receipts)."""
    server, _env = _start(tmp_path_factory.mktemp("day"), server_tls)
    try:
        for n in range(DAY - 3):
            kept = ("Microsoft Outlook",) if n % 3 == 0 else ()
            built = real_record(
                session_id=f"{300000000 + n}", kept_open=kept, company=f"Praxis {n} GmbH"
            )
            post(server, built.payload, built.submission_id)
        yield server, _send_shared(server)
    finally:
        server.stop()


def _send_shared(server: ServerProcess) -> list[str]:
    """:data:`SHARED` from each customer (kept open): their receipts."""
    receipts = []
    for number, company, *_signed in (*CUSTOMERS, UNKNOWN):
        built = real_record(session_id=SHARED, number=number, company=company)
        receipts.append(post(server, built.payload, built.submission_id)["receipt_id"])
    return receipts


@pytest.fixture(scope="module")
def register(
    tmp_path_factory: pytest.TempPathFactory, server_tls: Tls
) -> Iterator[tuple[ServerProcess, dict[str, str]]]:
    """A server with two customers in the register (one with an AV-Vertrag), and one
    Session ID sent by them and by a customer the register does not know; a record
    whose company column was changed, after ``verify`` recorded it. The receipts by
    customer number, and "damaged"."""
    folder = tmp_path_factory.mktemp("register")
    server, env = _start(folder, server_tls)
    try:
        for number, company, signed in CUSTOMERS:
            args = ["customer", "add", number, "--company", company]
            added = run_intake(*args, *(["--av-signed-on", signed] if signed else []), env=env)
            assert added.returncode == 0, added.stderr
        damaged = real_record(session_id="444555666", company="Echt GmbH", kept_open=())
        receipts = {"damaged": post(server, damaged.payload, damaged.submission_id)["receipt_id"]}
        numbers = [number for number, *_rest in (*CUSTOMERS, UNKNOWN)]
        receipts |= dict(zip(numbers, _send_shared(server), strict=True))
        with sqlite3.connect(folder / "intake.sqlite3") as changed:
            changed.execute(
                "UPDATE api_confirmation SET company = 'Fälschung AG' WHERE receipt_id = ?",
                (receipts["damaged"],),
            )
        assert run_intake("verify", env=env).returncode == 1
        yield server, receipts
    finally:
        server.stop()


@pytest.fixture(params=["de-DE", "en-GB"])
def locale(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def words(locale: str) -> dict[str, str]:
    return WORDS[locale[:2]]


@pytest.fixture
def on_day(browser: Browser, day: tuple[ServerProcess, list[str]], locale: str) -> Page:
    """Support signed in on the :func:`day` server, in ``locale``."""
    return _page(browser, day[0].base, locale)


@pytest.fixture
def on_register(
    browser: Browser, register: tuple[ServerProcess, dict[str, str]], locale: str
) -> Page:
    """Support signed in on the :func:`register` server, in ``locale``."""
    return _page(browser, register[0].base, locale)


def _page(browser: Browser, base: str, locale: str) -> Page:
    context = browser.new_context(
        ignore_https_errors=True, locale=locale, viewport={"width": 1280, "height": 900}
    )
    page = context.new_page()
    sign_in(page, base, "ben")
    return page


def _receipts(page: Page) -> list[str]:
    return page.locator("#queue-rows td.receipt, #search-rows td.receipt").all_inner_texts()


def _all_pages(page: Page, words: dict[str, str]) -> list[str]:
    """The receipts of every page, following "Older" to the last."""
    seen = _receipts(page)
    while page.get_by_role("link", name=words["older"]).count():
        page.get_by_role("link", name=words["older"]).click()
        page.wait_for_load_state()
        seen += _receipts(page)
    return seen


def test_every_confirmation_is_counted_and_reached_page_by_page(
    on_day: Page,
    day: tuple[ServerProcess, list[str]],
    words: dict[str, str],
    shots: Path,
    locale: str,
) -> None:
    page, server = on_day, day[0]
    expect(page.locator(".list-head .count")).to_have_text(words["count"])
    first = _receipts(page)
    assert len(first) == 50
    reached = _all_pages(page, words)
    assert len(reached) == DAY and len(set(reached)) == DAY
    expect(page.locator("#queue-rows")).not_to_have_attribute("data-refresh-url", re.compile("."))
    page.get_by_role("link", name=words["newer"]).click()
    page.get_by_role("link", name=words["newer"]).click()
    assert _receipts(page) == first
    page.goto(f"{server.base}/search?q=GmbH")
    expect(page.locator(".list-head .count")).to_have_text(words["count"])
    page.screenshot(path=str(shots / f"lists-{locale[:2]}-4-search-paged.png"))
    assert sorted(_all_pages(page, words)) == sorted(reached)


def test_filters_narrow_the_list_and_stay_in_its_address(
    on_day: Page, day: tuple[ServerProcess, list[str]], words: dict[str, str]
) -> None:
    page, server = on_day, day[0]
    page.get_by_label(words["kept_open"]).check()
    page.get_by_role("button", name=words["filter"]).click()
    kept_open = len(range(0, DAY - 3, 3)) + 3
    expect(page.locator(".list-head .count")).to_contain_text(str(kept_open))
    assert "kept_open=1" in page.url
    expect(page.locator("#queue-rows")).to_have_attribute(
        "data-refresh-url", re.compile(r"kept_open=1")
    )
    assert len(_all_pages(page, words)) == kept_open
    page.goto(f"{server.base}/?when=7d&kept_open=1")  # bookmarked
    expect(page.get_by_label(words["kept_open"])).to_be_checked()
    expect(page.locator(".list-head .count")).to_contain_text(str(kept_open))


def test_one_session_id_from_three_customers_is_pointed_out(
    on_day: Page, day: tuple[ServerProcess, list[str]], words: dict[str, str]
) -> None:
    page, (server, receipts) = on_day, day
    expect(page.locator("#queue-rows .banner.shared")).to_contain_text(words["shared"])
    expect(page.locator("#queue-rows .badge.shared")).to_have_count(3)
    expect(page.locator("#queue-rows .badge.shared").first).to_have_text(words["shared_row"])
    page.goto(f"{server.base}/search?q={SHARED}")
    expect(page.locator(".banner.shared")).to_contain_text(words["shared"])
    page.goto(f"{server.base}/r/{receipts[1]}")
    expect(page.locator(".banner.shared")).to_contain_text(words["other"])
    expect(page.locator(".banner.shared li")).to_have_count(2)


def test_support_sees_whether_an_av_vertrag_is_on_file_before_connecting(
    on_register: Page,
    register: tuple[ServerProcess, dict[str, str]],
    words: dict[str, str],
    shots: Path,
    locale: str,
) -> None:
    page, (server, receipts), lang = on_register, register, locale[:2]
    rows = page.locator("#queue-rows tr")
    signed = rows.filter(has_text="Steuerkanzlei").locator(".av.ok")
    expect(signed).to_contain_text(words["signed"])
    expect(rows.filter(has_text="20931").locator(".av.missing")).to_contain_text(words["missing"])
    expect(rows.filter(has_text="31877").locator(".av.missing")).to_contain_text(words["unknown"])
    expect(page.locator("#queue-rows tr.damaged")).to_have_count(1)
    page.screenshot(path=str(shots / f"lists-{lang}-1-queue.png"), full_page=True)
    page.get_by_label(words["no_av"]).check()
    page.get_by_role("button", name=words["filter"]).click()
    assert "no_av=1" in page.url
    expect(rows.filter(has_text="Steuerkanzlei")).to_have_count(0)
    expect(rows.filter(has_text="20931")).to_have_count(1)
    page.goto(f"{server.base}/?damaged=1")
    expect(page.locator("#queue-rows tbody tr")).to_have_count(1)
    expect(page.locator("#queue-rows tr.damaged")).to_have_count(1)
    page.goto(f"{server.base}/search?q={SHARED}")
    expect(page.locator(".av.missing")).to_have_count(2)
    page.screenshot(path=str(shots / f"lists-{lang}-2-search.png"), full_page=True)
    page.goto(f"{server.base}/r/{receipts['20931']}")
    banner = page.locator(".banner.av")
    expect(banner).to_contain_text(words["missing"])
    expect(banner).to_contain_text(words["register"])
    page.screenshot(path=str(shots / f"lists-{lang}-3-detail.png"), full_page=True)
    page.goto(f"{server.base}/r/{receipts['10472']}")
    expect(page.locator(".banner.av.ok")).to_contain_text(words["signed"])
