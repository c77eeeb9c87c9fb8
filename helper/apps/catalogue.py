"""The catalogue of applications that may show confidential data, and how processes match it.

The rules are data (``catalogue.toml`` beside this module); administrators add their own
with ``apps.extra`` and switch rules off with ``apps.ignore``. :func:`check_extra_rules`
is the validation ``config check`` runs on ``apps.extra``; it shares the rule parser with
the built-in catalogue, so both follow exactly the same format.

A :class:`Matcher` answers "which rule, if any, does this process belong to?" for one
platform. It is pure data (no psutil), built once per scan, and safe to share.
"""

from __future__ import annotations

import fnmatch
import logging
import re
import tomllib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from helper.config import Config

log = logging.getLogger(__name__)

PLATFORMS = ("windows", "macos", "linux")
LANGUAGES = ("de", "en")
#: Linux keeps only this many characters of a process name (TASK_COMM_LEN - 1).
LINUX_NAME_LIMIT = 15
_ID = re.compile(r"[a-z0-9][a-z0-9_.-]*")
_RULE_KEYS = frozenset({"id", "name", "category", "cmdline", "path", "support_tool", *PLATFORMS})


class RuleError(ValueError):
    """A rule is malformed; the message names the rule and the field, in English."""


@dataclass(frozen=True)
class Category:
    id: str
    names: Mapping[str, str]  # language -> name
    reasons: Mapping[str, str]  # language -> why it matters
    hidden: bool = False


@dataclass(frozen=True)
class Rule:
    """One application: how to recognise its processes on each platform."""

    id: str
    name: str
    category: str
    windows: tuple[str, ...] = ()
    macos: tuple[str, ...] = ()
    linux: tuple[str, ...] = ()
    cmdline: str = ""  # regular expression, searched in the command line
    path: str = ""  # regular expression, searched in the executable's path
    support_tool: bool = False  # the remote-support tool the session runs through

    def names_for(self, platform: str) -> tuple[str, ...]:
        names: tuple[str, ...] = getattr(self, platform)
        return names


@dataclass(frozen=True)
class Catalogue:
    """Categories (in display order) and the rules in effect. Immutable; thread-safe."""

    categories: Mapping[str, Category]
    rules: tuple[Rule, ...]

    def category_name(self, category: str, lang: str) -> str:
        return _in_language(self.categories[category].names, lang)

    def reason(self, category: str, lang: str) -> str:
        """Why applications of this category matter, in plain words."""
        return _in_language(self.categories[category].reasons, lang)

    def category_order(self, category: str) -> int:
        return list(self.categories).index(category)

    def is_hidden(self, rule: Rule) -> bool:
        return self.categories[rule.category].hidden

    def matcher(self, platform: str) -> Matcher:
        return Matcher(self.rules, platform)


def _in_language(texts: Mapping[str, str], lang: str) -> str:
    return texts.get(lang) or texts["en"]


class Matcher:
    """Finds the rule a process belongs to, on one platform.

    Names are compared without regard to case. Exact names are looked up in a dict, so
    the cost per process does not grow with the catalogue; wildcard names, then the
    ``cmdline``/``path`` patterns, are tried only for processes no name matched. Earlier
    rules win, which is why administrators' rules come first.
    """

    def __init__(self, rules: Sequence[Rule], platform: str) -> None:
        if platform not in PLATFORMS:
            raise ValueError(f"unknown platform {platform!r}")
        self.platform = platform
        self._exact: dict[str, Rule] = {}
        self._truncated: dict[str, Rule] = {}
        self._globs: list[tuple[re.Pattern[str], Rule]] = []
        self._patterns: list[tuple[re.Pattern[str] | None, re.Pattern[str] | None, Rule]] = []
        for rule in rules:
            for name in rule.names_for(platform):
                key = name.casefold()
                if "*" in key or "?" in key:
                    self._globs.append((re.compile(fnmatch.translate(key)), rule))
                    continue
                self._exact.setdefault(key, rule)
                if platform == "linux" and len(key) > LINUX_NAME_LIMIT:
                    self._truncated.setdefault(key[:LINUX_NAME_LIMIT], rule)
            if rule.cmdline or rule.path:
                self._patterns.append((_compile(rule.cmdline), _compile(rule.path), rule))

    @property
    def has_patterns(self) -> bool:
        """Whether any rule needs the command line or the executable's path."""
        return bool(self._patterns)

    def by_name(self, keys: Iterable[str]) -> Rule | None:
        """The rule for the first matching key (process name, executable name, ...)."""
        folded = [key.casefold() for key in keys if key]
        for key in folded:
            rule = self._exact.get(key)
            if rule is not None:
                return rule
        for pattern, rule in self._globs:
            if any(pattern.match(key) for key in folded):
                return rule
        return None

    def by_truncated_name(self, name: str) -> Rule | None:
        """A long Linux name cut to 15 characters, when nothing else identifies it."""
        if len(name) != LINUX_NAME_LIMIT:
            return None
        return self._truncated.get(name.casefold())

    def by_pattern(self, exe: str, cmdline: str) -> Rule | None:
        for cmd_pattern, path_pattern, rule in self._patterns:
            if cmd_pattern is not None and cmdline and cmd_pattern.search(cmdline):
                return rule
            if path_pattern is not None and exe and path_pattern.search(exe):
                return rule
        return None


def _compile(pattern: str) -> re.Pattern[str] | None:
    return re.compile(pattern, re.IGNORECASE) if pattern else None


# ---------------------------------------------------------------------- parsing


