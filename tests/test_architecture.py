"""Rules of the code base that a reviewer would otherwise have to remember."""

from __future__ import annotations

import ast
import re
import string
import subprocess
import sys
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

from helper import i18n

HELPER = Path(__file__).resolve().parents[1] / "helper"

# -- layers -------------------------------------------------------------------------------

#: The layers of ``helper/``, from the top. A module may import its own layer and the
#: layers below it, never one above. ``cli``, ``__main__`` and ``commands`` wire everything
#: and sit on top; ``exitcodes``, ``platforms`` and ``program`` import nothing of the
#: helper and sit at the bottom, as does the ``helper`` package itself (its
#: version). Arrows between the packages of one layer are allowed (``consent`` uses
#: ``apps``' values, ``config`` uses ``paths``), as long as they form no cycle:
#: :func:`package_cycles`.
LAYERS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("commands", ("helper.__main__", "helper.cli", "helper.commands")),
    ("ui", ("helper.ui",)),
    ("flow", ("helper.flow",)),
    ("consent/intake/apps", ("helper.consent", "helper.intake", "helper.apps")),
    (
        "config/i18n/logs/paths",
        (
            "helper.config",
            "helper.i18n",
            "helper.logs",
            "helper.paths",
            "helper.exitcodes",
            "helper.platforms",
            "helper.program",
            "helper",
        ),
    ),
)
#: Calls that import the module named by their first argument.
_IMPORT_CALLS = ("import_module", "__import__")


@dataclass(frozen=True)
class Import:
    """One arrow: ``module`` imports ``target`` at ``line``, written as ``statement``."""

    module: str
    line: int
    statement: str
    target: str


@dataclass(frozen=True)
class Violation:
    arrow: Import
    reason: str

    def __str__(self) -> str:
        a = self.arrow
        return f"{a.module}:{a.line}: {a.statement!r}: {self.reason}"


def module_name(path: Path, root: Path = HELPER.parent) -> str:
    parts = path.relative_to(root).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def helper_sources() -> list[tuple[str, str]]:
    """Every module of ``helper/`` as (dotted name, source)."""
    return [(module_name(p), p.read_text("utf-8")) for p in sorted(HELPER.rglob("*.py"))]


def layer_of(module: str) -> int | None:
    """The index in :data:`LAYERS` (0 is the top) of the longest prefix that names it;
    ``helper`` itself names only the package's ``__init__``."""
    best: tuple[int, int] | None = None  # (length of the prefix, layer)
    for index, (_, prefixes) in enumerate(LAYERS):
        for prefix in prefixes:
            covers = module == prefix or (prefix != "helper" and module.startswith(prefix + "."))
            if covers and (best is None or len(prefix) > best[0]):
                best = (len(prefix), index)
    return None if best is None else best[1]


def _called(node: ast.Call) -> str | None:
    if isinstance(node.func, ast.Name):
        return node.func.id
    return node.func.attr if isinstance(node.func, ast.Attribute) else None


