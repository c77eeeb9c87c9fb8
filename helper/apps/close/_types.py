"""What the orchestration hands a platform backend, and what a backend answers.

Every backend offers one function, ``request_close(targets) -> list[Asked]`` (one answer
per target, in order): it asks each target to close and returns; waiting for the
processes to end is not its business. OS errors are translated into answers there.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum

from helper.apps.model import DetectedApp


class Ask(Enum):
    """How asking one application went."""

    ASKED = "asked"  # at least one window (or the app itself) got the request
    MANUAL = "manual"  # nothing could be asked: the customer closes it
    DENIED = "denied"  # the operating system refused


@dataclass(frozen=True)
class Target:
    """An application to ask, with the pids verified as alive and the current user's."""

    app: DetectedApp
    pids: frozenset[int]


@dataclass(frozen=True)
class Asked:
    outcome: Ask
    #: A stable reason code for MANUAL and DENIED (see ``CloseResult.detail``).
    detail: str = ""
