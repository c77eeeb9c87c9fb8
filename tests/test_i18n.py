"""Which language the helper speaks when nothing is configured."""

from __future__ import annotations

import re
import subprocess
from typing import Any

import pytest

from helper import i18n


def test_the_macos_preference_is_read_once(monkeypatch: pytest.MonkeyPatch) -> None:
    """``defaults`` is macOS's own command; here a stand-in answers as it does there."""
    calls: list[list[str]] = []

    def defaults(command: list[str], **_kwargs: Any) -> subprocess.CompletedProcess[str]:
        calls.append(command)
        return subprocess.CompletedProcess(command, 0, '(\n    "de-DE",\n    "en-US"\n)\n', "")

    monkeypatch.setattr(subprocess, "run", defaults)
    i18n._macos_locale.cache_clear()
    try:
        assert [i18n._macos_locale() for _ in range(3)] == ["de-DE"] * 3
    finally:
        i18n._macos_locale.cache_clear()
    assert calls == [["defaults", "read", "-g", "AppleLanguages"]]


#: Texts of the customer's screens (window and terminal flow). Commands and file syntax
#: elsewhere keep straight quotes, since they are typed as shown.
CUSTOMER_TEXTS = ("flow.", "gui.", "consent.session_id.", "intake.pending.", "intake.delivered")
#: A straight quote used as a quotation mark: at a word's edge, not an apostrophe inside.
STRAIGHT_QUOTES = re.compile(r"\"|(?:^|[\s(])'|'(?:[\s).,;:!?]|$)")


@pytest.mark.parametrize("lang", i18n.LANGUAGES)
def test_the_customers_screens_use_typographic_quotes_only(lang: str) -> None:
    """One screen never mixes “these” and "these" („diese“ in German)."""
    straight = {
        key: text
        for key, text in i18n.catalogue(lang).items()
        if key.startswith(CUSTOMER_TEXTS)
        and key != "gui.no_display"  # a command, typed
        and STRAIGHT_QUOTES.search(text)
    }
    assert not straight


@pytest.mark.parametrize("lang", i18n.LANGUAGES)
def test_example_session_ids_never_break_across_lines(lang: str) -> None:
    """``123 456 789`` is read out as one number: its groups are joined by no-break
    spaces, which neither Tk's wraplength nor the terminal's textwrap breaks at."""
    split = {
        key: text
        for key, text in i18n.catalogue(lang).items()
        if key.startswith(CUSTOMER_TEXTS) and re.search(r"\d{3} \d{3}", text)
    }
    assert not split
    assert "123\u00a0456\u00a0789" in i18n.t("gui.session_example", lang)
