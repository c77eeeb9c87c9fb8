"""The support console in a real Chromium (Debian's, through Playwright) against real
``intellekta-intake serve`` processes, with confirmations sent by the real helper."""

from __future__ import annotations

import io
import re
from collections.abc import Iterator
from pathlib import Path

import pypdf
import pytest
from playwright.sync_api import Browser, Page, expect

from tests.conftest import run_cli
from tests.server.conftest import ServerProcess, Tls, intake_env, run_intake
from tests.server.console.browser import CHROMIUM
from tests.server.console.support import PASSWORD, post, post_samples, sign_in
from tests.server.records import real_record

pytestmark = [
    pytest.mark.skipif(not CHROMIUM.exists(), reason=f"no Chromium at {CHROMIUM}"),
    pytest.mark.filterwarnings("ignore::DeprecationWarning"),
]
WITHIN_S = 3.0


def add_user(env: dict[str, str], name: str, admin: bool = False) -> None:
    args = ["user", "add", name, *(["--admin"] if admin else [])]
    result = run_intake(*args, env=env, input=PASSWORD + "\n")
    assert result.returncode == 0, result.stderr


def start(env: dict[str, str], tls: Tls | None) -> ServerProcess:
    run_intake("migrate", env=env)
    return ServerProcess(env, tls).start()


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory, server_tls: Tls) -> Iterator[ServerProcess]:
    """One HTTPS server on SQLite with an admin, a support account and sample records."""
    folder = tmp_path_factory.mktemp("console")
    env = intake_env(folder / "data", f"sqlite:///{folder / 'intake.sqlite3'}")
    running = start(env, server_tls)
    add_user(env, "anna", admin=True)
    add_user(env, "ben")
    post_samples(running)
    yield running
    running.stop()


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(ignore_https_errors=True, locale="en-GB")
    opened = context.new_page()
    yield opened
    context.close()


def helper_confirm(server: ServerProcess, tmp_path: Path, grouped: str) -> None:
    """The real helper, a real process, confirming in the terminal with piped answers.

    The Chromium these tests drive is a browser the helper would list: it is ignored.
    """
    result = run_cli(
        *server.helper_settings(),
        "-c",
        f"paths.data_dir={tmp_path / 'helper'}",
        "-c",
        "apps.ignore=chromium",
        "-c",
        "customer.company=Kanzlei Live",
        "--lang",
        "en",
        "confirm",
        input=f"{grouped}\nyes\n1\n",
    )
    assert result.returncode == 0, result.stdout + result.stderr + server.log_text()


def test_a_wrong_password_then_the_right_one(page: Page, server: ServerProcess) -> None:
    page.goto(server.base + "/")
    expect(page).to_have_url(re.compile(r"/sign-in\?next=/$"))  # signed out: sent to sign-in
    page.fill("#id_username", "ben")
    page.fill("#id_password", "not the password")
    page.click("button.primary")
    expect(page.get_by_role("alert")).to_contain_text("not right")
    page.fill("#id_password", PASSWORD)
    page.click("button.primary")
    expect(page).to_have_url(server.base + "/")
    expect(page.get_by_role("heading", level=1)).to_contain_text("last 24 hours")


def test_signing_in_pauses_after_repeated_failures(page: Page, server: ServerProcess) -> None:
    add_user(server.env, "carl")
    page.goto(server.base + "/sign-in")
    for _ in range(5):
        page.fill("#id_username", "carl")
        page.fill("#id_password", "wrong password")
        page.click("button.primary")
    expect(page.get_by_role("heading", level=1)).to_contain_text("paused")
    page.goto(server.base + "/sign-in")
    page.fill("#id_username", "carl")
    page.fill("#id_password", PASSWORD)  # right, but too late
    page.click("button.primary")
    expect(page.get_by_role("heading", level=1)).to_contain_text("paused")
    assert run_intake("user", "unlock", "carl", env=server.env).returncode == 0
    sign_in(page, server.base, "carl")


def test_the_queue_shows_what_the_real_helper_just_sent(
    page: Page, server: ServerProcess, tmp_path: Path
) -> None:
    sign_in(page, server.base, "ben")
    helper_confirm(server, tmp_path, "246 813 579")
    row = page.locator("#queue-rows tr", has_text="246 813 579")
    expect(row).to_be_visible(timeout=WITHIN_S * 1000)
    expect(row).to_contain_text("Kanzlei Live")


