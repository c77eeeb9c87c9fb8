"""The frozen entry script, run from source: missing standard streams (as in a windowed
Windows build) and the installer's machine-config hand-off; and the version resource."""

from __future__ import annotations

import ast
import os
import subprocess
import sys
from pathlib import Path

from build_scripts import versioninfo
from helper import __version__
from tests.conftest import REPO, Home
from tests.platform_marks import closes_fds_before_exec

ENTRY = REPO / "build_scripts" / "entry.py"


def _close_stdout_and_stderr() -> None:
    """With fds 1 and 2 closed, CPython starts with sys.stdout and sys.stderr = None."""
    os.close(1)
    os.close(2)


def run_without_streams(*args: str) -> int:
    return subprocess.run(
        [sys.executable, *args],
        cwd=REPO,
        preexec_fn=_close_stdout_and_stderr,
        stdin=subprocess.DEVNULL,
        check=False,
        timeout=60,
    ).returncode


@closes_fds_before_exec
def test_streams_none_are_replaced_so_writes_do_not_fail() -> None:
    code = (
        "import sys; assert sys.stdout is None and sys.stderr is None; "
        "sys.path.insert(0, 'build_scripts'); import entry; entry.fix_missing_streams(); "
        "print('x'); print('y', file=sys.stderr); import warnings; warnings.warn('w'); "
        "sys.stderr.write('z'); sys.stderr.flush()"
    )
    assert run_without_streams("-c", code) == 0


@closes_fds_before_exec
def test_cli_runs_without_streams_and_still_logs(home: Home) -> None:
    assert run_without_streams(str(ENTRY), "--verbose", "config", "check") == 0
    assert "config" in (home.logs / "intellekta-helper.log").read_text("utf-8")


def test_installer_hand_off_writes_the_machine_file(home: Home) -> None:
    target = home.machine_config / "config.toml"
    result = subprocess.run(
        [
            sys.executable,
            str(ENTRY),
            "--msi-machine-config",
            "write",
            str(target),
            "customer.number=4711",
        ],
        capture_output=True,
        text=True,
        check=False,
        env={**os.environ, "PYTHONPATH": str(REPO)},  # as PyInstaller's pathex does
    )
    assert result.returncode == 0, result.stderr
    assert 'number = "4711"' in target.read_text("utf-8")


def test_version_resource_is_generated_from_the_package_version() -> None:
    text = versioninfo.render("intellekta-helper", "Helfer", __version__, 2026)
    ast.parse(text, mode="eval")  # PyInstaller evaluates this expression
    assert f"filevers={versioninfo.version_tuple(__version__)!r}" in text
    assert "StringStruct('OriginalFilename', 'intellekta-helper.exe')" in text
    assert "StringStruct('CompanyName', 'intellekta GmbH')" in text


def test_version_tuple_has_four_numbers() -> None:
    assert versioninfo.version_tuple("1.2.3") == (1, 2, 3, 0)
    assert versioninfo.version_tuple("1.2.3rc4+local.5") == (1, 2, 3, 4)


def test_committed_icon_is_an_ico() -> None:
    data = (REPO / "build_scripts" / "windows" / "intellekta-helper.ico").read_bytes()
    assert data[:4] == b"\x00\x00\x01\x00" and int.from_bytes(data[4:6], "little") >= 4
    assert Path(REPO / "helper" / "ui" / "tk" / "icon.png").exists()
