"""The server's configuration: declared once, read from one TOML file and the environment.

Every setting is declared in :data:`SETTINGS` as a :class:`helper.config.Setting`: its
kind, default, description and, where the server needs more than its kind, its own check.
Values come, last one winning, from the defaults, the TOML file (``--config FILE`` or
``INTELLEKTA_INTAKE_CONFIG``) and ``INTELLEKTA_INTAKE_<KEY>`` variables
(``INTELLEKTA_INTAKE_CONSOLE_IDLE_MINUTES``); in the file, ``[rate_limit] address`` is
``rate_limit_address``. :func:`load` checks them all with the helper's configuration
primitives (its TOML reading with line numbers and located syntax errors, did-you-mean,
typed values, masked URLs) and raises :class:`ConfigError` listing every problem with
its file, line, key and what was expected, so each command can stop with exit 2 and a
message instead of a traceback. The messages are the helper catalogue's, in English like
the rest of the command line.

Secrets never come from the command line: Django's secret key comes from
``INTELLEKTA_INTAKE_SECRET_KEY`` or ``secret_key_file`` (generated into the data folder on
first start), the database password from the URL in ``database_url`` if it has one,
else ``INTELLEKTA_INTAKE_DATABASE_PASSWORD``, else ``database_password_file``.
"""

from __future__ import annotations

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

from helper import i18n
from helper.config import syntax
from helper.config.loader import VENDOR_FILE
from helper.config.model import Problem, Source, suggest
from helper.config.settings import BY_KEY as HELPER_SETTINGS, Kind, Setting
from helper.config.values import ValueProblem, coerce, from_text, mask_url
from helper.logs import MASK
from intake_server import languages

ENV_PREFIX = "INTELLEKTA_INTAKE_"
ENV_CONFIG_FILE = f"{ENV_PREFIX}CONFIG"
ENV_SECRET_KEY = f"{ENV_PREFIX}SECRET_KEY"
ENV_DATABASE_PASSWORD = f"{ENV_PREFIX}DATABASE_PASSWORD"
#: The command line speaks English (``api/management/base.py``), its messages too.
LANG = "en"
#: The catalogue's words for what a value should have been, by kind or by check.
_EXPECTED = "config.intake.expected."
_RATE = re.compile(r"(\d+)/(s|m|h|d)")
#: The helper's own default for ``session_id.pattern``: both sides accept the same IDs.
SESSION_ID_PATTERN: str = HELPER_SETTINGS["session_id.pattern"].default


class ConfigError(Exception):
    """The configuration cannot be used; ``problems`` are whole sentences, one per line."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("\n".join(problems))
        self.problems = problems


def _expect(what: str, **params: str) -> ValueProblem:
    return ValueProblem(_EXPECTED + what, params)


def _path(value: str) -> str:
    return str(Path(value).expanduser()) if value else ""


def _scheme(url: str) -> str:
    """The URL's scheme, or "?" when it is no URL at all (a bad port, an open ``[``)."""
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 - raises ValueError for a bad port
    except ValueError:
        return "?"
    return parts.scheme


def _rate(value: str) -> str:
    text = value.strip()
    if text != "off" and not _RATE.fullmatch(text):
        raise _expect("rate")
    return text


def _hosts(value: list[str]) -> list[str]:
    if not value:
        raise _expect("hosts")
    return value


def _database_url(value: str) -> str:
    text = value.strip()
    if text and _scheme(text) not in ("sqlite", "postgres", "postgresql"):
        raise _expect("database_url")
    return text


def _https_url(value: str) -> str:
    text = value.strip()
    if text and _scheme(text) != "https":
        raise _expect("https_url")
    return text


def _zone(value: str) -> str:
    text = value.strip()
    try:
        zoneinfo.ZoneInfo(text)
    except (ValueError, zoneinfo.ZoneInfoNotFoundError):
        raise _expect("time_zone") from None
    return text


def _url_template(value: str) -> str:
    text = value.strip()
    if text and ("{session_id}" not in text or _scheme(text) in ("", "?", "javascript")):
        raise _expect("url_template")
    return text


def _at_most(maximum: float) -> Callable[[float], float]:
    def check(value: float) -> float:
        if value > maximum:
            raise _expect("at_most", maximum=f"{maximum:g}")
        return value

    return check


def _one_of(*options: str) -> Callable[[str], str]:
    """In any case, as log levels are often written (``INFO``)."""

    def check(value: str) -> str:
        if value.lower() not in options:
            raise _expect("one_of", choices=", ".join(options))
        return value.lower()

    return check


def _vendor_links() -> dict[str, str]:
    """intellekta's own notice links, from the helper's vendor file (one source)."""
    notice = tomllib.loads(VENDOR_FILE.read_text("utf-8")).get("notice", {})
    return {"dpa_url": notice.get("dpa_url", ""), "terms_url": notice.get("terms_url", "")}


