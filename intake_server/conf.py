"""The server's configuration: declared once, read from one TOML file and the environment.

Every setting is declared in :data:`SETTINGS` with its type, default and description.
Values come, last one winning, from the defaults, the TOML file (``--config FILE`` or
``INTELLEKTA_INTAKE_CONFIG``) and ``INTELLEKTA_INTAKE_<KEY>`` variables (dots become
underscores: ``INTELLEKTA_INTAKE_CONSOLE_IDLE_MINUTES``). :func:`load` checks them all and
raises :class:`ConfigError` listing every problem with its file, line, key and what was
expected, so each command can stop with exit 2 and a message instead of a traceback.

Secrets never come from the command line: Django's secret key comes from
``INTELLEKTA_INTAKE_SECRET_KEY`` or ``secret_key_file`` (generated into the data folder on
first start), the database password from the URL in ``database_url`` if it has one,
else ``INTELLEKTA_INTAKE_DATABASE_PASSWORD``, else ``database_password_file``.
"""

from __future__ import annotations

import difflib
import os
import re
import secrets
import tomllib
import zoneinfo
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

import platformdirs

from helper.config.settings import BY_KEY as HELPER_SETTINGS

ENV_PREFIX = "INTELLEKTA_INTAKE_"
ENV_CONFIG_FILE = f"{ENV_PREFIX}CONFIG"
ENV_SECRET_KEY = f"{ENV_PREFIX}SECRET_KEY"
ENV_DATABASE_PASSWORD = f"{ENV_PREFIX}DATABASE_PASSWORD"
_RATE = re.compile(r"(\d+)/(s|m|h|d)")
LANGUAGES = ("de", "en")
#: The helper's own default for ``session_id.pattern``: both sides accept the same IDs.
SESSION_ID_PATTERN: str = HELPER_SETTINGS["session_id.pattern"].default


