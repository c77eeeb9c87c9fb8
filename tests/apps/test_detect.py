"""The scanner against real processes named like catalogue applications."""

from __future__ import annotations

import json
import os
import plistlib
import shutil
import sys
import threading
from pathlib import Path

import psutil
import pytest

from helper import config
from helper.apps.detect import linux_keys, macos_keys, outermost_bundle, scan, windows_owner
from helper.apps.model import DetectedApp, ScanResult
from tests.apps.conftest import Spawner, wait_for
from tests.conftest import Home, run_cli

pytestmark = pytest.mark.skipif(
    not sys.platform.startswith("linux"), reason="spawns copies of Linux programs, reads /proc"
)

SH = shutil.which("sh") or "/bin/sh"
TRUE = shutil.which("true") or "/bin/true"


def run_scan(*overrides: tuple[str, str], platform: str | None = None) -> ScanResult:
    cfg = config.load(cli=list(overrides))
    assert cfg.valid, cfg.report()
    return scan(cfg, platform=platform)


def app_with_pid(result: ScanResult, pid: int) -> DetectedApp | None:
    return next((app for app in result.applications if pid in app.pids), None)


def test_finds_an_application_and_reports_it_fully(spawn: Spawner) -> None:
    proc = spawn("thunderbird")
    app = app_with_pid(run_scan(), proc.pid)
    assert app is not None
    assert (app.id, app.name, app.category) == ("thunderbird", "Mozilla Thunderbird", "mail")
    assert app.main_pid == proc.pid and app.keep_open is False
    assert app.processes[0].create_time == psutil.Process(proc.pid).create_time()
    assert app.exe == str(spawn.folder / "thunderbird")


def test_finds_a_name_linux_truncates(spawn: Spawner) -> None:
    proc = spawn("telegram-desktop")  # 16 characters: the kernel keeps 15
    with open(f"/proc/{proc.pid}/comm") as comm:
        assert comm.read().strip() == "telegram-deskto"
    app = app_with_pid(run_scan(), proc.pid)
    assert app is not None and app.id == "telegram"


def test_finds_a_truncated_name_whose_argv0_says_something_else(spawn: Spawner) -> None:
    path = spawn.copy("telegram-desktop")
    proc = spawn.run(["x", "300"], executable=str(path))  # comm: "telegram-deskto"
    assert psutil.Process(proc.pid).name() == "telegram-deskto"
    app = app_with_pid(run_scan(), proc.pid)
    assert app is not None and app.id == "telegram"


def test_groups_an_application_with_several_processes(spawn: Spawner) -> None:
    slack = str(spawn.copy("slack", SH))
    child = f'"{slack}" -c "sleep 300; :"'
    parent = spawn.run([slack, "-c", f"{child} & {child} & wait"])
    wait_for(lambda: len(psutil.Process(parent.pid).children()) == 2)
    children = {p.pid for p in psutil.Process(parent.pid).children()}
    app = app_with_pid(run_scan(), parent.pid)
    assert app is not None and app.id == "slack"
    assert set(app.pids) == {parent.pid, *children}  # the plain "sleep" grandchildren are not
    assert app.pids == sorted(app.pids)
    assert app.main_pid == parent.pid
    assert [a.id for a in run_scan().applications].count("slack") == 1


def test_unrelated_processes_never_appear(spawn: Spawner) -> None:
    unrelated = spawn("intellekta-test-tool")
    plain_sleep = spawn.run([shutil.which("sleep") or "sleep", "300"])
    result = run_scan()
    everything = {pid for app in result.applications for pid in app.pids}
    assert unrelated.pid not in everything and plain_sleep.pid not in everything


def test_zombies_are_not_running_applications(spawn: Spawner) -> None:
    zombie = spawn("signal-desktop", args=(), program=TRUE)  # exits at once; not yet reaped
    wait_for(lambda: psutil.Process(zombie.pid).status() == psutil.STATUS_ZOMBIE)
    assert app_with_pid(run_scan(), zombie.pid) is None


