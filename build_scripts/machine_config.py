"""Writes the machine-wide ``config.toml`` at install time, for the MSI's custom action.

``msiexec /i intellekta-helper.msi ALLUSERS=1 INTAKE_URL=... LOCK=1`` runs the installed
program as ``intellekta-helper.exe --msi-machine-config write FILE KEY=VALUE ... LOCK=1``
(see ``windows/intellekta-helper.wxs``). An exe custom action can only receive the MSI
properties on its command line, and the file must be valid UTF-8 TOML that the helper
itself accepts, which Windows Installer's own IniFile table (ANSI, ``key=value``)
cannot write. So the frozen program writes it: every value is checked with the helper's
own rules first, an existing file is merged (the given keys replaced, the rest kept),
and the file is replaced atomically. A bad value fails the installation (exit 2) and
the previous file stays as it was.
"""

from __future__ import annotations

import json
import os
import re
import tempfile
import tomllib
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from helper.config.loader import LOCKED_KEY
from helper.config.settings import BY_KEY
from helper.config.values import ValueProblem, coerce, from_text
from helper.i18n import t

_BARE_KEY = re.compile(r"[A-Za-z0-9_-]+")


class InstallConfigError(Exception):
    """A value given to the installer is unusable; the message names it."""


def toml_value(value: Any) -> str:
    """One TOML value. JSON's string escapes are valid in TOML basic strings."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    if isinstance(value, str):
        return _string(value)
    if isinstance(value, list):
        return "[" + ", ".join(toml_value(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{ " + ", ".join(f"{toml_key(k)} = {toml_value(v)}" for k, v in value.items()) + " }"
    raise TypeError(f"cannot write {type(value).__name__} to TOML")


def _string(text: str) -> str:
    # JSON escapes every other control character but leaves DEL, which TOML forbids.
    return json.dumps(text, ensure_ascii=False).replace("\x7f", "\\u007f")


def toml_key(key: str) -> str:
    return key if _BARE_KEY.fullmatch(key) else _string(key)


def dumps(document: Mapping[str, Any]) -> str:
    """A machine file: top-level ``locked`` first, then one table per section."""
    lines = ["# Machine-wide settings of intellekta-helper, written by its installer.", ""]
    if LOCKED_KEY in document:
        lines += [f"{LOCKED_KEY} = {toml_value(document[LOCKED_KEY])}", ""]
    for section, body in document.items():
        if section == LOCKED_KEY:
            continue
        lines.append(f"[{toml_key(section)}]")
        lines += [f"{toml_key(k)} = {toml_value(v)}" for k, v in body.items()]
        lines.append("")
    return "\n".join(lines)


def checked(pairs: Sequence[str]) -> dict[str, str]:
    """``KEY=VALUE`` arguments -> values; empty values (property not given) are skipped."""
    values: dict[str, str] = {}
    for pair in pairs:
        key, sep, text = pair.partition("=")
        if not sep or key not in BY_KEY or not BY_KEY[key].is_scalar:
            raise InstallConfigError(f"not a setting the installer can write: {key!r}")
        if not text.strip():
            continue
        try:
            coerce(BY_KEY[key], from_text(BY_KEY[key], text))
        except ValueProblem as problem:
            reason = t(problem.message_id, "en", key=key, **problem.params)
            raise InstallConfigError(f"{key}: {reason}") from None
        values[key] = text.strip()
    return values


def merged(existing: Mapping[str, Any], values: Mapping[str, str], lock: bool) -> dict[str, Any]:
    """The existing document with ``values`` set (as TOML-typed values) and maybe locked."""
    document: dict[str, Any] = {
        k: dict(v) if isinstance(v, dict) else v for k, v in existing.items()
    }
    for key, text in values.items():
        setting = BY_KEY[key]
        document.setdefault(setting.section, {})[setting.name] = from_text(setting, text)
    if lock and values:
        locked = list(document.get(LOCKED_KEY, []))
        document[LOCKED_KEY] = locked + [k for k in values if k not in locked]
    return document


def write(path: Path, values: Mapping[str, str], lock: bool) -> None:
    """Merge ``values`` into the machine file at ``path``; atomic, never half-written."""
    existing: dict[str, Any] = {}
    if path.exists():
        try:
            existing = tomllib.loads(path.read_bytes().decode("utf-8-sig"))
        except (UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
            raise InstallConfigError(f"{path} is not valid TOML; fix or delete it: {exc}") from None
    text = dumps(merged(existing, values, lock))
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=".config-", suffix=".tmp")
    try:
        with os.fdopen(handle, "w", encoding="utf-8", newline="\n") as stream:
            stream.write(text)
            stream.flush()
            os.fsync(stream.fileno())
        tomllib.loads(Path(temporary).read_text("utf-8"))  # read back before replacing
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def main(argv: Sequence[str]) -> int:
    """``write FILE [KEY=VALUE ...] [LOCK=1]`` or ``remove FILE``. Exit 0, or 2 when refused."""
    if len(argv) < 2 or argv[0] not in ("write", "remove"):
        return 2
    action, path = argv[0], Path(argv[1])
    try:
        if action == "remove":
            path.unlink(missing_ok=True)
            return 0
        pairs = [a for a in argv[2:] if not a.upper().startswith("LOCK=")]
        lock = any(a.upper() in ("LOCK=1", "LOCK=YES", "LOCK=TRUE") for a in argv[2:])
        values = checked(pairs)
        if values:
            write(path, values, lock)
        return 0
    except (InstallConfigError, OSError) as exc:
        _report(path, str(exc))
        return 2


def _report(path: Path, message: str) -> None:
    """Leave the reason beside the file: an exe custom action has no console and no MSI log."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.with_name("install-error.txt").write_text(message + "\n", "utf-8")
    except OSError:
        pass
