"""Slow and stalled clients against a real ``intellekta-intake serve``: they cannot starve it.

64 connections stall (in the TLS handshake, while trickling their headers one byte at a
time, or after one byte of a body). Meanwhile ``/healthz`` and a valid POST must answer
within a second, and every stalled connection must be closed once ``read_timeout_s``
has passed without a byte from it. The timeout is 3 s here, so the test takes seconds.
"""

from __future__ import annotations

import http.client
import json
import socket
import sqlite3
import ssl
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import psutil
import pytest

from intake_server import serve
from tests.server.conftest import URL_PATH, ServerProcess, Tls, intake_env, run_intake
from tests.server.console.support import PASSWORD
from tests.server.posting import post
from tests.server.records import real_record
from tests.server.tcp_relay import Relay

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
def slow_server(
    request: pytest.FixtureRequest, tmp_path: Path, server_tls: Tls
) -> Iterator[ServerProcess]:
    env = intake_env(
        tmp_path / "data",
        f"sqlite:///{tmp_path / 'intake.sqlite3'}",
        read_timeout_s=str(READ_TIMEOUT_S),
        rate_limit_address="off",
    )
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
    early = [
        (s.kind, s.closed_after)
        for s in stalled
        if s.closed_after is not None and s.closed_after < READ_TIMEOUT_S - 0.5
    ]
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


def _plain_request(
    server: ServerProcess,
    method: str,
    path: str,
    body: bytes | None = None,
    headers: dict[str, str] | None = None,
    chunked: bool = False,
) -> tuple[int, bytes]:
    connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
    try:
        parts = iter([body[i : i + 1000] for i in range(0, len(body), 1000)]) if chunked else body
        connection.request(method, path, body=parts, headers=headers or {}, encode_chunked=chunked)
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
    status, answer = _plain_request(
        plain_server, "POST", URL_PATH, built.payload, headers, chunked=True
    )
    assert status == 201, answer
    too_large = b'{"x": "' + b"a" * 70_000 + b'"}'
    for chunked in (True, False):
        status, answer = _plain_request(
            plain_server, "POST", URL_PATH, too_large, headers, chunked=chunked
        )
        assert status == 413 and b"problem" in answer, answer
    # A length far beyond the limit is answered at once, without waiting for the body.
    with socket.create_connection(("127.0.0.1", plain_server.port), timeout=10) as sock:
        sock.sendall(
            f"POST {URL_PATH} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: "
            "application/json\r\nContent-Length: 100000000\r\n\r\n".encode()
        )
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

    scope = {
        "type": "http",
        "method": "GET",
        "path": "/",
        "query_string": b"",
        "http_version": "1.1",
        "client": ("203.0.113.9", 5000),
        "headers": [(b"x_forwarded_for", b"127.0.0.1"), (b"x-real", b"1")],
    }
    environ = _environ(scope, b"")
    assert "HTTP_X_FORWARDED_FOR" not in environ and environ["HTTP_X_REAL"] == "1"


# -- the server verifies its ledger by itself ---------------------------------------------

#: The longest a test waits for what a verification run records to show: runs come every
#: 3 seconds here, but no test asserts how soon; a slow machine only takes longer.
WATCH_S = 60
REAL_ID, FORGED_ID = "333444555", "333444556"


def _metrics(server: ServerProcess) -> dict[str, float]:
    """Every sample ``/metrics`` gives, by name (the ledger's gauges have no labels)."""
    from prometheus_client.parser import text_string_to_metric_families

    request = urllib.request.Request(server.base + "/metrics")
    context = server.tls.client_context() if server.tls else None
    with urllib.request.urlopen(request, context=context, timeout=30) as answer:
        text = answer.read().decode()
    return {
        sample.name: sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
    }


def _readyz(server: ServerProcess) -> tuple[int, dict[str, Any]]:
    context = server.tls.client_context() if server.tls else None
    try:
        with urllib.request.urlopen(server.base + "/readyz", context=context, timeout=30) as got:
            return got.status, json.loads(got.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())


def _until(check: Callable[[], bool], what: str, server: ServerProcess) -> None:
    """Wait (up to :data:`WATCH_S`) until ``check()``; else fail with the server's log."""
    deadline = time.monotonic() + WATCH_S
    while not check():
        if time.monotonic() > deadline:
            raise AssertionError(f"not within {WATCH_S} s: {what}\n{server.log_text()}")
        time.sleep(0.5)


def _damaged_entries(server: ServerProcess) -> float | None:
    return _metrics(server).get("intake_ledger_damaged_entries")


