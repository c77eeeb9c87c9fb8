"""Screenshots of the support console in German and English, for the README.

    .venv/bin/python -m tests.server.console.screenshots docs/screenshots

Starts its own server on a temporary SQLite database, adds an account and three real
confirmations (one with confidential programs kept open), then photographs sign-in, the
queue and the detail page in Chromium.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

from tests.server.conftest import ServerProcess, intake_env, run_intake
from tests.server.console.browser import chromium
from tests.server.console.support import PASSWORD, post_samples, sign_in


def main(folder: Path) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        env = intake_env(Path(tmp) / "data", f"sqlite:///{tmp}/intake.sqlite3")
        run_intake("migrate", env=env)
        run_intake("user", "add", "anna.support", env=env, input=PASSWORD + "\n")
        server = ServerProcess(env, tls=None).start()
        try:
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
                    page.close()
        finally:
            server.stop()
    for png in sorted(folder.glob("console-*.png")):
        print(png)


if __name__ == "__main__":
    main(Path(sys.argv[1] if len(sys.argv) > 1 else "screenshots-tmp"))
