"""Time from process start to the first step drawn, next to a bare ``tkinter.Tk()`` window.

Runs both under one Xvfb (started here unless DISPLAY is set), several times each, and
prints the medians and their ratio. Target: the helper at most 1.5 times the bare window.
A window counts as drawn when it is mapped (viewable) on the X server: Tk maps a window
after its first layout pass, i.e. when the first step is on screen.

The helper's bytecode is compiled first, as pip and PyInstaller do when installing: a
checkout run with PYTHONDONTWRITEBYTECODE would otherwise compile every module on every
start, which no customer's computer does.

    .venv/bin/python benchmarks/gui_startup_bench.py [--runs 7]
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from Xlib import X, display

BARE = "import tkinter as tk; r = tk.Tk(); r.title('bare-window'); r.mainloop()"


def wait_for_window(d: display.Display, title: str, timeout: float = 20.0) -> bool:
    deadline = time.perf_counter() + timeout
    root = d.screen().root
    while time.perf_counter() < deadline:
        for window in root.query_tree().children:
            try:
                name = window.get_wm_name() or ""
                if title in str(name) and window.get_attributes().map_state == X.IsViewable:
                    return True
            except Exception:  # the window vanished between listing and asking
                continue
        time.sleep(0.002)
    return False


def measure(command: list[str], title: str, env: dict[str, str], d: display.Display) -> float:
    start = time.perf_counter()
    process = subprocess.Popen(
        command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    try:
        if not wait_for_window(d, title):
            raise SystemExit(f"no window titled {title!r} appeared")
        return time.perf_counter() - start
    finally:
        process.terminate()  # the benchmark's own child, not a customer's application
        process.wait()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=7)
    runs = parser.parse_args().runs
    xvfb = None
    env = dict(os.environ)
    if "DISPLAY" not in env:
        xvfb = subprocess.Popen(
            [shutil.which("Xvfb") or "Xvfb", ":97", "-screen", "0", "1366x768x24"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        env["DISPLAY"] = ":97"
        time.sleep(1.0)
    home = Path(tempfile.mkdtemp())
    env.update(
        {
            "HOME": str(home),
            "XDG_CONFIG_HOME": str(home / "c"),
            "XDG_DATA_HOME": str(home / "d"),
            "XDG_STATE_HOME": str(home / "s"),
            "XDG_CONFIG_DIRS": str(home / "etc"),
            "LANG": "de_DE.UTF-8",
        }
    )
    package = Path(__file__).resolve().parents[1] / "helper"
    subprocess.run([sys.executable, "-m", "compileall", "-q", str(package)], check=True)
    d = display.Display(env["DISPLAY"])
    try:
        helper = [sys.executable, "-m", "helper", "gui"]
        bare = [sys.executable, "-c", BARE]
        measure(helper, "Fernwartung", env, d)  # warm the file cache once
        measure(bare, "bare-window", env, d)
        helper_times, bare_times = [], []
        for _ in range(runs):
            bare_times.append(measure(bare, "bare-window", env, d))
            helper_times.append(measure(helper, "Fernwartung", env, d))
        h, b = statistics.median(helper_times), statistics.median(bare_times)
        print(f"bare tkinter.Tk() window: median {b * 1000:.0f} ms over {runs} runs")
        print(f"intellekta-helper first step: median {h * 1000:.0f} ms over {runs} runs")
        print(f"ratio: {h / b:.2f} (target <= 1.5)")
    finally:
        shutil.rmtree(home, ignore_errors=True)
        if xvfb is not None:
            xvfb.terminate()
            xvfb.wait()


if __name__ == "__main__":
    main()
