"""Opening the window: DPI awareness, an invalid configuration, pending records."""

from __future__ import annotations

import logging
import sys
import threading
import tkinter as tk
from collections.abc import Sequence
from typing import Any

from helper.apps.model import CloseResult, DetectedApp, ScanResult
from helper.config import Config
from helper.exitcodes import ExitCode
from helper.flow import Wizard
from helper.flow.wizard import Progress
from helper.i18n import t, texts
from helper.ui.tk import boot
from helper.ui.tk.app import HelperWindow, show_config_error

log = logging.getLogger(__name__)


class DeferredServices:
    """The real services, imported on first use in a worker thread.

    Importing the network stack (requests, urllib3, truststore) costs more than drawing
    the first step, so the window appears first and the import happens beside it.
    """

    def __init__(self, config: Config) -> None:
        self.config = config
        self._real: Any = None
        self._lock = threading.Lock()

    def _services(self) -> Any:
        with self._lock:
            if self._real is None:
                from helper.flow.services import LocalServices

                self._real = LocalServices(self.config)
                self._real.send_pending_in_background()
            return self._real

    def scan(self) -> ScanResult:
        result: ScanResult = self._services().scan()
        return result

    def close(self, apps: Sequence[DetectedApp], progress: Progress | None) -> list[CloseResult]:
        results: list[CloseResult] = self._services().close(apps, progress)
        return results

    def notice(self, lang: str) -> Any:
        from helper.consent import load_notice

        return load_notice(self.config, lang)

    def submit(self, record: Any) -> Any:
        return self._services().submit(record)

    def is_saved(self, submission_id: str) -> bool:
        return bool(self._services().is_saved(submission_id))


def preload(config: Config) -> None:
    """Read the first step's texts on a worker thread while Tk starts (see ``boot.py``)."""
    for concern in ("gui", "flow"):
        texts(config.language, concern)


def open_window(config: Config, session_id: str = "") -> int:
    """Run the window until the customer finishes or closes it."""
    try:
        if not config.valid:
            if sys.stderr is not None:
                print(config.report(), file=sys.stderr)
            show_config_error(config.report(), config.language)
            return ExitCode.CONFIG
        root = boot.window()
        log.info("Tk %s started by %s", root.getvar("tk_patchLevel"), boot.how)
    except tk.TclError as exc:  # no display, e.g. a server console
        log.error("Cannot open the window: %s", exc)
        if sys.stderr is not None:
            print(t("gui.no_display", config.language), file=sys.stderr)
        return ExitCode.CONFIG
    services = DeferredServices(config)
    wizard = Wizard(config, services)
    window = HelperWindow(root, wizard, services)
    if session_id:
        window.session_var.set(session_id)
    root.mainloop()
    result = wizard.result
    if result is None:
        return ExitCode.DECLINED
    return {"delivered": ExitCode.OK, "pending": ExitCode.PENDING}.get(
        result.state.value, ExitCode.REJECTED
    )
