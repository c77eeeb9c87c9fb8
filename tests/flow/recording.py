"""``RecordingServices`` stand in for the slow work (scanning, closing, sending) so each
rule of the flow can be tested alone; the notice and the record are the real ones."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from helper import config as config_module
from helper.apps.model import CloseResult, CloseStatus, DetectedApp, ProcessRef, ScanResult
from helper.consent.notice import Notice, load_notice
from helper.consent.record import ConsentRecord
from helper.flow import Wizard
from helper.flow.wizard import Progress
from helper.intake import Delivery, DeliveryState, Reason


def app(app_id: str, keep_open: bool = False) -> DetectedApp:
    return DetectedApp(app_id, app_id.title(), "email", (ProcessRef(1000, 1.0),), 1000, keep_open)


@dataclass
class RecordingServices:
    """Serves scans from a list the test changes; records what was asked and sent."""

    cfg: config_module.Config
    running: list[DetectedApp] = field(default_factory=list)
    closed: list[list[str]] = field(default_factory=list)
    sent: list[ConsentRecord] = field(default_factory=list)

    def scan(self) -> ScanResult:
        return ScanResult(tuple(self.running), remote_support_running=True)

    def close(self, apps: Sequence[DetectedApp], progress: Progress | None) -> list[CloseResult]:
        self.closed.append([a.id for a in apps])
        ids = {a.id for a in apps}
        self.running = [a for a in self.running if a.id not in ids]
        return [CloseResult(a.id, CloseStatus.CLOSED) for a in apps]

    def notice(self, lang: str) -> Notice:
        return load_notice(self.cfg, lang)

    def submit(self, record: ConsentRecord) -> Delivery:
        self.sent.append(record)
        return Delivery(record.submission_id, DeliveryState.DELIVERED, Reason.DELIVERED)

    def is_saved(self, submission_id: str) -> bool:
        return any(r.submission_id == submission_id for r in self.sent)


def make(
    *cli: tuple[str, str], running: Sequence[DetectedApp] = ()
) -> tuple[Wizard, RecordingServices]:
    cfg = config_module.load(cli=cli)
    services = RecordingServices(cfg, list(running))
    return Wizard(cfg, services, lang="en"), services
