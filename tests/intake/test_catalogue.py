"""The intake package's texts and boundaries: both languages complete, no UI toolkit."""

from __future__ import annotations

import string
import subprocess
import sys

from helper.i18n import catalogue


def _placeholders(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


def test_german_and_english_have_the_same_intake_messages_and_placeholders() -> None:
    german = {k: v for k, v in catalogue("de").items() if k.startswith("intake.")}
    english = {k: v for k, v in catalogue("en").items() if k.startswith("intake.")}
    assert german.keys() == english.keys()
    for key, text in english.items():
        assert _placeholders(german[key]) == _placeholders(text), key


def test_every_pending_message_says_what_to_tell_support() -> None:
    for lang, phrase in (("de", "Support-Mitarbeiter"), ("en", "support employee")):
        messages = {k: v for k, v in catalogue(lang).items() if k.startswith("intake.pending.")}
        assert messages and all(phrase in m and "{reference}" in m for m in messages.values())


def test_the_intake_package_never_imports_a_ui_toolkit() -> None:
    code = "import sys, helper.intake, helper.commands.outbox; print('tkinter' in sys.modules)"
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "False"
