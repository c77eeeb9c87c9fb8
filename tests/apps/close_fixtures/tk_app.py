"""A real Tk program standing in for a customer's application in the closing tests.

    tk_app.py close|refuse|nowindow [--name NAME] [--children N] [--signal-log FILE]
    tk_app.py worker --signal-log FILE

close: ends when its window is asked to close (WM_DELETE_WINDOW), like most programs.
refuse: answers the request with a "Save changes?" dialog and stays, like an editor
with unsaved work. nowindow: runs without any window. ``--name`` sets the kernel's
process name (prctl), so scanners see it as that application. ``--children`` starts
windowless worker processes that end when this program ends (their stdin closes), as
a browser's helpers do; every catchable signal they receive is written to the log.

Lines on stdout: ``ready PID [CHILD_PID ...]`` once the window is on screen; for each
``status`` line on stdin, ``asked N`` (close requests received so far), answered after
a round trip to the X server so that any request sent before was seen. Tk does not set
_NET_WM_PID itself (GTK and Qt do), so this program sets it with python-xlib.
"""

from __future__ import annotations

import argparse
import ctypes
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

PR_SET_NAME = 15
CATCHABLE = ("SIGTERM", "SIGINT", "SIGHUP", "SIGQUIT", "SIGUSR1", "SIGUSR2", "SIGPIPE")


def set_process_name(name: str) -> None:
    libc = ctypes.CDLL(None, use_errno=True)
    libc.prctl(PR_SET_NAME, name.encode()[:15], 0, 0, 0)


def say(text: str) -> None:
    print(text, flush=True)


def worker(log: Path) -> None:
    def record(number: int, _frame: object) -> None:
        with log.open("a", encoding="utf-8") as file:
            file.write(f"{signal.Signals(number).name} {os.getpid()}\n")

    for name in CATCHABLE:
        signal.signal(getattr(signal, name), record)
    while sys.stdin.buffer.read(1):  # until the parent has ended and the pipe is closed
        pass


def without_window() -> None:
    say(f"ready {os.getpid()}")
    for line in sys.stdin:
        if line.strip() == "status":
            say("asked 0")
    while True:
        time.sleep(3600)


def with_window(mode: str, children: list[subprocess.Popen[bytes]]) -> None:
    import tkinter as tk

    from Xlib import Xatom, display

    root = tk.Tk()
    root.title(f"tk_app {mode}")
    tk.Label(root, text="A document with unsaved work").pack(padx=20, pady=20)
    asked = 0

    def on_close() -> None:
        nonlocal asked
        asked += 1
        if mode == "close":
            root.destroy()
            return
        dialog = tk.Toplevel(root)
        dialog.title("Save changes?")
        dialog.transient(root)
        tk.Label(dialog, text="Save changes before closing?").pack(padx=20, pady=20)

    def on_stdin(_file: object, _mask: int) -> None:
        data = os.read(0, 4096)
        if not data:
            root.tk.deletefilehandler(0)
            return
        for line in data.decode().splitlines():
            if line.strip() == "status":
                root.winfo_pointerxy()  # a round trip: earlier requests are now queued
                root.update()
                say(f"asked {asked}")

    root.protocol("WM_DELETE_WINDOW", on_close)
    root.update()
    while not root.winfo_viewable():  # mapped: with a window manager that may take a moment
        time.sleep(0.01)
        root.update()
    conn = display.Display()
    # The client window (the one with WM_PROTOCOLS) is Tk's wrapper around the root widget.
    client = conn.create_resource_object("window", root.winfo_id()).query_tree().parent
    client.change_property(conn.intern_atom("_NET_WM_PID"), Xatom.CARDINAL, 32, [os.getpid()])
    conn.sync()
    root.tk.createfilehandler(0, tk.READABLE, on_stdin)
    say(" ".join(["ready", str(os.getpid()), *(str(c.pid) for c in children)]))
    root.mainloop()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("mode", choices=("close", "refuse", "nowindow", "worker"))
    parser.add_argument("--name")
    parser.add_argument("--children", type=int, default=0)
    parser.add_argument("--signal-log", type=Path)
    args = parser.parse_args()
    if args.name:
        set_process_name(args.name)
    if args.mode == "worker":
        worker(args.signal_log)
        return
    children = [
        subprocess.Popen(
            [sys.executable, __file__, "worker", "--signal-log", str(args.signal_log)],
            stdin=subprocess.PIPE,
        )
        for _ in range(args.children)
    ]
    if args.mode == "nowindow":
        without_window()
    else:
        with_window(args.mode, children)


if __name__ == "__main__":
    main()
