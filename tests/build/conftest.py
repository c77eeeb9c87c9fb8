"""Fixtures for the build checks: one real PyInstaller build per test session, and a
clean environment to run it in (no virtualenv, no PYTHONPATH, a temporary home)."""

from __future__ import annotations

import os
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from build_scripts import build
from tests.conftest import Home


@dataclass(frozen=True)
class Frozen:
    """The programs of one build."""

    onefile: Path
    onedir: Path
    work: Path


@pytest.fixture(scope="session")
def frozen(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Frozen]:
    """The one-file and one-folder programs, built once for every test that needs them."""
    root = tmp_path_factory.mktemp("pyinstaller")
    outputs = build.build(["onefile", "onedir"], dist=root / "dist", work=root / "work")
    yield Frozen(outputs["onefile"], outputs["onedir"], root / "work")


def clean_env(home: Home, **extra: str) -> dict[str, str]:
    """What a customer's session offers: no Python variables, the project's venv not on PATH."""
    env = {
        name: os.environ[name]
        for name in (
            "HOME",
            "XDG_CONFIG_HOME",
            "XDG_CONFIG_DIRS",
            "XDG_DATA_HOME",
            "XDG_STATE_HOME",
            "XDG_CACHE_HOME",
            "DISPLAY",
        )
        if name in os.environ
    }
    return {**env, "HOME": str(home.root), "PATH": "/usr/bin:/bin", "LANG": "de_DE.UTF-8", **extra}


def run_frozen(
    program: Path, *args: str, home: Home, cwd: Path, timeout: float = 60
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(program), *args],
        capture_output=True,
        text=True,
        env=clean_env(home),
        cwd=cwd,
        timeout=timeout,
        check=False,
    )
