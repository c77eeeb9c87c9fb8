"""Reading every configuration layer and merging them in one place, in one order.

Lowest precedence first: built-in defaults, intellekta's vendor file, the machine-wide
file, the user's file, the file named by ``INTELLEKTA_HELPER_CONFIG``, environment
variables, the command line, and on Windows the policy registry, which wins over all.
Keys named in the machine file's ``locked`` list (and every policy value) cannot be
changed by the user's file, the environment or the command line: such attempts are
ignored, logged and kept for ``config show``.
"""

from __future__ import annotations

import logging
import os
import sys
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import Any

from helper import paths
from helper.config import syntax
from helper.config.model import Config, Entry, Ignored, Problem, Source, suggest
from helper.config.raw import POLICY_KEY, Raw
from helper.config.settings import BY_KEY, ENV_CONFIG_FILE, ENV_PREFIX, SECTIONS, SETTINGS
from helper.config.values import ValueProblem, coerce, from_text

#: intellekta's defaults, shipped beside this module (also inside a PyInstaller build).
VENDOR_FILE = Path(__file__).with_name("vendor.toml")

log = logging.getLogger(__name__)

LOCKED_KEY = "locked"
PolicyReader = Callable[[], tuple[Raw, list[str]]]


class _Layer:
    """The values one source offers, where relative paths in it start, and its locks."""

    def __init__(self, source: Source, raw: Raw | None = None, base_dir: Path | None = None):
        self.source = source
        self.raw: Raw = raw if raw is not None else {}
        self.base_dir = base_dir
        self.locks: list[str] = []


def _read_file(source: Source, path: Path, problems: list[Problem], machine: bool) -> _Layer:
    layer = _Layer(source, base_dir=path.parent)
    parsed = _parse_file(source, path, problems)
    if parsed is None:
        return layer
    text, doc = parsed
    for section, body in doc.items():
        if section == LOCKED_KEY:
            _read_locks(layer, body, syntax.line_of(text, None, LOCKED_KEY), machine, problems)
        elif section not in SECTIONS:
            params = suggest(section, SECTIONS)
            problems.append(Problem(source, "config.unknown_section", section, None, params))
        elif not isinstance(body, dict):
            line = syntax.line_of(text, None, section)
            problems.append(Problem(source, "config.not_a_table", section, line))
        else:
            _read_section(layer, section, body, text, problems)
    return layer


def _parse_file(
    source: Source, path: Path, problems: list[Problem]
) -> tuple[str, dict[str, Any]] | None:
    """The file's text and TOML document, or None with the reason in ``problems``."""
    try:
        return syntax.read_document(path)
    except syntax.FileProblem as exc:
        problems.append(Problem(source, exc.message_id, line=exc.line, params=exc.params))
    return None


def _read_locks(
    layer: _Layer, body: Any, line: int | None, machine: bool, problems: list[Problem]
) -> None:
    """The machine file's ``locked`` list: the keys no later layer but policy may change."""
    source = layer.source
    if not machine:
        problems.append(Problem(source, "config.locked_not_here", line=line))
    elif not isinstance(body, list) or not all(isinstance(k, str) for k in body):
        problems.append(Problem(source, "config.locked_not_list", line=line))
    else:
        for key in body:
            if key in BY_KEY:
                layer.locks.append(key)
            else:
                params = suggest(key, BY_KEY)
                problems.append(Problem(source, "config.locked_unknown", key, line, params))


def _read_section(
    layer: _Layer, section: str, body: dict[str, Any], text: str, problems: list[Problem]
) -> None:
    for name, value in body.items():
        key = f"{section}.{name}"
        line = syntax.line_of(text, section, name)
        if key in BY_KEY:
            layer.raw[key] = (value, line, False)
            continue
        names = [s.name for s in SETTINGS if s.section == section]
        hint = suggest(name, names).get("hint")
        params = {"hint": f"{section}.{hint}"} if hint else {}
        problems.append(Problem(layer.source, "config.unknown_key", key, line, params))


def _env_layer(env: Mapping[str, str], problems: list[Problem]) -> _Layer:
    layer = _Layer(Source("env", ""))
    known = {s.env_var: s for s in SETTINGS if s.is_scalar}
    for name in sorted(env):
        if not name.startswith(ENV_PREFIX) or name == ENV_CONFIG_FILE:
            continue
        source = Source("env", name)
        setting = known.get(name)
        if setting is None:
            problems.append(Problem(source, "config.unknown_env", name, None, suggest(name, known)))
            continue
        layer.raw[setting.key] = (env[name], None, True)
    return layer


def _cli_layer(pairs: Iterable[tuple[str, str]], problems: list[Problem]) -> _Layer:
    layer = _Layer(Source("cli", ""))
    for key, text in pairs:
        setting = BY_KEY.get(key)
        if setting is None or not setting.is_scalar:
            problems.append(
                Problem(layer.source, "config.unknown_key", key, None, suggest(key, BY_KEY))
            )
        elif setting.secret:
            problems.append(Problem(layer.source, "config.secret_on_cli", key))
        else:
            layer.raw[key] = (text, None, True)
    return layer


