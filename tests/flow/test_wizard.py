"""The wizard without any user interface: every step's rules, back and forth, with the
flow's jobs (``helper.flow.jobs``) run the way the terminal runs them.

``RecordingServices`` stands in for the slow work (scanning, closing, sending) so each
rule can be tested alone; the notice and the record are the real ones. The terminal-flow
tests run the same wizard on real processes and a real HTTPS server.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import pytest

from helper import config as config_module
from helper.apps.model import CloseResult, CloseStatus, DetectedApp, ProcessRef, ScanResult
from helper.consent import ConsentRecord, Notice, load_notice
from helper.exitcodes import ExitCode
from helper.flow import Step, StepIncomplete, Wizard, jobs
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


def rescan(wizard: Wizard) -> None:
    wizard.apply_scan(jobs.scan(wizard.services))


def close(wizard: Wizard, ids: Sequence[str] | None = None) -> list[CloseResult]:
    closed = jobs.close_then_rescan(wizard.services, wizard.closable(ids))
    wizard.apply_closed(closed)
    return list(closed.results)


def submit(wizard: Wizard) -> Delivery:
    """As the terminal does it: a fresh scan, build, then store and send."""
    rescan(wizard)
    wizard.finish(jobs.store_and_send(wizard.services, wizard.prepare_submission()))
    assert wizard.result is not None
    return wizard.result


def test_session_step_needs_a_valid_session_id() -> None:
    wizard, _ = make()
    assert wizard.missing() == ["flow.need_session_id"]
    with pytest.raises(StepIncomplete) as info:
        wizard.next()
    assert info.value.missing == ["flow.need_session_id"]
    assert wizard.set_session_id("12 34") is not None
    assert wizard.answers.session_id == ""
    assert wizard.set_session_id("123 456 789") is None
    assert wizard.answers.session_id == "123456789"
    assert wizard.next() is Step.APPS


def test_contact_name_required_only_when_configured() -> None:
    wizard, _ = make(("ui.require_contact_name", "true"))
    wizard.set_session_id("123456789")
    assert wizard.missing() == ["flow.need_contact_name"]
    wizard.set_contact_name("  Erika   Mustermann ")
    assert wizard.answers.contact_name == "Erika Mustermann"
    assert wizard.next() is Step.APPS


def test_apps_step_needs_a_scan_and_closing_rescans() -> None:
    wizard, services = make(running=[app("outlook"), app("chrome"), app("suite", keep_open=True)])
    wizard.set_session_id("123456789")
    wizard.next()
    assert wizard.missing() == ["flow.need_scan"]
    rescan(wizard)
    assert [a.id for a in wizard.applications] == ["outlook", "chrome", "suite"]
    wizard.keep_open("chrome")
    assert [a.id for a in wizard.closable()] == ["outlook"]
    results = close(wizard)
    assert services.closed == [["outlook"]], "kept-open applications are never asked"
    assert results == [CloseResult("outlook", CloseStatus.CLOSED)]
    assert [a.id for a in wizard.applications] == ["chrome", "suite"]
    wizard.keep_open("chrome", keep=False)
    assert [a.id for a in wizard.closable(["chrome", "suite"])] == ["chrome"]
    assert wizard.next() is Step.NOTICE


def test_notice_step_rules_and_back() -> None:
    wizard, _ = make(running=[app("outlook")])
    wizard.set_session_id("123456789")
    wizard.next()
    rescan(wizard)
    wizard.next()
    assert wizard.missing() == [
        "flow.need_notice_accepted",
        "flow.need_authority",
        "flow.need_keep_open_confirmed",
    ]
    wizard.accept_notice(True)
    wizard.set_authority("it_admin_permission")
    with pytest.raises(ValueError):
        wizard.set_authority("maybe")
    assert wizard.missing() == ["flow.need_keep_open_confirmed"]
    assert wizard.back() is Step.APPS
    assert wizard.back() is Step.SESSION
    assert wizard.answers.session_id == "123456789", "back keeps the answers"
    wizard.next()
    wizard.next()
    wizard.confirm_keep_open(True)
    assert wizard.missing() == []
    assert wizard.next() is Step.SENDING
    assert wizard.back() is Step.SENDING, "no way back once sending"


def test_record_reflects_the_answers_and_open_apps() -> None:
    wizard, services = make(("customer.number", "K-1"), running=[app("outlook")])
    wizard.set_session_id("s12-345-678")
    wizard.next()
    rescan(wizard)
    wizard.next()
    wizard.accept_notice(True)
    wizard.set_authority("owner")
    wizard.confirm_keep_open(True)
    wizard.next()
    assert submit(wizard).state is DeliveryState.DELIVERED
    assert wizard.step is Step.RESULT
    data = services.sent[0].to_dict()
    assert data["session_id"] == "s12-345-678"
    assert data["confirmations"] == {
        "notice_accepted": True,
        "authority": "owner",
        "confidential_apps": "kept_open",
    }
    assert data["open_applications"] == [{"id": "outlook", "name": "Outlook", "category": "email"}]
    assert data["customer"] == {"number": "K-1"}
    assert data["notice"]["sha256"] == wizard.notice().sha256


def test_all_closed_means_closed() -> None:
    wizard, services = make(running=[app("outlook")])
    wizard.set_session_id("123456789")
    wizard.next()
    rescan(wizard)
    close(wizard)
    wizard.next()
    wizard.accept_notice(True)
    wizard.set_authority("owner")
    assert wizard.missing() == []
    wizard.next()
    submit(wizard)
    data = services.sent[0].to_dict()
    assert data["confirmations"]["confidential_apps"] == "closed"
    assert data["open_applications"] == []


def test_an_application_opened_after_confirming_sends_nothing() -> None:
    wizard, services = make()
    wizard.set_session_id("123456789")
    wizard.next()
    rescan(wizard)
    wizard.next()
    wizard.accept_notice(True)
    wizard.set_authority("owner")
    wizard.next()
    services.running.append(app("thunderbird"))
    with pytest.raises(StepIncomplete) as info:
        submit(wizard)
    assert info.value.missing == ["flow.apps_changed"]
    assert wizard.step is Step.NOTICE and services.sent == []
    wizard.confirm_keep_open(True)
    wizard.next()
    submit(wizard)
    assert services.sent[0].to_dict()["open_applications"][0]["id"] == "thunderbird"


def test_language_switch_keeps_answers() -> None:
    wizard, _ = make(running=[app("outlook")])
    wizard.set_session_id("123456789")
    wizard.next()
    rescan(wizard)
    wizard.keep_open("outlook")
    wizard.lang = "de"
    assert wizard.notice().language == "de"
    assert wizard.answers.session_id == "123456789"
    assert wizard.answers.kept_open == {"outlook"}


def test_build_refuses_before_confirmation() -> None:
    wizard, _ = make()
    with pytest.raises(StepIncomplete):
        wizard.build()


@pytest.mark.parametrize(
    ("state", "code"),
    [
        (DeliveryState.DELIVERED, ExitCode.OK),
        (DeliveryState.PENDING, ExitCode.PENDING),
        (DeliveryState.REJECTED, ExitCode.REJECTED),
    ],
)
def test_one_exit_code_per_delivery_state(state: DeliveryState, code: ExitCode) -> None:
    assert jobs.exit_code(Delivery("x", state, Reason.SERVER)) is code


def test_nothing_sent_exits_as_declined() -> None:
    assert jobs.exit_code(None) is ExitCode.DECLINED


def test_closing_keeps_each_outcome_with_the_name_shown() -> None:
    wizard, _ = make(running=[app("outlook"), app("chrome")])
    rescan(wizard)
    wizard.tick("chrome", False)
    assert [a.id for a in wizard.ticked()] == ["outlook"]
    wizard.tick("chrome", True)
    assert [a.id for a in wizard.ticked()] == ["outlook", "chrome"]
    close(wizard, ["outlook"])
    assert wizard.close_results == {"outlook": CloseStatus.CLOSED}
    assert wizard.closed_names == {"outlook": "Outlook"}, "named as before it closed"
    assert [a.id for a in wizard.applications] == ["chrome"], "the scan after closing"


def test_what_was_typed_is_kept_even_when_invalid() -> None:
    wizard, _ = make()
    wizard.set_session_id("12 34")
    assert (wizard.answers.typed_session_id, wizard.answers.session_id) == ("12 34", "")


@pytest.mark.parametrize(
    ("sys_platform", "page"), [("win32", "windows"), ("darwin", "macos"), ("linux", "linux")]
)
def test_each_system_gets_its_own_quicksupport_download(
    sys_platform: str, page: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Only ``sys.platform`` is faked (after loading): the link is chosen from it."""
    wizard, _ = make()
    own, _ = make(("vendor.quicksupport_url", "https://it.example/qs.exe"))
    monkeypatch.setattr("sys.platform", sys_platform)

    assert wizard.quicksupport_url() == f"https://www.teamviewer.com/de/download/{page}/"
    assert own.quicksupport_url() == "https://it.example/qs.exe"  # an administrator's own
