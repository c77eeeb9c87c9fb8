"""What a test needs of the platform, in one place: the conditions and the skip reasons.

The Windows CI job runs the whole suite (but the server's), so every test that cannot
run there says why, and ``pytest -ra`` prints it. Fixtures that start Linux programs or
X11 clients skip through :func:`skip_unless_linux`; single tests take a marker below.
"""

from __future__ import annotations

import sys

import pytest

LINUX = sys.platform.startswith("linux")
WINDOWS = sys.platform == "win32"

#: tests/apps/conftest.py's ``spawn``: copies of sleep, sh and true, watched through /proc.
LINUX_PROGRAMS = "runs copies of Linux programs (sleep, sh) under application names, reads /proc"
#: tk_app.py and mini_wm.py talk to an X server (python-xlib, prctl, Xvfb).
X11_PROGRAMS = "runs tk_app.py, an X11 client (python-xlib on the session's Xvfb)"

posix_signals = pytest.mark.skipif(
    WINDOWS, reason="sends SIGINT, a POSIX signal; Windows has no signals between processes"
)
needs_no_display = pytest.mark.skipif(
    WINDOWS, reason="needs a session without a graphical display; Windows always has a desktop"
)
closes_fds_before_exec = pytest.mark.skipif(
    WINDOWS,
    reason="closes fds 1 and 2 in preexec_fn, which Windows lacks; the workflow's smoke step "
    "starts the windowed .exe, which has no streams",
)
xdg_only = pytest.mark.skipif(
    WINDOWS, reason="XDG_CONFIG_DIRS is Linux's search path; Windows has one ProgramData folder"
)
windows_only = pytest.mark.skipif(not WINDOWS, reason="needs the real user32.dll of Windows")


def skip_unless_linux(reason: str) -> None:
    """Skip the running test off Linux (for fixtures and helpers that start programs)."""
    if not LINUX:
        pytest.skip(reason)
