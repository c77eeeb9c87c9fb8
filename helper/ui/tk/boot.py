"""Starting Tk while Python loads the rest of the helper, so the window appears sooner.

Initialising Tk (its Tcl scripts, fonts, the display connection) takes about as long as
importing the helper and reading its configuration. :func:`load_alongside` does both at
once: it creates the Tcl interpreter, then loads Tk into it with Tcl's ``load`` command,
the same library tkinter is linked against, while a worker thread runs the Python side.
tkinter releases the GIL during a Tcl command, so the two really overlap; its usual
``Tk()`` holds the GIL throughout. Where that library cannot be located (macOS, an
unknown layout), Tk is initialised the usual way and only the overlap is lost.

Everything Tk happens on the calling (main) thread; the worker must not touch Tk.
"""

from __future__ import annotations

import contextlib
import re
import sys
import threading
import tkinter as tk
from collections.abc import Callable

TYPE_CHECKING = False  # as typing.TYPE_CHECKING; importing typing costs start-up time
if TYPE_CHECKING:
    from typing import TypeVar

    T = TypeVar("T")

CLASS_NAME = "intellekta-helper"
#: The Tk shared library in ``/proc/self/maps``: libtk8.6.so, or Tk 9's libtcl9tk9.0.so.
_LINUX_TK = re.compile(r"/lib(?:tcl\d+)?tk[\d.]*\.so[\d.]*$")
_WINDOWS_TK = ("tk86t.dll", "tk86.dll", "tcl9tk90.dll")

_early: tk.Tk | None = None
#: How Tk was started, for the log (it tells whether the overlap worked on a computer).
how = ""


def load_alongside(work: Callable[[], T]) -> T:
    """Run ``work`` in a thread while Tk loads on this one; return its result or raise.

    A Tk that cannot start (no display) is not an error here: :func:`window` then tries
    again and raises, where the caller already handles it.
    """
    global _early, how
    outcome: list[T] = []
    failure: list[BaseException] = []

    def run() -> None:
        try:
            outcome.append(work())
        except BaseException as exc:  # handed to the calling thread below
            failure.append(exc)

    set_dpi_awareness()
    root = tk.Tk(className=CLASS_NAME, useTk=False)  # Tcl only: a few milliseconds
    thread = threading.Thread(target=run, name="start-up")
    thread.start()
    try:
        how = _load_tk(root)
        _early = root
    except tk.TclError:
        pass  # no display: the interpreter is dropped with ``root``; window() reports it
    finally:
        thread.join()
    if failure:
        raise failure[0]
    return outcome[0]


def window() -> tk.Tk:
    """The process's Tk root: the one loaded early, else a new one (TclError: no display)."""
    global _early, how
    root, _early = _early, None
    if root is None:
        set_dpi_awareness()
        root = tk.Tk(className=CLASS_NAME)
        how = "tkinter.Tk()"
    return root


def _load_tk(root: tk.Tk) -> str:
    """Initialise Tk in ``root``; say how, for the log."""
    library = tk_library()
    how = "tkinter's loadtk(), no overlap"
    if library is not None:
        try:
            root.tk.call("load", library, "Tk")
            how = f"load {library}, beside the start-up work"
        except tk.TclError:  # then loadtk() below initialises Tk
            pass
    root.loadtk()  # sets up tkinter's side; initialises Tk only if the load did not
    # The first text drawn initialises the font system; do it here, beside the worker too.
    root.tk.call("font", "actual", "TkDefaultFont")
    return how


def tk_library() -> str | None:
    """The Tk library already in this process (tkinter is linked against it), if known."""
    if sys.platform == "win32":
        return _windows_module(_WINDOWS_TK)
    if sys.platform.startswith("linux"):
        try:
            with open("/proc/self/maps", encoding="utf-8", errors="replace") as maps:
                for line in maps:
                    path = line.rstrip("\n").split(maxsplit=5)[-1]
                    if _LINUX_TK.search(path):
                        return path
        except OSError:
            return None
    return None


def _windows_module(names: tuple[str, ...]) -> str | None:
    import ctypes
    from ctypes import wintypes

    kernel32 = ctypes.WinDLL("kernel32", use_last_error=True)  # type: ignore[attr-defined]
    kernel32.GetModuleHandleW.argtypes = [wintypes.LPCWSTR]
    kernel32.GetModuleHandleW.restype = wintypes.HMODULE
    kernel32.GetModuleFileNameW.argtypes = [wintypes.HMODULE, wintypes.LPWSTR, wintypes.DWORD]
    kernel32.GetModuleFileNameW.restype = wintypes.DWORD
    for name in names:
        module = kernel32.GetModuleHandleW(name)
        if module:
            buffer = ctypes.create_unicode_buffer(32768)
            if kernel32.GetModuleFileNameW(module, buffer, len(buffer)):
                return buffer.value
    return None


def set_dpi_awareness() -> None:
    """Sharp text on high-DPI Windows displays; must run before the first window."""
    if sys.platform != "win32":
        return
    import ctypes

    windll = getattr(ctypes, "windll", None)
    try:
        windll.shcore.SetProcessDpiAwareness(1)  # system DPI aware (Tk scales), Windows 8.1+
    except (AttributeError, OSError):
        with contextlib.suppress(AttributeError, OSError):
            windll.user32.SetProcessDPIAware()  # Windows Vista to 8
