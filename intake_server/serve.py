"""Serving with hypercorn: requests read on an event loop, Django run in threads.

Kept apart from the management command so that the command stays a thin shell. Why
hypercorn (and not gunicorn's threaded workers, which give a thread to each connection
as soon as its first byte arrives): see :mod:`intake_server.asgi` and the guide's
"Serving" section. The daily purge runs as a child process (``intellekta-intake purge``),
started by a thread of the master process that does nothing else, so a worker never
carries it.
"""

from __future__ import annotations

import importlib.util
import ipaddress
import logging
import multiprocessing
import os
import shutil
import subprocess
import sys
import threading
from multiprocessing.process import BaseProcess
from pathlib import Path

try:
    import resource
except ImportError:  # Windows: no such limit
    resource = None  # type: ignore[assignment]

from hypercorn.config import Config
from hypercorn.run import run as run_hypercorn

log = logging.getLogger("intake_server.serve")
PURGE_EVERY_S = 24 * 3600
FIRST_PURGE_AFTER_S = 60
#: Tells the workers (new processes) how many threads run Django: ``serve --threads``.
THREADS_VARIABLE = "INTELLEKTA_SERVE_THREADS"
#: How long a stopping server lets the requests in progress finish.
GRACEFUL_TIMEOUT_S = 20


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def _purge_daily(stop: threading.Event) -> None:
    wait = FIRST_PURGE_AFTER_S
    while not stop.wait(wait):
        wait = PURGE_EVERY_S
        command = [sys.executable, "-m", "intake_server", "purge"]
        done = subprocess.run(command, capture_output=True, text=True, check=False)
        level = logging.INFO if done.returncode == 0 else logging.ERROR
        log.log(level, "Daily purge: %s", (done.stdout + done.stderr).strip())


def run(host: str, port: int, workers: int, threads: int, certfile: str, keyfile: str,
        metrics_dir: Path, read_timeout_s: int, purge: bool = True) -> int:  # fmt: skip
    """Serve until stopped (SIGTERM or Ctrl+C); the exit code. A worker process that
    dies stops the whole server with a code other than 0, so that systemd (or any
    supervisor) starts it again, with fresh workers."""
    _remove_stale_metrics(metrics_dir.parent)
    shutil.rmtree(metrics_dir, ignore_errors=True)  # counters start at zero with the server
    metrics_dir.mkdir(parents=True, exist_ok=True)
    os.environ[THREADS_VARIABLE] = str(threads)  # the workers start as new processes
    _allow_many_connections()
    stop = threading.Event()
    if purge:
        threading.Thread(target=_purge_daily, args=(stop,), daemon=True, name="purge").start()
    workers_seen: set[BaseProcess] = set()
    threading.Thread(target=_watch_workers, args=(stop, workers_seen), daemon=True,
                     name="workers").start()  # fmt: skip
    try:
        code = run_hypercorn(_config(host, port, workers, certfile, keyfile, read_timeout_s))
    finally:
        stop.set()
    died = [w.pid for w in workers_seen if w.exitcode not in (None, 0)]
    if died:  # hypercorn stops then, but returns the others' 0 (hypercorn.run._join_exited)
        log.error("Server process %s ended unexpectedly; the server stops.", died[0])
        return 1
    return code


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
    hypercorn returns: a stop asked for ends every worker with 0."""
    while not stop.wait(0.2):
        seen.update(multiprocessing.active_children())


def _config(host: str, port: int, workers: int, certfile: str, keyfile: str,
            read_timeout_s: int) -> Config:  # fmt: skip
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
