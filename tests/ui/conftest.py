"""UI tests: the terminal flow as a subprocess and a real Tk window (on Linux under
pytest-xvfb's Xvfb, on Windows on the desktop), real processes to find and close, and the
real loopback HTTPS intake server."""

from __future__ import annotations

import contextlib
import gc
import subprocess
import sys
import time
import tkinter as tk
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from helper import config
from helper.flow import Wizard
from helper.flow.services import LocalServices
from helper.ui.tk.app import HelperWindow
from tests.apps.conftest import spawn
from tests.intake.server import IntakeServer, intake_server, intake_tls
from tests.platform_marks import X11_PROGRAMS, skip_unless_linux

__all__ = ["intake_server", "intake_tls", "spawn"]

TK_APP = Path(__file__).parents[1] / "apps" / "close_fixtures" / "tk_app.py"


@pytest.fixture(autouse=True)
def _tk_objects_go_on_the_main_thread() -> Iterator[None]:
    """Collect what a test left of Tk here. A Tcl interpreter freed by a collection that
    happens to run in a later test's worker thread aborts the process (Tcl_AsyncDelete);
    the helper itself has one root for its whole life, so only tests meet this."""
    yield
    gc.collect()


def pump_until(root: tk.Misc, check: Callable[[], bool], timeout: float = 30.0) -> None:
    """Run the Tk loop until ``check()`` holds (a bounded wait, not a timing assertion)."""
    deadline = time.monotonic() + timeout
    while not check():
        if time.monotonic() > deadline:
            raise AssertionError("the window did not get there in time")
        root.update()
        time.sleep(0.005)


def find(widget: tk.Misc, text: str) -> tk.Widget:
    """The first widget below ``widget`` whose text is ``text``."""
    for child in widget.winfo_children():
        try:
            if str(child.cget("text")) == text:
                return child
        except tk.TclError:
            pass
        try:
            return find(child, text)
        except LookupError:
            continue
    raise LookupError(text)


def texts(widget: tk.Misc) -> list[str]:
    """Every label and button text below ``widget``, in creation order."""
    found: list[str] = []
    for child in widget.winfo_children():
        with contextlib.suppress(tk.TclError):
            found.append(str(child.cget("text")))
        found += texts(child)
    return found


def start_tk_app(mode: str, name: str) -> subprocess.Popen[str]:
    """A real windowed program under a catalogue name; returns once its window is up."""
    skip_unless_linux(X11_PROGRAMS)
    proc = subprocess.Popen(
        [sys.executable, str(TK_APP), mode, "--name", name],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert proc.stdout is not None
    line = proc.stdout.readline()
    assert line.startswith("ready"), line
    return proc


@pytest.fixture
def tk_apps() -> Iterator[Callable[[str, str], subprocess.Popen[str]]]:
    procs: list[subprocess.Popen[str]] = []

    def start(mode: str, name: str) -> subprocess.Popen[str]:
        procs.append(start_tk_app(mode, name))
        return procs[-1]

    yield start
    for proc in procs:
        if proc.poll() is None:
            proc.kill()  # the test's own leftovers only
        proc.wait(timeout=10)


@pytest.fixture
def root() -> Iterator[tk.Tk]:
    """A bare Tk root for the window's building blocks."""
    root = tk.Tk()
    yield root
    root.destroy()


@pytest.fixture
def make_window(
    intake_server: IntakeServer,
) -> Iterator[Callable[..., HelperWindow]]:
    roots: list[tk.Tk] = []

    def make(*cli: tuple[str, str], lang: str = "en") -> HelperWindow:
        cfg = config.load(cli=[*intake_server.settings(), ("intake.send_window_s", "2"), *cli])
        assert cfg.valid, cfg.report()
        root = tk.Tk()
        roots.append(root)
        services = LocalServices(cfg)
        return HelperWindow(root, Wizard(cfg, services, lang=lang), services)

    yield make
    for root in roots:
        with contextlib.suppress(tk.TclError):
            root.destroy()
    gc.collect()  # free Tk objects here, on the Tk thread
