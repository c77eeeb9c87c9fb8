"""A real HTTPS intake server on 127.0.0.1, with a trustme certificate authority.

For every test that sends confirmations (intake, terminal flow, window) and the benchmark.
The test decides what it answers: queue replies with :meth:`IntakeServer.reply`, or set
``policy`` (called for each request without a queued reply) to inject faults. It keeps
what the intake contract asks of a server: a record is stored once per submission id, and
a repeated id gets the first answer again. Everything it received is kept for assertions.
``stop()`` takes it down (open connections included) and ``start()`` brings it back on the
same port.

Usage::

    def test_x(intake_server):            # fixture, see the bottom of this module
        intake_server.reply(Reply(503, headers={"Retry-After": "1"}), Reply(200))
        config = helper.config.load(cli=intake_server.settings())
"""

from __future__ import annotations

import contextlib
import itertools
import json
import socket
import ssl
import struct
import sys
import threading
import time
from collections import Counter, deque
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
import trustme


@dataclass(frozen=True)
class TlsFiles:
    """A test certificate authority and a server certificate for 127.0.0.1/localhost."""

    ca_pem: Path  # what the client is told to trust (intake.ca_bundle)
    server_context: ssl.SSLContext


def make_tls(folder: Path) -> TlsFiles:
    ca = trustme.CA()
    cert = ca.issue_cert("127.0.0.1", "localhost")
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    cert.configure_cert(context)
    ca_pem = folder / "intake-test-ca.pem"
    ca.cert_pem.write_to_path(str(ca_pem))
    return TlsFiles(ca_pem=ca_pem, server_context=context)


@dataclass(frozen=True)
class Reply:
    """One answer the server gives."""

    status: int = 200
    body: bytes | None = None  # None: receipt JSON for 2xx, a JSON message otherwise
    headers: dict[str, str] = field(default_factory=dict)
    delay_s: float = 0.0  # wait before answering (after storing)
    #: "reset": drop the connection (TCP RST) without storing anything;
    #: "store_then_reset": store the record, then drop the connection (the ack is lost).
    fault: str = ""


@dataclass(frozen=True)
class Seen:
    """One request as the server received it."""

    method: str
    path: str
    headers: dict[str, str]  # names in lower case
    body: bytes
    submission_id: str  # from the Idempotency-Key header, quotes removed