SETTINGS: tuple[Setting, ...] = (
    Setting(
        "data_dir",
        Kind.STR,
        "",
        "Folder for the SQLite database, the secret key and "
        "metrics; default: the platform's data folder.",
        check=_path,
    ),
    Setting(
        "database_url",
        Kind.STR,
        "",
        "Empty: SQLite in the data folder. Or "
        "postgresql://USER@HOST:5432/NAME (password from the environment or a file).",
        check=_database_url,
    ),
    Setting(
        "database_password_file",
        Kind.STR,
        "",
        "File holding the PostgreSQL password.",
        check=_path,
    ),
    Setting(
        "secret_key_file",
        Kind.STR,
        "",
        "File holding Django's secret key; default: "
        "secret_key in the data folder, generated on first start.",
        check=_path,
    ),
    Setting(
        "allowed_hosts",
        Kind.STR_LIST,
        ["localhost", "127.0.0.1", "[::1]"],
        "Host names this server answers to (its public name behind a proxy).",
        check=_hosts,
    ),
    Setting(
        "behind_proxy",
        Kind.BOOL,
        False,
        "A TLS reverse proxy in front sets X-Forwarded-For and X-Forwarded-Proto; trust them.",
    ),
    Setting(
        "proxy_count",
        Kind.INT,
        1,
        "With behind_proxy: how many proxies in front "
        "append to X-Forwarded-For; the client is the address the outermost one saw.",
        minimum=1,
    ),
    Setting(
        "read_timeout_s",
        Kind.INT,
        20,
        "A connection is closed when its TLS handshake "
        "or its request headers take longer, or its body stops for this long.",
        minimum=1,
        check=_at_most(300),
    ),
    Setting("require_token", Kind.BOOL, False, "Refuse confirmations without a valid token (401)."),
    Setting("retention_days", Kind.INT, 1095, "Records older than this are purged.", minimum=1),
    Setting(
        "rate_limit_address",
        Kind.STR,
        "300/m",
        'Requests per client address to the intake API, per server process; "off" to switch off.',
        check=_rate,
    ),
    Setting(
        "rate_limit_token",
        Kind.STR,
        "600/m",
        "Requests per token, per server process.",
        check=_rate,
    ),
    Setting(
        "session_id_pattern",
        Kind.REGEX,
        SESSION_ID_PATTERN,
        "Regular expression a "
        "confirmation's session_id must match in full (as the helper's session_id.pattern).",
    ),
    Setting(
        "metrics_token_file",
        Kind.STR,
        "",
        "File holding a bearer token for /metrics; "
        "without one, /metrics answers only to clients on loopback.",
        check=_path,
    ),
    Setting(
        "verify_interval_minutes",
        Kind.FLOAT,
        5,
        "serve verifies the ledger's new entries this often, and the whole ledger once a day.",
        minimum=0.01,
        check=_at_most(1440),
    ),
    Setting(
        "time_zone",
        Kind.STR,
        "Europe/Berlin",
        "Times in the console and the evidence "
        "are shown in this zone (named, with UTC beside it in the evidence).",
        check=_zone,
    ),
    Setting(
        "evidence_file",
        Kind.STR,
        "",
        "TOML file with intellekta's details as processor "
        "(name, contact, address) and, where wanted, its own wording of the evidence; "
        "check warns while it is not set.",
        check=_path,
    ),
    Setting(
        "language",
        Kind.STR,
        "de",
        "Language of messages when the request names none.",
        check=_one_of(*languages.codes()),
    ),
    Setting(
        "notice_dpa_url",
        Kind.STR,
        None,
        "The {dpa_url} link filled into notice texts "
        "(as the helper's notice.dpa_url); default: intellekta's.",
        check=_https_url,
    ),
    Setting(
        "notice_terms_url",
        Kind.STR,
        None,
        "The {terms_url} link (notice.terms_url).",
        check=_https_url,
    ),
    Setting(
        "console_idle_minutes",
        Kind.INT,
        30,
        "Console sign-in expires after this idle time.",
        minimum=1,
    ),
    Setting(
        "console_connect_url_template",
        Kind.STR,
        "",
        'A "Connect" link on the detail page, e.g. with {session_id}; empty: no link.',
        check=_url_template,
    ),
    Setting(
        "log_level",
        Kind.STR,
        "info",
        "How much the server logs.",
        check=_one_of("debug", "info", "warning", "error"),
    ),
    Setting(
        "log_format",
        Kind.STR,
        "text",
        "Log lines as text, or as JSON objects (one per line) for a log collector.",
        check=_one_of("text", "json"),
    ),
)
BY_KEY = {s.key: s for s in SETTINGS}


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


#: A raw value, where it came from, and its line in the file.
_Raw = dict[str, tuple[Any, Source, int | None]]


