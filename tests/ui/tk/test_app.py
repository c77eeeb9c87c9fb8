"""The window (``helper/ui/tk/app.py``) and its step views (``steps.py``): the whole flow
through the real widgets."""

from __future__ import annotations

import itertools
import json
import time
from collections.abc import Callable
from pathlib import Path
from subprocess import Popen
from tkinter import ttk

import psutil
import pytest

from helper.apps.model import ScanResult
from helper.flow import Step
from helper.ui.tk import steps
from helper.ui.tk.app import HelperWindow
from tests.apps.conftest import Spawner
from tests.conftest import Home
from tests.intake.server import IntakeServer, Reply
from tests.ui.conftest import find, pump_until, texts


@pytest.fixture(autouse=True)
def _confirm_dialogs(monkeypatch: pytest.MonkeyPatch) -> None:
    """Modal dialogs cannot be clicked from inside the test's own Tk loop: say yes."""
    monkeypatch.setattr(steps.messagebox, "askyesno", lambda *a, **k: True)


def click(window: HelperWindow, text: str) -> None:
    widget = find(window.root, text)
    assert isinstance(widget, ttk.Button | ttk.Checkbutton | ttk.Radiobutton)
    assert widget.instate(["!disabled"]), f"{text!r} is disabled"
    widget.invoke()
    window.root.update()


def enter_session_id(window: HelperWindow, text: str) -> None:
    view = window.view
    assert isinstance(view, steps.SessionView)
    view.session_var.set(text)
    view.validate(final=True)
    window.root.update()


def go_to_notice(window: HelperWindow) -> None:
    enter_session_id(window, "123 456 789")
    click(window, "Next")
    pump_until(window.root, lambda: window.wizard.scan_result is not None)
    click(window, "Next")
    assert window.wizard.step is Step.NOTICE


def confirm_all(window: HelperWindow, authority: str = "I own this computer.") -> None:
    click(window, "I have read the notice and I agree.")
    click(window, authority)
    if window.wizard.applications:
        click(window, "I keep these programs open on purpose.")
    click(window, "Confirm and send")
    pump_until(window.root, lambda: window.wizard.step is Step.RESULT)


def test_whole_flow_close_one_keep_one(
    make_window: Callable[..., HelperWindow],
    tk_apps: Callable[[str, str], Popen[str]],
    spawn: Spawner,
    intake_server: IntakeServer,
) -> None:
    editor = tk_apps("close", "thunderbird")
    spawn("firefox")
    window = make_window(("customer.number", "K-7"))
    root = window.root

    # Step 1: an invalid Session ID shows a message beside the field; Next stays disabled.
    enter_session_id(window, "12 34")
    view = window.view
    assert isinstance(view, steps.SessionView)
    message = str(view.message.cget("text"))
    assert message.startswith("This is not a valid Session ID. It has 9 or 10 digits"), message
    assert str(view.message.cget("style")) == "Error.TLabel"
    assert window.next_button.instate(["disabled"])
    enter_session_id(window, "123 456 789")
    assert str(view.message.cget("text")) == "✓ 123 456 789"
    click(window, "Next")

    # Step 2: both applications appear; keep Firefox open, close Thunderbird gracefully.
    pump_until(
        root, lambda: {"thunderbird", "firefox"} <= {a.id for a in window.wizard.applications}
    )
    assert "Mozilla Thunderbird" in texts(root) and "Mozilla Firefox" in texts(root)
    firefox_row = find(root, "Mozilla Firefox").master
    find(firefox_row, "Keep open").invoke()  # type: ignore[attr-defined]
    root.update()
    assert window.wizard.answers.kept_open == {"firefox"}
    assert "kept open on purpose" in texts(root)

    # Switching the language keeps every answer.
    click(window, "Deutsch")
    assert window.wizard.answers.kept_open == {"firefox"}
    assert window.wizard.answers.session_id == "123456789"
    click(window, "English")

    click(window, "Close selected")
    pump_until(root, lambda: editor.poll() is not None)
    pump_until(root, lambda: "Mozilla Thunderbird: closed." in texts(root))
    pump_until(root, lambda: [a.id for a in window.wizard.applications] == ["firefox"])
    click(window, "Next")

    # Step 3: confirmations; Firefox is still open and must be confirmed as kept open.
    assert "These programs are still open: Mozilla Firefox" in texts(root)
    assert window.next_button.instate(["disabled"])
    confirm_all(
        window,
        "I do not own this computer, but the responsible IT administrator has given permission.",
    )

    # Step 4: delivered, with the Session ID to read out.
    assert window.wizard.result.state.value == "delivered"
    assert "Done: your confirmation has arrived." in texts(root)
    assert "Step 4 of 4: Result" in texts(root), "the heading no longer says it is sending"
    assert "123 456 789" in texts(root)
    (body,) = intake_server.stored.values()
    record = json.loads(body)
    assert record["session_id"] == "123456789"
    assert record["language"] == "en"
    assert record["confirmations"] == {
        "notice_accepted": True,
        "authority": "it_admin_permission",
        "confidential_apps": "kept_open",
    }
    assert record["open_applications"] == [
        {"id": "firefox", "name": "Mozilla Firefox", "category": "browser"}
    ]
    assert record["customer"] == {"number": "K-7"}
    assert record["notice"]["sha256"] == window.wizard.notice().sha256


