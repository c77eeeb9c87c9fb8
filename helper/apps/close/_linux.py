"""X11: asking an application's windows to close, as their close button would.

A window belongs to an application when its ``_NET_WM_PID`` is one of the application's
verified pids and its ``WM_CLIENT_MACHINE``, if set, is this computer (over ``ssh -X`` the
pid would be another machine's). Only top-level windows that take part in the
``WM_DELETE_WINDOW`` protocol are asked: for the others, "closing" in X11 means cutting
the program's connection, which ends it as surely as a kill, so they are left to the
customer (``manual``). Dialogs (``WM_TRANSIENT_FOR``) are skipped; their main window is
asked.

With an EWMH window manager the request goes through it (``_NET_CLOSE_WINDOW`` to the
root window), exactly as a taskbar's "Close" does; without one (plain Xvfb, some kiosk
setups) ``WM_DELETE_WINDOW`` is sent to the window itself. Native Wayland windows cannot
be seen from X11, so on Wayland an application without an X11 window is ``manual``.
"""

from __future__ import annotations

import contextlib
import io
import logging
import os
import socket
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from Xlib import X, display, error
from Xlib.protocol import event, request

from helper.apps.close._types import Ask, Asked, Target

log = logging.getLogger(__name__)

_ATOMS = (
    "_NET_WM_PID",
    "WM_PROTOCOLS",
    "WM_DELETE_WINDOW",
    "_NET_CLOSE_WINDOW",
    "_NET_CLIENT_LIST",
    "_NET_SUPPORTED",
    "_NET_SUPPORTING_WM_CHECK",
)
#: Longest list property read, in 32-bit items (_NET_CLIENT_LIST of a very busy desktop).
_LONGEST = 1 << 16
#: EWMH source indication for _NET_CLOSE_WINDOW: a pager or taskbar acting for the user.
_SOURCE_PAGER = 2


def _on_wayland() -> bool:
    return os.environ.get("XDG_SESSION_TYPE") == "wayland" or bool(
        os.environ.get("WAYLAND_DISPLAY")
    )


def _unreachable() -> str:
    """Why no window could be asked: the reason code for ``manual``."""
    return "wayland" if _on_wayland() else "no_window"


def request_close(targets: Sequence[Target]) -> list[Asked]:
    """Send every target's windows the close request; returns without waiting."""
    if not os.environ.get("DISPLAY"):
        reason = "wayland" if _on_wayland() else "no_display"
        return [Asked(Ask.MANUAL, reason) for _ in targets]
    try:
        # python-xlib prints xauth warnings to stdout, which would spoil --json output.
        with contextlib.redirect_stdout(io.StringIO()):
            conn = display.Display()
    except (error.DisplayError, error.ConnectionClosedError, error.XauthError, OSError) as exc:
        log.warning("Cannot connect to the X display: %s", exc)
        return [Asked(Ask.MANUAL, "no_display") for _ in targets]
    try:
        return _Session(conn).ask(targets)
    except error.ConnectionClosedError as exc:
        log.warning("The X display closed the connection: %s", exc)
        return [Asked(Ask.MANUAL, "no_display") for _ in targets]
    finally:
        conn.close()


@dataclass(frozen=True)
class _Window:
    window: Any  # Xlib.xobject.drawable.Window
    root: Any
    pid: int
    via_wm: bool  # a window manager handles _NET_CLOSE_WINDOW on this root


