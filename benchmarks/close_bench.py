"""How long asking applications to close takes on X11, and how long until they are gone.

Starts its own Xvfb, a number of windows belonging to other programs (which every
request has to look through), and N Tk programs that close when asked. Prints the
medians of: the asking alone (finding the windows and sending the requests, no waiting)
for N programs, and ``close_apps`` from the start to "all closed" (which includes the
programs' own time to end and the 0.1 s polling of the wait). The asking is what
the customer waits for before anything happens; target: under 50 ms with 10 programs
among 50 other windows.

    .venv/bin/python benchmarks/close_bench.py [--apps 10] [--others 50] [--rounds 5]

Every program started here is a child of this script and is ended at the end.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from helper.apps.close import _linux, close_apps  # noqa: E402
from helper.apps.close._types import Target  # noqa: E402
from tests.apps.close_fixtures import Program, Programs  # noqa: E402


@contextmanager
def own_display() -> Iterator[str]:
    read_end, write_end = os.pipe()
    xvfb = subprocess.Popen(
        ["Xvfb", "-displayfd", str(write_end), "-nolisten", "tcp", "-screen", "0", "1024x768x24"],
        pass_fds=(write_end,),
        stderr=subprocess.DEVNULL,
    )
    os.close(write_end)
    try:
        with os.fdopen(read_end, "rb") as numbers:
            yield ":" + numbers.readline().decode().strip()
    finally:
        xvfb.kill()  # the benchmark's own Xvfb
        xvfb.wait()


def one_round(programs: Programs, apps: int) -> tuple[float, float]:
    """(seconds to ask ``apps`` programs, seconds for close_apps until all closed)."""
    first: list[Program] = [programs.start("close") for _ in range(apps)]
    targets = [Target(a, frozenset(a.pids)) for a in (p.app(f"a{i}") for i, p in enumerate(first))]
    began = time.perf_counter()
    answers = _linux.request_close(targets)
    asking = time.perf_counter() - began
    assert all(a.outcome.value == "asked" for a in answers), answers
    for program in first:
        program.proc.wait(timeout=60)

    second = [programs.start("close").app(f"b{i}") for i in range(apps)]
    began = time.perf_counter()
    results = close_apps(second, 60)
    total = time.perf_counter() - began
    assert all(r.status.value == "closed" for r in results), results
    return asking, total


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--apps", type=int, default=10)
    parser.add_argument("--others", type=int, default=50)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    with own_display() as name:
        os.environ["DISPLAY"] = name
        folder = Path(os.environ.get("TMPDIR", "/tmp"))
        programs = Programs(folder)
        try:
            for _ in range(args.others):
                programs.start("refuse")
            figures = [one_round(programs, args.apps) for _ in range(args.rounds)]
        finally:
            programs.cleanup()
    asking = statistics.median(a for a, _ in figures) * 1000
    total = statistics.median(t for _, t in figures) * 1000
    print(f"{args.apps} programs among {args.others} other windows, {args.rounds} rounds")
    print(f"asking (find windows + send requests): median {asking:.1f} ms")
    print(f"close_apps until all closed:           median {total:.1f} ms")


if __name__ == "__main__":
    main()
