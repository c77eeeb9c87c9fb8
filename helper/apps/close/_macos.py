"""macOS: sending an application the Apple Event ``quit``, as the Dock's "Quit" does.

The application is addressed by its bundle identifier (read from the ``.app`` around
its executable), or by the bundle's path if it has none. ``quit`` lets the program ask
"save changes?" and decide. macOS asks the customer once whether the helper may control
other applications; if that is refused (error -1743) the application is ``manual``.

``osascript`` runs once per application, all at the same time, through a
:data:`Runner`, so the logic is tested on every platform with a fake runner.
"""

from __future__ import annotations

import logging
import re
import subprocess
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from helper.apps.close._types import Ask, Asked, Target
from helper.apps.detect import bundle_identifier, outermost_bundle

log = logging.getLogger(__name__)

#: How long AppleScript waits for the application's reply to ``quit``. An application
#: that shows "save changes?" replies only after the customer answered; that is fine.
REPLY_TIMEOUT_S = 3
#: How long the helper waits for all ``osascript`` runs together before moving on.
RUN_TIMEOUT_S = 5.0


def _script(specifier: str) -> list[str]:
    """``osascript`` arguments; the target comes as an argument, never inside the script,
    and is asked only if it runs (``quit`` must not start an application first)."""
    lines = (
        "on run argv",
        f"set theApp to {specifier} (item 1 of argv)",
        "if theApp is running then",
        f"with timeout of {REPLY_TIMEOUT_S} seconds",
        "tell theApp to quit",
        "end timeout",
        "end if",
        "end run",
    )
    return ["osascript", *(part for line in lines for part in ("-e", line))]


BY_BUNDLE_ID = _script("application id")
BY_PATH = _script("application")

#: AppleScript error numbers that still mean "the application got the request".
_ASKED_ERRORS = {
    -1712,  # reply timed out: it is busy, most likely asking the customer something
    -128,  # "user canceled": the customer chose Cancel in its save dialog
    -600,  # not running any more
    -609,  # connection gone: it quit while we waited for the reply
}
_NOT_AUTHORISED = -1743  # the customer (or a profile) refused automation of this app
_DENIED_ERRORS = {-10004, -5000}  # privilege violation, access not allowed
_ERROR_NUMBER = re.compile(r"\((-?\d+)\)\s*$")


@dataclass(frozen=True)
class RunOutcome:
    """How one command ended; ``returncode`` None: still running when time was up."""

    returncode: int | None
    stderr: str = ""


#: Runs every command at once and waits up to ``timeout`` seconds for all of them.
Runner = Callable[[Sequence[Sequence[str]], float], list[RunOutcome]]


def request_close(targets: Sequence[Target], runner: Runner | None = None) -> list[Asked]:
    """Send ``quit`` to every target that is an application bundle."""
    commands: dict[int, list[str]] = {}
    for index, target in enumerate(targets):
        bundle = outermost_bundle(target.app.exe)
        if not bundle:
            continue  # a program without a bundle has no Apple Event to receive
        bundle_id = bundle_identifier(bundle)
        commands[index] = [*BY_BUNDLE_ID, bundle_id] if bundle_id else [*BY_PATH, bundle]
    outcomes = (runner or run_all)(list(commands.values()), RUN_TIMEOUT_S)
    by_index = dict(zip(commands, outcomes, strict=True))
    answers: list[Asked] = []
    for index, target in enumerate(targets):
        outcome = by_index.get(index)
        answer = Asked(Ask.MANUAL, "no_window") if outcome is None else _judge(outcome)
        log.info("%s: quit -> %s %s", target.app.id, answer.outcome.value, answer.detail)
        answers.append(answer)
    return answers


def _judge(outcome: RunOutcome) -> Asked:
    if outcome.returncode is None or outcome.returncode == 0:
        return Asked(Ask.ASKED)
    match = _ERROR_NUMBER.search(outcome.stderr.strip())
    number = int(match.group(1)) if match else None
    if number in _ASKED_ERRORS:
        return Asked(Ask.ASKED)
    if number == _NOT_AUTHORISED:
        return Asked(Ask.MANUAL, "not_authorised")
    if number in _DENIED_ERRORS:
        return Asked(Ask.DENIED, "access_denied")
    log.warning("osascript failed (%s): %s", outcome.returncode, outcome.stderr.strip()[:300])
    return Asked(Ask.MANUAL, "failed")


def run_all(commands: Sequence[Sequence[str]], timeout: float) -> list[RunOutcome]:
    """The real runner. A run still going when time is up is left to finish on its own
    (its AppleScript timeout ends it); it is only ever waited for, never stopped."""
    started: list[subprocess.Popen[str] | OSError] = []
    for command in commands:
        try:
            started.append(
                subprocess.Popen(
                    command,
                    stdin=subprocess.DEVNULL,
                    stdout=subprocess.DEVNULL,
                    stderr=subprocess.PIPE,
                    text=True,
                )
            )
        except OSError as exc:
            started.append(exc)
    deadline = time.monotonic() + timeout
    outcomes: list[RunOutcome] = []
    for run in started:
        if isinstance(run, OSError):
            outcomes.append(RunOutcome(1, str(run)))
            continue
        try:
            _, stderr = run.communicate(timeout=max(0.0, deadline - time.monotonic()))
            outcomes.append(RunOutcome(run.returncode, stderr or ""))
        except subprocess.TimeoutExpired:
            outcomes.append(RunOutcome(None))
    return outcomes
