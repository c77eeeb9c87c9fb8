"""The customer register in a real Chromium against a real ``intellekta-intake serve``,
in German and English: support sees which customers have no AV-Vertrag on file; an
administrator adds a customer and imports a CSV file, whose broken line is named and
which imports nothing; support cannot add or import."""

from __future__ import annotations

import http.client
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

from intake_server.customers.importing import HEADER
from tests.server.conftest import ServerProcess, Tls, intake_env, run_intake
from tests.server.console.browser import CHROMIUM
from tests.server.console.support import PASSWORD, sign_in

pytestmark = [
    pytest.mark.skipif(not CHROMIUM.exists(), reason=f"no Chromium at {CHROMIUM}"),
    pytest.mark.filterwarnings("ignore::DeprecationWarning"),
]
LANGUAGES = ["de", "en"]
#: What the pages say, per language.
SAYS = {
    "de": {
        "missing": "Kein AV-Vertrag hinterlegt",
        "signed": "AV-Vertrag vom 31.03.2025",
        "add": "Kunden anlegen",
        "import": "CSV importieren",
        "save": "Speichern",
        "line": "Zeile 3, Spalte sector: law ist keine Branche",
        "nothing": "Es wurde nichts importiert.",
        "done": "wurde importiert: 1 neu, 1 geändert, 0 unverändert.",
    },
    "en": {
        "missing": "No AV-Vertrag on file",
        "signed": "AV-Vertrag signed on 2025-03-31",
        "add": "Add customer",
        "import": "Import CSV",
        "save": "Save",
        "line": "line 3, column sector: law is no sector",
        "nothing": "Nothing was imported.",
        "done": "was imported: 1 added, 1 updated, 0 unchanged.",
    },
}


def intake(env: dict[str, str], *args: str, password: bool = False) -> None:
    result = run_intake(*args, env=env, input=PASSWORD + "\n" if password else None)
    assert result.returncode == 0, result.stderr


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory, server_tls: Tls) -> Iterator[ServerProcess]:
    """HTTPS on SQLite, with an administrator (anna), support (ben) and two customers:
    one with an AV-Vertrag on file, one without."""
    folder = tmp_path_factory.mktemp("customers")
    env = intake_env(folder / "data", f"sqlite:///{folder / 'intake.sqlite3'}")
    intake(env, "migrate")
    intake(env, "user", "add", "anna", "--admin", password=True)
    intake(env, "user", "add", "ben", password=True)
    intake(env, "customer", "add", "10472", "--company", "Kanzlei Recht", "--sector", "legal")
    intake(
        env,
        *("customer", "add", "20931", "--company", "Praxis Dr. Müller", "--sector", "health"),
        *("--av-signed-on", "31.03.2025", "--av-document", "DMS-4711"),
    )
    running = ServerProcess(env, server_tls).start()
    yield running
    running.stop()


@pytest.fixture(params=LANGUAGES)
def page(request: pytest.FixtureRequest, browser: Browser) -> Iterator[Page]:
    context = browser.new_context(ignore_https_errors=True, locale=request.param)
    opened = context.new_page()
    opened.lang = request.param  # type: ignore[attr-defined]
    yield opened
    context.close()


def says(page: Page, what: str) -> str:
    return SAYS[page.lang][what]  # type: ignore[attr-defined]


def test_support_sees_who_has_no_av_vertrag_but_cannot_add_or_import(
    page: Page, server: ServerProcess
) -> None:
    sign_in(page, server.base, "ben")
    page.goto(server.base + "/customers/")
    without = page.locator("tr", has_text="Kanzlei Recht")
    expect(without).to_contain_text(says(page, "missing"))
    expect(page.locator("tr", has_text="Praxis Dr. Müller")).to_contain_text(says(page, "signed"))
    expect(page.get_by_role("link", name=says(page, "add"))).to_have_count(0)
    expect(page.get_by_role("link", name=says(page, "import"))).to_have_count(0)
    page.get_by_role("checkbox").check()
    page.locator("form.filters button[type=submit]").click()
    expect(page.locator("tbody tr")).to_have_count(1)
    expect(page.locator("tbody")).to_contain_text("Kanzlei Recht")
    answer = page.goto(server.base + "/customers/import")
    assert answer is not None and answer.status == 403


