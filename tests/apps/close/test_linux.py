"""Closing real Tk programs through X11 on the session's Xvfb (pytest-xvfb starts it).

Every program is a separate process with a real window; whether it was asked is read
back from the program itself, and nothing is ended except in teardown.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import psutil
import pytest

from helper.apps.close import close_apps
from helper.apps.model import CloseResult, CloseStatus, DetectedApp, ProcessRef
from tests.apps.close_fixtures import TK_APP, Program, Programs

MINI_WM = TK_APP.with_name("mini_wm.py")

pytestmark = [
    pytest.mark.gui,
    pytest.mark.skipif(not sys.platform.startswith("linux"), reason="X11 backend"),
]

CLOSED, STILL, MANUAL = CloseStatus.CLOSED, CloseStatus.STILL_RUNNING, CloseStatus.MANUAL


@pytest.fixture(autouse=True)
def x11_session(monkeypatch: pytest.MonkeyPatch) -> None:
    assert os.environ.get("DISPLAY"), "pytest-xvfb should have started a display"
    monkeypatch.delenv("WAYLAND_DISPLAY", raising=False)
    monkeypatch.delenv("XDG_SESSION_TYPE", raising=False)


@pytest.fixture
def programs(tmp_path: Path) -> Iterator[Programs]:
    started = Programs(tmp_path / "bin")
    try:
        yield started
    finally:
        started.cleanup()


def test_a_program_that_closes_when_asked_is_closed(programs: Programs) -> None:
    program = programs.start("close")
    events: list[tuple[str, CloseStatus | None]] = []

    results = close_apps([program.app()], 60, progress=lambda *event: events.append(event))

    assert results == [CloseResult("thunderbird", CLOSED)]
    assert program.proc.wait(timeout=60) == 0  # ended through its own close handler
    assert events == [("thunderbird", None), ("thunderbird", CLOSED)]


def test_a_program_asking_to_save_is_still_running_and_alive(programs: Programs) -> None:
    program = programs.start("refuse")

    results = close_apps([program.app()], 0.5)

    assert results == [CloseResult("thunderbird", STILL)]
    assert program.alive()
    assert program.asked() == 1  # it got the request and answered with "Save changes?"


def test_only_the_programs_windows_are_asked_and_its_children_get_no_signal(
    programs: Programs, tmp_path: Path
) -> None:
    signals = tmp_path / "signals.log"
    bystander = programs.start("refuse")  # another program with a window, not chosen
    program = programs.start("close", children=2, signal_log=signals)
    assert len(program.pids) == 3

    results = close_apps([program.app()], 60)

    assert results == [CloseResult("thunderbird", CLOSED)]  # its workers ended with it
    assert program.proc.wait(timeout=60) == 0
    assert not signals.exists(), signals.read_text()
    assert bystander.alive()
    assert bystander.asked() == 0


def test_a_program_without_a_window_is_manual_and_keeps_running(programs: Programs) -> None:
    program = programs.start("nowindow")

    assert close_apps([program.app()], 60) == [CloseResult("thunderbird", MANUAL, "no_window")]
    assert program.alive()


def test_on_wayland_a_program_without_an_x11_window_is_manual(
    programs: Programs, monkeypatch: pytest.MonkeyPatch
) -> None:
    program = programs.start("nowindow")
    monkeypatch.setenv("XDG_SESSION_TYPE", "wayland")

    assert close_apps([program.app()], 60) == [CloseResult("thunderbird", MANUAL, "wayland")]


@pytest.mark.parametrize("display", [None, ":4242"])
def test_without_a_reachable_display_nothing_is_asked(
    programs: Programs,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    display: str | None,
) -> None:
    program = programs.start("refuse")
    if display is None:
        monkeypatch.delenv("DISPLAY")
    else:
        monkeypatch.setenv("DISPLAY", display)

    assert close_apps([program.app()], 60) == [CloseResult("thunderbird", MANUAL, "no_display")]
    assert program.asked() == 0
    assert capsys.readouterr().out == ""  # python-xlib's warnings never reach stdout


def test_a_program_kept_open_is_not_asked(programs: Programs) -> None:
    program = programs.start("refuse")

    results = close_apps([program.app(keep_open=True)], 60)

    assert results == [CloseResult("thunderbird", CloseStatus.KEPT_OPEN)]
    assert program.asked() == 0


def test_a_reused_pid_is_never_touched(programs: Programs) -> None:
    program = programs.start("refuse")
    started = psutil.Process(program.pid).create_time()
    stale = DetectedApp(
        "thunderbird", "Thunderbird", "mail", (ProcessRef(program.pid, started - 60),), program.pid
    )

    assert close_apps([stale], 60) == [CloseResult("thunderbird", CloseStatus.NOT_RUNNING)]
    assert program.asked() == 0


def test_a_program_that_already_ended_is_not_running(programs: Programs) -> None:
    program = programs.start("close")
    app = program.app()
    assert close_apps([app], 60)[0].status is CLOSED

    assert close_apps([app], 60) == [CloseResult("thunderbird", CloseStatus.NOT_RUNNING)]


def test_another_users_program_is_denied(tmp_path: Path) -> None:
    if os.getuid() != 0:
        other = psutil.Process(1)  # init belongs to root
        app = DetectedApp("x", "X", "mail", (ProcessRef(1, other.create_time()),), 1)
        assert close_apps([app], 60) == [CloseResult("x", CloseStatus.DENIED, "other_user")]
        return
    sleeper = subprocess.Popen(["sleep", "300"], user="nobody")
    try:
        ref = ProcessRef(sleeper.pid, psutil.Process(sleeper.pid).create_time())
        app = DetectedApp("x", "X", "mail", (ref,), sleeper.pid)
        assert close_apps([app], 60) == [CloseResult("x", CloseStatus.DENIED, "other_user")]
        assert sleeper.poll() is None
    finally:
        sleeper.kill()  # teardown of the test's own child
        sleeper.wait()


def test_every_program_is_asked_before_any_is_waited_for(programs: Programs) -> None:
    refusing, first, second = (programs.start(m) for m in ("refuse", "close", "close"))
    apps = [refusing.app("refusing"), first.app("first"), second.app("second")]
    cancel = threading.Event()
    events: list[tuple[str, CloseStatus | None]] = []

    def progress(app_id: str, status: CloseStatus | None) -> None:
        events.append((app_id, status))
        if sum(1 for _, s in events if s is CLOSED) == 2:
            cancel.set()  # the customer stops waiting for the one asking to save

    results = close_apps(apps, 600, progress=progress, cancel=cancel)

    assert [r.status for r in results] == [STILL, CLOSED, CLOSED]
    assert events[:3] == [("refusing", None), ("first", None), ("second", None)]
    assert events[-1] == ("refusing", STILL)
    assert refusing.alive()
    assert refusing.asked() == 1


@pytest.fixture
def window_manager(monkeypatch: pytest.MonkeyPatch) -> Iterator[Program]:
    """A display of its own, run by the EWMH test window manager (mini_wm.py)."""
    if shutil.which("Xvfb") is None:
        pytest.skip("Xvfb is not installed")
    read_end, write_end = os.pipe()
    xvfb = subprocess.Popen(
        ["Xvfb", "-displayfd", str(write_end), "-nolisten", "tcp", "-screen", "0", "800x600x24"],
        pass_fds=(write_end,),
        stderr=subprocess.DEVNULL,
    )
    os.close(write_end)
    wm: subprocess.Popen[bytes] | None = None
    try:
        with os.fdopen(read_end, "rb") as numbers:
            monkeypatch.setenv("DISPLAY", ":" + numbers.readline().decode().strip())
        wm = subprocess.Popen([sys.executable, str(MINI_WM)], stdout=subprocess.PIPE)
        yield Program(wm)
    finally:
        for proc in (wm, xvfb):  # teardown of the test's own children
            if proc is not None:
                proc.kill()
                proc.wait(timeout=30)
                if proc.stdout is not None:
                    proc.stdout.close()


def test_with_a_window_manager_the_request_goes_through_it(
    window_manager: Program, programs: Programs
) -> None:
    closing, refusing = programs.start("close"), programs.start("refuse")

    cancel = threading.Event()

    def progress(app_id: str, status: CloseStatus | None) -> None:
        if status is CLOSED:
            cancel.set()  # stop waiting for the one that asks to save

    apps = [closing.app("closing"), refusing.app("refusing")]
    results = close_apps(apps, 600, progress=progress, cancel=cancel)

    assert [r.status for r in results] == [CLOSED, STILL]
    assert closing.proc.wait(timeout=60) == 0
    handled = {window_manager.line(), window_manager.line()}
    assert all(line.startswith("close ") for line in handled)  # _NET_CLOSE_WINDOW, twice
    assert refusing.asked() == 1