class ConfigError(Exception):
    """The configuration cannot be used; ``problems`` are whole sentences, one per line."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("\n".join(problems))
        self.problems = problems


class _Bad(ValueError):
    """A value of the wrong shape; the message says what was expected."""


def _text(value: Any) -> str:
    if not isinstance(value, str):
        raise _Bad("expected text in quotes")
    return value


def _path(value: Any) -> str:
    return str(Path(_text(value)).expanduser()) if value else ""


def _bool(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.lower() in ("true", "1", "yes", "false", "0", "no"):
        return value.lower() in ("true", "1", "yes")
    raise _Bad("expected true or false")


def _positive(value: Any) -> int:
    try:
        number = int(value) if not isinstance(value, bool) else -1
    except (TypeError, ValueError):
        number = -1
    if number < 1:
        raise _Bad("expected a whole number of at least 1")
    return number


def _rate(value: Any) -> str:
    text = _text(value).strip()
    if text != "off" and not _RATE.fullmatch(text):
        raise _Bad('expected a rate like "300/m" (per s, m, h or d) or "off"')
    return text


def _hosts(value: Any) -> list[str]:
    if isinstance(value, str):
        value = [part.strip() for part in value.split(",") if part.strip()]
    if not isinstance(value, list) or not value or not all(isinstance(v, str) for v in value):
        raise _Bad('expected a list of host names, like ["support.example.com"]')
    return value


def _database_url(value: Any) -> str:
    text = _text(value).strip()
    if text and urlsplit(text).scheme not in ("sqlite", "postgres", "postgresql"):
        raise _Bad("expected sqlite:///PATH or postgresql://USER@HOST:PORT/NAME")
    return text


def _https_url(value: Any) -> str:
    text = _text(value).strip()
    if text and urlsplit(text).scheme != "https":
        raise _Bad("expected an https:// address")
    return text


def _language(value: Any) -> str:
    text = _text(value)
    if text not in LANGUAGES:
        raise _Bad("expected de or en")
    return text


def _regex(value: Any) -> str:
    text = _text(value)
    try:
        re.compile(text)
    except re.error as exc:
        raise _Bad(f"expected a regular expression ({exc})") from None
    return text


def _seconds(value: Any) -> int:
    number = _positive(value)
    if number > 300:
        raise _Bad("expected a number of seconds from 1 to 300")
    return number


def _minutes(value: Any) -> float:
    try:
        number = float(value) if not isinstance(value, bool) else -1.0
    except (TypeError, ValueError):
        number = -1.0
    if not 0.01 <= number <= 1440:
        raise _Bad("expected a number of minutes from 0.01 to 1440 (decimals allowed)")
    return number


def _zone(value: Any) -> str:
    text = _text(value).strip()
    try:
        zoneinfo.ZoneInfo(text)
    except (ValueError, zoneinfo.ZoneInfoNotFoundError):
        raise _Bad('expected a time zone of the tz database, like "Europe/Berlin"') from None
    return text


def _url_template(value: Any) -> str:
    text = _text(value).strip()
    if text and ("{session_id}" not in text or urlsplit(text).scheme in ("", "javascript")):
        raise _Bad("expected an address containing {session_id}, or empty")
    return text


@dataclass(frozen=True)
class Setting:
    key: str
    parse: Callable[[Any], Any]
    default: Any
    help: str


def _vendor_links() -> dict[str, str]:
    """intellekta's own notice links, from the helper's vendor file (one source)."""
    from helper.config.loader import VENDOR_FILE

    notice = tomllib.loads(VENDOR_FILE.read_text("utf-8")).get("notice", {})
    return {"dpa_url": notice.get("dpa_url", ""), "terms_url": notice.get("terms_url", "")}


SETTINGS: tuple[Setting, ...] = (
    Setting(
        "data_dir",
        _path,
        "",
        "Folder for the SQLite database, the secret key and "
        "metrics; default: the platform's data folder.",
    ),
    Setting(
        "database_url",
        _database_url,
        "",
        "Empty: SQLite in the data folder. Or "
        "postgresql://USER@HOST:5432/NAME (password from the environment or a file).",
    ),
    Setting("database_password_file", _path, "", "File holding the PostgreSQL password."),
    Setting(
        "secret_key_file",
        _path,
        "",
        "File holding Django's secret key; default: "
        "secret_key in the data folder, generated on first start.",
    ),
    Setting(
        "allowed_hosts",
        _hosts,
        ["localhost", "127.0.0.1", "[::1]"],
        "Host names this server answers to (its public name behind a proxy).",
    ),
    Setting(
        "behind_proxy",
        _bool,
        False,
        "A TLS reverse proxy in front sets X-Forwarded-For and X-Forwarded-Proto; trust them.",
    ),
    Setting(
        "proxy_count",
        _positive,
        1,
        "With behind_proxy: how many proxies in front "
        "append to X-Forwarded-For; the client is the address the outermost one saw.",
    ),
    Setting(
        "read_timeout_s",
        _seconds,
        20,
        "A connection is closed when its TLS handshake "
        "or its request headers take longer, or its body stops for this long.",
    ),
    Setting("require_token", _bool, False, "Refuse confirmations without a valid token (401)."),
    Setting("retention_days", _positive, 1095, "Records older than this are purged."),
    Setting(
        "rate_limit_address",
        _rate,
        "300/m",
        'Requests per client address to the intake API, per server process; "off" to switch off.',
    ),
    Setting("rate_limit_token", _rate, "600/m", "Requests per token, per server process."),
    Setting(
        "session_id_pattern",
        _regex,
        SESSION_ID_PATTERN,
        "Regular expression a "
        "confirmation's session_id must match in full (as the helper's session_id.pattern).",
    ),
    Setting(
        "metrics_token_file",
        _path,
        "",
        "File holding a bearer token for /metrics; "
        "without one, /metrics answers only to clients on loopback.",
    ),
    Setting(
        "verify_interval_minutes",
        _minutes,
        5,
        "serve verifies the ledger's new entries this often, and the whole ledger once a day.",
    ),
    Setting(
        "time_zone",
        _zone,
        "Europe/Berlin",
        "Times in the console and the evidence "
        "are shown in this zone (named, with UTC beside it in the evidence).",
    ),
    Setting(
        "evidence_file",
        _path,
        "",
        "TOML file with intellekta's details as processor "
        "(name, contact, address) and, where wanted, its own wording of the evidence; "
        "check warns while it is not set.",
    ),
    Setting("language", _language, "de", "Language of messages when the request names none."),
    Setting(
        "notice_dpa_url",
        _https_url,
        None,
        "The {dpa_url} link filled into notice texts "
        "(as the helper's notice.dpa_url); default: intellekta's.",
    ),
    Setting("notice_terms_url", _https_url, None, "The {terms_url} link (notice.terms_url)."),
    Setting("console_idle_minutes", _positive, 30, "Console sign-in expires after this idle time."),
    Setting(
        "console_connect_url_template",
        _url_template,
        "",
        'A "Connect" link on the detail page, e.g. with {session_id}; empty: no link.',
    ),
    Setting(
        "log_level",
        lambda v: _choice(v, ("debug", "info", "warning", "error")),
        "info",
        "How much the server logs.",
    ),
    Setting(
        "log_format",
        lambda v: _choice(v, ("text", "json")),
        "text",
        "Log lines as text, or as JSON objects (one per line) for a log collector.",
    ),
)
BY_KEY = {s.key: s for s in SETTINGS}


def _choice(value: Any, options: tuple[str, ...]) -> str:
    text = _text(value).lower()
    if text not in options:
        raise _Bad("expected one of " + ", ".join(options))
    return text


@dataclass(frozen=True)
class ServerConfig:
    """The checked configuration; ``values`` holds every setting, ``file`` where it came from."""

    values: Mapping[str, Any]
    file: str

    def __getitem__(self, key: str) -> Any:
        return self.values[key]

    @property
    def data_dir(self) -> Path:
        return Path(self.values["data_dir"])

    @property
    def is_postgres(self) -> bool:
        return urlsplit(self.values["database_url"]).scheme.startswith("postgres")

    @property
    def sqlite_path(self) -> Path:
        """The SQLite database file: the path in ``database_url``, or in the data folder."""
        url = self.values["database_url"]
        return Path(unquote(urlsplit(url).path)) if url else self.data_dir / "intake.sqlite3"

    def secret_key(self) -> str:
        """Django's secret key: the environment, the file, or a new one written there."""
        if os.environ.get(ENV_SECRET_KEY):
            return os.environ[ENV_SECRET_KEY]
        path = Path(self.values["secret_key_file"] or self.data_dir / "secret_key")
        try:
            key = path.read_text("utf-8").strip()
        except FileNotFoundError:
            key = ""
        except OSError as exc:
            raise ConfigError([f"{path}: cannot read the secret key: {exc.strerror}."]) from None
        if key:
            return key
        key = secrets.token_urlsafe(50)
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(fd, "w", encoding="utf-8") as handle:
                handle.write(key + "\n")
        except FileExistsError:
            return self.secret_key()  # another process wrote it first
        except OSError as exc:
            raise ConfigError(
                [
                    f"{path}: cannot write a new secret key: {exc.strerror}. Give the service "
                    f"user write access to the folder, or set {ENV_SECRET_KEY}."
                ]
            ) from None
        return key

    def database_password(self) -> str:
        if os.environ.get(ENV_DATABASE_PASSWORD):
            return os.environ[ENV_DATABASE_PASSWORD]
        path = self.values["database_password_file"]
        if not path:
            return ""
        try:
            return Path(path).read_text("utf-8").strip()
        except OSError as exc:
            raise ConfigError(
                [
                    f"{path}: cannot read the database password (database_password_file): "
                    f"{exc.strerror}."
                ]
            ) from None


