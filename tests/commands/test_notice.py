"""``intellekta-helper notice`` as a real subprocess."""

from __future__ import annotations

import argparse
import hashlib
import json
from pathlib import Path

import pytest

from helper import config
from helper.commands import notice as notice_command
from helper.consent.notice import load_notice
from tests.conftest import run_cli


@pytest.mark.parametrize(("lang", "phrase"), [("de", "Session-ID"), ("en", "Session ID")])
def test_prints_the_notice(lang: str, phrase: str) -> None:
    result = run_cli("notice", "--lang", lang)
    assert result.returncode == 0, result.stderr
    expected = load_notice(config.load(), lang)
    assert result.stdout.startswith(expected.text + "\n\n")
    assert phrase in result.stdout and expected.sha256 in result.stdout


@pytest.mark.parametrize("lang", ["de", "en"])
def test_json(lang: str) -> None:
    result = run_cli("notice", "--json", "--lang", lang)
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert list(data) == ["id", "version", "language", "sha256", "text"]
    assert data["language"] == lang
    assert data["sha256"] == hashlib.sha256(data["text"].encode("utf-8")).hexdigest()


def test_language_follows_ui_language_and_the_global_option() -> None:
    german = run_cli("notice", "--json", env={"INTELLEKTA_HELPER_UI_LANGUAGE": "de"})
    assert json.loads(german.stdout)["language"] == "de"
    assert json.loads(run_cli("--lang", "en", "notice", "--json").stdout)["language"] == "en"


def test_an_administrators_file_is_printed(tmp_path: Path) -> None:
    path = tmp_path / "notice.toml"
    path.write_text('id = "acme"\nversion = "3"\n[en]\ntext = "Read me: {terms_url}"\n', "utf-8")
    result = run_cli("notice", "--json", env={"INTELLEKTA_HELPER_NOTICE_FILE": str(path)})
    data = json.loads(result.stdout)
    assert (data["id"], data["version"], data["text"]) == (
        "acme",
        "3",
        "Read me: https://www.intellekta.de/agb",
    )


@pytest.mark.parametrize(
    ("lang", "phrase"), [("de", "in Ihrer Umgebung"), ("en", "in your environment")]
)
def test_a_broken_file_gives_a_clear_message_and_exit_2(
    tmp_path: Path, lang: str, phrase: str
) -> None:
    path = tmp_path / "notice.toml"
    path.write_text("id = 'x'\n[en]\ntext = 'y'\n", "utf-8")
    result = run_cli("--lang", lang, "notice", env={"INTELLEKTA_HELPER_NOTICE_FILE": str(path)})
    assert result.returncode == 2 and result.stdout == ""
    assert (
        "version" in result.stderr and phrase in result.stderr and "Traceback" not in result.stderr
    )


def test_a_file_broken_after_the_config_was_loaded(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "notice.toml"
    path.write_text('id = "x"\nversion = "1"\n[de]\ntext = "a"\n', "utf-8")
    cfg = config.load(cli=[("notice.file", str(path)), ("ui.language", "de")])
    path.write_bytes(b"\xff\xfe")
    code = notice_command.run(argparse.Namespace(notice_lang=None, json=False), cfg)
    assert code == 2
    assert "keine UTF-8-Textdatei" in capsys.readouterr().err
