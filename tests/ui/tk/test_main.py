"""Opening the window as the helper does (``helper/ui/tk/main.py``): an invalid
configuration, and a whole run that also sends what an earlier run left."""

from __future__ import annotations

import contextlib
import json

import pytest

from tests.apps.conftest import wait_for
from tests.conftest import Home
from tests.intake.server import IntakeServer
from tests.ui.conftest import find


def test_invalid_configuration_opens_a_dialog(home: Home, monkeypatch: pytest.MonkeyPatch) -> None:
    from helper import config
    from helper.ui.tk import app, main

    shown: list[tuple[str, str]] = []
    monkeypatch.setattr(
        app.messagebox, "showerror", lambda title, text, **k: shown.append((title, text))
    )
    home.write_machine('[ui]\nlanguage = "de"\n[intake]\ntimeout_s = "zehn"\n')
    cfg = config.load()
    assert main.open_window(cfg) == 2
    ((_title, text),) = shown
    assert "Die Konfiguration des intellekta-helper ist nicht gültig:" in text
    assert "intake.timeout_s muss eine Zahl sein, nicht Text." in text


def test_the_window_as_started_runs_to_the_end_and_sends_what_was_left(
    home: Home, intake_server: IntakeServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``open_window`` as ``intellekta-helper --session-id ...`` runs it, a click at a time,
    while an earlier run's confirmation waits in the outbox."""
    import tkinter as tk

    from helper import config
    from helper.intake import Outbox
    from helper.ui.tk import boot, main
    from tests.intake.records import sample_record

    cfg = config.load(cli=[*intake_server.settings(), ("intake.send_window_s", "2")])
    left = sample_record("de", "987654321")
    Outbox(cfg.data_dir).add(left.payload, left.submission_id, left.session_id)
    root = tk.Tk()
    monkeypatch.setattr(boot, "window", lambda: root)  # this test's root instead of a new one
    plan = [
        "Next",
        "Next",
        "I have read the notice and I agree.",
        "I own this computer.",
        "Confirm and send",
        "Finish",
    ]

    def click_next() -> None:
        with contextlib.suppress(LookupError, tk.TclError):
            widget = find(root, plan[0])
            if widget.instate(["!disabled"]):  # type: ignore[attr-defined]
                widget.invoke()  # type: ignore[attr-defined]
                plan.pop(0)
        if plan:
            root.after(50, click_next)

    root.after(50, click_next)
    root.after(30_000, root.destroy)  # a bounded wait: the plan below reports how far it got
    assert main.open_window(cfg, session_id="123 456 789") == 0, plan
    assert plan == []
    wait_for(lambda: len(intake_server.stored) == 2, timeout=30)
    sent = [json.loads(body) for body in intake_server.stored.values()]
    assert sorted(r["session_id"] for r in sent) == ["123456789", "987654321"]
