"""Sending the outbox with SIGKILLs: what both chaos tests (helper and server) do."""

from __future__ import annotations

import random
import subprocess
import time
from collections.abc import Callable

from tests.conftest import REPO


def send_with_kills(
    command: list[str],
    rng: random.Random,
    kills: int,
    top_up: Callable[[], None],
    pause: tuple[float, float] = (0.5, 1.5),
) -> tuple[int, float]:
    """Start ``command`` (an ``outbox send``) again and again and SIGKILL it at a random
    moment ``pause`` seconds in, until it was killed ``kills`` times or ran ``4 * kills``
    times; ``top_up`` adds records after each run. A run that finishes before its moment
    (the outbox ran dry) is not a kill, so the caller keeps the outbox stocked and asserts
    on the kills returned. Returns the kills and the seconds it took."""
    done, started = 0, time.monotonic()
    for _ in range(4 * kills):
        if done == kills:
            break
        sender = subprocess.Popen(
            command, cwd=REPO, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        time.sleep(rng.uniform(*pause))  # starting takes about 0.2 s
        if sender.poll() is None:
            sender.kill()  # SIGKILL: no clean-up of any kind
            done += 1
        sender.wait()
        top_up()
    return done, time.monotonic() - started


def send_until_done(
    command: list[str], attempts: int = 30
) -> tuple[int, subprocess.CompletedProcess[bytes]]:
    """Run ``command`` without kills until it exits 0 (at most ``attempts`` times).
    Returns the runs it took and the last run; the caller asserts on its exit code."""
    runs = 0
    while True:
        runs += 1
        finished = subprocess.run(command, cwd=REPO, capture_output=True, timeout=120, check=False)
        if finished.returncode == 0 or runs == attempts:
            return runs, finished
