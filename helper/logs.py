"""Logging to a file in the user's log folder; ``--verbose`` mirrors to stderr.

Every handler carries :class:`SecretFilter`, so a token can never reach a log line,
whichever module logs it. The file is rotated when a run starts, not while it writes: a
run writes a few kilobytes, and on Windows a rollover fails while another run of the
helper has the file open. (``logging.handlers`` would also cost the window's first step
several milliseconds of imports.)
"""

from __future__ import annotations

import logging
import os
import sys
import threading
from collections.abc import Iterable
from pathlib import Path

from helper import paths

#: What stands in for a secret wherever one would be shown: logs, messages, `config show`.
MASK = "********"

_FORMAT = "%(asctime)s %(levelname)s %(name)s [%(threadName)s] %(message)s"
MAX_BYTES = 1_000_000
BACKUPS = 3


class SecretFilter(logging.Filter):
    """Replaces every registered secret in a record's final message with ``********``."""

    def __init__(self) -> None:
        super().__init__()
        self._secrets: set[str] = set()
        self._lock = threading.Lock()

    def add(self, secrets: Iterable[str]) -> None:
        with self._lock:
            self._secrets.update(s for s in secrets if len(s) >= 4)

    def filter(self, record: logging.LogRecord) -> bool:
        with self._lock:
            secrets = list(self._secrets)
        if not secrets:
            return True
        message = record.getMessage()
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        for secret in secrets:
            message = message.replace(secret, MASK)
            if record.exc_text:
                record.exc_text = record.exc_text.replace(secret, MASK)
        record.msg, record.args = message, None
        return True


secret_filter = SecretFilter()
_log_file: Path | None = None


def log_file() -> Path | None:
    """The log file in use, for messages that point the user at it; None if none."""
    return _log_file


def setup(verbose: bool = False, level: str = "info") -> None:
    """Configure the root logger once. Never fails: without a writable folder, no file."""
    global _log_file
    root = logging.getLogger()
    for old in list(root.handlers):
        root.removeHandler(old)
    root.setLevel(logging.DEBUG)
    formatter = logging.Formatter(_FORMAT)
    target = paths.user_log_dir() / paths.LOG_FILE_NAME
    handler: logging.Handler
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        _rotate(target)
        handler = logging.FileHandler(target, encoding="utf-8", delay=True)
        _log_file = target
    except OSError:
        handler = logging.NullHandler()
        _log_file = None
    handler.setLevel(level.upper())
    handlers: list[logging.Handler] = [handler]
    if verbose and sys.stderr is not None:
        console = logging.StreamHandler(sys.stderr)
        console.setLevel(logging.DEBUG)
        handlers.append(console)
    for h in handlers:
        h.setFormatter(formatter)
        h.addFilter(secret_filter)
        root.addHandler(h)


def _rotate(target: Path) -> None:
    """Keep ``BACKUPS`` older files (``.1`` newest) once the current one has grown large."""
    try:
        if target.stat().st_size < MAX_BYTES:
            return
        for n in range(BACKUPS - 1, 0, -1):
            older = target.with_name(f"{target.name}.{n}")
            if older.exists():
                os.replace(older, target.with_name(f"{target.name}.{n + 1}"))
        os.replace(target, target.with_name(f"{target.name}.1"))
    except OSError:  # no file yet, or another run has it open: write on, rotate next time
        return


def set_level(level: str) -> None:
    """Apply ``logging.level`` to the file once the configuration is known."""
    for handler in logging.getLogger().handlers:
        if isinstance(handler, logging.FileHandler):
            handler.setLevel(level.upper())
