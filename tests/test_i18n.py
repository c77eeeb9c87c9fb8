"""The helper's languages: which one it speaks, and what derives from the one list."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path
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


# -- everything else derives from the one list --------------------------------------------


def test_the_languages_are_the_data_folders() -> None:
    """Adding a language is adding a folder: nothing else lists them."""
    folders = [p.name for p in i18n.FOLDER.iterdir() if (p / "gui.toml").is_file()]
    assert tuple(sorted(folders)) == i18n.LANGUAGES
    assert i18n.DEFAULT_LANGUAGE in i18n.LANGUAGES


@pytest.mark.parametrize(
    ("system", "expected"),
    [("de_DE.UTF-8", "de"), ("de-AT", "de"), ("en_GB", "en"), ("xx_XX", "en"), ("", "en")],
)
def test_the_system_language_is_used_when_the_helper_speaks_it(
    monkeypatch: pytest.MonkeyPatch, system: str, expected: str
) -> None:
    monkeypatch.setattr(i18n, "_system_locale", lambda: system)
    assert i18n.system_language() == expected


def test_yes_and_no_are_understood_in_every_language() -> None:
    """Typed in any language, whatever the screen's: and never one word for both."""
    from helper.config.settings import BY_KEY
    from helper.config.values import ValueProblem, from_text

    yes = i18n.in_every_language("answers.yes")
    no = i18n.in_every_language("answers.no")
    short_yes = i18n.in_every_language("answers.yes_short")
    short_no = i18n.in_every_language("answers.no_short")
    assert len(yes) == len(no) == len(i18n.LANGUAGES)
    assert not (yes | short_yes) & (no | short_no)
    setting = BY_KEY["privacy.send_open_apps"]
    assert all(from_text(setting, word.upper()) is True for word in yes)
    assert all(from_text(setting, word) is False for word in no)
    for word in short_yes - yes:  # a setting is no conversation: whole words only
        with pytest.raises(ValueProblem):
            from_text(setting, word)
    assert from_text(setting, "ja") is True and from_text(setting, "nein") is False


def test_the_schema_takes_its_languages_from_the_folders() -> None:
    """The file names none, so that a new language needs no edit there."""
    import json

    from helper.consent import record

    assert record.schema()["properties"]["language"]["enum"] == list(i18n.LANGUAGES)
    written = json.loads(Path(record.__file__).with_name("schema.json").read_text("utf-8"))
    assert "enum" not in written["properties"]["language"]


def test_the_built_in_notice_and_the_policy_template_have_every_language() -> None:
    from build_scripts import admx
    from helper.consent.notice import LINK_SETTINGS, notices_in

    builtin = notices_in("", {key: "https://example.invalid/" for key in LINK_SETTINGS})
    assert [notice.language for notice in builtin] == list(i18n.LANGUAGES)
    assert sorted(admx.LANGUAGES.values()) == list(i18n.LANGUAGES)


def test_a_notice_file_without_a_language_names_every_section(tmp_path: Path) -> None:
    from helper.consent.notice import NoticeFileError, check_notice_file

    path = tmp_path / "notice.toml"
    path.write_text('id = "x"\nversion = "1"\n', "utf-8")
    with pytest.raises(NoticeFileError) as raised:
        check_notice_file(str(path))
    for lang in i18n.LANGUAGES:
        assert f"[{lang}]" in raised.value.text(lang)