def test_an_administrator_adds_a_customer_and_imports_a_file(
    page: Page, server: ServerProcess, tmp_path: Path
) -> None:
    number = f"A-{page.lang}"  # type: ignore[attr-defined]
    sign_in(page, server.base, "anna")
    page.goto(server.base + "/customers/")
    page.get_by_role("link", name=says(page, "add")).click()
    page.fill("#id_number", number)
    page.fill("#id_company", "Zahnarztpraxis Weiß")
    page.select_option("#id_sector", "health")
    page.get_by_role("button", name=says(page, "save")).click()
    added = page.locator("tr", has_text="Zahnarztpraxis Weiß")
    expect(added).to_contain_text(says(page, "missing"))

    csv = tmp_path / "crm.csv"
    header = ";".join(HEADER)
    rows = [f"{number};Zahnarztpraxis Weiß;health;31.03.2025;DMS-1;", f"N-{number};Neu;other;;;"]
    csv.write_text("\n".join([header, rows[0], rows[1].replace("other", "law"), ""]), "utf-8")
    page.get_by_role("link", name=says(page, "import")).click()
    page.set_input_files("#file", str(csv))
    page.locator("form button[type=submit].primary").click()
    problems = page.get_by_role("alert")
    expect(problems).to_contain_text(says(page, "nothing"))
    expect(problems).to_contain_text(says(page, "line"))
    csv.write_text("\n".join([header, *rows, ""]), "utf-8-sig")
    page.set_input_files("#file", str(csv))
    page.locator("form button[type=submit].primary").click()
    expect(page.get_by_role("status")).to_contain_text(says(page, "done"))
    page.goto(f"{server.base}/customers/?q={number}")
    expect(page.locator("tr", has_text="Zahnarztpraxis Weiß")).to_contain_text("DMS-1")


def test_a_crm_file_of_thousands_of_customers_uploads_through_the_server(
    page: Page, server: ServerProcess, tmp_path: Path
) -> None:
    """A file far above the API's body limit (64 KiB): the server takes it from a
    signed-in administrator and imports it whole."""
    lang = page.lang  # type: ignore[attr-defined]
    rows = [f"{lang}-{n:05};Firma {n} GmbH;other;01.02.2025;DMS-{n};" for n in range(3000)]
    csv = tmp_path / "crm.csv"
    csv.write_text("\n".join([";".join(HEADER), *rows, ""]), "utf-8-sig")
    assert csv.stat().st_size > 2 * 65536
    sign_in(page, server.base, "anna")
    page.goto(server.base + "/customers/import")
    page.set_input_files("#file", str(csv))
    page.locator("form button[type=submit].primary").click()
    added = {"de": "3000 neu", "en": "3000 added"}[lang]
    expect(page.get_by_role("status")).to_contain_text(added)


def test_a_stranger_cannot_make_the_server_hold_a_large_upload(server: ServerProcess) -> None:
    """Without an administrator's session the server does not read a body larger than
    the API's limit: it answers at once, while the client has sent nothing of it."""
    host, port = server.base.removeprefix("https://").split(":")
    connection = http.client.HTTPSConnection(
        host, int(port), context=server.tls.client_context(), timeout=10
    )
    connection.putrequest("POST", "/customers/import")
    connection.putheader("Content-Type", "multipart/form-data; boundary=x")
    connection.putheader("Content-Length", str(5 * 2**20))
    connection.putheader("Cookie", "sessionid=forged")
    connection.endheaders()
    answer = connection.getresponse()  # no body sent: a server waiting for it times out
    assert answer.status in (302, 403, 413)
    connection.close()
