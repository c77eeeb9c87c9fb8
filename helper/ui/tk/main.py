"""Opening the window: DPI awareness, an invalid configuration, pending records.

The window runs on :class:`~helper.flow.services.LocalServices`, whose heavy imports
(psutil, the network stack) happen in worker threads on first use: the window appears
first, and the imports happen beside it.
"""

from __future__ import annotations

import contextlib
import logging
import sys
import tkinter as tk

from helper.config import Config
from helper.exitcodes import ExitCode
from helper.flow import Wizard, jobs
from helper.flow.services import LocalServices
from helper.i18n import t, texts
from helper.program import invoked_as
from helper.ui.tk import boot
from helper.ui.tk.app import HelperWindow, show_config_error

log = logging.getLogger(__name__)
#: Earlier runs' records are sent once the first step is drawn, not before.
STARTED_MS = 10


def preload(config: Config) -> None:
    """Read the first step's texts on a worker thread while Tk starts (see ``boot.py``)."""
    for concern in ("gui", "flow"):
        texts(config.language, concern)


def open_window(config: Config, session_id: str = "") -> int:
    """Run the window until the customer finishes or closes it."""
    if not config.valid:
        if sys.stderr is not None:
            print(config.explained(), file=sys.stderr)
        with contextlib.suppress(tk.TclError):  # no display: the terminal has it already
            show_config_error(config)
        return ExitCode.CONFIG
    try:
        root = boot.window()
        log.info("Tk %s started by %s", root.getvar("tk_patchLevel"), boot.how)
    except tk.TclError as exc:  # no display, e.g. a server console
        log.error("Cannot open the window: %s", exc)
        if sys.stderr is not None:
            print(t("gui.no_display", config.language, command=invoked_as()), file=sys.stderr)
        return ExitCode.CONFIG
    services = LocalServices(config)
    wizard = Wizard(config, services)
    if session_id:
        wizard.set_session_id(session_id)
    HelperWindow(root, wizard, services)
    root.after(STARTED_MS, services.send_pending_in_background)
    root.mainloop()
    return jobs.exit_code(wizard.result)
