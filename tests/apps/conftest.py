"""Real processes under catalogue names for the scanner's tests.

``spawn("thunderbird")`` copies a harmless program (``sleep`` by default) into the test's
temporary folder under that name and runs it, so the process looks exactly like the
application to psutil. Every process started here is killed and reaped afterwards.
Linux only (the programs and /proc); elsewhere a test that asks for ``spawn`` is skipped.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import time
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any

import psutil
import pytest

from tests.platform_marks import LINUX_PROGRAMS, skip_unless_linux

SLEEP = shutil.which("sleep") or "/bin/sleep"


class Spawner:
    """Starts copies of programs under chosen names; reaps them all in ``close``."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.procs: list[subprocess.Popen[bytes]] = []

    def copy(self, name: str, program: str = SLEEP, folder: Path | None = None) -> Path:
        target = (folder or self.folder) / name
        target.parent.mkdir(parents=True, exist_ok=True)
        if not target.exists():
            shutil.copy(program, target)
            target.chmod(0o755)
        return target

    def __call__(
        self, name: str, args: Sequence[str] = ("300",), program: str = SLEEP, **popen: Any
    ) -> subprocess.Popen[bytes]:
        """Run a copy of ``program`` named ``name`` (a path relative to the folder)."""
        path = self.copy(name, program)
        return self.run([str(path), *args], **popen)

    def run(self, argv: Sequence[str], **popen: Any) -> subprocess.Popen[bytes]:
        """Start ``argv`` and wait until the kernel shows the new program's name.

        Popen may return while execve is still finishing (vfork resumes the parent
        before the process name changes), and a scan in that moment would see "pytest".
        """
        proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL, **popen)
        self.procs.append(proc)
        expected = os.path.basename(popen.get("executable") or argv[0])[:15]
        wait_for(lambda: _comm(proc.pid) in (expected, None))
        return proc

    def close(self) -> None:
        for proc in self.procs:
            if proc.poll() is not None:  # reaped: its pid may already belong to another
                continue
            for child in _children(proc.pid):
                child.kill()
            proc.kill()
            proc.wait(timeout=10)


def _comm(pid: int) -> str | None:
    """The kernel's name of ``pid`` (Linux); None where it cannot be read."""
    try:
        with open(f"/proc/{pid}/comm", encoding="utf-8", errors="replace") as file:
            return file.read().rstrip("\n")
    except OSError:
        return None


def _children(pid: int) -> list[psutil.Process]:
    try:
        return psutil.Process(pid).children(recursive=True)
    except psutil.Error:
        return []


def wait_for(check: Callable[[], bool], timeout: float = 10.0) -> None:
    """Wait until ``check()`` holds (a bounded poll, not a timing assertion)."""
    deadline = time.monotonic() + timeout
    while not check():
        if time.monotonic() > deadline:
            raise AssertionError("condition not reached in time")
        time.sleep(0.01)


@pytest.fixture
def spawn(tmp_path: Path) -> Iterator[Spawner]:
    skip_unless_linux(LINUX_PROGRAMS)
    spawner = Spawner(tmp_path / "bin")
    try:
        yield spawner
    finally:
        spawner.close()
