"""Checking and converting one raw value for one setting.

Values from TOML arrive typed; values from environment variables, the command line and
``REG_SZ`` policies arrive as text and are converted here. Every failure is a
:class:`ValueProblem` naming a message id and its parameters, never a stray exception,
and never carrying a secret's value.
"""

from __future__ import annotations

import ipaddress
import os
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from helper.config.settings import Kind, Setting
from helper.i18n import in_every_language
from helper.logs import MASK

_TRUE = {"1", "true", "on", *in_every_language("answers.yes")}
_FALSE = {"0", "false", "off", *in_every_language("answers.no")}


class ValueProblem(Exception):
    """Why a value is unacceptable: a message id of the i18n catalogue and its parameters."""

    def __init__(self, message_id: str, params: dict[str, str] | None = None) -> None:
        super().__init__(message_id)
        self.message_id = message_id
        self.params = params if params is not None else {}


#: Message parameters starting with TRANSLATED name a type in ``config.kind.*`` and are
#: translated when the message is shown, so a German message says "Zahl", not "number".
TRANSLATED = "@"
_TYPE_NAMES = {bool: "bool", int: "float", float: "float", str: "str", list: "list", dict: "table"}


def _type_name(value: Any) -> str:
    return TRANSLATED + _TYPE_NAMES.get(type(value), "other")


def _wrong_type(setting: Setting, value: Any) -> ValueProblem:
    return ValueProblem(
        "config.wrong_type", {"expected": _expected(setting), "got": _type_name(value)}
    )


def _expected(setting: Setting) -> str:
    if setting.kind is Kind.CHOICE:
        return " | ".join(setting.choices)
    return TRANSLATED + setting.kind.name.lower()


def from_text(setting: Setting, text: str) -> Any:
    """Convert text (environment, command line, registry) to the setting's type."""
    text = text.strip()
    kind = setting.kind
    try:
        if kind is Kind.INT:
            return int(text)
        if kind is Kind.FLOAT:
            return float(text)
    except ValueError:
        raise ValueProblem(
            "config.wrong_type", {"expected": _expected(setting), "got": _shown(setting, text)}
        ) from None
    if kind is Kind.BOOL:
        if text.lower() in _TRUE:
            return True
        if text.lower() in _FALSE:
            return False
        raise ValueProblem(
            "config.wrong_type", {"expected": _expected(setting), "got": _shown(setting, text)}
        )
    if kind is Kind.STR_LIST:
        return [part.strip() for part in re.split(r"[;,\n]", text) if part.strip()]
    if kind is Kind.TABLE_LIST:
        raise ValueProblem("config.not_scalar", {})
    return text


def _shown(setting: Setting, text: str) -> str:
    return MASK if setting.secret else repr(text)


def coerce(setting: Setting, value: Any, base_dir: Path | None = None) -> Any:
    """Check a typed value and return it normalised (paths made absolute).

    ``base_dir`` is the folder of the file the value came from: relative paths in a
    configuration file are relative to that file, elsewhere to the working folder.
    """
    value = _COERCE[setting.kind](setting, value, base_dir)
    return value if setting.check is None else setting.check(value)


def _bool(setting: Setting, value: Any, base_dir: Path | None) -> bool:
    if not isinstance(value, bool):
        raise _wrong_type(setting, value)
    return value


def _number(setting: Setting, value: Any, base_dir: Path | None) -> float | int:
    wanted = int if setting.kind is Kind.INT else int | float
    if isinstance(value, bool) or not isinstance(value, wanted):
        raise _wrong_type(setting, value)
    if value != value or value in (float("inf"), float("-inf")):  # NaN or infinite
        raise _wrong_type(setting, value)
    if setting.minimum is not None and value < setting.minimum:
        raise ValueProblem("config.too_small", {"minimum": f"{setting.minimum:g}"})
    return float(value) if setting.kind is Kind.FLOAT else value


def _str_list(setting: Setting, value: Any, base_dir: Path | None) -> list[str]:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise _wrong_type(setting, value)
    return list(value)


def _table_list(setting: Setting, value: Any, base_dir: Path | None) -> list[dict[str, Any]]:
    """Only the shape: what the tables mean is for the package using them to check."""
    if not isinstance(value, list) or not all(isinstance(v, dict) for v in value):
        raise _wrong_type(setting, value)
    return value


