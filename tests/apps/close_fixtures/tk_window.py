"""A real Tk window for the Windows closing test (tk_app.py is an X11 client).

    tk_window.py close|refuse

Prints ``ready`` once its window is on screen, and ``asked`` each time the window is
asked to close (Tk turns WM_CLOSE into its WM_DELETE_WINDOW protocol). ``close`` then
ends with exit code 0, as on its close button; ``refuse`` stays, like an editor with
unsaved work, until the test ends it.
"""

from __future__ import annotations

import sys
import tkinter as tk


def main() -> None:
    mode = sys.argv[1]
    root = tk.Tk()
    root.title(f"tk_window {mode}")
    tk.Label(root, text="A document with unsaved work").pack(padx=20, pady=20)

    def on_close() -> None:
        print("asked", flush=True)
        if mode == "close":
            root.destroy()

    root.protocol("WM_DELETE_WINDOW", on_close)
    root.update()
    print("ready", flush=True)
    root.mainloop()


if __name__ == "__main__":
    main()
