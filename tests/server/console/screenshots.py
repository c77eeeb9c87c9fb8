"""Screenshots of the support console in German and English, for the README.

    .venv/bin/python -m tests.server.console.screenshots docs/screenshots

Starts its own server on a temporary SQLite database, adds an account, a customer
register (one customer without an AV-Vertrag) and real confirmations: one with
confidential programs kept open, one from a customer the register does not know, and one
whose stored company was changed behind the server's back (found by ``verify``). Then it
photographs sign-in, the queue, a search, the detail page and the customers in Chromium.
"""

from __future__ import annotations

import sqlite3
import sys
import tempfile
from pathlib import Path

from tests.server.conftest import ServerProcess, intake_env, run_intake
from tests.server.console.browser import chromium
from tests.server.console.support import PASSWORD, post, post_samples, sign_in
from tests.server.records import real_record

#: The register: the first two samples' customers (support.SAMPLES), one without an
#: AV-Vertrag; the third sample's customer is not in it.
REGISTER = (
    ("10472", "Steuerkanzlei Beispiel GmbH", "tax", "2024-03-01", "DMS-2024-0113"),
    ("20931", "Praxis Dr. Müller", "health", "", ""),
    ("40112", "Rechtsanwälte Schmidt & Partner", "legal", "2025-01-15", "Ordner 3"),
)


def _register(env: dict[str, str]) -> None:
    for number, company, sector, signed, document in REGISTER:
        args = ["customer", "add", number, "--company", company, "--sector", sector]
        if signed:
            args += ["--av-signed-on", signed, "--av-document", document]
        run_intake(*args, env=env)


def _damage(server: ServerProcess, database: Path, env: dict[str, str]) -> None:
    """A confirmation whose company column someone changed in the database file."""
    built = real_record(session_id="444555666", company="Echt GmbH", number="40112")
    receipt = post(server, built.payload, built.submission_id)["receipt_id"]
    with sqlite3.connect(database) as changed:
        changed.execute(
            "UPDATE api_confirmation SET company = 'Fälschung AG' WHERE receipt_id = ?",
            (receipt,),
        )
    run_intake("verify", env=env)


def main(folder: Path) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        database = Path(tmp) / "intake.sqlite3"
        env = intake_env(Path(tmp) / "data", f"sqlite:///{database}")
        run_intake("migrate", env=env)
        run_intake("user", "add", "anna.support", "--admin", env=env, input=PASSWORD + "\n")
        _register(env)
        server = ServerProcess(env, tls=None).start()
        try:
            _damage(server, database, env)
            detail = post_samples(server)
            with chromium() as browser:
                for lang in ("de", "en"):
                    page = browser.new_page(locale=lang, viewport={"width": 1280, "height": 800})
                    page.goto(server.base + "/sign-in")
                    page.screenshot(path=str(folder / f"console-{lang}-1-sign-in.png"))
                    sign_in(page, server.base, "anna.support")
                    page.screenshot(path=str(folder / f"console-{lang}-2-queue.png"))
                    page.goto(f"{server.base}/r/{detail}")
                    page.screenshot(
                        path=str(folder / f"console-{lang}-3-detail.png"), full_page=True
                    )
                    page.goto(f"{server.base}/search?q=mueller")
                    page.screenshot(path=str(folder / f"console-{lang}-4-search.png"))
                    page.goto(f"{server.base}/customers/")
                    page.screenshot(path=str(folder / f"console-{lang}-5-customers.png"))
                    page.close()
        finally:
            server.stop()
    for png in sorted(folder.glob("console-*.png")):
        print(png)


if __name__ == "__main__":
    main(Path(sys.argv[1] if len(sys.argv) > 1 else "screenshots-tmp"))
