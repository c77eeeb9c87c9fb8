"""Starting Tk beside the start-up work (``helper/ui/tk/boot.py``) and what the first step
may import. Real Tk (under Xvfb on Linux) and real subprocesses; nothing here measures
time (the start-up benchmark does)."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
from tkinter import ttk

import pytest

from helper import i18n
from helper.ui.tk import boot
from tests.conftest import REPO, Home, run_cli
from tests.platform_marks import LINUX, WINDOWS, needs_no_display

#: Modules the first step must not wait for: they load after it is drawn, in workers.
HEAVY = (
    "dataclasses",
    "psutil",
    "requests",
    "urllib3",
    "truststore",
    "ssl",
    "hashlib",
    "json",
    "Xlib",
    "filelock",
    "logging.handlers",
    "importlib.resources",
    "inspect",
    "uuid",
    "helper.apps.detect",
    "helper.apps.catalogue",
    "helper.apps.close",
    "helper.consent.record",
    "helper.consent.notice",
    "helper.intake",  # helper.flow.services imports them on use
)


@pytest.mark.skipif(not (LINUX or WINDOWS), reason="reads /proc/self/maps, or asks kernel32")
def test_the_linked_tk_library_is_found() -> None:
    library = boot.tk_library()
    assert library is not None
    name = os.path.basename(library)
    assert name.lower() in boot._WINDOWS_TK if WINDOWS else name.startswith("libtk")
    assert os.path.isfile(library)


def test_work_runs_on_a_thread_while_tk_loads_here() -> None:
    assert boot.load_alongside(lambda: threading.current_thread().name) == "start-up"
    root = boot.window()
    try:
        if sys.platform.startswith("linux"):
            assert "beside the start-up work" in boot.how
        assert root.winfo_class() == "Intellekta-helper"
        label = ttk.Label(root, text="Schritt 1")
        label.pack()
        root.update()
        assert label.winfo_ismapped()
    finally:
        root.destroy()


def test_window_without_an_early_start_makes_a_new_root() -> None:
    root = boot.window()
    try:
        assert boot.how == "tkinter.Tk()"
        assert root.winfo_class() == "Intellekta-helper"
    finally:
        root.destroy()


def test_an_error_in_the_work_reaches_the_caller() -> None:
    def work() -> None:
        raise SystemExit(2)  # what argparse does on bad usage

    with pytest.raises(SystemExit):
        boot.load_alongside(work)
    boot.window().destroy()  # the Tk that did start is not leaked


def test_bad_usage_of_the_window_exits_2_with_usage() -> None:
    result = run_cli("gui", "--no-such-option")
    assert result.returncode == 2
    assert "usage:" in result.stderr
    assert "Traceback" not in result.stderr


@needs_no_display
def test_no_display_is_explained(home: Home) -> None:
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY")}
    result = subprocess.run(
        [sys.executable, "-m", "helper", "gui", "--lang", "en"],
        capture_output=True,
        text=True,
        env=env,
        cwd=REPO,
        timeout=60,
        check=False,
    )
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert "The window cannot be opened here (no graphical display)." in result.stderr
    # Named as it was started: ``intellekta-helper`` is not on PATH after the Quick start.
    assert f"Use '{os.path.basename(sys.executable)} -m helper confirm'" in result.stderr


@needs_no_display
def test_no_display_and_an_invalid_configuration_give_only_the_configuration_message(
    home: Home,
) -> None:
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY")}
    result = subprocess.run(
        [sys.executable, "-m", "helper", "--lang", "en", "-c", "intake.timeout_s=zehn"],
        capture_output=True,
        text=True,
        env=env,
        cwd=REPO,
        timeout=60,
        check=False,
    )
    assert result.returncode == 2
    lines = result.stderr.splitlines()
    assert lines[0] == "The configuration of intellekta-helper is not valid:"
    assert lines[1] == "  command line: intake.timeout_s must be a number, not 'zehn'."
    assert lines[2] == i18n.t("config.fix.cli", "en")
    assert "confirm" not in result.stderr, "confirm would fail on the same configuration"


def test_the_first_step_needs_none_of_the_heavy_modules(home: Home) -> None:
    """What ``python -m helper`` imports before the window's first step is drawn."""
    script = (
        "import sys\n"
        "from helper import cli\n"
        "args, cfg = cli.prepare(['gui'])\n"
        "from helper.ui.tk import main\n"
        "main.preload(cfg)\n"
        "print(' '.join(sorted(sys.modules)))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", script],
        capture_output=True,
        text=True,
        cwd=REPO,
        timeout=60,
        check=True,
    )
    loaded = set(result.stdout.split())
    assert "helper.ui.tk.app" in loaded
    assert not loaded & set(HEAVY), sorted(loaded & set(HEAVY))
