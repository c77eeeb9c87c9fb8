"""The real services behind the wizard: scanning, closing, the notice, outbox and intake.

Each method blocks; a window calls them from a worker thread. They are thread-safe in the
sense the window needs: one call at a time per method, none touching any UI.

Importing this module is cheap: psutil, the network stack and the outbox are imported
by the methods that need them, so the window draws its first step before any of them
loads (they then load in a worker thread, beside the customer's typing).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from helper.apps.model import CloseResult, DetectedApp, ScanResult
    from helper.config import Config
    from helper.consent.notice import Notice
    from helper.consent.record import ConsentRecord
    from helper.flow.wizard import Progress
    from helper.intake import Delivery, Outbox, Summary

log = logging.getLogger(__name__)


class LocalServices:
    """Services on this computer, configured by ``config``."""

    def __init__(self, config: Config) -> None:
        self.config = config
        self._outbox: Outbox | None = None
        self._lock = threading.Lock()

    @property
    def outbox(self) -> Outbox:
        """The outbox, opened on first use (by whichever worker thread comes first)."""
        with self._lock:
            if self._outbox is None:
                from helper.intake import Outbox

                self._outbox = Outbox(self.config.data_dir)
            return self._outbox

    def scan(self) -> ScanResult:
        from helper.apps.detect import scan

        return scan(self.config)

    def close(self, chosen: Sequence[DetectedApp], progress: Progress | None) -> list[CloseResult]:
        from helper.apps.close import close_apps

        return close_apps(chosen, self.config["apps.close_timeout_s"], progress)

    def notice(self, lang: str) -> Notice:
        from helper.consent.notice import load_notice

        return load_notice(self.config, lang)

    def submit(self, record: ConsentRecord) -> Delivery:
        """Durably store the record, then try to deliver it within the foreground budget."""
        from helper.intake import deliver

        self.outbox.add(record.to_json_bytes(), record.submission_id, record.session_id)
        return deliver(self.config, self.outbox, record.submission_id)

    def is_saved(self, submission_id: str) -> bool:
        """Whether the record is safely in the outbox (e.g. after an interrupted send)."""
        return self.outbox.path_of(submission_id).exists()

    def send_pending(self) -> Summary:
        """Deliver what earlier runs left in the outbox (called when the helper starts)."""
        from helper.intake import send_pending

        return send_pending(self.config, self.outbox)

    def send_pending_in_background(self) -> threading.Thread:
        """Deliver earlier runs' records beside the customer's work; never raises."""

        def work() -> None:
            try:
                self.send_pending()
            except Exception:
                log.exception("Sending earlier confirmations failed; they stay in the outbox")

        thread = threading.Thread(target=work, name="outbox", daemon=True)
        thread.start()
        return thread