def _parse_category(key: str, raw: Mapping[str, Any]) -> Category:
    texts: dict[str, str] = {}
    for field in (f"{kind}_{lang}" for kind in ("name", "reason") for lang in LANGUAGES):
        value = raw.get(field)
        if not isinstance(value, str) or not value.strip():
            raise RuleError(f"category {key!r}: {field!r} is missing")
        texts[field] = value.strip()
    names = {lang: texts[f"name_{lang}"] for lang in LANGUAGES}
    reasons = {lang: texts[f"reason_{lang}"] for lang in LANGUAGES}
    return Category(key, names, reasons, bool(raw.get("hidden", False)))


def parse_rule(raw: Any, number: int, categories: Iterable[str]) -> Rule:
    """Check one rule (a TOML table) and build it. Raises :class:`RuleError`.

    ``number`` is the rule's position counted from 1, used in the message.
    """
    where = f"rule {number}"
    if not isinstance(raw, Mapping):
        raise RuleError(f"{where}: must be a table with id, name, category and names")
    rule_id = raw.get("id")
    if not isinstance(rule_id, str) or not _ID.fullmatch(rule_id):
        raise RuleError(f"{where}: 'id' must be lower-case letters, digits, '_', '-' or '.', "
                        f"for example 'praxis_software'; got {rule_id!r}")  # fmt: skip
    where = f"rule {number} (id {rule_id!r})"
    unknown = sorted(set(raw) - _RULE_KEYS)
    if unknown:
        raise RuleError(f"{where}: unknown field {unknown[0]!r}; allowed are "
                        f"{', '.join(sorted(_RULE_KEYS))}")  # fmt: skip
    name = raw.get("name")
    if not isinstance(name, str) or not name.strip():
        raise RuleError(f"{where}: 'name' must be the application's name as a text")
    allowed = list(categories)
    category = raw.get("category")
    if category not in allowed:
        raise RuleError(f"{where}: 'category' must be one of {', '.join(allowed)}; "
                        f"got {category!r}")  # fmt: skip
    names: dict[str, tuple[str, ...]] = {}
    for platform in PLATFORMS:
        value = raw.get(platform, [])
        if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
            raise RuleError(f"{where}: {platform!r} must be a list of names, "
                            f"for example [\"Praxis.exe\"]")  # fmt: skip
        names[platform] = tuple(v.strip() for v in value)
    patterns: dict[str, str] = {}
    for field in ("cmdline", "path"):
        value = raw.get(field, "")
        if not isinstance(value, str):
            raise RuleError(f"{where}: {field!r} must be a regular expression as a text")
        try:
            re.compile(value)
        except re.error as exc:
            message = f"{where}: {field!r} is not a valid regular expression: {exc}"
            raise RuleError(message) from None
        patterns[field] = value
    support_tool = raw.get("support_tool", False)
    if not isinstance(support_tool, bool):
        raise RuleError(f"{where}: 'support_tool' must be true or false")
    if not any(names.values()) and not any(patterns.values()):
        raise RuleError(f"{where}: give at least one of windows, macos, linux, cmdline or path")
    return Rule(rule_id, name.strip(), category, names["windows"], names["macos"],
                names["linux"], patterns["cmdline"], patterns["path"], support_tool)  # fmt: skip


def _parse_rules(raw_rules: Any, categories: Iterable[str]) -> list[Rule]:
    if not isinstance(raw_rules, list):
        raise RuleError("the rules must be a list of tables")
    allowed = list(categories)
    rules, seen = [], set()
    for number, raw in enumerate(raw_rules, start=1):
        rule = parse_rule(raw, number, allowed)
        if rule.id in seen:
            raise RuleError(f"rule {number} (id {rule.id!r}): this id is used twice")
        seen.add(rule.id)
        rules.append(rule)
    return rules


@cache
def builtin() -> Catalogue:
    """The catalogue shipped with the helper. Raises RuleError if the file is broken."""
    doc = tomllib.loads(Path(__file__).with_name("catalogue.toml").read_text("utf-8"))
    categories = {key: _parse_category(key, raw) for key, raw in doc["categories"].items()}
    return Catalogue(categories, tuple(_parse_rules(doc["rules"], categories)))


def check_extra_rules(value: Any) -> str | None:
    """Validate ``apps.extra``: an English text naming the first problem, or None."""
    base = builtin()
    try:
        rules = _parse_rules(value, base.categories)
    except RuleError as exc:
        return str(exc)
    builtin_ids = {rule.id for rule in base.rules}
    for number, rule in enumerate(rules, start=1):
        if rule.id in builtin_ids:
            return (
                f"rule {number} (id {rule.id!r}): the built-in catalogue already has this id; "
                f"choose another id, and add {rule.id!r} to apps.ignore to replace it"
            )
    return None


def load(config: Config) -> Catalogue:
    """The rules in effect: the administrator's ``apps.extra`` first, then the built-in
    catalogue, without the ids in ``apps.ignore``.

    Invalid extra rules make the configuration invalid (``config check`` reports them);
    should one reach this point anyway it is skipped and logged, never raised.
    """
    base = builtin()
    extra: list[Rule] = []
    problem = check_extra_rules(config["apps.extra"])
    if problem is None:
        extra = _parse_rules(config["apps.extra"], base.categories)
    else:
        log.warning("Ignoring apps.extra: %s", problem)
    ignored = {str(i).strip().casefold() for i in config["apps.ignore"]}
    rules = tuple(r for r in (*extra, *base.rules) if r.id.casefold() not in ignored)
    unknown = ignored - {r.id for r in (*extra, *base.rules)}
    if unknown:
        log.warning("apps.ignore names unknown rule ids: %s", ", ".join(sorted(unknown)))
    return Catalogue(base.categories, rules)