def test_search_detail_evidence_and_the_access_log(page: Page, server: ServerProcess) -> None:
    sign_in(page, server.base, "ben")
    page.fill("#q", "1 234 567 890")
    page.keyboard.press("Enter")
    expect(page.locator("tbody tr")).to_have_count(1)
    page.click("a.session")
    expect(page.get_by_role("alert")).to_contain_text("Microsoft Outlook, Mozilla Firefox")
    expect(page.locator("h2", has_text="The notice")).to_contain_text("text verified")
    receipt = page.locator("dd.receipt").inner_text()
    with page.expect_download() as download:
        page.click("text=PDF")
    pdf = download.value.path()
    text = "".join(p.extract_text() for p in pypdf.PdfReader(io.BytesIO(pdf.read_bytes())).pages)
    assert "1 234 567 890" in text and receipt in text

    page.click("button:has-text('Session started')")
    expect(page.locator(".marks")).to_contain_text("ben")
    page.fill("#note", "Printer driver <b>updated</b>")
    page.click("text=Save note")
    expect(page.locator(".marks")).to_contain_text("Printer driver <b>updated</b>")

    admin = page.context.browser.new_context(ignore_https_errors=True, locale="en-GB").new_page()
    sign_in(admin, server.base, "anna")
    admin.goto(server.base + "/access-log?user=ben")
    log = admin.locator("tbody")
    expect(log).to_contain_text("Opened the record")
    expect(log).to_contain_text("Downloaded the evidence (PDF)")
    expect(log).to_contain_text(receipt)
    admin.context.close()


def test_what_a_customer_typed_is_shown_as_text(page: Page, server: ServerProcess) -> None:
    dialogs: list[str] = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    built = real_record(session_id="111222333", company="<script>alert(1)</script>", number="")
    post(server, built.payload, built.submission_id)
    sign_in(page, server.base, "ben")
    row = page.locator("#queue-rows tr", has_text="111 222 333")
    expect(row).to_contain_text("<script>alert(1)</script>")
    row.locator("a.session").click()
    expect(page.locator("dl.facts")).to_contain_text("<script>alert(1)</script>")
    assert dialogs == []


def test_a_post_without_csrf_token_is_refused(page: Page, server: ServerProcess) -> None:
    sign_in(page, server.base, "ben")
    answer = page.request.post(server.base + "/sign-out", form={"x": "1"})
    assert answer.status == 403
    page.goto(server.base + "/")
    expect(page.get_by_role("heading", level=1)).to_contain_text("last 24 hours")  # still in


def test_a_non_admin_is_refused_on_the_admin_pages(page: Page, server: ServerProcess) -> None:
    sign_in(page, server.base, "ben")
    page.goto(server.base + "/admin/")
    expect(page.locator("body")).not_to_contain_text("Site administration")
    answer = page.goto(server.base + "/access-log")
    assert answer is not None and answer.status == 403
    expect(page.get_by_role("heading", level=1)).to_contain_text("Administrators only")
    assert page.locator("nav").get_by_text("Administration").count() == 0


def test_a_confirmation_to_another_server_process_appears(
    browser: Browser, postgres_database: str, tmp_path: Path, server_tls: Tls
) -> None:
    """Two server processes share one PostgreSQL: the queue on one shows what the helper
    sent to the other."""
    first = start(intake_env(tmp_path / "a", postgres_database), server_tls)
    second = ServerProcess(intake_env(tmp_path / "b", postgres_database), server_tls).start()
    try:
        add_user(first.env, "ben")
        context = browser.new_context(ignore_https_errors=True, locale="de-DE")
        page = context.new_page()
        sign_in(page, first.base, "ben")
        expect(page.get_by_role("heading", level=1)).to_contain_text("24 Stunden")
        helper_confirm(second, tmp_path, "135 792 468")
        expect(page.locator("#queue-rows tr", has_text="135 792 468")).to_be_visible(
            timeout=WITHIN_S * 1000
        )
        context.close()
    finally:
        second.stop()
        first.stop()