def _watched(env: dict[str, str], tls: Tls) -> ServerProcess:
    """A server that verifies the new entries every 3 seconds."""
    env = {**env, "INTELLEKTA_INTAKE_VERIFY_INTERVAL_MINUTES": "0.05"}
    return ServerProcess(env, tls, options=("--no-purge",)).start()


def _ledger_errors(server: ServerProcess) -> list[str]:
    return [
        line
        for line in server.log_text().splitlines()
        if " ERROR intake_server.serve: Ledger damaged" in line
    ]


def _banner(server: ServerProcess, user: str) -> str:
    """The text of the console's damage banner for ``user`` ("" when there is none), in
    Debian's Chromium, signed in through the real sign-in page."""
    from tests.server.console.browser import chromium
    from tests.server.console.support import sign_in

    with chromium() as browser:
        context = browser.new_context(ignore_https_errors=True, locale="en-GB")
        page = context.new_page()
        sign_in(page, server.base, user)
        banner = page.locator("#ledger-damage.banner.damaged[role=alert]")
        return banner.inner_text() if banner.count() else ""


def test_damage_to_a_new_entry_is_reported_by_the_next_run_everywhere(
    tmp_path: Path, server_tls: Tls
) -> None:
    """The acceptance test: a row changed right after it was stored (by a trigger in the
    SQLite file, so that no run can see it intact first) is reported within the interval
    in the metric, /readyz (still ready), one ERROR line and the administrators' banner;
    put back, it is gone after the next full run (``verify`` by hand)."""
    database = tmp_path / "intake.sqlite3"
    env = intake_env(tmp_path / "data", f"sqlite:///{database}")
    server = _watched(env, server_tls)
    try:
        added = run_intake("user", "add", "anna", "--admin", env=env, input=PASSWORD + "\n")
        assert added.returncode == 0, added.stderr
        for number in ("333444001", "333444002"):
            assert post(server, real_record(session_id=number))[0] == 201
        with sqlite3.connect(database) as db:
            db.execute(
                f"CREATE TRIGGER forge AFTER INSERT ON api_confirmation "
                f"WHEN NEW.session_id = '{REAL_ID}' BEGIN UPDATE api_confirmation "
                f"SET session_id = '{FORGED_ID}' WHERE seq = NEW.seq; END"
            )
        status, answer = post(server, real_record(session_id=REAL_ID))
        assert status == 201, answer
        receipt = answer["receipt_id"]

        _until(lambda: _damaged_entries(server) == 1, "the metric shows 1 damaged entry", server)
        status, ready = _readyz(server)
        assert (status, ready["status"], ready["ledger"]["damaged"]) == (200, "ready", 1)
        assert ready["ledger"]["checked_at"].endswith("Z")
        _until(lambda: bool(_ledger_errors(server)), "an ERROR line names the entry", server)
        assert f"entry 3 (receipt '{receipt}')" in _ledger_errors(server)[0]
        assert "Ledger damaged: 1 entry found" in _ledger_errors(server)[0]
        for session_id in (REAL_ID, FORGED_ID, "333 444 555", "333 444 556"):
            assert session_id not in server.log_text()
        assert receipt in _banner(server, "anna")  # helper A's banner, for administrators

        with sqlite3.connect(database) as db:  # the backup's value back
            db.execute("DROP TRIGGER forge")
            db.execute(
                "UPDATE api_confirmation SET session_id = ? WHERE session_id = ?",
                [REAL_ID, FORGED_ID],
            )
        verified = run_intake("verify", env=env)  # a full run, recorded as the server's are
        assert verified.returncode == 0, verified.stdout + verified.stderr
        assert _damaged_entries(server) == 0
        assert _readyz(server)[1]["ledger"]["damaged"] == 0
        assert _banner(server, "anna") == ""
    finally:
        server.stop()
    assert server.process is not None and server.process.returncode == 0, server.log_text()


