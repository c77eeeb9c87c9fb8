"""A fault-injecting TCP forwarder on 127.0.0.1, for chaos tests against a real server.

TLS stays end to end: the proxy only moves bytes between the client and the server, so
the client verifies the server's own certificate (issued for 127.0.0.1) through it. It
reads nothing but the TLS record headers of what the client sends, to tell where a
request ends (HTTP/1.1 over TLS: the client's application data, then the server's answer).

Each fault is chosen with the proxy's own seeded :class:`random.Random`:

- per connection, when it is accepted: forward it, ``reset`` the client (SO_LINGER 0,
  then close) before anything is forwarded (the request never reaches the server), or
  ``stall`` it (nothing moves for a while, often longer than the client waits);
- per request, once it has gone to the server: forward the answer, ``lose`` it (the
  client is reset as soon as the answer starts arriving; the server has the whole request
  and stores it), or ``delay`` it (held back for a while before it is forwarded).

A connection whose client is gone is closed towards the server only after the server
has read everything (half-close, then read until it closes), so a request that reached
the proxy whole also reaches the server whole.
"""

from __future__ import annotations

import contextlib
import random
import selectors
import socket
import struct
import threading
import time
from collections import Counter
from dataclasses import dataclass, field

_APPLICATION_DATA = 23
_DRAIN_S = 10.0


@dataclass
class Faults:
    """Probabilities of each fault; what is left over is forwarded normally."""

    reset: float = 0.15  # per connection
    stall: float = 0.05  # per connection
    stall_s: tuple[float, float] = (0.5, 2.5)
    lose: float = 0.15  # per request
    delay: float = 0.05  # per request
    delay_s: tuple[float, float] = (0.3, 2.0)


@dataclass
class _Records:
    """Follows the TLS record framing of one direction; counts application data bytes."""

    header: bytearray = field(default_factory=bytearray)
    remaining: int = 0
    kind: int = 0
    application_bytes: int = 0

    def feed(self, data: bytes) -> None:
        view = memoryview(data)
        while view:
            if self.remaining:
                take = min(self.remaining, len(view))
                if self.kind == _APPLICATION_DATA:
                    self.application_bytes += take
                self.remaining -= take
                view = view[take:]
                continue
            take = min(5 - len(self.header), len(view))
            self.header += view[:take]
            view = view[take:]
            if len(self.header) == 5:
                self.kind = self.header[0]
                self.remaining = int.from_bytes(self.header[3:5], "big")
                self.header.clear()

    @property
    def at_boundary(self) -> bool:
        return not self.remaining and not self.header


def _reset(sock: socket.socket) -> None:
    """Close so that the peer gets a TCP RST, not an orderly end."""
    with contextlib.suppress(OSError):
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    with contextlib.suppress(OSError):
        sock.close()


def _drain_and_close(upstream: socket.socket) -> None:
    """Tell the server we are done, let it read it all and finish, then close."""
    with contextlib.suppress(OSError):
        upstream.shutdown(socket.SHUT_WR)
    deadline = time.monotonic() + _DRAIN_S
    with contextlib.suppress(OSError):
        while time.monotonic() < deadline:
            upstream.settimeout(max(0.01, deadline - time.monotonic()))
            if not upstream.recv(65536):
                break
    with contextlib.suppress(OSError):
        upstream.close()