def load(path: str | None = None, env: Mapping[str, str] | None = None) -> ServerConfig:
    """Read and check the configuration; raises :class:`ConfigError` with every problem."""
    env = os.environ if env is None else env
    path = path or env.get(ENV_CONFIG_FILE) or ""
    problems: list[str] = []
    raw = _read_toml(Path(path), problems) if path else {}
    raw.update(_from_environment(env, problems))
    values = _parsed(raw, problems)
    if problems:
        raise ConfigError(problems)
    values["data_dir"] = values["data_dir"] or platformdirs.user_data_dir(
        "intellekta-intake", appauthor=False
    )
    links = _vendor_links()
    for key in ("dpa_url", "terms_url"):
        if values[f"notice_{key}"] is None:
            values[f"notice_{key}"] = links[key]
    return ServerConfig(values, path)


def _from_environment(env: Mapping[str, str], problems: list[str]) -> dict[str, tuple[Any, str]]:
    """``INTELLEKTA_INTAKE_<KEY>`` values; the secrets' variables are read where used."""
    found: dict[str, tuple[Any, str]] = {}
    for name, value in env.items():
        if not name.startswith(ENV_PREFIX) or name in (
            ENV_CONFIG_FILE,
            ENV_SECRET_KEY,
            ENV_DATABASE_PASSWORD,
        ):
            continue
        key = name[len(ENV_PREFIX) :].lower()
        if key not in BY_KEY:
            problems.append(f"Environment variable {name}: unknown setting{_suggest(key)}.")
            continue
        found[key] = (value, f"environment variable {name}")
    return found


