"""Windows: posting WM_CLOSE to an application's windows, as their close button does.

Only visible top-level windows without an owner are asked (what the taskbar shows); a
dialog's main window is asked instead of the dialog, hidden helper windows not at all.
WM_CLOSE lets the program ask "save changes?" and decide. Nothing here ends a process:
the Win32 call that does so, and psutil's methods built on it, are never used.

The few user32 functions are behind :class:`User32`, so the logic is tested on every
platform with a fake; only :class:`_SystemUser32` talks to Windows.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Sequence
from typing import Protocol

from helper.apps.close._types import Ask, Asked, Target

log = logging.getLogger(__name__)

WM_CLOSE = 0x0010
GW_OWNER = 4
ERROR_ACCESS_DENIED = 5  # also what User Interface Privilege Isolation answers
ERROR_INVALID_WINDOW_HANDLE = 1400  # the window closed meanwhile
ERROR_GEN_FAILURE = 31


class User32(Protocol):
    """The user32 calls this backend needs (winuser.h), one method each."""

    def top_level_windows(self) -> list[int]:
        """EnumWindows: every top-level window handle. Raises OSError on failure."""
        ...

    def window_pid(self, hwnd: int) -> int:
        """GetWindowThreadProcessId: the owning process id, 0 if unknown."""
        ...

    def is_visible(self, hwnd: int) -> bool:
        """IsWindowVisible."""
        ...

    def owner(self, hwnd: int) -> int:
        """GetWindow(hwnd, GW_OWNER): the owner window handle, 0 if none."""
        ...

    def post_close(self, hwnd: int) -> int:
        """PostMessageW(hwnd, WM_CLOSE, 0, 0): 0 on success, else the Windows error code."""
        ...


def request_close(targets: Sequence[Target], user32: User32 | None = None) -> list[Asked]:
    """Post WM_CLOSE to every target's visible, unowned top-level windows."""
    try:
        api = user32 if user32 is not None else _system_user32()
        wanted = {pid for target in targets for pid in target.pids}
        by_pid: dict[int, list[int]] = {}
        for hwnd in api.top_level_windows():
            pid = api.window_pid(hwnd)
            if pid in wanted and api.is_visible(hwnd) and api.owner(hwnd) == 0:
                by_pid.setdefault(pid, []).append(hwnd)
    except OSError as exc:
        log.warning("Cannot list the windows: %s", exc)
        return [Asked(Ask.MANUAL, "failed") for _ in targets]
    return [_ask(api, target, by_pid) for target in targets]


def _ask(api: User32, target: Target, by_pid: dict[int, list[int]]) -> Asked:
    hwnds = [hwnd for pid in sorted(target.pids) for hwnd in by_pid.get(pid, [])]
    codes = [api.post_close(hwnd) for hwnd in hwnds]
    log.info("%s: %d window(s), WM_CLOSE results %s", target.app.id, len(hwnds), codes)
    if not hwnds:
        return Asked(Ask.MANUAL, "no_window")
    if 0 in codes or all(c == ERROR_INVALID_WINDOW_HANDLE for c in codes):
        return Asked(Ask.ASKED)  # windows that vanished: waiting shows whether it ended
    if ERROR_ACCESS_DENIED in codes:
        return Asked(Ask.DENIED, "access_denied")  # e.g. it runs as administrator
    return Asked(Ask.MANUAL, "failed")


def _system_user32() -> User32:
    if sys.platform == "win32":
        return _SystemUser32()
    raise OSError("user32 exists only on Windows")


if sys.platform == "win32":
    import ctypes
    from ctypes import wintypes

    # BOOL CALLBACK EnumWindowsProc(HWND hwnd, LPARAM lParam)
    _WNDENUMPROC = ctypes.WINFUNCTYPE(wintypes.BOOL, wintypes.HWND, wintypes.LPARAM)

    class _SystemUser32:
        """user32.dll through ctypes; errors come from GetLastError (use_last_error)."""

        def __init__(self) -> None:
            dll = ctypes.WinDLL("user32", use_last_error=True)
            self._enum_windows = dll.EnumWindows
            self._enum_windows.argtypes = (_WNDENUMPROC, wintypes.LPARAM)
            self._enum_windows.restype = wintypes.BOOL
            self._thread_pid = dll.GetWindowThreadProcessId
            self._thread_pid.argtypes = (wintypes.HWND, ctypes.POINTER(wintypes.DWORD))
            self._thread_pid.restype = wintypes.DWORD
            self._is_visible = dll.IsWindowVisible
            self._is_visible.argtypes = (wintypes.HWND,)
            self._is_visible.restype = wintypes.BOOL
            self._get_window = dll.GetWindow
            self._get_window.argtypes = (wintypes.HWND, wintypes.UINT)
            self._get_window.restype = wintypes.HWND
            self._post = dll.PostMessageW
            self._post.argtypes = (wintypes.HWND, wintypes.UINT, wintypes.WPARAM, wintypes.LPARAM)
            self._post.restype = wintypes.BOOL

        def top_level_windows(self) -> list[int]:
            found: list[int] = []

            def collect(hwnd: int | None, _param: int) -> bool:
                found.append(hwnd or 0)  # ctypes hands a NULL HWND over as None
                return True

            if not self._enum_windows(_WNDENUMPROC(collect), 0):
                raise ctypes.WinError(ctypes.get_last_error())
            return found

        def window_pid(self, hwnd: int) -> int:
            pid = wintypes.DWORD(0)
            self._thread_pid(hwnd, ctypes.byref(pid))
            return int(pid.value)

        def is_visible(self, hwnd: int) -> bool:
            return bool(self._is_visible(hwnd))

        def owner(self, hwnd: int) -> int:
            return int(self._get_window(hwnd, GW_OWNER) or 0)

        def post_close(self, hwnd: int) -> int:
            if self._post(hwnd, WM_CLOSE, 0, 0):
                return 0
            return ctypes.get_last_error() or ERROR_GEN_FAILURE
