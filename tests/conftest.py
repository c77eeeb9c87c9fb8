"""Fixtures every test shares: an isolated home, and running the real CLI as a subprocess.

Every test gets its own temporary HOME and XDG folders, on Windows its own AppData and
ProgramData (platformdirs' ``WIN_PD_OVERRIDE_*``), and no ``INTELLEKTA_HELPER_*``
variables from the outside: no test reads or writes the real user's configuration, logs
or outbox.

The quick run (README, "Quick start") leaves out ``slow`` and ``gui`` tests, and runs the
``programs`` tests apart from the others' two workers. Both marks are set here, so that no
test file has to remember them.
"""

from __future__ import annotations

import functools
import inspect
import os
import re
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from types import FunctionType, ModuleType

import pytest

from helper import paths
from tests.platform_marks import WINDOWS

REPO = Path(__file__).resolve().parents[1]

#: What opens windows or a browser: Tk, the helper's window, Playwright, and the tests' way
#: to start Chromium.
_DISPLAY_MODULES = ("tkinter", "helper.ui.tk", "playwright", "tests.server.console.browser")
_IMPORT = re.compile(r"^\s*(?:from|import)\s+([\w.]+)", re.M)
#: What starts programs under catalogue names or runs the helper: the spawner, the
#: helper's CLI, its scan and its real services.
_PROCESS_NAMES = frozenset(
    {"spawn", "Spawner", "tk_apps", "start_tk_app", "run_cli", "scan", "LocalServices"}
)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        module, function = getattr(item, "module", None), getattr(item, "function", None)
        if module is None or not isinstance(function, FunctionType):
            continue
        code = [function, *_called(module, function)]
        if _uses_display(module) or _imports_display_in(code):
            item.add_marker(pytest.mark.gui)
        if _sees_programs(item, code):
            item.add_marker(pytest.mark.programs)


def _called(module: ModuleType, function: FunctionType) -> Iterator[FunctionType]:
    """The functions, and the methods of the classes, of ``module`` that ``function`` names
    (not those a dataclass generates: they have no source)."""
    for name in function.__code__.co_names:
        value = vars(module).get(name)
        found = vars(value).values() if isinstance(value, type) else [value]
        yield from (
            f
            for f in found
            if isinstance(f, FunctionType) and f.__code__.co_filename == module.__file__
        )


def _sees_programs(item: pytest.Item, code: list[FunctionType]) -> bool:
    """Whether the test starts programs under catalogue names, or runs the helper (``-m
    helper``, or its scan in-process), whose scan sees every program of this user."""
    names = set(item.fixturenames).union(*(f.__code__.co_names for f in code))
    runs_helper = any("helper" in f.__code__.co_consts for f in code)
    return runs_helper or not _PROCESS_NAMES.isdisjoint(names)


def _imports_display_in(code: list[FunctionType]) -> bool:
    """Whether these functions import a display module, or a module that imported one."""
    imported = _IMPORT.findall("\n".join(inspect.getsource(f) for f in code))
    return any(_is_display(name) or _imports_display(name) for name in imported)


@functools.cache
def _uses_display(module: ModuleType) -> bool:
    """Whether ``module`` imported a display module, directly or through a module that did."""
    origins = {_origin(value) for value in vars(module).values()} - {module.__name__, ""}
    return any(_is_display(name) or _imports_display(name) for name in origins)


def _imports_display(name: str) -> bool:
    """Whether the module ``name``, if loaded (a conftest is), imported a display module."""
    module = sys.modules.get(name)
    return module is not None and any(_is_display(_origin(v)) for v in vars(module).values())


def _origin(value: object) -> str:
    name = value.__name__ if isinstance(value, ModuleType) else getattr(value, "__module__", "")
    return name if isinstance(name, str) else ""


def _is_display(name: str) -> bool:
    return name.startswith(_DISPLAY_MODULES)


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
