"""Size of the one-file program and its time from start to the first step drawn.

The one-file program unpacks itself into a temporary folder on every start, so its size
is start-up time too. Runs the program under Xvfb (a virtual display started here
unless DISPLAY is set) with a clean environment and a fresh home, several times, and
prints the median. Targets: at most 20 MB and at most 2 s.

    .venv/bin/python benchmarks/binary_bench.py [--binary PATH] [--runs 7]

Without --binary it builds dist/intellekta-helper-portable first (build_scripts/build.py).
"""

from __future__ import annotations

import argparse
import contextlib
import os
import shutil
import statistics
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

from pyvirtualdisplay.display import Display
from Xlib import display

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from benchmarks.gui_startup_bench import measure  # the same "first step drawn" probe
from build_scripts import build

TITLE = "Vorbereitung der Fernwartung"
TARGET_MB, TARGET_S = 20, 2.0


@contextlib.contextmanager
def virtual_display() -> Iterator[str]:
    if os.environ.get("DISPLAY"):
        yield os.environ["DISPLAY"]
        return
    with Display(size=(1366, 768), color_depth=24) as virtual:
        yield f":{virtual.display}"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--binary", type=Path)
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()
    binary = args.binary or build.build(["onefile"])["onefile"]
    size_mb = binary.stat().st_size / 1024 / 1024
    home = Path(tempfile.mkdtemp())
    try:
        with virtual_display() as name:
            env = {
                "DISPLAY": name,
                "HOME": str(home),
                "XDG_CONFIG_HOME": str(home / "c"),
                "XDG_CONFIG_DIRS": str(home / "etc"),
                "XDG_DATA_HOME": str(home / "d"),
                "XDG_STATE_HOME": str(home / "s"),
                "PATH": "/usr/bin:/bin",
                "LANG": "de_DE.UTF-8",
            }
            x = display.Display(name)
            measure([str(binary)], TITLE, env, x)  # warm the file cache once
            times = [measure([str(binary)], TITLE, env, x) for _ in range(args.runs)]
            x.close()
    finally:
        shutil.rmtree(home, ignore_errors=True)
    median = statistics.median(times)
    print(f"one-file program: {binary}")
    print(f"size: {size_mb:.1f} MB (target <= {TARGET_MB} MB)")
    print(
        f"first step drawn: median {median:.2f} s over {args.runs} runs, "
        f"min {min(times):.2f} s, max {max(times):.2f} s (target <= {TARGET_S} s)"
    )


if __name__ == "__main__":
    main()
