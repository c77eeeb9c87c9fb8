"""Serving with hypercorn: requests read on an event loop, Django run in threads.

Kept apart from the management command so that the command stays a thin shell. Why
hypercorn (and not gunicorn's threaded workers, which give a thread to each connection
as soon as its first byte arrives): see :mod:`intake_server.asgi` and the guide's
"Serving" section. The daily purge and the ledger's verification run as child processes
(``intellekta-intake purge``, ``intellekta-intake verify``), each started by a thread of
the master process that does nothing else, so a worker never carries them and a child
that fails or hangs on the database never touches a request.
"""

from __future__ import annotations

import importlib.util
import json
import logging
import multiprocessing
import os
import shutil
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from multiprocessing.process import BaseProcess
from pathlib import Path
from typing import Any

try:
    import resource
except ImportError:  # Windows: no such limit
    resource = None  # type: ignore[assignment]

from hypercorn.config import Config
from hypercorn.run import run as run_hypercorn

log = logging.getLogger("intake_server.serve")
PURGE_EVERY_S = 24 * 3600
FIRST_PURGE_AFTER_S = 60
#: The whole ledger is verified this often, the first time soon after the start; in
#: between only the entries added since the last run, every ``verify_interval_minutes``.
VERIFY_ALL_EVERY_S = 24 * 3600
#: At most this long after the start (sooner with a shorter interval): a server that is
#: restarted in a loop does not read the whole ledger each time.
FIRST_VERIFY_AFTER_S = 60
#: How many damaged entries one log line names; ``verify`` names them all.
NAMED_IN_LOG = 20
#: How long a stopping server waits for its purge or verification child to end.
CHILD_STOP_S = 10
#: Tells the workers (new processes) how many threads run Django: ``serve --threads``.
THREADS_VARIABLE = "INTELLEKTA_SERVE_THREADS"
#: How long a stopping server lets the requests in progress finish.
GRACEFUL_TIMEOUT_S = 20


def _child(args: list[str], stop: threading.Event) -> subprocess.CompletedProcess[str] | None:
    """``intellekta-intake ARGS`` as a child process, with the server's configuration (the
    CLI put ``--config`` into the environment); its output, or None if the server stopped
    meanwhile, which ends the child too. Its own session: Ctrl+C in a terminal reaches
    only the server, which ends the child itself. Raises OSError if it cannot start."""
    command = [sys.executable, "-m", "intake_server", *args]
    env = {k: v for k, v in os.environ.items() if k != "PROMETHEUS_MULTIPROC_DIR"}  # not ours
    with subprocess.Popen(
        command,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
        start_new_session=True,
    ) as child:
        while True:
            try:
                out, err = child.communicate(timeout=0.5)
            except subprocess.TimeoutExpired:
                if stop.is_set():
                    child.terminate()
                    child.communicate()
                    return None
                continue
            return subprocess.CompletedProcess(command, child.returncode, out, err)


def _purge_daily(stop: threading.Event) -> None:
    wait = FIRST_PURGE_AFTER_S
    while not stop.wait(wait):
        wait = PURGE_EVERY_S
        try:
            done = _child(["purge"], stop)
        except OSError as exc:
            log.warning("The daily purge could not start: %s", exc)
            continue
        if done is not None:
            level = logging.INFO if done.returncode == 0 else logging.ERROR
            log.log(level, "Daily purge: %s", (done.stdout + done.stderr).strip())


def _verify_regularly(
    stop: threading.Event, every_s: float, clock: Callable[[], float] = time.monotonic
) -> None:
    """The whole ledger soon after the start and once a day, the new entries every
    ``every_s`` in between; each run records its result in the database, where every
    process reads it (``/readyz``, ``/metrics``, the console's banner). A run that cannot
    start or fails is logged and the next one comes as planned: this thread never ends
    before the server, and never ends it."""
    wait, last_full = min(FIRST_VERIFY_AFTER_S, every_s), None
    while not stop.wait(wait):
        wait = every_s
        full = last_full is None or clock() - last_full >= VERIFY_ALL_EVERY_S
        try:
            ran = _verify_once(full, stop)
        except Exception:  # a fault of ours: logged with its traceback, and the watch goes on
            log.exception("The ledger's verification failed.")
            ran = False
        if ran and full:
            last_full = clock()