class FaultProxy:
    """``with FaultProxy(target_port, seed) as proxy:`` clients connect to ``proxy.port``.

    ``request_bytes`` is how many bytes of application data (at a record boundary) make
    a whole request: at least the smallest body sent. ``counts`` tallies what was done.
    """

    def __init__(
        self,
        target_port: int,
        seed: int,
        faults: Faults | None = None,
        request_bytes: int = 512,
        target_host: str = "127.0.0.1",
    ) -> None:
        self.target = (target_host, target_port)
        self.faults = faults or Faults()
        self.request_bytes = request_bytes
        self.counts: Counter[str] = Counter()
        self.errors: list[str] = []
        self._rng = random.Random(seed)
        self._lock = threading.Lock()
        self._open: set[socket.socket] = set()
        self._threads: list[threading.Thread] = []
        self._stopping = threading.Event()
        self._listener = socket.create_server(("127.0.0.1", 0), backlog=128)
        self._listener.settimeout(0.1)  # so that stop() ends the accepting thread soon
        self.port: int = self._listener.getsockname()[1]

    # -- choosing faults -------------------------------------------------------------

    def _draw(self, choices: list[tuple[str, float]]) -> tuple[str, float]:
        with self._lock:
            roll, spent = self._rng.random(), 0.0
            for name, chance in choices:
                spent += chance
                if roll < spent:
                    low, high = self.faults.stall_s if name == "stall" else self.faults.delay_s
                    return name, self._rng.uniform(low, high)
            return "forward", 0.0

    def _count(self, what: str) -> None:
        with self._lock:
            self.counts[what] += 1

    # -- serving ---------------------------------------------------------------------

    def __enter__(self) -> FaultProxy:
        thread = threading.Thread(target=self._accept, name="fault-proxy", daemon=True)
        thread.start()
        self._threads.append(thread)
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    def stop(self) -> None:
        self._stopping.set()
        with contextlib.suppress(OSError):
            self._listener.close()
        with self._lock:
            sockets = list(self._open)
        for sock in sockets:  # shutdown wakes a thread blocked on it; close alone does not
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)
            with contextlib.suppress(OSError):
                sock.close()
        for thread in list(self._threads):
            thread.join(timeout=_DRAIN_S + 5)

    def _accept(self) -> None:
        while not self._stopping.is_set():
            try:
                client, _address = self._listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            client.settimeout(None)
            thread = threading.Thread(target=self._connection, args=(client,), daemon=True)
            with self._lock:
                self._threads = [t for t in self._threads if t.is_alive()]
                self._threads.append(thread)
            thread.start()

    def _track(self, sock: socket.socket, add: bool = True) -> None:
        with self._lock:
            (self._open.add if add else self._open.discard)(sock)

    def _connection(self, client: socket.socket) -> None:
        self._track(client)
        self._count("connections")
        upstream: socket.socket | None = None
        try:
            fault, seconds = self._draw(
                [("reset", self.faults.reset), ("stall", self.faults.stall)]
            )
            if fault == "reset":
                self._count("reset before forwarding")
                _reset(client)
                return
            if fault == "stall":
                self._count("stalled")
                self._stopping.wait(seconds)
            upstream = socket.create_connection(self.target, timeout=10)
            self._track(upstream)
            self._relay(client, upstream)
        except Exception as exc:  # a proxy bug must show in the test, not vanish
            if not self._stopping.is_set():
                with self._lock:
                    self.errors.append(f"{type(exc).__name__}: {exc}")
        finally:
            with contextlib.suppress(OSError):
                client.close()
            if upstream is not None:
                _drain_and_close(upstream)
                self._track(upstream, add=False)
            self._track(client, add=False)

    def _relay(self, client: socket.socket, upstream: socket.socket) -> None:
        client.setblocking(False)
        upstream.setblocking(False)
        records = _Records()
        sent_at_answer = 0  # application bytes the client had sent when the last answer began
        answer_fault, held_until, held = "forward", 0.0, bytearray()
        with selectors.DefaultSelector() as selector:
            selector.register(client, selectors.EVENT_READ, "client")
            selector.register(upstream, selectors.EVENT_READ, "server")
            while not self._stopping.is_set():
                timeout = max(0.0, held_until - time.monotonic()) if held else 1.0
                events = selector.select(timeout=timeout)
                if held and time.monotonic() >= held_until:
                    if not _send_all(client, bytes(held)):
                        return
                    held.clear()
                for key, _mask in events:
                    source = client if key.data == "client" else upstream
                    try:
                        data = source.recv(65536)
                    except BlockingIOError:
                        continue
                    except OSError:
                        data = b""
                    if not data:
                        return  # either side is done: the finally clause closes both
                    if key.data == "client":
                        records.feed(data)
                        if not _send_all(upstream, data):
                            return
                        continue
                    whole_request = (
                        records.at_boundary
                        and records.application_bytes - sent_at_answer >= self.request_bytes
                    )
                    if whole_request:  # the answer to a new request starts arriving
                        sent_at_answer = records.application_bytes
                        choices = [("lose", self.faults.lose), ("delay", self.faults.delay)]
                        answer_fault, seconds = self._draw(choices)
                        self._count("requests")
                        if answer_fault == "lose":
                            self._count("answer lost")
                            _reset(client)
                            return
                        if answer_fault == "delay":
                            self._count("answer delayed")
                            held_until = time.monotonic() + seconds
                    if held or (answer_fault == "delay" and time.monotonic() < held_until):
                        held += data
                    elif not _send_all(client, data):
                        return


def _send_all(sock: socket.socket, data: bytes) -> bool:
    """Send on a non-blocking socket, waiting while its buffer is full; False if it broke."""
    view = memoryview(data)
    deadline = time.monotonic() + _DRAIN_S
    while view:
        try:
            sent = sock.send(view)
        except BlockingIOError:
            if time.monotonic() > deadline:
                return False
            time.sleep(0.005)
            continue
        except OSError:
            return False
        view = view[sent:]
    return True