def test_processes_that_exit_during_the_scan_do_no_harm(spawn: Spawner) -> None:
    stable = spawn("zoom")
    quick = spawn.copy("zoom", TRUE, folder=spawn.folder / "quick")
    stop = threading.Event()

    def churn() -> None:
        while not stop.is_set():
            spawn.run([str(quick)]).wait()

    worker = threading.Thread(target=churn)
    worker.start()
    try:
        for _ in range(15):
            app = app_with_pid(run_scan(), stable.pid)
            assert app is not None and app.id == "zoom"
    finally:
        stop.set()
        worker.join()


def test_keep_open_by_id_or_name_and_ignore(spawn: Spawner) -> None:
    mail, chat = spawn("thunderbird"), spawn("signal-desktop")
    result = run_scan(("apps.keep_open", "THUNDERBIRD, signal"))
    assert app_with_pid(result, mail.pid).keep_open  # type: ignore[union-attr]
    assert app_with_pid(result, chat.pid).keep_open  # type: ignore[union-attr]
    result = run_scan(("apps.ignore", "thunderbird"))
    assert app_with_pid(result, mail.pid) is None and app_with_pid(result, chat.pid) is not None


def test_sorted_by_category_then_name(spawn: Spawner) -> None:
    for name in ("zoom", "signal-desktop", "thunderbird", "firefox"):
        spawn(name)
    ids = [app.id for app in run_scan().applications]
    ours = [i for i in ids if i in {"zoom", "signal", "thunderbird", "firefox"}]
    assert ours == ["thunderbird", "firefox", "signal", "zoom"]


def test_remote_support_is_reported_but_never_listed(spawn: Spawner) -> None:
    before = run_scan()
    viewer = spawn("TeamViewer")
    after = run_scan()
    assert after.remote_support_running
    assert app_with_pid(after, viewer.pid) is None
    anydesk = spawn("anydesk")
    assert app_with_pid(run_scan(), anydesk.pid) is None
    if not before.remote_support_running:
        viewer.kill()
        viewer.wait()
        assert not run_scan().remote_support_running


def test_the_helper_and_the_program_that_started_it_never_appear(
    spawn: Spawner, home: Home
) -> None:
    python = Path(sys.executable).name
    rule = f'id = "python"\nname = "Python"\ncategory = "notes"\nlinux = ["{python}"]\n'
    home.write_user(f"[[apps.extra]]\n{rule}")
    sibling = spawn.run([sys.executable, "-c", "import time; time.sleep(300)"])
    other = spawn.copy(python, sys.executable, folder=spawn.folder / "other")
    stranger = spawn.run(
        [SH, "-c", f'exec "{other}" -c "import time; time.sleep(300)" & wait'],
        env={**os.environ, "PYTHONHOME": sys.base_prefix},
    )
    wait_for(lambda: len(psutil.Process(stranger.pid).children()) == 1)
    stranger_python = psutil.Process(stranger.pid).children()[0].pid
    mine = {os.getpid(), sibling.pid, *(p.pid for p in psutil.Process().parents())}

    result = run_scan()
    listed = {pid for app in result.applications for pid in app.pids}
    assert not mine & listed, "the helper, its parents and their instance are never listed"
    assert stranger_python in listed, "a python the helper did not come from is listed"


def test_macos_bundles_match_by_app_name_and_bundle_identifier(
    spawn: Spawner, tmp_path: Path
) -> None:
    apps = tmp_path / "Applications"
    chrome = spawn.copy("Google Chrome", folder=apps / "Google Chrome.app/Contents/MacOS")
    helper = spawn.copy(
        "Google Chrome Helper (Renderer)",
        folder=apps / "Google Chrome.app/Contents/Frameworks/Helpers/Helper.app/Contents/MacOS",
    )
    renamed = spawn.copy("Renamed", folder=apps / "Renamed.app/Contents/MacOS")
    (apps / "Renamed.app/Contents/Info.plist").write_bytes(
        plistlib.dumps({"CFBundleIdentifier": "org.mozilla.firefox"})
    )
    procs = [spawn.run([str(path), "300"]) for path in (chrome, helper, renamed)]

    result = run_scan(platform="macos")
    chrome_app = app_with_pid(result, procs[0].pid)
    assert chrome_app is not None and chrome_app.id == "chrome"
    assert procs[1].pid in chrome_app.pids
    firefox = app_with_pid(result, procs[2].pid)
    assert firefox is not None and firefox.id == "firefox"


