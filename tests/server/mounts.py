"""Real file systems for the fault tests: a small tmpfs to fill, or one made read-only.

Mounting needs root (root ignores a folder's mode bits, so a ``chmod``-ed folder proves
nothing there). Where it cannot be done the test is skipped with the reason, except in
CI (CI=true), where that is a failure.
"""

from __future__ import annotations

import errno
import os
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest


def _cannot(reason: str) -> None:
    if os.environ.get("CI") == "true":
        pytest.fail(reason)
    pytest.skip(reason)


def _mount(*args: str) -> subprocess.CompletedProcess[str]:
    try:
        return subprocess.run(["mount", *args], capture_output=True, text=True, check=False)
    except FileNotFoundError:
        return subprocess.CompletedProcess(["mount"], 127, "", "no mount command")


@contextmanager
def tmpfs(folder: Path, size: str = "16m") -> Iterator[Path]:
    """A tmpfs of ``size`` mounted at ``folder`` (made if missing), unmounted afterwards."""
    if os.geteuid() != 0:
        _cannot("mounting a tmpfs needs root")
    folder.mkdir(parents=True, exist_ok=True)
    mounted = _mount("-t", "tmpfs", "-o", f"size={size},mode=0755", "tmpfs", str(folder))
    if mounted.returncode != 0:
        _cannot(f"cannot mount a tmpfs: {mounted.stderr.strip()}")
    try:
        yield folder
    finally:
        subprocess.run(["umount", "-l", str(folder)], capture_output=True, check=False)


def read_only(folder: Path) -> None:
    """Remount the tmpfs at ``folder`` read-only."""
    done = _mount("-o", "remount,ro", str(folder))
    assert done.returncode == 0, done.stderr


def fill(folder: Path) -> Path:
    """Write a file into ``folder`` until its file system has no byte left; the file."""
    filler = folder / "filler"
    with filler.open("wb", buffering=0) as out:
        for size in (1 << 20, 1 << 12, 1):
            try:
                while True:
                    out.write(b"\0" * size)
            except OSError as exc:
                if exc.errno != errno.ENOSPC:
                    raise
    return filler
