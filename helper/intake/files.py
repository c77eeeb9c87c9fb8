"""Small files that survive a crash: temporary file, flush, fsync, rename, fsync the folder.

A confirmation must be on disk before the customer is told "saved". Whatever happens
(SIGKILL, a power cut), a reader then finds either the old file or the new one, never half
of one. Temporary files are named ``.<target name>[.<random>].part`` so that a later run
can tell them from real files and remove what a killed process left behind.
"""

from __future__ import annotations

import contextlib
import os
import sys
import tempfile
import time
from pathlib import Path

TEMP_SUFFIX = ".part"
_O_BINARY = getattr(os, "O_BINARY", 0)  # Windows: no newline translation
#: Windows refuses ``os.replace`` while a virus scanner or a reader holds the target open.
_REPLACE_TRIES = 20


def write_atomic(
    path: Path, data: bytes, sync_folder: bool = True, locked: bool = False, durable: bool = True
) -> None:
    """Replace ``path`` with ``data`` durably; raises OSError (the old file stays intact).

    ``locked=True`` says the caller holds the lock that guards ``path``: the temporary file
    then has a fixed name, which the next writer simply overwrites if a crash left it.
    Otherwise it gets a unique name. ``sync_folder=False`` lets a caller that writes
    several files into one folder fsync the folder once at the end (:func:`fsync_folder`).
    ``durable=False`` skips the file's fsync, for files that can be rebuilt from others.
    """
    if locked:
        temp = str(locked_temp_path(path))
        fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | _O_BINARY, 0o600)
    else:
        fd, temp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=TEMP_SUFFIX)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            if durable:
                _fsync(handle.fileno())
        _replace(temp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temp)
        raise
    if sync_folder:
        fsync_folder(path.parent)


def _fsync(fd: int) -> None:
    # macOS's fsync() leaves the data in the drive's cache; F_FULLFSYNC flushes it.
    if sys.platform == "darwin":
        import fcntl

        fcntl.fcntl(fd, fcntl.F_FULLFSYNC)
    else:
        os.fsync(fd)


def locked_temp_path(path: Path) -> Path:
    """The temporary file :func:`write_atomic` uses for ``path`` with ``locked=True``."""
    return path.with_name(f".{path.name}{TEMP_SUFFIX}")


def _replace(source: str, target: Path) -> None:
    for attempt in range(_REPLACE_TRIES):
        try:
            os.replace(source, target)
            return
        except PermissionError:
            if os.name != "nt" or attempt == _REPLACE_TRIES - 1:
                raise
            time.sleep(0.05)


def fsync_folder(folder: Path) -> None:
    """Make renames and deletions in ``folder`` durable (POSIX; NTFS journals them itself)."""
    if os.name != "posix":
        return
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def ensure_folder(folder: Path) -> None:
    """Create ``folder`` (private to the user) and make its creation durable."""
    if folder.is_dir():
        return
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    fsync_folder(folder.parent)


def remove_stale_temp_files(folder: Path, older_than_s: float) -> None:
    """Remove temporary files a killed process left, if older than any write can take."""
    limit = time.time() - older_than_s
    for leftover in folder.glob(f".*{TEMP_SUFFIX}"):
        with contextlib.suppress(OSError):
            if leftover.stat().st_mtime <= limit:
                leftover.unlink()