def _verify_once(full: bool, stop: threading.Event) -> bool:
    """One ``verify --json`` (with ``--new`` unless ``full``), logged; whether it ran."""
    try:
        done = _child(["verify", "--json", *([] if full else ["--new"])], stop)
    except OSError as exc:
        log.warning("The ledger's verification could not start: %s", exc)
        return False
    if done is None:  # the server stops
        return False
    report = _report(done.stdout) if done.returncode in (0, 1) else None
    if report is None:
        said = (done.stderr.strip().splitlines() or ["no message"])[-1]
        log.warning(
            "The ledger could not be verified (exit %s): %s",
            done.returncode,
            said.encode("unicode_escape").decode("ascii")[:300],
        )
        return False
    _log_report(report, full)
    return True


def _report(stdout: str) -> dict[str, Any] | None:
    """The report ``verify --json`` printed, or None (it failed before it could)."""
    try:
        report = json.loads(stdout)
    except ValueError:
        return None
    return report if isinstance(report, dict) and "entries" in report else None


def _log_report(report: dict[str, Any], full: bool) -> None:
    """One line. Damage is an ERROR naming the entries by number and receipt id only
    (their problems can quote a Session ID; ``verify`` says them). An intact full run is
    INFO, once a day; an intact run over the new entries is DEBUG, because at the default
    interval it would add 288 lines a day saying nothing: the metric
    ``intake_ledger_verified_timestamp_seconds`` shows that these runs happen."""
    entries: list[dict[str, Any]] = report["entries"]
    if not entries:
        checked, head = report["checked"], report["head"]["seq"]
        if full:
            log.info("Ledger intact: %s entries checked; head %s.", checked, head)
        else:
            log.debug("New ledger entries intact: %s checked; head %s.", checked, head)
        return
    run = "full verification" if full else "verification of the new entries"
    named = "; ".join(map(_named, entries[:NAMED_IN_LOG]))
    more = f"; and {len(entries) - NAMED_IN_LOG} more" if len(entries) > NAMED_IN_LOG else ""
    damaged = report["damaged"]
    log.error(
        "Ledger damaged: %d %s found by the %s: %s%s. intellekta-intake verify says "
        'what differs; see "The ledger" in docs/intake-server.md.',
        damaged,
        "entry" if damaged == 1 else "entries",
        run,
        named,
        more,
        extra={
            "damaged": damaged,
            "seqs": [e["seq"] for e in entries],
            "receipt_ids": [e["receipt_id"] for e in entries],
        },
    )


def _named(entry: dict[str, Any]) -> str:
    """``entry 7 (receipt 'R-98HA-K3P7')`` or ``entries 8 to 9``; a receipt id changed in the
    database could hold anything, so it is quoted, escaped and cut short."""
    first, last = entry["seq"], entry["last"]
    where = f"entries {first} to {last}" if last > first else f"entry {first}"
    receipt = entry["receipt_id"]
    return f"{where} (receipt {str(receipt)[:24]!r})" if receipt else where


def run(
    host: str,
    port: int,
    workers: int,
    threads: int,
    certfile: str,
    keyfile: str,
    metrics_dir: Path,
    read_timeout_s: int,
    verify_every_s: float,
    purge: bool = True,
) -> int:
    """Serve until stopped (SIGTERM or Ctrl+C); the exit code. A worker process that
    dies stops the whole server with a code other than 0, so that systemd (or any
    supervisor) starts it again, with fresh workers."""
    _hint_first_account()
    _remove_stale_metrics(metrics_dir.parent)
    shutil.rmtree(metrics_dir, ignore_errors=True)  # counters start at zero with the server
    metrics_dir.mkdir(parents=True, exist_ok=True)
    os.environ[THREADS_VARIABLE] = str(threads)  # the workers start as new processes
    _allow_many_connections()
    stop = threading.Event()
    workers_seen: set[BaseProcess] = set()
    jobs: list[tuple[str, Callable[..., None], tuple[Any, ...]]] = [
        ("workers", _watch_workers, (stop, workers_seen)),
        ("verify", _verify_regularly, (stop, verify_every_s)),
    ]
    if purge:
        jobs.append(("purge", _purge_daily, (stop,)))
    background = [
        threading.Thread(target=target, args=args, daemon=True, name=name)
        for name, target, args in jobs
    ]
    for thread in background:
        thread.start()
    try:
        code = run_hypercorn(_config(host, port, workers, certfile, keyfile, read_timeout_s))
    finally:
        stop.set()
        for thread in background:  # a child under way is ended, not left behind
            thread.join(CHILD_STOP_S)
    died = _died(workers_seen)
    if died:  # hypercorn stops then, but returns the others' 0 (hypercorn.run._join_exited)
        log.error(
            "Server process %s ended unexpectedly (exit code %s); the server stops.",
            died[0].pid,
            died[0].exitcode,
        )
        return 1
    return code