def _string_prefix(node: ast.expr) -> str | None:
    """A literal module name, or the package before the first placeholder of an f-string."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if isinstance(node, ast.JoinedStr) and node.values:
        first = node.values[0]
        if isinstance(first, ast.Constant) and isinstance(first.value, str):
            return first.value.rpartition(".")[0] or None
    return None


def read_imports(sources: Iterable[tuple[str, str]]) -> list[Import]:
    """Every arrow of every module, given as (dotted name, source) pairs.

    Reads ``import`` and ``from ... import`` anywhere in a module (inside functions and
    under ``TYPE_CHECKING`` too: a type-only arrow still ties the layers together),
    resolves relative imports, ``from package import submodule``, literal
    ``importlib.import_module("helper...")`` calls (an f-string counts as importing its
    constant package part). Only arrows into ``helper`` are kept; a target that is not a
    module itself (a function or class) is its module. A module is a package when another
    module's name starts with its own.
    """
    trees = {name: ast.parse(source) for name, source in sources}
    packages = {m.rpartition(".")[0] for m in trees} | {"helper"}

    def existing(target: str) -> str:
        while target not in trees and "." in target:
            target = target.rpartition(".")[0]
        return target

    def resolve_from(module: str, node: ast.ImportFrom) -> Iterator[str]:
        base = node.module or ""
        if node.level:
            package = module if module in packages else module.rpartition(".")[0]
            parts = package.split(".")
            parts = parts[: len(parts) - (node.level - 1)]
            base = ".".join([*parts, *([node.module] if node.module else [])])
        for alias in node.names:
            if f"{base}.{alias.name}" in trees:
                yield f"{base}.{alias.name}"
            else:
                yield base

    arrows: list[Import] = []
    for module, tree in trees.items():
        for node in ast.walk(tree):
            if not isinstance(node, ast.stmt | ast.expr):
                continue
            targets: list[str] = []
            statement = ""
            if isinstance(node, ast.Import):
                targets = [alias.name for alias in node.names]
                statement = ast.unparse(node)
            elif isinstance(node, ast.ImportFrom):
                targets = list(resolve_from(module, node))
                statement = ast.unparse(node)
            elif isinstance(node, ast.Call) and node.args:
                called = _called(node)
                named = _string_prefix(node.args[0]) if called in _IMPORT_CALLS else None
                targets = [named] if named else []
                statement = ast.unparse(node).splitlines()[0][:100]
            for target in dict.fromkeys(existing(t) for t in targets):  # once per statement
                if target == "helper" or target.startswith("helper."):
                    arrows.append(Import(module, node.lineno, statement, target))
    return arrows


def layer_violations(sources: Iterable[tuple[str, str]]) -> list[Violation]:
    """Every arrow that points up the :data:`LAYERS`, and every module in no layer."""
    violations: list[Violation] = []
    for arrow in read_imports(sources):
        mine, theirs = layer_of(arrow.module), layer_of(arrow.target)
        if mine is None or theirs is None:
            unplaced = arrow.module if mine is None else arrow.target
            violations.append(Violation(arrow, f"{unplaced} is in no layer of LAYERS"))
        elif theirs < mine:
            violations.append(
                Violation(
                    arrow,
                    (
                        f"{arrow.module} (layer {LAYERS[mine][0]}) imports {arrow.target} "
                        f"(layer {LAYERS[theirs][0]}), which is above it"
                    ),
                )
            )
    return violations


def package_cycles(arrows: Iterable[Import]) -> list[list[str]]:
    """Cycles between the top-level packages (``helper.apps`` ...), each once."""
    graph: dict[str, set[str]] = {}
    for arrow in arrows:
        a, b = (".".join(name.split(".")[:2]) for name in (arrow.module, arrow.target))
        if a != b and b != "helper":
            graph.setdefault(a, set()).add(b)
    return _cycles(graph)


def _cycles(graph: Mapping[str, set[str]]) -> list[list[str]]:
    found: dict[frozenset[str], list[str]] = {}

    def walk(path: list[str]) -> None:
        for nxt in sorted(graph.get(path[-1], ())):
            if nxt == path[0]:
                found.setdefault(frozenset(path), path)
            elif nxt not in path and nxt > path[0]:  # each cycle from its smallest node
                walk([*path, nxt])

    for start in sorted(graph):
        walk([start])
    return list(found.values())


def test_no_import_points_up_the_layers() -> None:
    violations = layer_violations(helper_sources())
    assert not violations, "imports that point up the layers:\n" + "\n".join(map(str, violations))


def test_the_packages_import_each_other_in_no_cycle() -> None:
    cycles = package_cycles(read_imports(helper_sources()))
    assert not cycles, "package cycles:\n" + "\n".join(" -> ".join(c) for c in cycles)


def test_the_layer_check_sees_every_kind_of_upward_import() -> None:
    """The checker itself can fail: every kind of upward arrow is reported (inside a
    function, relative, by ``import_module``, into a package in no layer), and the arrows
    down or within a layer are not."""
    sources = [
        ("helper", ""),
        ("helper.config", ""),
        ("helper.config.settings", "def check():\n    from helper.apps import catalogue\n"),
        ("helper.config.loader", "from ..consent.notice import load_notice\n"),
        (
            "helper.config.values",
            "import importlib\nimportlib.import_module('helper.flow.wizard')\n",
        ),
        ("helper.paths", "from helper import ui\n"),
        ("helper.logs", "from helper.apps.detect import scan\n"),
        ("helper.i18n", "import helper.surprise\n"),
        ("helper.apps", ""),
        ("helper.apps.detect", "from helper.config import settings\n"),  # down: fine
        ("helper.apps.catalogue", "from . import detect\nfrom .. import config\n"),  # fine
        ("helper.consent", ""),
        ("helper.consent.notice", "from helper.apps.detect import scan\n"),  # same layer: fine
        ("helper.flow", ""),
        ("helper.flow.wizard", ""),
        ("helper.ui", ""),
        ("helper.surprise", ""),
    ]
    reported = {(v.arrow.module, v.arrow.line, v.arrow.target) for v in layer_violations(sources)}
    assert reported == {
        ("helper.config.settings", 2, "helper.apps.catalogue"),
        ("helper.config.loader", 1, "helper.consent.notice"),
        ("helper.config.values", 2, "helper.flow.wizard"),
        ("helper.paths", 1, "helper.ui"),
        ("helper.logs", 1, "helper.apps.detect"),
        ("helper.i18n", 1, "helper.surprise"),  # in no layer
    }
    message = str(
        next(
            v
            for v in layer_violations(sources)
            if v.arrow.line == 2 and v.arrow.module == "helper.config.settings"
        )
    )
    assert message == (
        "helper.config.settings:2: 'from helper.apps import catalogue': helper.config.settings"
        " (layer config/i18n/logs/paths) imports helper.apps.catalogue"
        " (layer consent/intake/apps), which is above it"
    )


def test_an_upward_import_added_to_the_real_code_fails_the_check() -> None:
    sources = dict(helper_sources())
    before = {str(v) for v in layer_violations(sources.items())}
    sources["helper.paths"] += "\n\ndef _later():\n    from helper.ui import terminal\n"
    added = [str(v) for v in layer_violations(sources.items())]
    added = [v for v in added if v not in before]
    assert len(added) == 1 and added[0].startswith("helper.paths:"), added
    assert "imports helper.ui.terminal (layer ui), which is above it" in added[0]


def test_the_cycle_check_sees_a_cycle_within_a_layer() -> None:
    arrows = read_imports(
        [
            ("helper.apps", ""),
            ("helper.apps.model", "from helper.consent import record\n"),
            ("helper.consent", ""),
            ("helper.consent.record", "from helper.apps import model\n"),
            ("helper.intake", "from helper import consent\n"),
        ]
    )
    assert package_cycles(arrows) == [["helper.apps", "helper.consent"]]


# -- what the core never loads --------------------------------------------------------------

#: Modules only one platform can import; the text check below still reads them.
PLATFORM_ONLY = (
    "helper.apps._winsession",
    "helper.apps.close._linux",
    "helper.apps.close._macos",
    "helper.apps.close._windows",
    "helper.config._windows_policy",
)


def test_the_core_never_imports_tkinter() -> None:
    """Everything but the window (``helper/ui/tk``) runs without Tk: the terminal flow,
    every command, the consent, intake and apps packages. Imported for real, to see what
    third-party packages pull in, and read as text, to see imports inside functions."""
    core = sorted(
        name
        for name, _ in helper_sources()
        if not name.startswith("helper.ui.tk") and name not in ("helper.__main__", *PLATFORM_ONLY)
    )
    assert {"helper.commands.notice", "helper.commands.outbox", "helper.intake"} <= set(core)
    code = f"import sys, {', '.join(core)}; print('tkinter' in sys.modules)"
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "False"
    for path in HELPER.rglob("*.py"):
        if "ui/tk" not in path.as_posix():
            text = path.read_text("utf-8")
            assert "import tkinter" not in text and "from tkinter" not in text, path


# -- every language -------------------------------------------------------------------------


def test_every_language_has_every_message() -> None:
    """The one completeness check of ``helper/i18n``: every language has the ids of the
    default language, no more, with the same placeholders, each in the file its first part
    names (where ``t()`` looks), and every id the code asks for exists in all of them."""
    catalogues = {lang: i18n.catalogue(lang) for lang in i18n.LANGUAGES}
    reference = catalogues[i18n.DEFAULT_LANGUAGE]
    for lang, messages in catalogues.items():
        assert sorted(set(reference) - set(messages)) == [], f"missing in {lang}"
        assert sorted(set(messages) - set(reference)) == [], f"only in {lang}"
        for key, text in reference.items():
            assert placeholders(text) == placeholders(messages[key]), (lang, key)
    for lang in i18n.LANGUAGES:
        for path in sorted((i18n.FOLDER / lang).glob("*.toml")):
            misplaced = [
                k for k in i18n.texts(lang, path.stem) if not k.startswith(path.stem + ".")
            ]
            assert misplaced == [], f"{lang}/{path.name}: t() would not find {misplaced}"
    unknown = [
        f"{where}: {lang} has no message {getattr(asked, 'pattern', asked)!r}"
        for where, asked in _message_ids_in_code()
        for lang, messages in catalogues.items()
        if not (
            asked in messages if isinstance(asked, str) else any(map(asked.fullmatch, messages))
        )
    ]
    assert unknown == [], "\n".join(unknown)


def placeholders(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


def _message_ids_in_code() -> Iterator[tuple[str, str | re.Pattern[str]]]:
    """The first argument of every ``t(...)`` / ``self.t(...)`` / ``self._t(...)`` call in
    the helper: a literal id, or a pattern for an f-string that starts with a literal."""
    for path in sorted(HELPER.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text("utf-8"))):
            if not (isinstance(node, ast.Call) and _called(node) in ("t", "_t") and node.args):
                continue
            where, first = f"{path.relative_to(HELPER.parent)}:{node.lineno}", node.args[0]
            if isinstance(first, ast.Constant) and isinstance(first.value, str):
                yield where, first.value
            elif (
                isinstance(first, ast.JoinedStr)
                and first.values
                and isinstance(first.values[0], ast.Constant)
            ):
                pattern = "".join(
                    re.escape(str(part.value)) if isinstance(part, ast.Constant) else r"\w+"
                    for part in first.values
                )
                yield where, re.compile(pattern)


# -- the intake server stays out ------------------------------------------------------------

SERVER_STACK = ("intake_server", "django", "psycopg", "hypercorn", "fpdf", "prometheus_client")


def _imported_modules(path: Path) -> set[str]:
    """Every module a file imports, at the top or inside a function."""
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text("utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


def test_the_helper_never_imports_the_intake_server() -> None:
    """The customer's program carries none of intellekta's server (its frozen build is
    checked in tests/build/test_frozen.py)."""
    for path in [*HELPER.rglob("*.py"), *(HELPER.parent / "build_scripts").rglob("*.py")]:
        roots = {name.split(".")[0] for name in _imported_modules(path)}
        assert not roots & set(SERVER_STACK), path
    code = "import sys, helper.cli, helper.commands.confirm, helper.ui.terminal; " + (
        f"print(sorted(m for m in sys.modules if m.split('.')[0] in {SERVER_STACK!r}))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "[]"
