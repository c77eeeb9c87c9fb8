"""The values the apps package hands out: detected applications and closing outcomes.

Nothing here touches the operating system; psutil's exceptions never leave the package.
The values are NamedTuples, not dataclasses: the window imports this module before its
first step is drawn, and ``dataclasses`` would add about 10 ms to that.
"""

from __future__ import annotations

from enum import StrEnum
from typing import NamedTuple


class ProcessRef(NamedTuple):
    """One process of an application; ``create_time`` guards against reused pids."""

    pid: int
    create_time: float


class DetectedApp(NamedTuple):
    """One running application (not one process) matched by a catalogue rule."""

    id: str
    name: str
    category: str
    processes: tuple[ProcessRef, ...]  # sorted by pid
    main_pid: int
    keep_open: bool = False
    #: The main process's executable path. Used locally (e.g. to find a macOS bundle);
    #: never shown or sent.
    exe: str = ""

    @property
    def pids(self) -> list[int]:
        return [p.pid for p in self.processes]


class ScanResult(NamedTuple):
    applications: tuple[DetectedApp, ...]
    remote_support_running: bool


class CloseStatus(StrEnum):
    """How asking one application to close ended (the JSON ``status`` values)."""

    CLOSED = "closed"
    STILL_RUNNING = "still_running"
    MANUAL = "manual"
    DENIED = "denied"
    NOT_RUNNING = "not_running"
    KEPT_OPEN = "kept_open"


class CloseResult(NamedTuple):
    id: str
    status: CloseStatus
    #: Why, for ``manual`` and ``denied`` (e.g. ``no_window``, ``wayland``,
    #: ``not_authorised``, ``other_user``); empty otherwise. Stable codes for logs and text.
    detail: str = ""