def test_cli_scan_prints_the_documented_json(spawn: Spawner) -> None:
    mail = spawn("thunderbird")
    result = run_cli("--lang", "de", "scan", "--json")
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert set(data) == {"applications", "remote_support_running"}
    assert isinstance(data["remote_support_running"], bool)
    entry = next(a for a in data["applications"] if mail.pid in a["pids"])
    assert set(entry) == {"id", "name", "category", "reason", "pids", "main_pid", "keep_open"}
    assert entry["id"] == "thunderbird" and entry["category"] == "mail"
    assert entry["reason"].startswith("Zeigt Ihre E-Mails")
    assert entry["pids"] == sorted(entry["pids"]) and all(type(p) is int for p in entry["pids"])
    assert entry["main_pid"] == mail.pid and entry["keep_open"] is False


def test_cli_scan_prints_a_table_grouped_by_category(spawn: Spawner) -> None:
    spawn("thunderbird")
    spawn("firefox")
    result = run_cli("-c", "apps.keep_open=firefox", "scan")
    assert result.returncode == 0, result.stderr
    text = result.stdout
    assert text.index("E-mail and calendar") < text.index("Mozilla Thunderbird")
    assert text.index("Mozilla Thunderbird") < text.index("Web browsers")
    assert "Shows your e-mails" in text
    assert "Mozilla Firefox (kept open on purpose)" in text
    mail = next(line for line in text.splitlines() if "Mozilla Thunderbird" in line)
    assert mail.endswith("   id: thunderbird")  # what ``close`` takes, beside the name
    assert "TeamViewer" in text.splitlines()[-2]
    assert text.splitlines()[-1].startswith("To ask one of them to close: ")
    assert "-m helper close ID" in text.splitlines()[-1]


# ---------------------------------------------------------------- platform details


def test_linux_keys_cover_replaced_executables_and_rewritten_argv() -> None:
    keys = linux_keys(
        "Web Content", "/usr/lib/firefox/firefox (deleted)", ["/usr/lib/firefox/firefox"]
    )
    assert "firefox" in keys
    chrome = linux_keys("chrome", "", ["/opt/google/chrome/chrome --type=renderer --lang=de"])
    assert "chrome" in chrome


def test_macos_keys_use_the_outermost_bundle() -> None:
    path = (
        "/Applications/Slack.app/Contents/Frameworks/Slack Helper.app/Contents/MacOS/Slack Helper"
    )
    assert outermost_bundle(path) == "/Applications/Slack.app"
    assert "Slack.app" in macos_keys("Slack Helper", path, [])
    assert outermost_bundle("/usr/bin/python3") == ""


class FakeSessionLookup:
    """Stands in for Windows' ProcessIdToSessionId (see helper/apps/_winsession.py)."""

    def __init__(self, sessions: dict[int, int]) -> None:
        self.sessions = sessions

    def __call__(self, pid: int) -> int | None:
        return self.sessions.get(pid)


def test_windows_counts_only_processes_of_the_own_logon_session(spawn: Spawner) -> None:
    same, other, unknown = spawn("a"), spawn("b"), spawn("c")
    owned = windows_owner(FakeSessionLookup({os.getpid(): 2, same.pid: 2, other.pid: 0}))
    assert owned(psutil.Process(same.pid))
    assert not owned(psutil.Process(other.pid))
    assert not owned(psutil.Process(unknown.pid))  # protected or gone: not the customer's


def test_windows_falls_back_to_the_user_name_when_the_own_session_is_unknown(
    spawn: Spawner,
) -> None:
    proc = spawn("a")
    owned = windows_owner(FakeSessionLookup({}))
    assert owned(psutil.Process(proc.pid))