class _HTTPServer(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False
    owner: IntakeServer

    def finish_request(self, request: Any, client_address: Any) -> None:
        # The TLS handshake runs here, in the connection's thread, not in the accept loop.
        request.settimeout(30)
        # As real servers do; without it, headers and body wait for delayed ACKs (40 ms).
        request.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        try:
            conn = self.owner.tls.server_context.wrap_socket(request, server_side=True)
        except (ssl.SSLError, OSError):
            self.owner._count_tls_failure()
            request.close()
            return
        self.owner._track(conn, True)
        try:
            _Handler(conn, client_address, self)
        except (OSError, ssl.SSLError):
            pass  # the client went away, or the test reset the connection
        finally:
            self.owner._track(conn, False)
            conn.close()

    def handle_error(self, request: Any, client_address: Any) -> None:
        self.owner.errors.append(repr(sys.exc_info()[1]))


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: _HTTPServer

    def do_POST(self) -> None:
        self.server.owner._handle(self)

    def log_message(self, format: str, *args: Any) -> None:
        pass


class IntakeServer:
    """The server; use as a context manager or call start()/stop()."""

    def __init__(self, tls: TlsFiles, path: str = "/intake") -> None:
        self.tls = tls
        self.path = path
        self.port = 0
        #: Called for a request when no reply is queued; None answers 200.
        self.policy: Callable[[Seen], Reply] | None = None
        #: If set, a POST for an id that already has a receipt here is noted in ``late``.
        self.watch_receipts: Path | None = None
        self.seen: list[Seen] = []
        self.stored: dict[str, bytes] = {}
        self.late: list[str] = []
        self.conflicts: list[str] = []  # same id, different body: must never happen
        self.errors: list[str] = []
        self.tls_failures = 0
        self.connections = 0  # TLS connections accepted: shows connection reuse
        self._answers: dict[str, bytes] = {}
        self._queue: deque[Reply] = deque()
        self._lock = threading.Lock()
        self._numbers = itertools.count(1)
        self._connections: set[Any] = set()
        self._httpd: _HTTPServer | None = None
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        return f"https://127.0.0.1:{self.port}{self.path}"

    def settings(self) -> list[tuple[str, str]]:
        """``config.load(cli=...)`` pairs that point the helper here and trust the CA."""
        return [("intake.url", self.url), ("intake.ca_bundle", str(self.tls.ca_pem))]

    def cli_args(self) -> list[str]:
        """The same as ``-c key=value`` arguments for ``python -m helper``."""
        return [arg for key, value in self.settings() for arg in ("-c", f"{key}={value}")]

    def reply(self, *replies: Reply) -> None:
        """Answer the next requests with these, in order."""
        with self._lock:
            self._queue.extend(replies)

    def posts(self, submission_id: str | None = None) -> int:
        """How many POSTs arrived (for one submission id)."""
        with self._lock:
            return sum(1 for s in self.seen if submission_id in (None, s.submission_id))

    def post_counts(self) -> Counter[str]:
        with self._lock:
            return Counter(s.submission_id for s in self.seen)

    def start(self) -> None:
        httpd = _HTTPServer(("127.0.0.1", self.port), _Handler)
        httpd.owner = self
        self.port = httpd.server_address[1]
        self._httpd = httpd
        self._thread = threading.Thread(
            target=httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self._thread.start()

    def stop(self) -> None:
        """Stop listening and cut every open connection: the server is really down."""
        if self._httpd is None:
            return
        self._httpd.shutdown()
        self._httpd.server_close()
        with self._lock:
            connections = list(self._connections)
        for conn in connections:
            with contextlib.suppress(OSError):
                conn.shutdown(socket.SHUT_RDWR)
        if self._thread is not None:
            self._thread.join()
        self._httpd = None

    def __enter__(self) -> IntakeServer:
        self.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    # -- inside the server's threads --

    def _track(self, conn: Any, add: bool) -> None:
        with self._lock:
            if add:
                self.connections += 1
                self._connections.add(conn)
            else:
                self._connections.discard(conn)

    def _count_tls_failure(self) -> None:
        with self._lock:
            self.tls_failures += 1

    def _handle(self, handler: _Handler) -> None:
        body = handler.rfile.read(int(handler.headers.get("Content-Length") or 0))
        headers = {k.lower(): v for k, v in handler.headers.items()}
        seen = Seen(
            "POST", handler.path, headers, body, headers.get("idempotency-key", "").strip('"')
        )
        with self._lock:
            self.seen.append(seen)
            receipt = self.watch_receipts and self.watch_receipts / f"{seen.submission_id}.json"
            if receipt and receipt.exists():
                self.late.append(seen.submission_id)
            reply = self._queue.popleft() if self._queue else None
        if reply is None:
            reply = self.policy(seen) if self.policy else Reply()
        if reply.fault == "reset":
            return _reset(handler)
        stores = 200 <= reply.status < 300 or reply.fault == "store_then_reset"
        answer = self._store(seen) if stores else None
        if reply.delay_s:
            time.sleep(reply.delay_s)
        if reply.fault == "store_then_reset":
            return _reset(handler)
        if reply.body is not None:
            payload = reply.body
        elif answer is not None:
            payload = answer
        else:
            payload = json.dumps({"message": f"test server answers {reply.status}"}).encode()
        handler.send_response(reply.status)
        handler.send_header("Content-Type", "application/json")
        handler.send_header("Content-Length", str(len(payload)))
        for name, value in reply.headers.items():
            handler.send_header(name, value)
        handler.end_headers()
        handler.wfile.write(payload)

    def _store(self, seen: Seen) -> bytes:
        with self._lock:
            sid = seen.submission_id
            if sid not in self.stored:
                self.stored[sid] = seen.body
                answer = {
                    "receipt_id": f"R-{next(self._numbers):06d}",
                    "received_at": datetime.now(UTC).isoformat(timespec="seconds"),
                }
                self._answers[sid] = json.dumps(answer).encode()
            elif self.stored[sid] != seen.body:
                self.conflicts.append(sid)
            return self._answers[sid]


def _reset(handler: _Handler) -> None:
    """Close with a TCP RST: the client sees "connection reset", no answer."""
    handler.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    handler.close_connection = True


@pytest.fixture(scope="session")
def intake_tls(tmp_path_factory: pytest.TempPathFactory) -> TlsFiles:
    return make_tls(tmp_path_factory.mktemp("intake-tls"))


@pytest.fixture
def intake_server(intake_tls: TlsFiles) -> Iterator[IntakeServer]:
    with IntakeServer(intake_tls) as server:
        yield server
