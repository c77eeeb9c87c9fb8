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
