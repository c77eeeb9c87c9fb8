"""The intake package's texts: what a pending message tells the customer. (Both languages'
completeness and the absence of Tk are checked for every package in
tests/test_architecture.py.)"""

from __future__ import annotations

from helper.i18n import catalogue


def test_every_pending_message_says_what_to_tell_support() -> None:
    for lang, phrase in (("de", "Support-Mitarbeiter"), ("en", "support employee")):
        messages = {k: v for k, v in catalogue(lang).items() if k.startswith("intake.pending.")}
        assert messages and all(phrase in m and "{reference}" in m for m in messages.values())
