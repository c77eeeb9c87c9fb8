"""The catalogue of applications that may show confidential data, and how processes match it.

The rules are data (``catalogue.toml`` beside this module); administrators add their own
with ``apps.extra`` and switch rules off with ``apps.ignore``. :func:`parse_extra` reads
``apps.extra`` with the parser of the built-in catalogue, so both follow exactly the same
format; :func:`extra_rules` does so once per configuration, for both ``config check``
(see ``checks.py``) and :func:`load`.

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
from typing import TYPE_CHECKING, Any, NamedTuple
from weakref import WeakKeyDictionary

from helper.i18n import LANGUAGES, t
from helper.platforms import PLATFORMS

if TYPE_CHECKING:
    from helper.config import Config

log = logging.getLogger(__name__)

#: The setting with the administrators' rules, and the file of the built-in ones.
EXTRA = "apps.extra"
BUILTIN_FILE = "catalogue.toml"
#: Linux keeps only this many characters of a process name (TASK_COMM_LEN - 1).
LINUX_NAME_LIMIT = 15
_ID = re.compile(r"[a-z0-9][a-z0-9_.-]*")
_RULE_KEYS = frozenset({"id", "name", "category", "cmdline", "path", "support_tool", *PLATFORMS})


class RuleError(ValueError):
    """A rule is malformed: a message id of ``apps.toml`` naming the rule and the field.

    ``text(lang)`` is for people; ``str()`` is English, for the log.
    """

    def __init__(self, message_id: str, origin: str, **params: str) -> None:
        super().__init__(message_id)
        self.message_id = f"apps.rule.{message_id}"
        self.origin = origin  # the setting or file the rules come from
        self.params = params

    def text(self, lang: str) -> str:
        return t(self.message_id, lang, key=self.origin, **self.params)

    def __str__(self) -> str:
        return self.text("en")


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


@dataclass(frozen=True)
class _Where:
    """The rule a message is about: where it comes from, its position and its id."""

    origin: str
    number: int
    id: str

    def error(self, message_id: str, **params: str) -> RuleError:
        where = {"number": str(self.number), "id": repr(self.id)}
        return RuleError(message_id, self.origin, **where, **params)


def _parse_category(key: str, raw: Mapping[str, Any]) -> Category:
    texts: dict[str, str] = {}
    for field in (f"{kind}_{lang}" for kind in ("name", "reason") for lang in LANGUAGES):
        value = raw.get(field)
        if not isinstance(value, str) or not value.strip():
            raise RuleError("category_missing", BUILTIN_FILE, category=repr(key), field=repr(field))
        texts[field] = value.strip()
    names = {lang: texts[f"name_{lang}"] for lang in LANGUAGES}
    reasons = {lang: texts[f"reason_{lang}"] for lang in LANGUAGES}
    return Category(key, names, reasons, bool(raw.get("hidden", False)))


def parse_rule(raw: Any, number: int, categories: Iterable[str], origin: str = EXTRA) -> Rule:
    """Check one rule (a TOML table) and build it. Raises :class:`RuleError`.

    ``number`` is the rule's position counted from 1 and ``origin`` where the rules come
    from (``apps.extra`` or the built-in file), both used in the message.
    """
    if not isinstance(raw, Mapping):
        raise RuleError("not_a_table", origin, number=str(number))
    rule_id = raw.get("id")
    if not isinstance(rule_id, str) or not _ID.fullmatch(rule_id):
        raise RuleError("bad_id", origin, number=str(number), got=repr(rule_id))
    where = _Where(origin, number, rule_id)
    unknown = sorted(set(raw) - _RULE_KEYS)
    if unknown:
        raise where.error(
            "unknown_field", field=repr(unknown[0]), allowed=", ".join(sorted(_RULE_KEYS))
        )
    name = raw.get("name")
    if not isinstance(name, str) or not name.strip():
        raise where.error("bad_name")
    allowed = list(categories)
    category = raw.get("category")
    if category not in allowed:
        raise where.error("bad_category", allowed=", ".join(allowed), got=repr(category))
    names = {platform: _names(raw, platform, where) for platform in PLATFORMS}
    patterns = {field: _pattern(raw, field, where) for field in ("cmdline", "path")}
    support_tool = raw.get("support_tool", False)
    if not isinstance(support_tool, bool):
        raise where.error("bad_support_tool")
    if not any(names.values()) and not any(patterns.values()):
        raise where.error("no_names")
    return Rule(
        rule_id,
        name.strip(),
        category,
        names["windows"],
        names["macos"],
        names["linux"],
        patterns["cmdline"],
        patterns["path"],
        support_tool,
    )


def _names(raw: Mapping[str, Any], platform: str, where: _Where) -> tuple[str, ...]:
    value = raw.get(platform, [])
    if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
        raise where.error("bad_names", field=repr(platform))
    return tuple(v.strip() for v in value)


def _pattern(raw: Mapping[str, Any], field: str, where: _Where) -> str:
    value = raw.get(field, "")
    if not isinstance(value, str):
        raise where.error("pattern_not_text", field=repr(field))
    try:
        re.compile(value)
    except re.error as exc:
        raise where.error("bad_pattern", field=repr(field), detail=str(exc)) from None
    return value


def _parse_rules(raw_rules: Any, categories: Iterable[str], origin: str) -> list[Rule]:
    if not isinstance(raw_rules, list):
        raise RuleError("not_a_list", origin)
    allowed = list(categories)
    rules, seen = [], set()
    for number, raw in enumerate(raw_rules, start=1):
        rule = parse_rule(raw, number, allowed, origin)
        if rule.id in seen:
            raise _Where(origin, number, rule.id).error("duplicate_id")
        seen.add(rule.id)
        rules.append(rule)
    return rules


@cache
def builtin() -> Catalogue:
    """The catalogue shipped with the helper. Raises RuleError if the file is broken."""
    doc = tomllib.loads(Path(__file__).with_name(BUILTIN_FILE).read_text("utf-8"))
    categories = {key: _parse_category(key, raw) for key, raw in doc["categories"].items()}
    return Catalogue(categories, tuple(_parse_rules(doc["rules"], categories, BUILTIN_FILE)))


def parse_extra(value: Any) -> tuple[Rule, ...]:
    """The rules of ``apps.extra``, checked against the built-in catalogue.

    Raises :class:`RuleError` for the first problem: a malformed rule, or an id the
    built-in catalogue already has.
    """
    base = builtin()
    rules = _parse_rules(value, base.categories, EXTRA)
    builtin_ids = {rule.id for rule in base.rules}
    for number, rule in enumerate(rules, start=1):
        if rule.id in builtin_ids:
            raise _Where(EXTRA, number, rule.id).error("builtin_id")
    return tuple(rules)


class ExtraRules(NamedTuple):
    """``apps.extra`` parsed: its rules, or none and the error that made it unusable."""

    rules: tuple[Rule, ...]
    error: RuleError | None = None


#: ``apps.extra`` of each configuration, parsed once for its problems and the catalogue.
_EXTRA: WeakKeyDictionary[Config, ExtraRules] = WeakKeyDictionary()


def extra_rules(config: Config) -> ExtraRules:
    """``apps.extra`` of ``config``, parsed on first use and then kept with the config."""
    found = _EXTRA.get(config)
    if found is None:
        try:
            found = ExtraRules(parse_extra(config[EXTRA]))
        except RuleError as exc:
            found = ExtraRules((), exc)
        _EXTRA[config] = found
    return found


def load(config: Config) -> Catalogue:
    """The rules in effect: the administrator's ``apps.extra`` first, then the built-in
    catalogue, without the ids in ``apps.ignore``.

    Invalid extra rules make the configuration invalid (``config check`` reports them,
    see ``checks.py``); should they reach this point anyway they are skipped and logged,
    never raised.
    """
    base = builtin()
    extra = extra_rules(config)
    if extra.error is not None:
        log.warning("Ignoring apps.extra: %s", extra.error)
    ignored = {str(i).strip().casefold() for i in config["apps.ignore"]}
    rules = tuple(r for r in (*extra.rules, *base.rules) if r.id.casefold() not in ignored)
    unknown = ignored - {r.id for r in (*extra.rules, *base.rules)}
    if unknown:
        log.warning("apps.ignore names unknown rule ids: %s", ", ".join(sorted(unknown)))
    return Catalogue(base.categories, rules)
