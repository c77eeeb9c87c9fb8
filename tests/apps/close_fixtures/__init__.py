"""Starting and talking to ``tk_app.py`` programs for the closing tests (Linux, X11).

Each program is a real separate process with a real Tk window on the test session's
Xvfb. Teardown ends whatever is left of the programs this test started, and nothing
else; that is the only place any process is ended, and it is test code.
"""

from __future__ import annotations

import contextlib
import os
import selectors
import subprocess
import sys
import time
from collections.abc import Sequence
from pathlib import Path

import psutil

from helper.apps.model import DetectedApp, ProcessRef
from tests.platform_marks import X11_PROGRAMS, skip_unless_linux

TK_APP = Path(__file__).with_name("tk_app.py")
#: Generous bound for a program to start; only reached when something is broken.
_START_S = 30.0


class Program:
    """One running ``tk_app.py`` and the line protocol on its stdin and stdout."""

    def __init__(self, proc: subprocess.Popen[bytes]) -> None:
        self.proc = proc
        self._buffer = b""
        words = self.line().split()
        assert words[:1] == ["ready"], f"tk_app did not start: {words}"
        self.pids = [int(w) for w in words[1:]]  # itself, then its children

    @property
    def pid(self) -> int:
        return self.proc.pid

    def alive(self) -> bool:
        return self.proc.poll() is None

    def asked(self) -> int:
        """How many close requests its window has received so far."""
        assert self.proc.stdin is not None
        self.proc.stdin.write(b"status\n")
        self.proc.stdin.flush()
        words = self.line().split()
        assert words[:1] == ["asked"], words
        return int(words[1])

    def app(
        self, app_id: str = "thunderbird", *, keep_open: bool = False, pids: Sequence[int] = ()
    ) -> DetectedApp:
        """The DetectedApp a scan would report for this program (and its children)."""
        refs = tuple(ProcessRef(p, psutil.Process(p).create_time()) for p in pids or self.pids)
        return DetectedApp(
            id=app_id,
            name=app_id.title(),
            category="mail",
            processes=refs,
            main_pid=self.pid,
            keep_open=keep_open,
        )

    def line(self) -> str:
        """The next stdout line, waiting a bounded time (a hang fails instead of blocking)."""
        assert self.proc.stdout is not None
        fd = self.proc.stdout.fileno()
        deadline = time.monotonic() + _START_S
        with selectors.DefaultSelector() as selector:
            selector.register(fd, selectors.EVENT_READ)
            while b"\n" not in self._buffer:
                left = deadline - time.monotonic()
                if left <= 0 or not selector.select(left):
                    raise AssertionError(f"tk_app {self.pid} did not answer in time")
                chunk = os.read(fd, 4096)
                if not chunk:
                    raise AssertionError(f"tk_app {self.pid} ended (exit {self.proc.wait()})")
                self._buffer += chunk
        line, _, self._buffer = self._buffer.partition(b"\n")
        return line.decode()


class Programs:
    """Starts ``tk_app.py`` programs; :meth:`cleanup` ends those still running."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.procs: list[subprocess.Popen[bytes]] = []

    def start(
        self, mode: str, *, name: str = "", children: int = 0, signal_log: Path | None = None
    ) -> Program:
        """Run ``tk_app.py MODE``; with ``name`` through a link to Python of that name
        (so argv[0] and the kernel's process name are the application's)."""
        skip_unless_linux(X11_PROGRAMS)
        python = sys.executable
        env = dict(os.environ)
        if name:
            link = self.folder / name
            link.parent.mkdir(parents=True, exist_ok=True)
            if not link.exists():
                link.symlink_to(Path(sys.executable).resolve())
            python = str(link)
            # Started through the link, Python no longer finds the virtualenv's packages.
            # (Imported here: python-xlib exists only on Linux, and Windows collects this.)
            import Xlib

            env["PYTHONPATH"] = str(Path(Xlib.__file__).parents[1])
        argv = [python, str(TK_APP), mode, "--children", str(children)]
        if name:
            argv += ["--name", name]
        if signal_log is not None:
            argv += ["--signal-log", str(signal_log)]
        proc = subprocess.Popen(argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE, env=env)
        self.procs.append(proc)
        return Program(proc)

    def cleanup(self) -> None:
        """Test teardown only: end what is left of this test's own programs."""
        for proc in self.procs:
            try:
                family = [psutil.Process(proc.pid), *psutil.Process(proc.pid).children(True)]
            except psutil.Error:
                family = []  # ended; its workers end by themselves when their pipe closes
            for member in family:
                with contextlib.suppress(psutil.Error):
                    member.kill()
            proc.wait(timeout=30)
            for pipe in (proc.stdin, proc.stdout):
                if pipe is not None:
                    pipe.close()