def _hint_first_account() -> None:
    """Once at the start, on a server without any console account: the command that
    creates the first one (the sign-in page says it too, while there is none)."""
    from django.contrib.auth import get_user_model
    from django.db import connections

    from intake_server.console.sign_in import FIRST_ACCOUNT

    try:
        missing = not get_user_model().objects.exists()
    finally:
        connections.close_all()  # each worker opens its own
    if missing:
        log.warning(
            "No console account exists yet. Create the first administrator, with this "
            "server's configuration: %s",
            FIRST_ACCOUNT,
        )


def _allow_many_connections() -> None:
    """Raise the soft limit of open files to the hard one, for the workers to inherit.

    Every connection is a file. systemd gives services 1,024 (soft) of 524,288 (hard) and
    expects a program that needs more to raise it itself: with 1,024, a thousand slow
    clients would take every connection a worker can accept until the read timeout."""
    if resource is None:
        return
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft != hard:
        try:
            resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
        except (ValueError, OSError):  # RLIM_INFINITY is refused on some systems
            log.info("Open files stay limited to %d.", soft)


def _watch_workers(stop: threading.Event, seen: set[BaseProcess]) -> None:
    """Keeps hold of the worker processes, so that their exit codes can be read after
    hypercorn returns (:func:`_died`)."""
    while not stop.wait(0.2):
        seen.update(multiprocessing.active_children())


def _died(workers: set[BaseProcess]) -> list[BaseProcess]:
    """The workers that ended unexpectedly. A stop asked for ends a worker with 0; hypercorn
    then terminates the others at once (``SIGTERM``), even one still closing its
    connections: that is part of the stop, not a death."""
    stopped = any(w.exitcode == 0 for w in workers)
    return [
        w
        for w in workers
        if w.exitcode not in (None, 0) and not (stopped and w.exitcode == -signal.SIGTERM)
    ]


def _config(
    host: str, port: int, workers: int, certfile: str, keyfile: str, read_timeout_s: int
) -> Config:
    config = Config()
    config.bind = [f"[{host}]:{port}" if ":" in host else f"{host}:{port}"]
    config.application_path = "intake_server.asgi:application"
    config.workers = workers
    # uvloop's event loop costs less CPU per request than asyncio's (benchmarks/).
    config.worker_class = "uvloop" if importlib.util.find_spec("uvloop") else "asyncio"
    # A connection silent for read_timeout_s is closed: in the TLS handshake, before its
    # headers are complete and between requests (keep-alive). The body: intake_server.asgi.
    config.ssl_handshake_timeout = read_timeout_s
    config.keep_alive_timeout = read_timeout_s
    config.read_timeout = None  # it would also cut off a long download (see asgi)
    config.graceful_timeout = GRACEFUL_TIMEOUT_S
    config.backlog = 1024
    config.include_server_header = False
    # Into the application's own log, in its one format (settings.LOGGING); no access log.
    config.errorlog = logging.getLogger("hypercorn.error")
    config.accesslog = None
    if certfile:
        config.certfile, config.keyfile = certfile, keyfile
        config.alpn_protocols = ["http/1.1"]  # what is measured and tested
    return config


def _remove_stale_metrics(folder: Path) -> None:
    """Folders of servers that are gone (named by their master's pid); a second server
    on the same data folder keeps its own."""
    if not folder.is_dir():
        return
    for child in folder.iterdir():
        if child.is_dir() and child.name.isdigit() and not _alive(int(child.name)):
            shutil.rmtree(child, ignore_errors=True)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
