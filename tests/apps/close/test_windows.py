"""The Windows backend's logic, against a fake of the five user32 calls it makes.

The real user32.dll (the ctypes signatures, Tk answering WM_CLOSE) is exercised by
``test_windows_real.py`` on the Windows CI job; real UIPI refusals (an elevated
program) are still only covered by the fake.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass, field

import pytest

from helper.apps.close import _windows
from helper.apps.close._types import Ask, Asked, Target
from helper.apps.model import DetectedApp, ProcessRef


@dataclass
class FakeWindow:
    hwnd: int
    pid: int
    visible: bool = True
    owner: int = 0
    post_error: int = 0  # what PostMessageW's GetLastError would say; 0: it worked


@dataclass
class FakeUser32:
    """A fake of user32.dll (which only exists on Windows): a fixed table of top-level
    windows; records every WM_CLOSE posted. Satisfies ``_windows.User32``."""

    windows: list[FakeWindow]
    enum_fails: bool = False
    posted: list[int] = field(default_factory=list)
    enumerations: int = 0

    def _get(self, hwnd: int) -> FakeWindow:
        return next(w for w in self.windows if w.hwnd == hwnd)

    def top_level_windows(self) -> list[int]:
        self.enumerations += 1
        if self.enum_fails:
            raise OSError(5, "Access is denied")
        return [w.hwnd for w in self.windows]

    def window_pid(self, hwnd: int) -> int:
        return self._get(hwnd).pid

    def is_visible(self, hwnd: int) -> bool:
        return self._get(hwnd).visible

    def owner(self, hwnd: int) -> int:
        return self._get(hwnd).owner

    def post_close(self, hwnd: int) -> int:
        self.posted.append(hwnd)
        return self._get(hwnd).post_error


def target(app_id: str, *pids: int) -> Target:
    refs = tuple(ProcessRef(pid, 1.0) for pid in pids)
    return Target(DetectedApp(app_id, app_id, "mail", refs, pids[0]), frozenset(pids))


def test_wm_close_goes_to_the_visible_unowned_windows_of_the_apps_processes_only() -> None:
    user32 = FakeUser32(
        [
            FakeWindow(10, pid=100),
            FakeWindow(11, pid=101),  # a second process of the same application
            FakeWindow(12, pid=100, visible=False),  # a hidden helper window
            FakeWindow(13, pid=100, owner=10),  # its "save changes?" dialog
            FakeWindow(20, pid=200),  # another program
        ]
    )

    assert _windows.request_close([target("outlook", 100, 101)], user32) == [Asked(Ask.ASKED)]
    assert user32.posted == [10, 11]


def test_every_app_is_asked_from_one_enumeration() -> None:
    user32 = FakeUser32([FakeWindow(10, pid=100), FakeWindow(20, pid=200)])

    answers = _windows.request_close([target("a", 100), target("b", 200)], user32)

    assert answers == [Asked(Ask.ASKED), Asked(Ask.ASKED)]
    assert user32.enumerations == 1
    assert user32.posted == [10, 20]


def test_an_app_without_a_window_is_manual_and_nothing_is_posted() -> None:
    user32 = FakeUser32([FakeWindow(12, pid=100, visible=False), FakeWindow(20, pid=200)])

    assert _windows.request_close([target("tray", 100)], user32) == [Asked(Ask.MANUAL, "no_window")]
    assert user32.posted == []


def test_a_refusal_by_windows_is_denied() -> None:
    # User Interface Privilege Isolation: the program runs elevated, the helper does not.
    user32 = FakeUser32([FakeWindow(10, pid=100, post_error=_windows.ERROR_ACCESS_DENIED)])

    assert _windows.request_close([target("admin", 100)], user32) == [
        Asked(Ask.DENIED, "access_denied")
    ]


def test_one_window_reached_is_enough_to_have_asked() -> None:
    user32 = FakeUser32(
        [
            FakeWindow(10, pid=100, post_error=_windows.ERROR_ACCESS_DENIED),
            FakeWindow(11, pid=100),
        ]
    )

    assert _windows.request_close([target("app", 100)], user32) == [Asked(Ask.ASKED)]


def test_windows_that_vanished_meanwhile_leave_the_outcome_to_the_wait() -> None:
    gone = _windows.ERROR_INVALID_WINDOW_HANDLE
    user32 = FakeUser32([FakeWindow(10, pid=100, post_error=gone)])

    assert _windows.request_close([target("app", 100)], user32) == [Asked(Ask.ASKED)]


def test_any_other_failure_is_manual() -> None:
    user32 = FakeUser32([FakeWindow(10, pid=100, post_error=1816)])  # not enough quota

    assert _windows.request_close([target("app", 100)], user32) == [Asked(Ask.MANUAL, "failed")]


def test_a_failed_enumeration_is_manual_for_every_app() -> None:
    user32 = FakeUser32([FakeWindow(10, pid=100)], enum_fails=True)

    answers = _windows.request_close([target("a", 100), target("b", 200)], user32)

    assert answers == [Asked(Ask.MANUAL, "failed")] * 2
    assert user32.posted == []


@pytest.mark.skipif(sys.platform == "win32", reason="the real user32 exists there")
def test_without_windows_the_real_user32_is_an_os_error_turned_manual() -> None:
    assert _windows.request_close([target("a", 100)]) == [Asked(Ask.MANUAL, "failed")]
