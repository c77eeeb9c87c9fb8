"""Shows the terminal flow as a person sees it: tmux in an 80x24 terminal, German and
English, with a real loopback intake server and a program to close.

    .venv/bin/python -m tests.ui.terminal_screens [de|en ...]

Prints each screen (tmux capture-pane) after every answer; read them to check that the
flow is readable at 80x24.
"""

from __future__ import annotations

import os
import shlex
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

PAGES = "<Enter until the notice has been read>"
ANSWERS = {
    "de": ["12 34", "123 456 789", "o 1", "w", PAGES, "ja", "1", "ja"],
    "en": ["12 34", "123 456 789", "o 1", "c", PAGES, "yes", "1", "yes"],
}


def tmux(*args: str) -> str:
    return subprocess.run(["tmux", *args], capture_output=True, text=True, check=True).stdout


def show(session: str, title: str) -> None:
    time.sleep(1.0)
    print(f"----- {title} " + "-" * max(0, 72 - len(title)))
    print(tmux("capture-pane", "-p", "-t", session).rstrip("\n"))


def run(lang: str, server_args: list[str], env: dict[str, str]) -> None:
    session = f"ik-{lang}"
    command = " ".join(
        shlex.quote(a)
        for a in [sys.executable, "-m", "helper", *server_args, "confirm", "--lang", lang]
    )
    tmux(
        "new-session",
        "-d",
        "-s",
        session,
        "-x",
        "80",
        "-y",
        "24",
        "-e",
        f"HOME={env['HOME']}",
        "-e",
        f"XDG_CONFIG_DIRS={env['XDG_CONFIG_DIRS']}",
        "-e",
        f"XDG_DATA_HOME={env['XDG_DATA_HOME']}",
        "-e",
        f"XDG_STATE_HOME={env['XDG_STATE_HOME']}",
        f"{command}; sleep 30",
    )
    try:
        show(session, f"{lang}: start")
        for answer in ANSWERS[lang]:
            if answer == PAGES:
                while "—" in tmux("capture-pane", "-p", "-t", session).rstrip().splitlines()[-1]:
                    tmux("send-keys", "-t", session, "Enter")
                    show(session, f"{lang}: after Enter (notice page)")
                continue
            tmux("send-keys", "-t", session, answer, "Enter")
            show(session, f"{lang}: after {answer!r}")
    finally:
        tmux("kill-session", "-t", session)


def main() -> None:
    from tests.intake.server import IntakeServer, make_tls

    temp = Path(tempfile.mkdtemp())
    env = {
        name: str(temp / name.lower())
        for name in ("HOME", "XDG_CONFIG_DIRS", "XDG_DATA_HOME", "XDG_STATE_HOME")
    }
    shutil.copy("/bin/sleep", temp / "thunderbird")
    app = subprocess.Popen([str(temp / "thunderbird"), "600"])
    try:
        with IntakeServer(make_tls(temp)) as server:
            for lang in sys.argv[1:] or ["de", "en"]:
                run(lang, server.cli_args(), env)
    finally:
        app.terminate()  # this script's own stand-in program
        app.wait()
        shutil.rmtree(temp, ignore_errors=True)


if __name__ == "__main__":
    os.environ.pop("TMUX", None)
    main()
