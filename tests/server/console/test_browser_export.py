"""The export for the people who open it, in a real Chromium against a real ``serve``
(issue 24): German Excel gets semicolons and UTF-8 with a byte order mark, the current
month is offered, English gets RFC 4180."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, expect

from tests.server.conftest import ServerProcess, Tls, intake_env, run_intake
from tests.server.console.browser import CHROMIUM
from tests.server.console.support import PASSWORD, post_samples, sign_in

pytestmark = [
    pytest.mark.skipif(not CHROMIUM.exists(), reason=f"no Chromium at {CHROMIUM}"),
    pytest.mark.filterwarnings("ignore::DeprecationWarning"),
]


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory, server_tls: Tls) -> Iterator[ServerProcess]:
    folder = tmp_path_factory.mktemp("export")
    env = intake_env(folder / "data", f"sqlite:///{folder / 'intake.sqlite3'}")
    run_intake("migrate", env=env)
    run_intake("user", "add", "anna", "--admin", env=env, input=PASSWORD + "\n")
    running = ServerProcess(env, server_tls).start()
    post_samples(running)
    yield running
    running.stop()


@pytest.mark.parametrize("lang", ["de", "en"])
def test_the_export_opens_in_excel_of_the_consoles_language(
    browser: Browser, server: ServerProcess, lang: str, shots: Path
) -> None:
    context = browser.new_context(ignore_https_errors=True, locale=lang)
    page = context.new_page()
    sign_in(page, server.base, "anna")
    page.goto(server.base + "/export")
    today = page.evaluate(
        "new Intl.DateTimeFormat('sv-SE', {timeZone: 'Europe/Berlin'}).format(new Date())"
    )
    expect(page.locator("#since")).to_have_value(today[:8] + "01")
    expect(page.locator("#until")).to_have_value(today)
    expect(page.locator("main form")).to_contain_text("Europe/Berlin")
    excel, plain = page.locator("input[value=excel-de]"), page.locator("input[value=rfc4180]")
    expect(excel if lang == "de" else plain).to_be_checked()
    page.screenshot(path=str(shots / f"export-{lang}.png"))
    with page.expect_download() as download:
        page.get_by_role("button", name="CSV").click()
    data = download.value.path().read_bytes()
    if lang == "de":
        assert data.startswith(b"\xef\xbb\xbf")  # Excel reads UTF-8
        rows = list(csv.reader(io.StringIO(data[3:].decode(), newline=""), delimiter=";"))
    else:
        assert not data.startswith(b"\xef\xbb\xbf")
        rows = list(csv.reader(io.StringIO(data.decode(), newline="")))
    company = rows[0].index("company")
    assert len(rows) == 4 and all(len(row) == len(rows[0]) for row in rows)
    assert any(row[company].startswith("Praxis Dr. Müller") for row in rows[1:])
    assert data.count(b"\r\n") == 4
    context.close()
