"""Slow work beside the Tk loop (``helper/ui/tk/worker.py``), in a real Tk."""

from __future__ import annotations

import threading
import tkinter as tk

import pytest

from helper.flow.jobs import JobSequence
from helper.ui.tk.worker import Worker
from tests.ui.conftest import pump_until


def test_a_sequence_runs_its_slow_calls_in_threads_and_its_own_code_on_the_tk_thread(
    root: tk.Tk,
) -> None:
    seen: list[tuple[str, object]] = []
    done: list[bool] = []

    def sequence() -> JobSequence:
        seen.append(("sequence", threading.current_thread().name))
        first = yield lambda: threading.current_thread().name
        seen.append(("first call", first))
        second = yield lambda: 42
        seen.append(("second call", second))

    Worker(root).drive("job", sequence(), lambda: done.append(True), pytest.fail)
    pump_until(root, lambda: bool(done))
    assert seen == [
        ("sequence", "MainThread"),
        ("first call", "job"),
        ("second call", 42),
    ]


def test_an_error_in_a_slow_call_ends_the_sequence(root: tk.Tk) -> None:
    errors: list[BaseException] = []
    after: list[str] = []

    def sequence() -> JobSequence:
        yield lambda: 1 / 0
        after.append("never")

    Worker(root).drive("job", sequence(), lambda: after.append("done"), errors.append)
    pump_until(root, lambda: bool(errors))
    assert isinstance(errors[0], ZeroDivisionError) and after == []
