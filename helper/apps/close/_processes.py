"""The processes an application still has: verified, owned by this user, alive or not.

A ``ProcessRef`` from a scan may be minutes old; its pid may by now belong to another
program. Every check therefore compares the start time, so a reused pid is never asked
to do anything. psutil's exceptions end here.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Callable
from dataclasses import dataclass

import psutil

from helper.apps.detect import posix_owner, windows_owner
from helper.apps.model import DetectedApp, ProcessRef

log = logging.getLogger(__name__)

#: Start times from psutil are exact for one process; this only absorbs float noise.
_SAME_START_S = 0.01

Owner = Callable[[psutil.Process], bool]


def current_user() -> Owner:
    """The scanner's notion of "ours": same real uid, on Windows the same logon session."""
    if sys.platform == "win32":
        from helper.apps import _winsession

        return windows_owner(_winsession.session_of)
    return posix_owner()


@dataclass(frozen=True)
class Live:
    """What is left of an application: its running processes of this user."""

    processes: tuple[psutil.Process, ...]
    foreign: int  # running processes that belong to someone else (never asked)


def _resolve(ref: ProcessRef) -> psutil.Process | None:
    """The running process behind ``ref``, or None if it ended or its pid was reused."""
    try:
        proc = psutil.Process(ref.pid)
        if abs(proc.create_time() - ref.create_time) > _SAME_START_S:
            log.info("pid %d now belongs to another process; not touching it", ref.pid)
            return None
        if proc.status() == psutil.STATUS_ZOMBIE:
            return None
    except (psutil.Error, OSError):
        return None
    return proc


def live(app: DetectedApp, owned: Owner) -> Live:
    mine: list[psutil.Process] = []
    foreign = 0
    for ref in app.processes:
        proc = _resolve(ref)
        if proc is None:
            continue
        try:
            is_mine = owned(proc)
        except (psutil.Error, OSError):
            is_mine = False  # may not even be inspected: certainly not ours to ask
        if is_mine:
            mine.append(proc)
        else:
            foreign += 1
    return Live(tuple(mine), foreign)


def running(proc: psutil.Process) -> bool:
    """Whether ``proc`` (the very process, not a reused pid) still runs; zombies have ended."""
    try:
        return proc.is_running() and proc.status() != psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return False
    except (psutil.Error, OSError):
        return True  # cannot tell: never report "closed" by mistake
