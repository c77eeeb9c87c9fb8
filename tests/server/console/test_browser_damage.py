"""Damage in a real Chromium against a real ``serve``: the SQLite file is changed while the
server runs, ``verify`` records what it finds, and the queue, the detail pages and the
administrators' banner say DAMAGED in red. The screenshots are kept in the folder
``INTELLEKTA_CONSOLE_SHOTS`` names (else the test's temporary folder) to be looked at."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.server.conftest import ServerProcess, intake_env, run_intake
from tests.server.console.browser import CHROMIUM
from tests.server.console.support import PASSWORD, post, post_samples, sign_in
from tests.server.records import real_record

pytestmark = [
    pytest.mark.skipif(not CHROMIUM.exists(), reason=f"no Chromium at {CHROMIUM}"),
    pytest.mark.filterwarnings("ignore::DeprecationWarning"),
]
RED = "rgb(155, 28, 28)"  # --bad in console.css


def _add_user(env: dict[str, str], name: str, admin: bool = False) -> None:
    result = run_intake(
        "user", "add", name, *(["--admin"] if admin else []), env=env, input=PASSWORD + "\n"
    )
    assert result.returncode == 0, result.stderr


def _change(database: Path, receipt: str, column: str, value: object) -> None:
    """What anyone with the database file can do while the server runs."""
    with sqlite3.connect(database) as changed:
        changed.execute(
            f"UPDATE api_confirmation SET {column} = ? WHERE receipt_id = ?", (value, receipt)
        )


@pytest.fixture(scope="module")
def damaged(
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[tuple[ServerProcess, dict[str, str]]]:
    """A server whose Session ID column of one record and body of another were changed,
    after ``verify`` recorded it; the receipts by what was changed."""
    folder = tmp_path_factory.mktemp("damaged")
    database = folder / "intake.sqlite3"
    env = intake_env(folder / "data", f"sqlite:///{database}")
    run_intake("migrate", env=env)
    _add_user(env, "anna", admin=True)
    _add_user(env, "ben")
    server = ServerProcess(env, tls=None).start()
    try:
        post_samples(server)
        column = real_record(session_id="333444555", company="Praxis am Markt", kept_open=())
        body = real_record(session_id="444555666", company="Echt GmbH", kept_open=())
        receipts = {
            "column": post(server, column.payload, column.submission_id)["receipt_id"],
            "body": post(server, body.payload, body.submission_id)["receipt_id"],
        }
        _change(database, receipts["column"], "session_id", "333444556")
        forged = json.loads(body.payload)
        forged["customer"]["company"] = "Fälschung AG"
        _change(database, receipts["body"], "body", json.dumps(forged).encode())
        assert run_intake("verify", env=env).returncode == 1
        yield server, receipts
    finally:
        server.stop()


def _page(browser: Browser, base: str, user: str, locale: str) -> Page:
    page = browser.new_context(locale=locale, viewport={"width": 1280, "height": 800}).new_page()
    sign_in(page, base, user)
    return page


@pytest.mark.parametrize("locale", ["en-GB", "de-DE"])
def test_support_sees_damaged_rows_and_pages_in_red(
    browser: Browser, damaged: tuple[ServerProcess, dict[str, str]], shots: Path, locale: str
) -> None:
    server, receipts = damaged
    word = "DAMAGED" if locale == "en-GB" else "BESCHÄDIGT"
    page = _page(browser, server.base, "ben", locale)
    rows = page.locator("#queue-rows tr.damaged")
    expect(rows).to_have_count(2)
    expect(rows.filter(has_text="333 444 555").locator(".badge.damaged")).to_have_text(word)
    expect(page.locator("#queue-rows")).not_to_contain_text("333 444 556")
    expect(page.locator("#queue-rows")).not_to_contain_text("Fälschung")
    badge = rows.first.locator(".badge.damaged")
    assert badge.evaluate("e => getComputedStyle(e).backgroundColor") == RED
    expect(page.locator("#ledger-damage")).to_have_count(0)  # not for support staff
    lang = locale[:2]
    page.screenshot(path=str(shots / f"damage-{lang}-1-queue.png"))
    page.goto(f"{server.base}/r/{receipts['column']}")
    alert = page.locator("p.banner.damaged[role=alert]")
    expect(alert).to_contain_text(word)
    assert alert.inner_text().startswith(word)
    assert alert.evaluate("e => getComputedStyle(e).borderTopColor") == RED
    expect(page.locator("dl.facts")).to_contain_text("333 444 555")
    page.screenshot(path=str(shots / f"damage-{lang}-2-detail-column.png"), full_page=True)
    page.goto(f"{server.base}/r/{receipts['body']}")
    expect(page.locator("p.banner.damaged[role=alert]")).to_contain_text(word)
    expect(page.locator("dl.facts")).not_to_contain_text("Fälschung")
    page.screenshot(path=str(shots / f"damage-{lang}-3-detail-body.png"), full_page=True)
    page.context.close()


def test_administrators_see_the_damage_banner(
    browser: Browser, damaged: tuple[ServerProcess, dict[str, str]], shots: Path
) -> None:
    server, receipts = damaged
    page = _page(browser, server.base, "anna", "de-DE")
    banner = page.locator("#ledger-damage")
    expect(banner).to_contain_text("BESCHÄDIGT")
    expect(banner).to_contain_text("2 beschädigte Einträge")
    expect(banner.locator(f"a[href='/r/{receipts['column']}']")).to_have_text(receipts["column"])
    page.screenshot(path=str(shots / "damage-de-4-admin-banner.png"))
    page.goto(server.base + "/access-log")
    expect(page.locator("#ledger-damage")).to_contain_text("intellekta-intake verify")
    page.context.close()
