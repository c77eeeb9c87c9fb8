"""A minimal EWMH window manager, for the test of closing through a window manager.

It maps the windows it is asked to map, keeps ``_NET_CLIENT_LIST``, announces
``_NET_CLOSE_WINDOW`` and handles that request as real window managers do: by sending
the window WM_DELETE_WINDOW. Prints ``ready PID`` once it runs, then ``close WINDOW_ID``
for each close request it handled. Run it on a display of its own.
"""

from __future__ import annotations

import os

from Xlib import X, Xatom, display
from Xlib.protocol import event

GEOMETRY = (
    ("x", X.CWX),
    ("y", X.CWY),
    ("width", X.CWWidth),
    ("height", X.CWHeight),
    ("border_width", X.CWBorderWidth),
)


def main() -> None:
    conn = display.Display()
    root = conn.screen().root
    atom = conn.intern_atom
    root.change_attributes(event_mask=X.SubstructureRedirectMask | X.SubstructureNotifyMask)
    check = root.create_window(-1, -1, 1, 1, 0, X.CopyFromParent)
    for window in (root, check):
        window.change_property(atom("_NET_SUPPORTING_WM_CHECK"), Xatom.WINDOW, 32, [check.id])
    supported = [atom("_NET_CLOSE_WINDOW"), atom("_NET_CLIENT_LIST")]
    root.change_property(atom("_NET_SUPPORTED"), Xatom.ATOM, 32, supported)
    clients: list[int] = []

    def publish() -> None:
        root.change_property(atom("_NET_CLIENT_LIST"), Xatom.WINDOW, 32, clients)

    publish()
    conn.sync()
    print(f"ready {os.getpid()}", flush=True)
    while True:
        ev = conn.next_event()
        if ev.type == X.MapRequest:
            ev.window.map()
            if ev.window.id not in clients:
                clients.append(ev.window.id)
                publish()
        elif ev.type == X.ConfigureRequest:
            ev.window.configure(**{n: getattr(ev, n) for n, f in GEOMETRY if ev.value_mask & f})
        elif ev.type in (X.UnmapNotify, X.DestroyNotify) and ev.window.id in clients:
            clients.remove(ev.window.id)
            publish()
        elif ev.type == X.ClientMessage and ev.client_type == atom("_NET_CLOSE_WINDOW"):
            print(f"close {ev.window.id}", flush=True)
            data = (32, [atom("WM_DELETE_WINDOW"), X.CurrentTime, 0, 0, 0])
            message = event.ClientMessage(
                window=ev.window, client_type=atom("WM_PROTOCOLS"), data=data
            )
            ev.window.send_event(message)
        conn.flush()


if __name__ == "__main__":
    main()
