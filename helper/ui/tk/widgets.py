"""Small Tk building blocks the steps share: a scrollable area, links, fonts, tooltips."""

from __future__ import annotations

import sys
import tkinter as tk
from tkinter import font as tkfont, ttk

BASE_POINTS = 11  # readable for every customer; Tk scales points to the display's DPI
PAD = 12
WHEEL = ("<MouseWheel>", "<Button-4>", "<Button-5>")  # Windows and macOS; X11 up, down


def setup_fonts(root: tk.Tk) -> dict[str, tkfont.Font]:
    """Enlarge Tk's named fonts and add the few styles the window uses."""
    for name in ("TkDefaultFont", "TkTextFont", "TkMenuFont", "TkHeadingFont", "TkCaptionFont"):
        tkfont.nametofont(name, root).configure(size=BASE_POINTS)
    family = tkfont.nametofont("TkDefaultFont", root).cget("family")  # actual() costs ms
    fonts = {
        "title": tkfont.Font(root, family=family, size=BASE_POINTS + 5, weight="bold"),
        "heading": tkfont.Font(root, family=family, size=BASE_POINTS + 1, weight="bold"),
        "small": tkfont.Font(root, family=family, size=BASE_POINTS - 1),
        "huge": tkfont.Font(root, family=family, size=BASE_POINTS + 17, weight="bold"),
        "link": tkfont.Font(root, family=family, size=BASE_POINTS, underline=True),
    }
    style = ttk.Style(root)
    if sys.platform.startswith("linux") and "clam" in style.theme_names():
        style.theme_use("clam")  # Linux's default theme looks dated; Windows/macOS stay native
    style.configure("Title.TLabel", font=fonts["title"])
    style.configure("Heading.TLabel", font=fonts["heading"])
    style.configure("Small.TLabel", font=fonts["small"], foreground="#444444")
    style.configure("Error.TLabel", foreground="#b00020")
    style.configure("Ok.TLabel", foreground="#1b6e20")
    style.configure("Link.TLabel", foreground="#0b57d0", font=fonts["link"])
    style.configure("Huge.TLabel", font=fonts["huge"])
    style.configure("Accent.TButton", font=fonts["heading"])
    return fonts


class Link(ttk.Label):
    """A label that opens a web address in the browser, by mouse or keyboard."""

    def __init__(self, master: tk.Misc, text: str, url: str) -> None:
        super().__init__(master, text=text, style="Link.TLabel", cursor="hand2", takefocus=True)
        self.url = url
        self.bind("<Button-1>", self.open)
        self.bind("<Return>", self.open)
        self.bind("<space>", self.open)

    def open(self, _event: object = None) -> None:
        import webbrowser  # on first click: importing it costs start-up time

        webbrowser.open(self.url)


class ScrollFrame(ttk.Frame):
    """A vertically scrolling area; put children into ``.inner``."""

    def __init__(self, master: tk.Misc, height: int = 300) -> None:
        super().__init__(master)
        background = ttk.Style(self).lookup("TFrame", "background") or "#ffffff"
        self.canvas = tk.Canvas(self, highlightthickness=0, height=height, background=background)
        self.bar = ttk.Scrollbar(self, orient="vertical", command=self.canvas.yview)
        self.inner = ttk.Frame(self.canvas)
        self._window = self.canvas.create_window((0, 0), window=self.inner, anchor="nw")
        self.canvas.configure(yscrollcommand=self._on_scroll)
        self.canvas.pack(side="left", fill="both", expand=True)
        self.inner.bind("<Configure>", self._on_inner)
        self.canvas.bind("<Configure>", self._on_canvas)
        #: The global wheel bindings this frame added, removed again when it goes.
        self._wheel = {
            sequence: self.canvas.bind_all(sequence, self._on_wheel, add="+") for sequence in WHEEL
        }
        self.bind("<Destroy>", self._on_destroy, add="+")

    def _on_destroy(self, event: tk.Event) -> None:
        """Drop this frame's lines from the ``all`` bindings (Tk deletes their commands
        with the canvas that registered them)."""
        if event.widget is not self:
            return
        for sequence, command in self._wheel.items():
            script = str(self.tk.call("bind", "all", sequence))
            kept = [line for line in script.split("\n") if line and command not in line]
            self.tk.call("bind", "all", sequence, "\n".join(kept))
        self._wheel.clear()

    def _on_scroll(self, first: float | str, last: float | str) -> None:
        """Show the scrollbar only while there is something to scroll. (Hiding it widens
        the content, which only makes it shorter, so this never flickers.)"""
        self.bar.set(first, last)
        needed = float(first) > 0.0 or float(last) < 1.0
        if needed and not self.bar.winfo_manager():
            self.bar.pack(side="right", fill="y")
        elif not needed and self.bar.winfo_manager():
            self.bar.pack_forget()

    def _on_inner(self, _event: object) -> None:
        self.canvas.configure(scrollregion=self.canvas.bbox("all"))

    def _on_canvas(self, event: tk.Event) -> None:
        self.canvas.itemconfigure(self._window, width=event.width)

    def _on_wheel(self, event: tk.Event) -> None:
        if not self.winfo_exists():
            return
        if event.num == 4 or getattr(event, "delta", 0) > 0:
            self.canvas.yview_scroll(-2, "units")
        elif event.num == 5 or getattr(event, "delta", 0) < 0:
            self.canvas.yview_scroll(2, "units")
