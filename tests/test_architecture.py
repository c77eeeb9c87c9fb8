"""Rules of the code base that a reviewer would otherwise have to remember."""

from __future__ import annotations

import string
import subprocess
import sys
from pathlib import Path

from helper import i18n

HELPER = Path(__file__).resolve().parents[1] / "helper"
CORE = (
    "helper.config",
    "helper.apps",
    "helper.apps.close",
    "helper.consent",
    "helper.intake",
    "helper.flow",
    "helper.flow.services",
    "helper.ui.terminal",
    "helper.cli",
)


def test_the_core_never_imports_tkinter() -> None:
    code = f"import sys, {', '.join(CORE)}; print('tkinter' in sys.modules)"
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "False"
    for path in HELPER.rglob("*.py"):
        if "ui/tk" not in path.as_posix():
            text = path.read_text("utf-8")
            assert "import tkinter" not in text and "from tkinter" not in text, path


def test_both_languages_have_every_message() -> None:
    de, en = i18n.catalogue("de"), i18n.catalogue("en")
    assert sorted(set(de) - set(en)) == []
    assert sorted(set(en) - set(de)) == []
    for key, text in en.items():
        assert placeholders(text) == placeholders(de[key]), key


def placeholders(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


SERVER_STACK = ("intake_server", "django", "psycopg", "gunicorn", "fpdf", "prometheus_client")


def _imported_modules(path: Path) -> set[str]:
    """Every module a file imports, at the top or inside a function."""
    import ast

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