def test_offline_then_delivered_later(
    make_window: Callable[..., HelperWindow], intake_server: IntakeServer
) -> None:
    intake_server.stop()
    window = make_window()
    go_to_notice(window)
    confirm_all(window)
    assert window.wizard.result.state.value == "pending"
    assert "Saved: your confirmation will be sent automatically later." in texts(window.root)
    intake_server.start()
    summary = window.services.send_pending()  # type: ignore[attr-defined]
    assert len(summary.delivered) == 1
    assert len(intake_server.stored) == 1


def test_rejected(make_window: Callable[..., HelperWindow], intake_server: IntakeServer) -> None:
    intake_server.reply(Reply(422, body=b'{"message": "customer unknown"}'))
    window = make_window(lang="de")
    window.wizard.lang = "en"
    window.render()
    go_to_notice(window)
    confirm_all(window)
    assert window.wizard.result.state.value == "rejected"
    assert "Not accepted: please talk to the support employee." in texts(window.root)


def test_not_authorised_is_kept_and_the_customer_is_asked_to_call_support(
    make_window: Callable[..., HelperWindow], intake_server: IntakeServer
) -> None:
    intake_server.reply(Reply(401, body=b'{"message": "token revoked"}'))
    window = make_window()
    go_to_notice(window)
    confirm_all(window)
    assert window.wizard.result.state.value == "pending"
    shown = " ".join(texts(window.root))
    assert "Saved: your confirmation will be sent automatically later." in shown
    assert "This is not your fault." in shown and "Please call support" in shown


def test_tk_loop_keeps_running_while_the_server_is_slow(
    make_window: Callable[..., HelperWindow], intake_server: IntakeServer
) -> None:
    intake_server.reply(Reply(200, delay_s=5))
    window = make_window(("intake.timeout_s", "15"), ("intake.send_window_s", "20"))
    go_to_notice(window)
    beats: list[float] = []

    def heartbeat() -> None:
        beats.append(time.monotonic())
        window.root.after(10, heartbeat)

    heartbeat()
    click(window, "I have read the notice and I agree.")
    click(window, "I own this computer.")
    click(window, "Confirm and send")
    start = time.monotonic()
    pump_until(window.root, lambda: window.wizard.step is Step.RESULT)
    assert time.monotonic() - start >= 4.5, "the server's answer really took 5 s"
    gaps = [b - a for a, b in itertools.pairwise(beats) if a >= start]
    assert len(gaps) > 100
    assert max(gaps) < 0.1, f"the Tk loop stalled for {max(gaps) * 1000:.0f} ms"