def test_damage_done_while_the_server_was_stopped_is_found_soon_after_it_starts(
    tmp_path: Path, server_tls: Tls
) -> None:
    """The issue's case: the server stopped, one body edited in the SQLite file. An entry
    verified before is only read again by a full run: the first comes soon after start."""
    database = tmp_path / "intake.sqlite3"
    env = intake_env(tmp_path / "data", f"sqlite:///{database}")
    first = _watched(env, server_tls)
    try:
        posted = [post(first, real_record(session_id=f"44455500{i}")) for i in range(3)]
        _until(
            lambda: (
                _metrics(first).get("intake_ledger_full_verified_timestamp_seconds") is not None
            ),
            "a first full run",
            first,
        )
    finally:
        first.stop()
    with sqlite3.connect(database) as db:
        (body,) = db.execute("SELECT body FROM api_confirmation WHERE seq = 2").fetchone()
        db.execute(
            "UPDATE api_confirmation SET body = ? WHERE seq = 2",
            [bytes(body).replace(b"Steuerkanzlei", b"Steuerkanzlai")],
        )
    second = _watched(env, server_tls)
    try:
        _until(lambda: _damaged_entries(second) == 1, "the metric shows 1 damaged entry", second)
        _until(lambda: bool(_ledger_errors(second)), "an ERROR line names the entry", second)
        receipt = posted[1][1]["receipt_id"]
        assert (
            f"Ledger damaged: 1 entry found by the full verification: entry 2 (receipt '{receipt}')"
        ) in _ledger_errors(second)[0]
    finally:
        second.stop()


def test_a_database_that_is_gone_is_a_warning_and_the_metrics_still_answer(
    tmp_path: Path,
    relayed_postgres: tuple[str, Relay],
    server_tls: Tls,
) -> None:
    """A run that cannot reach the database logs a WARNING and the next one comes as
    planned; a scrape meanwhile gives the request counters (the ledger's gauges have no
    value), /readyz says 503."""
    url, relay = relayed_postgres
    server = _watched(intake_env(tmp_path / "data", url), server_tls)
    try:
        assert post(server, real_record())[0] == 201
        _until(
            lambda: "intake_ledger_verified_timestamp_seconds" in _metrics(server),
            "a first run",
            server,
        )
        relay.stop()
        _until(
            lambda: (
                "WARNING intake_server.serve: The ledger could not be verified (exit 3)"
                in server.log_text()
            ),
            "a warning that the run failed",
            server,
        )
        scraped = _metrics(server)
        assert scraped["intake_confirmations_received_total"] == 1
        assert "intake_ledger_damaged_entries" not in scraped
        assert _readyz(server)[0] == 503
        before = server.log_text().count("The ledger could not be verified")
        relay.start()
        _until(
            lambda: (
                _metrics(server).get("intake_ledger_damaged_entries") == 0
                and _readyz(server)[0] == 200
            ),
            "the database back",
            server,
        )
        checked = _metrics(server)["intake_ledger_verified_timestamp_seconds"]
        _until(
            lambda: _metrics(server)["intake_ledger_verified_timestamp_seconds"] > checked,
            "the runs go on",
            server,
        )
        assert before >= 1 and "Traceback" not in server.log_text()
    finally:
        server.stop()
    assert server.process is not None and server.process.returncode == 0, server.log_text()


def test_the_whole_ledger_first_and_daily_the_new_entries_in_between(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The schedule alone, on a clock the test moves: a full run that failed is tried
    again as a full run."""
    now, runs = [0.0], []
    results = iter([False, True, True, True, True, True])
    stop = threading.Event()

    def run_once(full: bool, _stop: threading.Event) -> bool:
        runs.append("full" if full else "new")
        now[0] += 3600 * 8  # each run takes eight hours
        if len(runs) == 6:
            stop.set()
        return next(results)

    monkeypatch.setattr(serve, "_verify_once", run_once)
    serve._verify_regularly(stop, 0.001, clock=lambda: now[0])
    assert runs == ["full", "full", "new", "new", "new", "full"]


def test_a_receipt_id_changed_into_anything_stays_on_one_short_line() -> None:
    entry = {"seq": 7, "last": 7, "receipt_id": "R-1\nINFO forged line\u2028" + "x" * 90}
    named = serve._named(entry)
    assert named.startswith("entry 7 (receipt 'R-1\\nINFO forged line\\u2028")
    assert "\n" not in named and len(named) < 60
    assert serve._named({"seq": 8, "last": 9, "receipt_id": ""}) == "entries 8 to 9"


def test_a_worker_terminated_by_hypercorn_during_a_stop_did_not_die() -> None:
    """On a stop, the first worker to finish ends with 0 and hypercorn terminates the
    others, even one still closing connections; a worker killed otherwise still counts."""

    @dataclass(frozen=True)
    class Worker:
        pid: int
        exitcode: int

    def workers(*codes: int) -> set[Any]:
        return {Worker(pid, code) for pid, code in enumerate(codes)}

    assert serve._died(workers(0, -15)) == []
    assert len(serve._died(workers(-9, -15))) == 2
    assert len(serve._died(workers(-15, -15))) == 2  # no worker stopped as asked
    assert len(serve._died(workers(0, 1))) == 1
