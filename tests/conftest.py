"""Fixtures every test shares: an isolated home, and running the real CLI as a subprocess.

Every test gets its own temporary HOME and XDG folders, on Windows its own AppData and
ProgramData (platformdirs' ``WIN_PD_OVERRIDE_*``), and no ``INTELLEKTA_HELPER_*``
variables from the outside: no test reads or writes the real user's configuration, logs
or outbox.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from helper import paths
from tests.platform_marks import WINDOWS

REPO = Path(__file__).resolve().parents[1]


@dataclass
class Home:
    """The temporary folders a test's helper sees."""

    root: Path
    machine_config: Path  # /etc/xdg/intellekta-helper or ProgramData equivalent
    user_config: Path
    data: Path
    logs: Path

    def write_machine(self, text: str) -> Path:
        return _write(self.machine_config / "config.toml", text)

    def write_user(self, text: str) -> Path:
        return _write(self.user_config / "config.toml", text)


def _write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture(autouse=True)
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Home]:
    root = tmp_path / "home"
    xdg = {
        "HOME": root,
        "XDG_CONFIG_HOME": root / ".config",
        "XDG_CONFIG_DIRS": tmp_path / "etc-xdg",
        "XDG_DATA_HOME": root / ".local/share",
        "XDG_STATE_HOME": root / ".local/state",
        "XDG_CACHE_HOME": root / ".cache",
    }
    for name, folder in xdg.items():
        folder.mkdir(parents=True, exist_ok=True)
        monkeypatch.setenv(name, str(folder))
    for name in list(os.environ):
        if name.startswith("INTELLEKTA_HELPER_"):
            monkeypatch.delenv(name)
    monkeypatch.setenv("LANG", "en_US.UTF-8")
    monkeypatch.delenv("LC_ALL", raising=False)
    monkeypatch.delenv("LC_MESSAGES", raising=False)
    monkeypatch.delenv("LANGUAGE", raising=False)
    if WINDOWS:
        found = _windows_folders(tmp_path, monkeypatch)
    else:
        found = Home(
            root=root,
            machine_config=xdg["XDG_CONFIG_DIRS"] / "intellekta-helper",
            user_config=xdg["XDG_CONFIG_HOME"] / "intellekta-helper",
            data=xdg["XDG_DATA_HOME"] / "intellekta-helper",
            logs=xdg["XDG_STATE_HOME"] / "intellekta-helper" / "log",
        )
    # The helper must look exactly there, or a test would touch the real user's files.
    seen = (
        paths.machine_config_dirs()[0],
        paths.user_config_dir(),
        paths.user_data_dir(),
        paths.user_log_dir(),
    )
    assert seen == (found.machine_config, found.user_config, found.data, found.logs), (
        "platformdirs ignored the temporary folders (on Windows: too old for WIN_PD_OVERRIDE_*?)"
    )
    yield found


def _windows_folders(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Home:
    """Windows' layout (README, Configuration) below temporary AppData and ProgramData."""
    local, common = tmp_path / "AppData" / "Local", tmp_path / "ProgramData"
    for name, folder in (
        ("LOCAL_APPDATA", local),
        ("COMMON_APPDATA", common),
        ("APPDATA", tmp_path / "AppData" / "Roaming"),
    ):
        folder.mkdir(parents=True, exist_ok=True)
        monkeypatch.setenv(f"WIN_PD_OVERRIDE_{name}", str(folder))
    user = local / "intellekta" / "helper"
    return Home(
        root=tmp_path / "home",
        machine_config=common / "intellekta" / "helper",
        user_config=user,
        data=user,
        logs=user / "Logs",
    )


def run_cli(
    *args: str, env: dict[str, str] | None = None, input: str | None = None, timeout: float = 60
) -> subprocess.CompletedProcess[str]:
    """Run ``python -m helper ARGS`` as a real subprocess with the test's environment."""
    full_env = {**os.environ, **(env or {})}
    return subprocess.run(
        [sys.executable, "-m", "helper", *args],
        capture_output=True,
        text=True,
        env=full_env,
        input=input,
        timeout=timeout,
        cwd=REPO,
        check=False,
    )
