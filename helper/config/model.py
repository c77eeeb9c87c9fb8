"""The loaded configuration: effective values, where each came from, and what was wrong.

NamedTuples and a plain class rather than dataclasses: the window loads the
configuration before its first step is drawn, and ``dataclasses`` costs about 10 ms.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any, NamedTuple

from helper import i18n, paths
from helper.config.settings import BY_KEY
from helper.config.values import ValueProblem, read_token


class Source(NamedTuple):
    """One place values come from, e.g. a file or the environment."""

    kind: str  # default | vendor | machine | user | env_file | env | cli | policy
    label: str  # what ``config show`` prints: a path, a variable name, "command line"

    def describe(self, lang: str) -> str:
        return i18n.t(f"config.source.{self.kind}", lang, label=self.label)


class Entry(NamedTuple):
    """The effective value of one setting."""

    value: Any
    source: Source
    locked: bool = False
    #: The line of its file, for messages about the value found after loading.
    line: int | None = None


class Problem(NamedTuple):
    """Something wrong with one source; rendered in the user's language."""

    source: Source
    message_id: str
    key: str = ""
    line: int | None = None
    params: Mapping[str, str] = {}  # never changed

    def render(self, lang: str) -> str:
        where = self.source.describe(lang)
        if self.line is not None:
            where = i18n.t("config.at_line", lang, where=where, line=self.line)
        params = {
            name: i18n.t(f"config.kind.{value[1:]}", lang) if value.startswith("@") else value
            for name, value in self.params.items()
        }
        message = i18n.t(self.message_id, lang, key=self.key, **params)
        if "hint" in self.params:
            # The hint in the words of the message's own family: config.did_you_mean for
            # the helper's, config.intake.did_you_mean for the intake server's.
            family = self.message_id.rpartition(".")[0]
            message += " " + i18n.t(f"{family}.did_you_mean", lang, hint=self.params["hint"])
        return f"{where}: {message}"


def suggest(name: str, options: Iterable[str]) -> dict[str, str]:
    """The :class:`Problem` parameters for a misspelt ``name``: the closest of ``options``
    as ``hint``, or none when nothing is close."""
    import difflib  # only when something is misspelt

    match = difflib.get_close_matches(name, list(options), n=1, cutoff=0.6)
    return {"hint": match[0]} if match else {}


class Ignored(NamedTuple):
    """An attempt to change a locked setting, ignored on purpose."""

    key: str
    source: Source
    locked_by: Source


class Config:
    """Effective settings. Read with ``config["intake.url"]``; thread-safe to read."""

    def __init__(
        self,
        entries: dict[str, Entry],
        problems: list[Problem] | None = None,
        ignored: list[Ignored] | None = None,
    ) -> None:
        self.entries = entries
        self.problems = problems if problems is not None else []
        self.ignored = ignored if ignored is not None else []

    def add_problems(self, problems: Iterable[Problem]) -> None:
        """Add what the packages that give settings their meaning found wrong.

        Loading checks type and shape only; whether ``apps.extra`` holds valid rules or
        ``notice.file`` a usable notice is for ``helper.apps`` and ``helper.consent`` to
        say. The command line adds their problems once, right after loading.
        """
        self.problems.extend(problems)

    def __getitem__(self, key: str) -> Any:
        return self.entries[key].value

    @property
    def valid(self) -> bool:
        return not self.problems

    @property
    def language(self) -> str:
        """The resolved user-interface language, ``de`` or ``en``."""
        return i18n.resolve_language(self["ui.language"])

    @property
    def data_dir(self) -> Path:
        return Path(self["paths.data_dir"]) if self["paths.data_dir"] else paths.user_data_dir()

    def secrets(self) -> list[str]:
        """Secret values in effect, for the log filter that masks them."""
        found = [str(e.value) for k, e in self.entries.items() if BY_KEY[k].secret and e.value]
        token = self.read_token_file()
        return [*found, token] if token else found

    def read_token_file(self) -> str:
        """The token in ``intake.token_file`` (first line, stripped), or ``""`` when none
        is set or the file has become unusable since loading (then the server says 401)."""
        path = self["intake.token_file"]
        if not path:
            return ""
        try:
            return read_token(Path(path))
        except ValueProblem:
            return ""

    def token(self) -> str:
        """The bearer token in effect: ``intake.token``, else the token file's."""
        return str(self["intake.token"] or self.read_token_file())

    def report(self, lang: str | None = None) -> str:
        """Every problem, one per line, in the user's language."""
        lang = lang or self.language
        return "\n".join(p.render(lang) for p in self.problems)

    def advice(self, lang: str | None = None) -> list[str]:
        """What to do about the problems, one line per kind of source: what the user set
        (command line, environment, their own file) they correct themselves; only the
        machine's files and policy are for the IT administrator."""
        lang = lang or self.language
        labels: dict[str, dict[str, None]] = {}
        for problem in self.problems:
            kind = problem.source.kind if problem.source.kind in _OWN_KINDS else "admin"
            labels.setdefault(kind, {})[problem.source.label] = None
        return [
            i18n.t(f"config.fix.{kind}", lang, labels=", ".join(filter(None, labels[kind])))
            for kind in (*_OWN_KINDS, "admin")
            if kind in labels
        ]

    def explained(self, lang: str | None = None) -> str:
        """What every command says of an invalid configuration: a header, each problem
        indented, and what to do."""
        lang = lang or self.language
        problems = ["  " + p.render(lang) for p in self.problems]
        header = i18n.t("config.problem_header", lang)
        return "\n".join([header, *problems, *self.advice(lang)])


#: Sources the user sets themselves, in the order their advice is given.
_OWN_KINDS = ("cli", "env", "env_file", "user")
