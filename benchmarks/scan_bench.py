"""How long ``helper.apps.scan()`` takes with many processes running, against its floor.

The floor is a bare ``psutil.process_iter`` over the same attributes in the same run:
the scan cannot be faster than reading them, so the ratio shows what matching, grouping
and the follow-up calls for matched processes add. Target: at most 1.5.

    .venv/bin/python benchmarks/scan_bench.py [--extra 1000] [--rounds 21]

Starts the extra processes (``sleep``) plus a few named like catalogue applications,
and kills and reaps every one of them at the end, also on Ctrl+C.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import psutil

from helper import config
from helper.apps import catalogue
from helper.apps.detect import iter_attrs, scan

SLEEP = shutil.which("sleep") or "/bin/sleep"
NAMED = ("thunderbird", "firefox", "slack", "signal-desktop", "telegram-desktop", "keepassxc")


def start(count: int, folder: Path) -> list[subprocess.Popen[bytes]]:
    procs = [subprocess.Popen([SLEEP, "600"]) for _ in range(count)]
    for name in NAMED:
        target = folder / name
        shutil.copy(SLEEP, target)
        procs.append(subprocess.Popen([str(target), "600"]))
    return procs


def stop(procs: list[subprocess.Popen[bytes]]) -> None:
    for proc in procs:
        proc.kill()
    for proc in procs:
        proc.wait()


def timed(function: Callable[[], object]) -> float:
    started = time.perf_counter()
    function()
    return time.perf_counter() - started


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--extra", type=int, default=1000, help="extra processes to start")
    parser.add_argument("--rounds", type=int, default=21, help="measurements of each")
    args = parser.parse_args()

    cfg = config.load(env={}, policy_reader=False)
    rules = catalogue.load(cfg)
    attrs = list(iter_attrs())
    with tempfile.TemporaryDirectory() as folder:
        procs = start(args.extra, Path(folder))
        try:
            time.sleep(1)  # let every child finish exec
            total = len(psutil.pids())
            found = scan(cfg, rules)
            scans, floors = [], []
            for _ in range(args.rounds):  # interleaved, so both see the same machine state
                floors.append(timed(lambda: list(psutil.process_iter(attrs=attrs))))
                scans.append(timed(lambda: scan(cfg, rules)))
        finally:
            stop(procs)

    scan_ms, floor_ms = statistics.median(scans) * 1000, statistics.median(floors) * 1000
    print(f"processes running:        {total} ({args.extra} extra sleep processes)")
    print(f"applications found:       {len(found.applications)}")
    print(f"attributes read:          {', '.join(attrs)}")
    print(f"median scan():            {scan_ms:8.1f} ms  (min {min(scans) * 1000:.1f})")
    print(f"median process_iter floor:{floor_ms:8.1f} ms  (min {min(floors) * 1000:.1f})")
    print(f"ratio scan / floor:       {scan_ms / floor_ms:8.2f}  (target <= 1.5)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
