"""Serving with gunicorn: threaded workers with keep-alive, TLS when given a certificate.

Kept apart from the management command so that the command stays a thin shell. The
daily purge runs as a child process (``intellekta-intake purge``), started by a thread
of the master process that does nothing else, so a worker never carries it.
"""

from __future__ import annotations

import ipaddress
import logging
import os
import shutil
import subprocess
import sys
import threading
from pathlib import Path
from typing import Any

from gunicorn.app.base import BaseApplication

log = logging.getLogger("intake_server.serve")
PURGE_EVERY_S = 24 * 3600
FIRST_PURGE_AFTER_S = 60


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


class _Application(BaseApplication):
    def __init__(self, options: dict[str, Any]) -> None:
        self.options = options
        super().__init__()

    def load_config(self) -> None:
        for key, value in self.options.items():
            self.cfg.set(key, value)

    def load(self) -> Any:
        from intake_server.wsgi import application

        return application


def _purge_daily(stop: threading.Event) -> None:
    wait = FIRST_PURGE_AFTER_S
    while not stop.wait(wait):
        wait = PURGE_EVERY_S
        command = [sys.executable, "-m", "intake_server", "purge"]
        done = subprocess.run(command, capture_output=True, text=True, check=False)
        level = logging.INFO if done.returncode == 0 else logging.ERROR
        log.log(level, "Daily purge: %s", (done.stdout + done.stderr).strip())


def run(host: str, port: int, workers: int, threads: int, certfile: str, keyfile: str,
        metrics_dir: Path, behind_proxy: bool, log_level: str,
        purge: bool = True) -> None:  # fmt: skip
    """Serve until stopped (SIGTERM or Ctrl+C)."""
    _remove_stale_metrics(metrics_dir.parent)
    shutil.rmtree(metrics_dir, ignore_errors=True)  # counters start at zero with the server
    metrics_dir.mkdir(parents=True, exist_ok=True)
    options: dict[str, Any] = {
        "bind": f"[{host}]:{port}" if ":" in host else f"{host}:{port}",
        "workers": workers,
        "worker_class": "gthread",
        "threads": threads,
        "keepalive": 15,
        "timeout": 60,
        "graceful_timeout": 20,
        "loglevel": log_level,
        "errorlog": "-",
        "proc_name": "intellekta-intake",
        "control_socket_disable": True,  # no second listening socket in the home folder
        # A dead worker's counters stay in the sum; its live files are removed.
        "child_exit": lambda _server, worker: _mark_dead(worker.pid),
    }
    if certfile:
        options.update(certfile=certfile, keyfile=keyfile)
    if behind_proxy:
        options["forwarded_allow_ips"] = "*"
    stop = threading.Event()
    if purge:
        threading.Thread(target=_purge_daily, args=(stop,), daemon=True, name="purge").start()
    try:
        _Application(options).run()
    finally:
        stop.set()


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


def _mark_dead(pid: int) -> None:
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(pid)  # type: ignore[no-untyped-call]
