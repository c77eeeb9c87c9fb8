"""The real services behind the wizard: scanning, closing, the notice, outbox and intake.

Each method blocks; a window calls them from a worker thread. They are thread-safe in the
sense the window needs: one call at a time per method, none touching any UI.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Sequence
from typing import Any

from helper import apps
from helper.apps.close import close_apps
from helper.apps.model import CloseResult, DetectedApp, ScanResult
from helper.config import Config
from helper.consent import ConsentRecord, Notice, load_notice
from helper.flow.wizard import Progress
from helper.intake import Outbox, deliver, send_pending

log = logging.getLogger(__name__)


class LocalServices:
    """Services on this computer, configured by ``config``."""

    def __init__(self, config: Config) -> None:
        self.config = config
        self.outbox = Outbox(config.data_dir)

    def scan(self) -> ScanResult:
        return apps.scan(self.config)

    def close(self, chosen: Sequence[DetectedApp], progress: Progress | None) -> list[CloseResult]:
        return close_apps(chosen, self.config["apps.close_timeout_s"], progress)

    def notice(self, lang: str) -> Notice:
        return load_notice(self.config, lang)

    def submit(self, record: ConsentRecord) -> Any:
        """Durably store the record, then try to deliver it within the foreground budget."""
        self.outbox.add(record.to_json_bytes(), record.submission_id, record.session_id)
        return deliver(self.config, self.outbox, record.submission_id)

    def is_saved(self, submission_id: str) -> bool:
        """Whether the record is safely in the outbox (e.g. after an interrupted send)."""
        return self.outbox.path_of(submission_id).exists()

    def send_pending(self) -> Any:
        """Deliver what earlier runs left in the outbox (called when the helper starts)."""
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
