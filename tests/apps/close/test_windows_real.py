"""The real Windows close path: WM_CLOSE through the real user32.dll to a real Tk window.

``test_windows.py`` checks the backend's logic against a fake; here the ctypes
signatures, the window enumeration and Tk's answer to WM_CLOSE meet for real. The child
prints ``asked`` from its own WM_DELETE_WINDOW handler, so an exit afterwards proves it
was asked and closed itself; only the test's teardown ever ends a child.
"""

from __future__ import annotations

import contextlib
import queue
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import psutil
import pytest

from helper.apps.close import _windows, close_apps
from helper.apps.close._types import Ask, Asked, Target
from helper.apps.model import CloseResult, CloseStatus, DetectedApp, ProcessRef
from tests.platform_marks import windows_only

pytestmark = windows_only

TK_WINDOW = Path(__file__).parents[1] / "close_fixtures" / "tk_window.py"
#: Generous bounds for starting, answering and ending; only reached when something is broken.
_BOUND_S = 30.0


class Child:
    """One ``tk_window.py`` and its stdout lines, read on a thread (a pipe cannot be
    waited for with a timeout on Windows)."""

    def __init__(self, mode: str) -> None:
        self.proc = subprocess.Popen(
            [sys.executable, str(TK_WINDOW), mode],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            text=True,
        )
        self._lines: queue.Queue[str] = queue.Queue()
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        assert self.proc.stdout is not None
        for line in self.proc.stdout:
            self._lines.put(line.strip())

    def line(self) -> str:
        """The next line it printed, waiting a bounded time."""
        try:
            return self._lines.get(timeout=_BOUND_S)
        except queue.Empty:
            raise AssertionError(f"tk_window {self.proc.pid} said nothing in time") from None

    def pids(self) -> frozenset[int]:
        """Itself and its descendants: a virtualenv's python.exe runs the real one as a child."""
        try:
            children = psutil.Process(self.proc.pid).children(recursive=True)
        except psutil.Error:
            children = []  # it has ended
        return frozenset({self.proc.pid, *(child.pid for child in children)})

    def windows(self) -> list[int]:
        """Its visible top-level windows without an owner: what the backend asks."""
        user32, pids = _windows._system_user32(), self.pids()
        return [
            hwnd
            for hwnd in user32.top_level_windows()
            if user32.window_pid(hwnd) in pids
            and user32.is_visible(hwnd)
            and user32.owner(hwnd) == 0
        ]

    def wait_for_window(self) -> None:
        assert self.line() == "ready"
        deadline = time.monotonic() + _BOUND_S
        while not self.windows():
            assert time.monotonic() < deadline, f"tk_window {self.proc.pid} shows no window"
            time.sleep(0.05)

    def app(self) -> DetectedApp:
        """What a scan would report for it."""
        refs = tuple(ProcessRef(p, psutil.Process(p).create_time()) for p in sorted(self.pids()))
        return DetectedApp("tk_window", "Tk Window", "notes", refs, self.proc.pid)

    def target(self) -> Target:
        return Target(self.app(), self.pids())

    def end(self) -> None:
        """Test teardown only: end what is left of this child, the real python.exe first."""
        if self.proc.poll() is None:
            with contextlib.suppress(psutil.Error):
                for child in psutil.Process(self.proc.pid).children(recursive=True):
                    child.kill()
            self.proc.kill()
        self.proc.wait(timeout=_BOUND_S)
        self._reader.join(timeout=_BOUND_S)  # at end of file once every writer has ended
        if self.proc.stdout is not None:
            self.proc.stdout.close()


@pytest.fixture
def start() -> Iterator[Callable[[str], Child]]:
    """``start("close" | "refuse")``: a child whose window is on screen."""
    started: list[Child] = []

    def run(mode: str) -> Child:
        started.append(Child(mode))
        started[-1].wait_for_window()
        return started[-1]

    yield run
    for child in started:
        child.end()


def test_wm_close_reaches_the_close_handler_and_the_program_ends_itself(
    start: Callable[[str], Child],
) -> None:
    child = start("close")

    assert _windows.request_close([child.target()]) == [Asked(Ask.ASKED)]

    assert child.line() == "asked"  # its WM_DELETE_WINDOW handler ran
    assert child.proc.wait(timeout=_BOUND_S) == 0


def test_a_program_that_refuses_is_asked_and_stays(start: Callable[[str], Child]) -> None:
    child = start("refuse")

    assert _windows.request_close([child.target()]) == [Asked(Ask.ASKED)]

    assert child.line() == "asked"
    assert child.proc.poll() is None and child.windows(), "it said no and is still open"


def test_close_apps_on_windows_waits_until_the_program_closed(
    start: Callable[[str], Child],
) -> None:
    """The whole path: start times and the logon session checked, asked, waited for."""
    child = start("close")

    assert close_apps([child.app()], _BOUND_S) == [CloseResult("tk_window", CloseStatus.CLOSED)]

    assert child.line() == "asked"
    assert child.proc.wait(timeout=_BOUND_S) == 0