def _parsed(raw: dict[str, tuple[Any, str]], problems: list[str]) -> dict[str, Any]:
    values: dict[str, Any] = {}
    for setting in SETTINGS:
        if setting.key not in raw:
            values[setting.key] = setting.default
            continue
        value, where = raw[setting.key]
        try:
            values[setting.key] = setting.parse(value)
        except _Bad as exc:
            problems.append(f"{where}: {setting.key} = {value!r}: {exc}.")
    return values


def read_toml(path: Path, what: str) -> tuple[dict[str, Any], str]:
    """The TOML document at ``path`` and its text; raises :class:`ConfigError` naming the
    file as ``what`` ("the configuration file") when it cannot be read or parsed."""
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except OSError as exc:
        raise ConfigError([f"{path}: cannot read {what}: {exc.strerror}."]) from None
    except UnicodeDecodeError:
        raise ConfigError([f"{path}: {what} is not UTF-8 text."]) from None
    try:
        return tomllib.loads(text), text
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError([f"{path}: not valid TOML: {exc}. Correct that line."]) from None


def _read_toml(path: Path, problems: list[str]) -> dict[str, tuple[Any, str]]:
    try:
        doc, text = read_toml(path, "the configuration file")
    except ConfigError as exc:
        problems += exc.problems
        return {}
    found: dict[str, tuple[Any, str]] = {}
    lines = text.splitlines()
    for section, value in doc.items():
        items = value.items() if isinstance(value, dict) else [(None, value)]
        for name, item in items:
            key = section if name is None else f"{section}_{name}"
            where = f"{path}, line {line_of(lines, name or section, section if name else None)}"
            if key not in BY_KEY:
                problems.append(f"{where}: unknown setting {key!r}{_suggest(key)}.")
                continue
            found[key] = (item, where)
    return found


def line_of(lines: list[str], name: str, section: str | None) -> int | str:
    """The line of ``name =``, inside ``[section]`` when it has one."""
    pattern = re.compile(rf"^\s*\"?{re.escape(name)}\"?\s*=")
    header = re.compile(r"^\s*\[\s*\"?([^\]\"]+)\"?\s*\]")
    current = None
    for number, line in enumerate(lines, start=1):
        opened = header.match(line)
        if opened:
            current = opened[1].strip()
        elif current == section and pattern.match(line):
            return number
    return "?"


def _suggest(key: str) -> str:
    close = difflib.get_close_matches(key, BY_KEY, n=1)
    return f" (did you mean {close[0]!r}?)" if close else ""


def render_reference() -> str:
    """The settings as a Markdown table, for the documentation (a test keeps it current)."""
    rows = ["| Setting | Default | What it does |", "|---|---|---|"]
    for s in SETTINGS:
        rows.append(f"| `{s.key}` | {_toml_default(s.default)} | {s.help} |")
    return "\n".join(rows)


def _toml_default(value: Any) -> str:
    if value is None:
        return "intellekta's"
    if value == "":
        return "(empty)"
    if isinstance(value, bool):
        return f"`{str(value).lower()}`"
    if isinstance(value, list):
        return "`[" + ", ".join(f'"{v}"' for v in value) + "]`"
    text = f'`"{value}"`' if isinstance(value, str) else f"`{value}`"
    return text.replace("|", "\\|")  # a bar would end the table's cell