class _Session:
    """One connection's view: the atoms, and the client windows that carry a pid."""

    def __init__(self, conn: Any) -> None:
        self.conn = conn
        self.atom: dict[str, int] = {name: conn.intern_atom(name) for name in _ATOMS}
        self.host = socket.gethostname().split(".")[0].casefold()

    def ask(self, targets: Sequence[Target]) -> list[Asked]:
        wanted = {pid for target in targets for pid in target.pids}
        windows = list(self._client_windows(wanted))
        # Every question first, then every request: a request keeps its program (and
        # the X server) busy, and a question queued behind it would wait its turn.
        askable = self._askable(windows)
        sent = [[self._send(w) for w in askable if w.pid in t.pids] for t in targets]
        self.conn.sync()  # every request reached the server; errors have come back
        return [
            self._answer(target, windows, catchers)
            for target, catchers in zip(targets, sent, strict=True)
        ]

    def _askable(self, windows: Sequence[_Window]) -> list[_Window]:
        """The windows that take part in the ``WM_DELETE_WINDOW`` protocol."""
        protocols = self._lists([w.window for w in windows], "WM_PROTOCOLS", 32)
        return [
            w
            for w, p in zip(windows, protocols, strict=True)
            if p and self.atom["WM_DELETE_WINDOW"] in p
        ]

    @staticmethod
    def _answer(
        target: Target, windows: Sequence[_Window], catchers: Sequence[error.CatchError]
    ) -> Asked:
        """``asked`` when a request reached at least one of the target's windows."""
        found = sum(1 for w in windows if w.pid in target.pids)
        delivered = sum(1 for c in catchers if c.get_error() is None)
        log.info(
            "%s: %d window(s) with its pids, %d asked to close", target.app.id, found, delivered
        )
        return Asked(Ask.ASKED) if delivered else Asked(Ask.MANUAL, _unreachable())

    def _send(self, w: _Window) -> error.CatchError:
        catcher = error.CatchError()
        if w.via_wm:
            data = [X.CurrentTime, _SOURCE_PAGER, 0, 0, 0]
            message = event.ClientMessage(
                window=w.window, client_type=self.atom["_NET_CLOSE_WINDOW"], data=(32, data)
            )
            mask = X.SubstructureRedirectMask | X.SubstructureNotifyMask
            w.root.send_event(message, event_mask=mask, onerror=catcher)
        else:
            data = [self.atom["WM_DELETE_WINDOW"], X.CurrentTime, 0, 0, 0]
            message = event.ClientMessage(
                window=w.window, client_type=self.atom["WM_PROTOCOLS"], data=(32, data)
            )
            w.window.send_event(message, event_mask=X.NoEventMask, onerror=catcher)
        return catcher

    def _client_windows(self, wanted: set[int]) -> Iterator[_Window]:
        """The top-level client windows whose pid is in ``wanted``."""
        for number in range(self.conn.screen_count()):
            root = self.conn.screen(number).root
            listed = self._list(root, "_NET_CLIENT_LIST")
            if listed is not None:  # a window manager keeps the list: use it
                via_wm = self._wm_closes_windows(root)
                windows = [self.conn.create_resource_object("window", wid) for wid in listed]
            else:
                via_wm = False
                windows = self._top_levels(root)
            for window, pid in zip(windows, self._pids(windows), strict=True):
                if pid in wanted and self._is_client(window, viewable_only=listed is None):
                    yield _Window(window, root, pid, via_wm)

    def _top_levels(self, root: Any) -> list[Any]:
        """The root's children; for those without a pid, their children instead (the
        client windows inside the frames of a window manager without EWMH)."""
        children = self._children([root])[0]
        with_pid = [pid is not None for pid in self._pids(children)]
        frames = [c for c, has in zip(children, with_pid, strict=True) if not has]
        clients = [c for c, has in zip(children, with_pid, strict=True) if has]
        return clients + [inner for kids in self._children(frames) for inner in kids]

    def _pids(self, windows: Sequence[Any]) -> list[int | None]:
        """Each window's _NET_WM_PID; None if unset or the window is gone."""
        values = self._lists(windows, "_NET_WM_PID", 1)
        return [v[0] if v else None for v in values]

    def _lists(self, windows: Sequence[Any], name: str, length: int) -> list[list[int] | None]:
        """Each window's 32-bit list property (up to ``length`` items); None if unset,
        of another format, or the window is gone.

        Like :meth:`_children`, sends every request before reading any reply (python-xlib's
        ``defer``): one round trip to the X server instead of one per window.
        """
        requests = [
            request.GetProperty(
                display=self.conn.display,
                defer=True,
                delete=False,
                window=w,
                property=self.atom[name],
                type=X.AnyPropertyType,
                long_offset=0,
                long_length=length,
            )
            for w in windows
        ]
        values: list[list[int] | None] = []
        for reply in requests:
            try:
                reply.reply()
            except error.XError:
                values.append(None)
                continue
            fmt, value = reply.value if reply.property_type else (0, [])
            values.append([int(v) for v in value] if fmt == 32 else None)
        return values

    def _children(self, windows: Sequence[Any]) -> list[list[Any]]:
        requests = [
            request.QueryTree(display=self.conn.display, defer=True, window=w) for w in windows
        ]
        children: list[list[Any]] = []
        for reply in requests:
            try:
                reply.reply()
                children.append(list(reply.children))
            except error.XError:
                children.append([])
        return children

    def _wm_closes_windows(self, root: Any) -> bool:
        """Whether a running EWMH window manager announces _NET_CLOSE_WINDOW."""
        check = self._list(root, "_NET_SUPPORTING_WM_CHECK")
        if not check:
            return False
        child = self.conn.create_resource_object("window", check[0])
        if self._list(child, "_NET_SUPPORTING_WM_CHECK") != check[:1]:
            return False  # left behind by a window manager that has ended
        return self.atom["_NET_CLOSE_WINDOW"] in (self._list(root, "_NET_SUPPORTED") or [])

    def _is_client(self, window: Any, viewable_only: bool) -> bool:
        """Whether it is a top-level window of this computer that the customer could close."""
        try:
            if viewable_only:
                attributes = window.get_attributes()
                if attributes.override_redirect or attributes.map_state != X.IsViewable:
                    return False
            if window.get_wm_transient_for() is not None:
                return False
            machine = window.get_wm_client_machine()
        except error.XError:
            return False
        return not machine or str(machine).split(".")[0].casefold() == self.host

    def _list(self, window: Any, name: str) -> list[int] | None:
        return self._lists([window], name, _LONGEST)[0]
