"""The wizard without any user interface: every step's rules, back and forth, with the
flow's slow work (``helper.flow.jobs``) run the way the terminal runs it, on
``RecordingServices``. The terminal-flow tests run the same wizard on real processes and
a real HTTPS server.
"""

from __future__ import annotations

from collections.abc import Sequence

import pytest

from helper.apps.model import CloseResult, CloseStatus
from helper.flow import Step, StepIncomplete, Wizard, jobs
from helper.intake import Delivery, DeliveryState
from tests.flow.recording import app, make


def rescan(wizard: Wizard) -> None:
    wizard.apply_scan(wizard.services.scan())


def close(wizard: Wizard, ids: Sequence[str] | None = None) -> list[CloseResult]:
    closed = jobs.close_then_rescan(wizard.services, wizard.closable(ids))
    wizard.apply_closed(closed)
    return list(closed.results)


def submit(wizard: Wizard) -> Delivery:
    """As the terminal does it: a fresh scan, build, then store and send."""
    jobs.run_here(jobs.send(wizard))
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
    wizard.set_kept_open("chrome")
    assert [a.id for a in wizard.closable()] == ["outlook"]
    results = close(wizard)
    assert services.closed == [["outlook"]], "kept-open applications are never asked"
    assert results == [CloseResult("outlook", CloseStatus.CLOSED)]
    assert [a.id for a in wizard.applications] == ["chrome", "suite"]
    wizard.set_kept_open("chrome", kept=False)
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
        "flow.need_open_confirmed",
    ]
    wizard.accept_notice(True)
    wizard.set_authority("it_admin_permission")
    with pytest.raises(ValueError):
        wizard.set_authority("maybe")
    assert wizard.missing() == ["flow.need_open_confirmed"]
    assert wizard.back() is Step.APPS
    assert wizard.back() is Step.SESSION
    assert wizard.answers.session_id == "123456789", "back keeps the answers"
    wizard.next()
    wizard.next()
    wizard.set_open_confirmed(True)
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
    wizard.set_open_confirmed(True)
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
    wizard.set_open_confirmed(True)
    wizard.next()
    submit(wizard)
    assert services.sent[0].to_dict()["open_applications"][0]["id"] == "thunderbird"


def test_language_switch_keeps_answers() -> None:
    wizard, _ = make(running=[app("outlook")])
    wizard.set_session_id("123456789")
    wizard.next()
    rescan(wizard)
    wizard.set_kept_open("outlook")
    wizard.lang = "de"
    assert wizard.notice().language == "de"
    assert wizard.answers.session_id == "123456789"
    assert wizard.answers.kept_open == {"outlook"}


def test_build_refuses_before_confirmation() -> None:
    wizard, _ = make()
    with pytest.raises(StepIncomplete):
        wizard.build()


def test_closing_keeps_each_outcome_with_the_name_shown() -> None:
    wizard, _ = make(running=[app("outlook"), app("chrome")])
    rescan(wizard)
    wizard.set_selected("chrome", False)
    assert [a.id for a in wizard.selected()] == ["outlook"]
    wizard.set_selected("chrome", True)
    assert [a.id for a in wizard.selected()] == ["outlook", "chrome"]
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
