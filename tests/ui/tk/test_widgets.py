"""The window's building blocks, each in a real Tk."""

from __future__ import annotations

import tkinter as tk

from helper.ui.tk.widgets import WHEEL, ScrollFrame


def wheel_bindings(root: tk.Tk) -> list[str]:
    return [str(root.bind_all(sequence)) for sequence in WHEEL]


def test_a_scroll_frame_takes_its_wheel_bindings_with_it(root: tk.Tk) -> None:
    before = wheel_bindings(root)
    first, second = ScrollFrame(root), ScrollFrame(root)
    for sequence, script in zip(WHEEL, wheel_bindings(root), strict=True):
        assert first._wheel[sequence] in script and second._wheel[sequence] in script
    gone = dict(first._wheel)
    first.destroy()
    for sequence, script in zip(WHEEL, wheel_bindings(root), strict=True):
        assert gone[sequence] not in script and second._wheel[sequence] in script
    second.destroy()
    assert wheel_bindings(root) == before


def test_the_scrollbar_shows_only_while_there_is_something_to_scroll(root: tk.Tk) -> None:
    frame = ScrollFrame(root, height=200)
    frame.pack(fill="both", expand=True)
    labels = [tk.Label(frame.inner, text=f"Program {n}") for n in range(3)]
    for label in labels:
        label.pack(anchor="w")
    root.update()
    assert not frame.bar.winfo_ismapped(), "three lines fit: no scrollbar"

    more = [tk.Label(frame.inner, text=f"Program {n}") for n in range(3, 40)]
    for label in more:
        label.pack(anchor="w")
    root.update()
    assert frame.bar.winfo_ismapped(), "forty lines do not fit"

    for label in more:
        label.destroy()
    root.update()
    assert not frame.bar.winfo_ismapped()
    frame.destroy()
