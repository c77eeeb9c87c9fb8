"""Asking applications to close the way their close button would, and waiting for them.

Nothing here ends a process. An application is asked (WM_CLOSE on Windows, the Apple
Event ``quit`` on macOS, WM_DELETE_WINDOW on X11) and may answer as it likes: ask the
customer to save, refuse, or close. Whatever cannot be asked is reported as ``manual``
so the customer closes it; a GUI program is never sent a signal, because many (text
editors, for example) then exit without offering to save.

The platform backend is chosen here, once; each offers ``request_close(targets)``
(see ``_types.py``).
"""

from __future__ import annotations

import logging
import sys
import threading
import time
from collections.abc import Callable, Sequence

import psutil

from helper.apps.close import _processes
from helper.apps.close._types import Ask, Target
from helper.apps.model import CloseResult, CloseStatus, DetectedApp

if sys.platform == "win32":
    from helper.apps.close import _windows as _backend
elif sys.platform == "darwin":
    from helper.apps.close import _macos as _backend
else:  # Linux and the other X11 desktops
    from helper.apps.close import _linux as _backend

__all__ = ["Progress", "close_apps"]

log = logging.getLogger(__name__)

#: ``progress(app_id, None)`` once an application was asked and is being waited for;
#: ``progress(app_id, status)`` once its outcome is known.
Progress = Callable[[str, CloseStatus | None], None]

#: How often the processes are looked at while waiting: cheap, and quick enough to show.
_POLL_S = 0.1

_FROM_ASK = {Ask.MANUAL: CloseStatus.MANUAL, Ask.DENIED: CloseStatus.DENIED}


def close_apps(
    apps: Sequence[DetectedApp],
    timeout: float,
    progress: Progress | None = None,
    cancel: threading.Event | None = None,
) -> list[CloseResult]:
    """Ask every application at once, then wait up to ``timeout`` seconds for all.

    Returns one result per entry of ``apps``, in order. Keep-open applications are not
    asked. Only processes of the current user whose pid and start time still match the
    scan are considered. ``progress`` is called from the calling thread; setting
    ``cancel`` ends the wait early (asked applications are then ``still_running``).
    Blocks for at most about ``timeout`` seconds plus the time the asking takes (tens of
    milliseconds; on macOS up to a few seconds); meant to run on a worker thread of the
    window. Never raises for a process that vanished or may not be inspected.
    """
    report: Progress = progress or (lambda _id, _status: None)
    results: dict[int, CloseResult] = {}
    waiting: dict[int, tuple[psutil.Process, ...]] = {}
    targets: dict[int, Target] = {}

    def decide(index: int, status: CloseStatus, detail: str = "") -> None:
        app = apps[index]
        results[index] = CloseResult(app.id, status, detail)
        log.info("%s: %s%s", app.id, status.value, f" ({detail})" if detail else "")
        report(app.id, status)

    owned = _processes.current_user()
    for index, app in enumerate(apps):
        if app.keep_open:
            decide(index, CloseStatus.KEPT_OPEN)
            continue
        live = _processes.live(app, owned)
        if live.processes:
            waiting[index] = live.processes
            targets[index] = Target(app, frozenset(p.pid for p in live.processes))
        elif live.foreign:
            decide(index, CloseStatus.DENIED, "other_user")
        else:
            decide(index, CloseStatus.NOT_RUNNING)

    answers = _backend.request_close(list(targets.values())) if targets else []
    for (index, target), answer in zip(targets.items(), answers, strict=True):
        if answer.outcome is Ask.ASKED:
            report(target.app.id, None)
        else:
            del waiting[index]
            decide(index, _FROM_ASK[answer.outcome], answer.detail)

    _wait(waiting, timeout, cancel, lambda index: decide(index, CloseStatus.CLOSED))
    for index in waiting:
        decide(index, CloseStatus.STILL_RUNNING)
    return [results[index] for index in range(len(apps))]


def _wait(
    waiting: dict[int, tuple[psutil.Process, ...]],
    timeout: float,
    cancel: threading.Event | None,
    closed: Callable[[int], None],
) -> None:
    """Until every waited-for application has ended, the time is up, or ``cancel`` is set.

    Removes each ended application from ``waiting`` and calls ``closed`` for it.
    """
    deadline = time.monotonic() + max(0.0, timeout)
    pause = cancel or threading.Event()
    while waiting:
        for index in [i for i, procs in waiting.items() if not any(map(_processes.running, procs))]:
            del waiting[index]
            closed(index)
        left = deadline - time.monotonic()
        if not waiting or left <= 0 or pause.wait(min(_POLL_S, left)):
            return
