"""The macOS backend's logic, against a fake ``osascript`` runner; bundles are real
folders with a real Info.plist. The real runner is exercised with ordinary programs.
"""

from __future__ import annotations

import plistlib
import sys
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from helper.apps.close import _macos
from helper.apps.close._macos import BY_BUNDLE_ID, BY_PATH, RunOutcome
from helper.apps.close._types import Ask, Asked, Target
from helper.apps.model import DetectedApp, ProcessRef
from tests.platform_marks import WINDOWS


@dataclass
class FakeRunner:
    """A fake of running ``osascript`` (which only exists on macOS): answers every
    command with a scripted outcome and records what it was asked to run."""

    outcomes: list[RunOutcome]
    calls: list[list[list[str]]] = field(default_factory=list)

    def __call__(self, commands: Sequence[Sequence[str]], timeout: float) -> list[RunOutcome]:
        self.calls.append([list(c) for c in commands])
        return self.outcomes[: len(commands)]


def bundle(folder: Path, name: str, bundle_id: str | None) -> str:
    """A real ``Name.app`` folder; returns its main executable's path, with slashes as
    psutil gives it on macOS (the backend reads bundles from such paths, on any OS)."""
    contents = folder / f"{name}.app" / "Contents"
    (contents / "MacOS").mkdir(parents=True)
    if bundle_id is not None:
        (contents / "Info.plist").write_bytes(plistlib.dumps({"CFBundleIdentifier": bundle_id}))
    exe = contents / "MacOS" / name.lower()
    exe.write_text("")
    return exe.as_posix()


def target(app_id: str, exe: str) -> Target:
    app = DetectedApp(app_id, app_id, "mail", (ProcessRef(100, 1.0),), 100, exe=exe)
    return Target(app, frozenset({100}))


def test_quit_goes_to_the_bundle_identifier_as_an_argument(tmp_path: Path) -> None:
    runner = FakeRunner([RunOutcome(0)])
    exe = bundle(tmp_path, "Mail", 'com.example."mail"')  # quotes cannot reach the script

    assert _macos.request_close([target("mail", exe)], runner) == [Asked(Ask.ASKED)]
    assert runner.calls == [[[*BY_BUNDLE_ID, 'com.example."mail"']]]


def test_the_script_quits_only_a_running_application() -> None:
    script = " ".join(BY_BUNDLE_ID)
    assert "if theApp is running then" in script
    assert "tell theApp to quit" in script
    assert "on run argv" in script


def test_without_a_bundle_identifier_the_bundle_path_is_used(tmp_path: Path) -> None:
    runner = FakeRunner([RunOutcome(0)])
    exe = bundle(tmp_path, "Old", None)

    assert _macos.request_close([target("old", exe)], runner) == [Asked(Ask.ASKED)]
    assert runner.calls == [[[*BY_PATH, (tmp_path / "Old.app").as_posix()]]]


def test_a_program_outside_any_bundle_is_manual_and_not_run(tmp_path: Path) -> None:
    runner = FakeRunner([RunOutcome(0)])
    exe = bundle(tmp_path, "Mail", "com.example.mail")
    targets = [target("tool", "/usr/local/bin/tool"), target("mail", exe)]

    answers = _macos.request_close(targets, runner)

    assert answers == [Asked(Ask.MANUAL, "no_window"), Asked(Ask.ASKED)]
    assert len(runner.calls) == 1  # every application asked at once
    assert [c[-1] for c in runner.calls[0]] == ["com.example.mail"]


def judge(tmp_path: Path, outcome: RunOutcome) -> Asked:
    exe = bundle(Path(tempfile.mkdtemp(dir=tmp_path)), "App", "com.example.app")
    return _macos.request_close([target("app", exe)], FakeRunner([outcome]))[0]


def error(number: int) -> RunOutcome:
    return RunOutcome(1, f"execution error: Something happened. ({number})\n")


def test_not_authorised_for_automation_is_manual(tmp_path: Path) -> None:
    assert judge(tmp_path, error(-1743)) == Asked(Ask.MANUAL, "not_authorised")


def test_a_busy_or_answering_application_was_asked(tmp_path: Path) -> None:
    for outcome in (error(-1712), error(-128), error(-609), RunOutcome(None)):
        assert judge(tmp_path, outcome) == Asked(Ask.ASKED)


def test_a_privilege_refusal_is_denied(tmp_path: Path) -> None:
    assert judge(tmp_path, error(-10004)) == Asked(Ask.DENIED, "access_denied")


def test_any_other_failure_is_manual(tmp_path: Path) -> None:
    assert judge(tmp_path, error(-2700)) == Asked(Ask.MANUAL, "failed")
    assert judge(tmp_path, RunOutcome(1, "osascript: not found")) == Asked(Ask.MANUAL, "failed")


def test_the_real_runner_reports_exit_codes_errors_and_unfinished_runs(tmp_path: Path) -> None:
    fail = [sys.executable, "-c", "import sys; sys.stderr.write('no (-1743)'); sys.exit(1)"]
    ok = [sys.executable, "-c", "pass"]
    missing = [str(tmp_path / "no-such-program")]

    outcomes = _macos.run_all([fail, ok, missing], 60)

    assert outcomes[0] == RunOutcome(1, "no (-1743)")
    assert outcomes[1] == RunOutcome(0, "")
    assert outcomes[2].returncode == 1 and outcomes[2].stderr
    if not WINDOWS:  # POSIX's error names the program; CreateProcess's names no file
        assert "no-such-program" in outcomes[2].stderr


def test_the_real_runner_does_not_wait_past_its_time() -> None:
    outcome = _macos.run_all([[sys.executable, "-c", "import time; time.sleep(3)"]], 0)
    assert outcome == [RunOutcome(None)]  # left to end by itself, as osascript would
