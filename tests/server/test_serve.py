"""Slow and stalled clients against a real ``intellekta-intake serve``: they cannot starve it.

64 connections stall (in the TLS handshake, while trickling their headers one byte at a
time, or after one byte of a body). Meanwhile ``/healthz`` and a valid POST must answer
within a second, and every stalled connection must be closed once ``read_timeout_s``
has passed without a byte from it. The timeout is 3 s here, so the test takes seconds.
"""

from __future__ import annotations

import http.client
import socket
import ssl
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import psutil
import pytest

from tests.server.conftest import URL_PATH, ServerProcess, Tls, intake_env
from tests.server.posting import post
from tests.server.records import real_record

READ_TIMEOUT_S = 3
STALLED = 64
#: How long after the timeout a stalled connection may still be open: the server's
#: timers are not exact, and a loaded test machine is slower still.
SLACK_S = 10


@dataclass
class Stalled:
    """One connection that stops sending; ``closed_after`` once the server closed it."""

    kind: str
    sock: socket.socket
    opened: float = field(default_factory=time.monotonic)
    closed_after: float | None = None


def _open(server: ServerProcess, kind: str) -> Stalled:
    raw = socket.create_connection(("127.0.0.1", server.port), timeout=10)
    if kind == "handshake":  # TCP open, not one byte of the TLS handshake
        return Stalled(kind, raw)
    sock: socket.socket = raw
    if server.tls:
        sock = server.tls.client_context().wrap_socket(raw, server_hostname="127.0.0.1")
    head = f"POST {URL_PATH} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
    if kind == "body":  # headers complete, then 1 of 1000 bytes
        sock.sendall(f"{head}Content-Length: 1000\r\n\r\n{{".encode())
    else:  # "headers": the first line, then one byte at a time (see _trickle)
        sock.sendall(head.encode())
    return Stalled(kind, sock)


def _watch(stalled: Stalled, stop: threading.Event) -> None:
    """Wait until the server closes the connection; a "headers" one keeps trickling
    a byte every half second meanwhile, as a slowloris client does."""
    stalled.sock.settimeout(0.5)
    while not stop.is_set():
        try:
            if stalled.kind == "headers":
                stalled.sock.sendall(b"X")
            data = stalled.sock.recv(4096)
        except (TimeoutError, ssl.SSLWantReadError):
            continue
        except OSError:  # reset, or a broken pipe while trickling
            data = b""
        if data and stalled.kind == "headers":
            continue  # whatever it answers, the trickle goes on until it is closed
        if data:
            _read_to_end(stalled.sock)  # a stalled body gets its 408, then the close
        stalled.closed_after = time.monotonic() - stalled.opened
        return


def _read_to_end(sock: socket.socket) -> None:
    sock.settimeout(SLACK_S)
    try:
        while sock.recv(4096):
            pass
    except OSError:
        pass


@pytest.fixture(params=["https", "http"])
def slow_server(request: pytest.FixtureRequest, tmp_path: Path,
                server_tls: Tls) -> Iterator[ServerProcess]:  # fmt: skip
    env = intake_env(tmp_path / "data", f"sqlite:///{tmp_path / 'intake.sqlite3'}",
                     read_timeout_s=str(READ_TIMEOUT_S), rate_limit_address="off")  # fmt: skip
    tls = server_tls if request.param == "https" else None
    server = ServerProcess(env, tls, options=("--no-purge",)).start()
    yield server
    server.stop()


def _get(server: ServerProcess, path: str) -> int:
    context = server.tls.client_context() if server.tls else None
    connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
    if context:
        connection = http.client.HTTPSConnection(
            "127.0.0.1", server.port, context=context, timeout=10
        )
    try:
        connection.request("GET", path)
        return connection.getresponse().status
    finally:
        connection.close()


def _post_plain(server: ServerProcess) -> int:
    built = real_record()
    connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
    try:
        headers = {"Content-Type": "application/json", "Idempotency-Key": built.submission_id}
        connection.request("POST", URL_PATH, body=built.payload, headers=headers)
        return connection.getresponse().status
    finally:
        connection.close()


def test_stalled_connections_neither_starve_the_server_nor_stay_open(
    slow_server: ServerProcess,
) -> None:
    kinds = ["headers", "body"] + (["handshake"] if slow_server.tls else [])
    stalled = [_open(slow_server, kinds[i % len(kinds)]) for i in range(STALLED)]
    stop = threading.Event()
    watchers = [threading.Thread(target=_watch, args=(s, stop), daemon=True) for s in stalled]
    for watcher in watchers:
        watcher.start()
    try:
        for _ in range(3):  # while all 64 are stalled, well inside the timeout
            started = time.monotonic()
            assert _get(slow_server, "/healthz") == 200
            healthz_s = time.monotonic() - started
            started = time.monotonic()
            if slow_server.tls:
                status, _answer = post(slow_server, real_record(), timeout=10)
            else:
                status = _post_plain(slow_server)
            post_s = time.monotonic() - started
            assert status == 201, slow_server.log_text()
            assert healthz_s < 1 and post_s < 1, (healthz_s, post_s)
        for watcher in watchers:
            watcher.join(READ_TIMEOUT_S + SLACK_S)
    finally:
        stop.set()
        for s in stalled:
            s.sock.close()
    still_open = [s.kind for s in stalled if s.closed_after is None]
    assert not still_open, f"{len(still_open)} stalled connections still open: {still_open}"
    early = [(s.kind, s.closed_after) for s in stalled
             if s.closed_after is not None and s.closed_after < READ_TIMEOUT_S - 0.5]  # fmt: skip
    assert not early, f"closed before the read timeout: {early}"