def test_closing_mid_way_asks_and_sends_nothing(
    make_window: Callable[..., HelperWindow],
    intake_server: IntakeServer,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from helper.ui.tk import app

    asked: list[str] = []
    monkeypatch.setattr(
        app.messagebox, "askyesno", lambda title, text, **k: asked.append(text) or False
    )
    window = make_window()
    go_to_notice(window)
    window.on_close()
    assert asked == ["Do you want to quit? Nothing will be sent."]
    assert window.root.winfo_exists()
    assert intake_server.posts() == 0


def test_pids_never_reach_the_window(
    make_window: Callable[..., HelperWindow], spawn: Spawner
) -> None:
    proc = spawn("thunderbird")
    window = make_window()
    enter_session_id(window, "123456789")
    click(window, "Next")
    pump_until(window.root, lambda: bool(window.wizard.applications))
    assert str(proc.pid) not in " ".join(texts(window.root))
    assert psutil.pid_exists(proc.pid)


def test_unexpected_error_shows_a_friendly_dialog(
    make_window: Callable[..., HelperWindow], monkeypatch: pytest.MonkeyPatch
) -> None:
    from helper import logs
    from helper.ui.tk import app

    logs.setup()
    shown: list[str] = []
    monkeypatch.setattr(app.messagebox, "showerror", lambda title, text, **k: shown.append(text))
    window = make_window()
    window.root.after(1, lambda: 1 / 0)
    pump_until(window.root, lambda: bool(shown))
    assert shown[0].startswith("Something went wrong.")
    assert "intellekta-helper.log" in shown[0]
    assert "ZeroDivisionError" not in shown[0] and "Traceback" not in shown[0]


def test_an_unwritable_data_folder_is_explained_and_can_be_retried(
    make_window: Callable[..., HelperWindow],
    home: Home,
    intake_server: IntakeServer,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from helper.ui.tk import app

    shown: list[str] = []
    monkeypatch.setattr(app.messagebox, "showerror", lambda title, text, **k: shown.append(text))
    home.data.mkdir(parents=True, exist_ok=True)
    blocker = home.data / "outbox"
    blocker.write_text("a file where the outbox folder should be")
    window = make_window()
    go_to_notice(window)
    click(window, "I have read the notice and I agree.")
    click(window, "I own this computer.")
    click(window, "Confirm and send")
    pump_until(window.root, lambda: bool(shown))
    assert shown[0].startswith("Your confirmation could not be saved in")
    assert window.wizard.step is Step.NOTICE and intake_server.posts() == 0
    blocker.unlink()
    click(window, "Confirm and send")
    pump_until(window.root, lambda: window.wizard.step is Step.RESULT)
    assert window.wizard.result.state.value == "delivered"


def test_a_program_opened_after_confirming_sends_nothing_and_goes_back(
    make_window: Callable[..., HelperWindow], spawn: Spawner, intake_server: IntakeServer
) -> None:
    window = make_window()
    go_to_notice(window)
    click(window, "I have read the notice and I agree.")
    click(window, "I own this computer.")
    spawn("thunderbird")  # no Tk event in between: the notice has not seen it
    click(window, "Confirm and send")
    pump_until(window.root, lambda: window.wizard.step is Step.NOTICE)
    assert "These programs are still open: Mozilla Thunderbird" in texts(window.root)
    assert window.next_button.instate(["disabled"])
    assert intake_server.posts() == 0


def test_a_failed_scan_says_so_and_can_be_tried_again(
    make_window: Callable[..., HelperWindow], spawn: Spawner, monkeypatch: pytest.MonkeyPatch
) -> None:
    spawn("thunderbird")
    window = make_window()
    pump_until(window.root, lambda: window.wizard.scan_result is not None)
    services = window.services
    real_scan, failing, scanned = services.scan, [True], []

    def scan() -> ScanResult:  # what psutil raises where the process list is refused
        if failing[0]:
            raise PermissionError(13, "Permission denied", "/proc")
        scanned.append(True)
        return real_scan()

    monkeypatch.setattr(services, "scan", scan)
    enter_session_id(window, "123456789")
    click(window, "Next")
    view = window.view
    assert isinstance(view, steps.AppsView)
    pump_until(window.root, lambda: bool(view.problem.winfo_ismapped()))
    shown = texts(view.problem)
    assert shown[0].startswith("It could not be checked which programs are running."), shown
    assert find(view.problem, "Try again").winfo_ismapped()
    failing[0] = False
    click(window, "Try again")
    assert not view.problem.winfo_ismapped(), "the message goes while it tries again"
    pump_until(window.root, lambda: bool(scanned))
    window.root.update()
    assert not view.problem.winfo_ismapped()
    assert "Mozilla Thunderbird" in texts(view)


def test_the_receipt_can_be_copied_and_saved(
    make_window: Callable[..., HelperWindow], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from tkinter import filedialog

    from helper.ui.tk import app

    window = make_window()
    go_to_notice(window)
    confirm_all(window)
    click(window, "Copy")
    assert "123 456 789" in window.root.clipboard_get()
    assert "Copied." in texts(window.root)
    target = tmp_path / "receipt.txt"
    answers = iter([str(target), str(tmp_path / "missing" / "receipt.txt"), ""])
    monkeypatch.setattr(filedialog, "asksaveasfilename", lambda **_kw: next(answers))
    shown: list[str] = []
    monkeypatch.setattr(app.messagebox, "showerror", lambda title, text, **k: shown.append(text))
    click(window, "Save receipt ...")
    assert "123 456 789" in target.read_text("utf-8")
    assert f"Saved: {target}" in texts(window.root)
    click(window, "Save receipt ...")  # a folder that does not exist
    assert shown and shown[0].startswith("The receipt could not be saved (No such file"), shown
    click(window, "Save receipt ...")  # cancelled: nothing happens
    assert len(shown) == 1


def test_enter_goes_on_and_back_comes_back_with_the_answers(
    make_window: Callable[..., HelperWindow],
) -> None:
    window = make_window()
    enter_session_id(window, "123 456 789")
    view = window.view
    assert isinstance(view, steps.SessionView)
    view.entry.focus_force()
    view.entry.event_generate("<Return>")
    window.root.update()
    assert window.wizard.step is Step.APPS
    click(window, "Back")
    view = window.view
    assert isinstance(view, steps.SessionView) and view.session_var.get() == "123 456 789"
    view.session_var.set("12")
    window.root.update()
    window.on_next()  # not allowed yet: the hint says why, the step stays
    assert window.wizard.step is Step.SESSION