def load(path: str | None = None, env: Mapping[str, str] | None = None) -> ServerConfig:
    """Read and check the configuration; raises :class:`ConfigError` with every problem."""
    env = os.environ if env is None else env
    path = path or env.get(ENV_CONFIG_FILE) or ""
    problems: list[str] = []
    raw = _from_file(Path(path), problems) if path else {}
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


def _from_environment(env: Mapping[str, str], problems: list[str]) -> _Raw:
    """``INTELLEKTA_INTAKE_<KEY>`` values; the secrets' variables are read where used."""
    found: _Raw = {}
    for name, value in env.items():
        if not name.startswith(ENV_PREFIX) or name in (
            ENV_CONFIG_FILE,
            ENV_SECRET_KEY,
            ENV_DATABASE_PASSWORD,
        ):
            continue
        key = name[len(ENV_PREFIX) :].lower()
        if key in BY_KEY:
            found[key] = (value, Source("env", name), None)
        else:
            problems.append(_unknown(Source("env", name), key, None))
    return found


def _from_file(path: Path, problems: list[str]) -> _Raw:
    """The file's values; a key may stand in a table: ``[rate_limit] address``."""
    what = "the configuration file"
    try:
        doc, text = read_toml(path, what)
    except ConfigError as exc:
        problems += exc.problems
        return {}
    found: _Raw = {}
    source = _file_source(path, what)
    for section, value in doc.items():
        items = value.items() if isinstance(value, dict) else [(None, value)]
        for name, item in items:
            key = section if name is None else f"{section}_{name}"
            line = syntax.line_of(text, section if name else None, name or section)
            if key in BY_KEY:
                found[key] = (item, source, line)
            else:
                problems.append(_unknown(source, key, line))
    return found


def _unknown(source: Source, key: str, line: int | None) -> str:
    problem = Problem(source, "config.intake.unknown_key", key, line, suggest(key, BY_KEY))
    return problem.render(LANG)


def _parsed(raw: _Raw, problems: list[str]) -> dict[str, Any]:
    """Each setting's checked value, or its default. Text converts to any kind, from the
    file as from the environment (``retention_days = "30"`` has always been accepted)."""
    values: dict[str, Any] = {}
    for setting in SETTINGS:
        if setting.key not in raw:
            values[setting.key] = setting.default
            continue
        value, source, line = raw[setting.key]
        try:
            values[setting.key] = coerce(
                setting, from_text(setting, value) if isinstance(value, str) else value
            )
        except ValueProblem as exc:
            params = {"got": _shown(value), "expected": _expected(setting, exc)}
            problem = Problem(source, "config.intake.bad_value", setting.key, line, params)
            problems.append(problem.render(LANG))
    return values


def _expected(setting: Setting, problem: ValueProblem) -> str:
    """What the value should have been: a check's own words, else its kind's, with the
    reason where the kind gives one (a regular expression's error)."""
    if problem.message_id.startswith(_EXPECTED):
        return i18n.t(problem.message_id, LANG, **problem.params)
    minimum = "" if setting.minimum is None else f"{setting.minimum:g}"
    text = i18n.t(_EXPECTED + setting.kind.name.lower(), LANG, minimum=minimum)
    detail = problem.params.get("detail")
    return f"{text} ({detail})" if detail else text


def _shown(value: Any) -> str:
    """The value as a message shows it, with any password in a URL masked."""
    if not isinstance(value, str):
        return repr(value)
    try:
        return repr(mask_url(value))
    except ValueError:  # not even shaped like a URL: it may hold anything
        return MASK


def _file_source(path: Path, what: str) -> Source:
    return Source("server_file", f"{what} {path}")


def read_toml(path: Path, what: str) -> tuple[dict[str, Any], str]:
    """The TOML document at ``path`` and its text; raises :class:`ConfigError` naming the
    file as ``what`` ("the configuration file") when it cannot be read or parsed, with
    the line and a caret under the column of a syntax error."""
    try:
        text, doc = syntax.read_document(path)
    except syntax.FileProblem as exc:
        source = _file_source(path, what)
        problem = Problem(source, exc.message_id, line=exc.line, params=exc.params)
        raise ConfigError([problem.render(LANG)]) from None
    return doc, text


def line_of(lines: list[str], name: str, section: str | None) -> int | str:
    """The line of ``name =``, inside ``[section]`` when it has one, or "?": the
    evidence_file's messages use it as the configuration's use ``syntax.line_of``."""
    line = syntax.line_of("\n".join(lines), section, name)
    return "?" if line is None else line


def render_reference() -> str:
    """The settings as a Markdown table, for the documentation (a test keeps it current)."""
    rows = ["| Setting | Default | What it does |", "|---|---|---|"]
    for s in SETTINGS:
        rows.append(f"| `{s.key}` | {_toml_default(s.default)} | {s.description} |")
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