def test_a_body_that_stops_gets_408_and_the_connection_is_closed(
    slow_server: ServerProcess,
) -> None:
    stalled = _open(slow_server, "body")
    stalled.sock.settimeout(READ_TIMEOUT_S + SLACK_S)
    answer = b""
    while chunk := stalled.sock.recv(4096):
        answer += chunk
    stalled.sock.close()
    assert answer.startswith(b"HTTP/1.1 408"), answer
    assert b"application/problem+json" in answer


def _plain_request(server: ServerProcess, method: str, path: str, body: bytes | None = None,
                   headers: dict[str, str] | None = None,
                   chunked: bool = False) -> tuple[int, bytes]:  # fmt: skip
    connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
    try:
        parts = iter([body[i : i + 1000] for i in range(0, len(body), 1000)]) if chunked else body
        connection.request(method, path, body=parts, headers=headers or {},
                           encode_chunked=chunked)  # fmt: skip
        answer = connection.getresponse()
        return answer.status, answer.read()
    finally:
        connection.close()


@pytest.fixture
def plain_server(tmp_path: Path) -> Iterator[ServerProcess]:
    env = intake_env(tmp_path / "data", f"sqlite:///{tmp_path / 'intake.sqlite3'}")
    server = ServerProcess(env, None, options=("--no-purge",)).start()
    yield server
    server.stop()


def test_bodies_chunked_or_too_large_are_read_like_any_other(plain_server: ServerProcess) -> None:
    built = real_record()
    headers = {"Content-Type": "application/json", "Idempotency-Key": built.submission_id}
    status, answer = _plain_request(plain_server, "POST", URL_PATH, built.payload, headers,
                                    chunked=True)  # fmt: skip
    assert status == 201, answer
    too_large = b'{"x": "' + b"a" * 70_000 + b'"}'
    for chunked in (True, False):
        status, answer = _plain_request(plain_server, "POST", URL_PATH, too_large, headers,
                                        chunked=chunked)  # fmt: skip
        assert status == 413 and b"problem" in answer, answer
    # A length far beyond the limit is answered at once, without waiting for the body.
    with socket.create_connection(("127.0.0.1", plain_server.port), timeout=10) as sock:
        sock.sendall(f"POST {URL_PATH} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: "
                     "application/json\r\nContent-Length: 100000000\r\n\r\n".encode())  # fmt: skip
        assert sock.recv(4096).startswith(b"HTTP/1.1 413")


def test_a_streamed_answer_arrives_whole(plain_server: ServerProcess) -> None:
    """A static file is streamed from the pool part by part, like an export."""
    status, answer = _plain_request(plain_server, "GET", "/static/console/console.css")
    shipped = Path("intake_server/console/static/console/console.css")
    assert status == 200 and answer == (Path(__file__).parents[2] / shipped).read_bytes()


def test_a_server_process_that_dies_stops_the_server_with_exit_1(
    plain_server: ServerProcess,
) -> None:
    """So that systemd's Restart=on-failure starts it again (hypercorn alone ends with 0)."""
    assert plain_server.process is not None
    workers = psutil.Process(plain_server.process.pid).children()
    next(w for w in workers if "spawn_main" in " ".join(w.cmdline())).kill()
    assert plain_server.process.wait(timeout=60) == 1
    assert "ended unexpectedly" in plain_server.log_text()


def test_the_limit_of_open_connections_is_raised_as_far_as_allowed() -> None:
    """systemd starts services with 1,024 open files (soft) of far more (hard)."""
    import resource

    from intake_server import serve

    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (min(1024, hard), hard))
    try:
        serve._allow_many_connections()
        assert resource.getrlimit(resource.RLIMIT_NOFILE) == (hard, hard)
    finally:
        resource.setrlimit(resource.RLIMIT_NOFILE, (soft, hard))


def test_a_header_with_an_underscore_cannot_pose_as_another() -> None:
    """``X_Forwarded_For`` would reach Django as ``HTTP_X_FORWARDED_FOR``."""
    from intake_server.asgi import _environ

    scope = {"type": "http", "method": "GET", "path": "/", "query_string": b"",
             "http_version": "1.1", "client": ("203.0.113.9", 5000),
             "headers": [(b"x_forwarded_for", b"127.0.0.1"), (b"x-real", b"1")]}  # fmt: skip
    environ = _environ(scope, b"")
    assert "HTTP_X_FORWARDED_FOR" not in environ and environ["HTTP_X_REAL"] == "1"