def _default_policy_reader() -> PolicyReader | None:
    if sys.platform != "win32":
        return None
    from helper.config import _windows_policy

    return _windows_policy.read_policy


def _machine_file() -> Path | None:
    """The first existing machine-wide file; XDG_CONFIG_DIRS order on Linux."""
    for folder in paths.machine_config_dirs():
        candidate = folder / paths.CONFIG_FILE_NAME
        if candidate.exists():
            return candidate
    return None


def load(
    cli: Iterable[tuple[str, str]] = (),
    env: Mapping[str, str] | None = None,
    policy_reader: PolicyReader | bool | None = True,
) -> Config:
    """Load, validate and merge every layer. Never raises for bad input: see ``problems``.

    ``policy_reader`` is the Windows registry reader; ``True`` picks the platform's
    (none outside Windows), tests pass a reader over a fake ``winreg``.
    """
    env = os.environ if env is None else env
    problems: list[Problem] = []
    layers = _file_layers(env, problems)
    layers.append(_env_layer(env, problems))
    layers.append(_cli_layer(cli, problems))
    reader = _default_policy_reader() if policy_reader is True else policy_reader
    if reader:
        layers.append(_policy_layer(reader, problems))
    entries, ignored = _merge(layers, _locks(layers), problems)
    return Config(entries, problems, ignored)


def _file_layers(env: Mapping[str, str], problems: list[Problem]) -> list[_Layer]:
    """The files that exist, lowest precedence first: vendor, machine, user, extra."""
    files = [(Source("vendor", str(VENDOR_FILE)), VENDOR_FILE)]
    machine = _machine_file()
    if machine is not None:
        files.append((Source("machine", str(machine)), machine))
    user = paths.user_config_dir() / paths.CONFIG_FILE_NAME
    if user.exists():
        files.append((Source("user", str(user)), user))
    if env.get(ENV_CONFIG_FILE):
        extra = Path(env[ENV_CONFIG_FILE]).expanduser()
        files.append((Source("env_file", str(extra)), extra))
    return [_read_file(source, path, problems, source.kind == "machine") for source, path in files]


def _policy_layer(reader: PolicyReader, problems: list[Problem]) -> _Layer:
    raw, unknown = reader()
    policy = _Layer(Source("policy", ""), raw=raw)
    for key in unknown:
        problems.append(
            Problem(policy.source, "config.unknown_key", key, None, suggest(key, BY_KEY))
        )
    return policy


def _locks(layers: list[_Layer]) -> dict[str, Source]:
    """Each locked key and what locked it: the machine file's list, and every policy."""
    locked_by: dict[str, Source] = {}
    for layer in layers:
        for key in layer.locks:
            locked_by.setdefault(key, layer.source)
        if layer.source.kind == "policy":
            locked_by.update({key: _source_of(layer, key) for key in layer.raw})
    return locked_by


def _merge(
    layers: list[_Layer], locked_by: dict[str, Source], problems: list[Problem]
) -> tuple[dict[str, Entry], list[Ignored]]:
    """Each layer's valid values over the ones below, except where a key is locked."""
    entries = {s.key: Entry(s.default, Source("default", "")) for s in SETTINGS}
    ignored: list[Ignored] = []
    for layer in layers:
        can_override = layer.source.kind in ("vendor", "machine", "policy")
        for key, (value, line, is_text) in layer.raw.items():
            source = _source_of(layer, key)
            if key in locked_by and not can_override:
                ignored.append(Ignored(key, source, locked_by[key]))
                log.warning(
                    "Ignored %s from %s: locked by %s", key, source.label, locked_by[key].label
                )
                continue
            try:
                entries[key] = Entry(_typed(key, value, is_text, layer.base_dir), source, line=line)
            except ValueProblem as exc:
                problems.append(Problem(source, exc.message_id, key, line, exc.params))
    for key in locked_by:
        entries[key] = entries[key]._replace(locked=True)
    return entries, ignored


def _typed(key: str, value: Any, is_text: bool, base_dir: Path | None) -> Any:
    setting = BY_KEY[key]
    return coerce(setting, from_text(setting, value) if is_text else value, base_dir)


def _source_of(layer: _Layer, key: str) -> Source:
    """Environment variables and policy values name themselves; files name the file."""
    if layer.source.kind == "env":
        return Source("env", BY_KEY[key].env_var)
    if layer.source.kind == "policy":
        return Source("policy", _policy_path(key))
    return layer.source


def _policy_path(key: str) -> str:
    section, name = key.split(".", 1)
    return rf"HKLM\{POLICY_KEY}\{section}\{name}"