def _text(setting: Setting, value: Any, base_dir: Path | None = None) -> str:
    if not isinstance(value, str):
        raise _wrong_type(setting, value)
    return value


def _choice(setting: Setting, value: Any, base_dir: Path | None) -> str:
    if _text(setting, value) not in setting.choices:
        raise ValueProblem(
            "config.bad_choice", {"choices": " | ".join(setting.choices), "got": repr(value)}
        )
    return str(value)


def _url(setting: Setting, value: Any, base_dir: Path | None) -> str:
    if _text(setting, value):
        check_url(value, proxy=setting.key.endswith(".proxy"))
    return str(value)


def _regex(setting: Setting, value: Any, base_dir: Path | None) -> str:
    try:
        re.compile(_text(setting, value))
    except re.error as exc:
        raise ValueProblem("config.bad_regex", {"detail": str(exc)}) from None
    return str(value)


def _path(setting: Setting, value: Any, base_dir: Path | None) -> str:
    """Absolute, with ``~`` and variables expanded; a file must exist, a folder may not."""
    if not _text(setting, value):
        return ""
    path = Path(os.path.expandvars(os.path.expanduser(value)))
    if not path.is_absolute():
        path = (base_dir or Path.cwd()) / path
    if setting.kind is Kind.PATH and not path.is_file():
        raise ValueProblem("config.file_missing", {"path": str(path)})
    if setting.key in _READ_WHEN_LOADED:
        _READ_WHEN_LOADED[setting.key](path)
    if setting.kind is Kind.DIR and path.exists() and not path.is_dir():
        raise ValueProblem("config.not_a_dir", {"path": str(path)})
    return str(path)


def read_token(path: Path) -> str:
    """The access token in ``intake.token_file``: its first line, stripped. A file that
    cannot be read, or holds no token, is a configuration problem (ValueProblem), not
    "no token": sending without it would only be refused."""
    try:
        text = path.read_text("utf-8-sig")
    except OSError as exc:
        reason = exc.strerror or type(exc).__name__
        raise ValueProblem(
            "config.token_unreadable", {"path": str(path), "reason": reason}
        ) from None
    except UnicodeDecodeError:
        raise ValueProblem("config.token_not_utf8", {"path": str(path)}) from None
    lines = text.strip().splitlines()
    if not lines:
        raise ValueProblem("config.token_empty", {"path": str(path)})
    return lines[0].strip()


#: Files whose content must be usable already when the configuration loads.
_READ_WHEN_LOADED: dict[str, Callable[[Path], object]] = {"intake.token_file": read_token}


_COERCE: dict[Kind, Callable[[Setting, Any, Path | None], Any]] = {
    Kind.STR: _text,
    Kind.INT: _number,
    Kind.FLOAT: _number,
    Kind.BOOL: _bool,
    Kind.URL: _url,
    Kind.PATH: _path,
    Kind.DIR: _path,
    Kind.CHOICE: _choice,
    Kind.REGEX: _regex,
    Kind.STR_LIST: _str_list,
    Kind.TABLE_LIST: _table_list,
}


def is_loopback_host(host: str) -> bool:
    """Whether ``host`` (a name or an address, IPv6 with or without brackets) is this
    computer."""
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def mask_url(url: str) -> str:
    """The URL with any password replaced, safe to show and log."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    netloc = parts.netloc.replace(f":{parts.password}@", f":{MASK}@", 1)
    return parts._replace(netloc=netloc).geturl()


def check_url(url: str, proxy: bool = False) -> None:
    """HTTPS only; plain HTTP only to this computer. Proxies may be ``http://``.

    Raises ValueProblem; the message shows the URL with any password masked.
    """
    try:
        parts = urlsplit(url)
        host = parts.hostname or ""
        parts.port  # noqa: B018 - raises ValueError for a bad port
    except ValueError:
        raise ValueProblem("config.url_invalid", {"got": mask_url(url)}) from None
    allowed = ("http", "https", "socks5", "socks5h") if proxy else ("https", "http")
    if parts.scheme not in allowed or not host or any(c.isspace() for c in url):
        raise ValueProblem("config.url_invalid", {"got": mask_url(url)})
    if parts.scheme == "http" and not proxy and not is_loopback_host(host):
        raise ValueProblem("config.url_not_https", {"got": mask_url(url)})
