"""Running slow work beside the Tk main loop without ever touching a widget from it.

Worker threads only put plain messages on a queue; :meth:`Worker.pump`, scheduled with
``after()`` on the Tk thread, drains a capped number per tick and calls the callbacks
there. ``event_generate`` across threads is not reliable in Tk, a queue is. Callbacks
stay on the Tk side (looked up by job name), so a thread never holds the last reference
to a widget: Tk objects must not be freed outside the Tk thread. :meth:`Worker.drive` runs
a sequence of the flow (``helper.flow.jobs``) the same way, one slow call at a time.
"""

from __future__ import annotations

import logging
import queue
import threading
import tkinter as tk
from collections.abc import Callable
from functools import partial
from typing import TYPE_CHECKING, Any, NamedTuple

if TYPE_CHECKING:
    from helper.flow.jobs import JobSequence

log = logging.getLogger(__name__)

TICK_MS = 40
MAX_ITEMS_PER_TICK = 20
#: A job gets a ``report(*args)`` function for progress and returns its result.
Job = Callable[[Callable[..., None]], Any]
OnDone = Callable[[Any], None]
OnError = Callable[[BaseException], None]
OnProgress = Callable[..., None]


class _Callbacks(NamedTuple):
    on_done: OnDone
    on_error: OnError
    on_progress: OnProgress | None


class Worker:
    """Starts background jobs and delivers their progress and outcome on the Tk thread."""

    def __init__(self, root: tk.Misc) -> None:
        self.root = root
        self.queue: queue.SimpleQueue[tuple[str, str, Any]] = queue.SimpleQueue()
        self.jobs: dict[str, _Callbacks] = {}
        self._after = self.root.after(TICK_MS, self.pump)

    def stop(self) -> None:
        """Stop pumping (the window is going away); running threads finish unheard."""
        self.root.after_cancel(self._after)
        self.jobs.clear()

    def start(
        self,
        name: str,
        job: Job,
        on_done: OnDone,
        on_error: OnError,
        on_progress: OnProgress | None = None,
    ) -> bool:
        """Run ``job`` in a thread unless a job of that name is running; False if so.

        ``job`` must not hold widgets: it runs and is dropped in the worker thread.
        """
        if name in self.jobs:
            return False
        self.jobs[name] = _Callbacks(on_done, on_error, on_progress)
        messages = self.queue

        def report(*args: Any) -> None:
            messages.put((name, "progress", args))

        def run() -> None:
            try:
                messages.put((name, "done", job(report)))
            except Exception as exc:
                log.exception("Background job %s failed", name)
                messages.put((name, "error", exc))

        threading.Thread(target=run, name=name, daemon=True).start()
        return True

    def drive(
        self,
        name: str,
        sequence: JobSequence,
        on_done: Callable[[], None],
        on_error: OnError,
        result: Any = None,
    ) -> None:
        """Run ``sequence``: each slow call it yields as job ``name``, its own code here on
        the Tk thread, then ``on_done``.

        An exception, in a slow call or in the sequence, goes to ``on_error`` and ends it;
        while another job of that name runs, it ends silently. The sequence stays on the Tk
        side: a thread gets only the slow call.
        """
        try:
            call = sequence.send(result)
        except StopIteration:
            on_done()
            return
        except Exception as exc:
            on_error(exc)
            return
        self.start(
            name,
            lambda _report: call(),
            partial(self.drive, name, sequence, on_done, on_error),
            on_error,
        )

    def pump(self) -> None:
        """Deliver up to MAX_ITEMS_PER_TICK messages, then reschedule (Tk thread only)."""
        try:
            for _ in range(MAX_ITEMS_PER_TICK):
                try:
                    name, kind, value = self.queue.get_nowait()
                except queue.Empty:
                    break
                callbacks = self.jobs.get(name)
                if callbacks is None:
                    continue
                if kind == "progress":
                    if callbacks.on_progress is not None:
                        callbacks.on_progress(*value)
                    continue
                del self.jobs[name]
                (callbacks.on_done if kind == "done" else callbacks.on_error)(value)
        finally:
            self._after = self.root.after(TICK_MS, self.pump)
