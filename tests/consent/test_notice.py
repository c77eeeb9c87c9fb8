"""The notice's identity, the administrator's notice file, and how a broken one is reported."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from helper import config, i18n
from helper.consent import checks
from helper.consent.notice import Notice, NoticeFileError, load_notice, normalise_text
from tests.conftest import run_cli
from tests.platform_marks import WINDOWS

ADMIN = """\
id = "acme-fernwartung"
version = "7"

[de]
text = '''
# Hinweis der ACME

Vertrag: {dpa_url}
AGB: {terms_url}
'''

[en]
text = '''
# ACME notice

Contract: {dpa_url}
Terms: {terms_url}
'''
"""


def write(path: Path, text: str, newline: str = "\n") -> Path:
    path.write_bytes(text.replace("\n", newline).encode("utf-8"))
    return path


def load(path: Path | None = None, **settings: str) -> config.Config:
    pairs = [(k.replace("__", "."), v) for k, v in settings.items()]
    if path is not None:
        pairs.append(("notice.file", str(path)))
    cfg = config.load(cli=pairs)
    assert cfg.valid and not checks.problems(cfg), cfg.report("en")
    return cfg


def test_hash_is_sha256_of_the_utf8_text_shown() -> None:
    notice = load_notice(load(), "de")
    assert notice.sha256 == hashlib.sha256(notice.text.encode("utf-8")).hexdigest()
    assert (notice.id, notice.version, notice.language) == (
        "intellekta-remote-support",
        "2026-12",
        "de",
    )


def test_crlf_lf_and_cr_give_the_same_text_and_hash() -> None:
    lf = Notice("n", "1", "en", "# Title\n\nFirst paragraph.\nSecond line.\n")
    crlf = Notice("n", "1", "en", "# Title\r\n\r\nFirst paragraph.\r\nSecond line.\r\n")
    cr = Notice("n", "1", "en", "# Title\r\rFirst paragraph.\rSecond line.\r")
    assert lf.text == crlf.text == cr.text == "# Title\n\nFirst paragraph.\nSecond line."
    assert lf.sha256 == crlf.sha256 == cr.sha256


def test_admin_file_with_crlf_hashes_like_lf(tmp_path: Path) -> None:
    lf = load_notice(load(write(tmp_path / "lf.toml", ADMIN)), "de")
    crlf = load_notice(load(write(tmp_path / "crlf.toml", ADMIN, "\r\n")), "de")
    assert lf == crlf and lf.sha256 == crlf.sha256


def test_admin_file_replaces_the_default_and_changes_the_hash(tmp_path: Path) -> None:
    default = load_notice(load(), "en")
    admin = load_notice(load(write(tmp_path / "notice.toml", ADMIN)), "en")
    assert (admin.id, admin.version, admin.language) == ("acme-fernwartung", "7", "en")
    assert admin.text.startswith("# ACME notice") and "intellekta GmbH" not in admin.text
    assert admin.sha256 != default.sha256


def test_links_come_from_the_settings(tmp_path: Path) -> None:
    cfg = load(
        write(tmp_path / "n.toml", ADMIN),
        notice__dpa_url="https://a.example/av.pdf",
        notice__terms_url="https://a.example/agb",
    )
    notice = load_notice(cfg, "de")
    assert "Vertrag: https://a.example/av.pdf\nAGB: https://a.example/agb" in notice.text
    changed = load_notice(load(write(tmp_path / "n.toml", ADMIN)), "de")
    assert changed.sha256 != notice.sha256, "the hash covers the links shown"


def test_an_empty_link_setting_is_replaced_by_a_plain_sentence() -> None:
    notice = load_notice(load(notice__dpa_url=""), "de")
    assert "intellekta danach" in notice.text and "{dpa_url}" not in notice.text


def test_text_can_live_in_a_file_per_language(tmp_path: Path) -> None:
    write(tmp_path / "hinweis.txt", "# Hinweis\r\n\r\nBitte lesen.\r\n")
    (tmp_path / "bom.txt").write_bytes("\ufeff# Notice\n\nPlease read.\n".encode())
    body = 'id = "x"\nversion = "2"\n[de]\nfile = "hinweis.txt"\n[en]\nfile = "bom.txt"\n'
    cfg = load(write(tmp_path / "notice.toml", body))
    assert load_notice(cfg, "de").text == "# Hinweis\n\nBitte lesen."
    assert load_notice(cfg, "en").text == "# Notice\n\nPlease read."


def test_a_missing_language_shows_the_administrators_other_language(tmp_path: Path) -> None:
    cfg = load(write(tmp_path / "n.toml", 'id = "x"\nversion = "1"\n[de]\ntext = "Nur Deutsch."\n'))
    notice = load_notice(cfg, "en")
    assert (notice.language, notice.text) == ("de", "Nur Deutsch.")


def test_auto_language_follows_the_system(monkeypatch: pytest.MonkeyPatch) -> None:
    if WINDOWS:  # the user's display language, from kernel32 (LANG means nothing there)
        import ctypes

        kernel32 = ctypes.windll.kernel32  # type: ignore[attr-defined]
        monkeypatch.setattr(kernel32, "GetUserDefaultUILanguage", lambda: 0x0407)  # de-DE
    else:
        monkeypatch.setenv("LANG", "de_DE.UTF-8")
    assert load_notice(load(), "auto").language == "de"


BROKEN = {
    "syntax": 'id = "x"\nversion = \n',
    "unknown_key": 'id = "x"\nverison = "1"\n',
    "bad_label": 'id = "x"\nversion = 3\n[de]\ntext = "a"\n',
    "no_language": 'id = "x"\nversion = "1"\n',
    "text_or_file": 'id = "x"\nversion = "1"\n[de]\ntext = "a"\nfile = "b.txt"\n',
    "empty_text": "id = \"x\"\nversion = \"1\"\n[en]\ntext = '''\n\n  \n'''\n",
    "unreadable": 'id = "x"\nversion = "1"\n[en]\nfile = "missing.txt"\n',
}


@pytest.mark.parametrize("problem", sorted(BROKEN))
def test_a_broken_file_is_a_clear_config_problem(tmp_path: Path, problem: str) -> None:
    path = write(tmp_path / "notice.toml", BROKEN[problem])
    cfg = config.load(cli=[("notice.file", str(path))])
    assert cfg.valid, "the configuration checks only that notice.file names a file"
    problems = checks.problems(cfg)
    assert [(p.message_id, p.key) for p in problems] == [
        (f"consent.notice_file.{problem}", "notice.file")
    ]
    named = tmp_path / "missing.txt" if problem == "unreadable" else path
    for lang in i18n.LANGUAGES:
        text = problems[0].render(lang)
        assert text.startswith(cfg.entries["notice.file"].source.describe(lang) + ": ")
        assert str(named) in text and "{" not in text


def test_not_utf8_is_reported(tmp_path: Path) -> None:
    path = tmp_path / "notice.toml"
    path.write_bytes('id = "x"\nversion = "1"\n[de]\ntext = "Gr\xfc\xdfe"\n'.encode("latin-1"))
    cfg = config.load(cli=[("notice.file", str(path))])
    assert [p.message_id for p in checks.problems(cfg)] == ["consent.notice_file.not_utf8"]


def test_a_notice_file_in_a_configuration_file_is_reported_at_its_line(tmp_path: Path) -> None:
    notice = write(tmp_path / "notice.toml", BROKEN["no_language"])
    settings = write(
        tmp_path / "config.toml", f"[ui]\nlanguage = 'de'\n[notice]\nfile = '{notice}'\n"
    )
    cfg = config.load(env={"INTELLEKTA_HELPER_CONFIG": str(settings)})
    (problem,) = checks.problems(cfg)
    assert problem.line == 4
    assert problem.render("de").startswith(
        f"Datei {settings} (INTELLEKTA_HELPER_CONFIG), Zeile 4: "
    )
    assert "enthält keinen Text" in problem.render("de")
    assert "has no text" in problem.render("en")


def test_no_notice_file_has_no_problems() -> None:
    assert checks.problems(config.load()) == []


def test_a_file_broken_after_loading_the_config_raises_notice_file_error(tmp_path: Path) -> None:
    path = write(tmp_path / "notice.toml", ADMIN)
    cfg = load(path)
    path.write_text("id = ", encoding="utf-8")
    with pytest.raises(NoticeFileError) as caught:
        load_notice(cfg, "de")
    assert caught.value.message_id == "consent.notice_file.syntax"
    assert "Hinweisdatei" in caught.value.text("de") and "notice file" in str(caught.value)
    english = caught.value.text("en")
    assert "in line 1: Invalid value. Correct the line shown" in english
    assert english.endswith("\n    id = \n         ^"), english
    path.unlink()
    with pytest.raises(NoticeFileError, match="cannot be read"):
        load_notice(cfg, "de")


def test_config_check_reports_the_notice_file_in_the_users_language(tmp_path: Path) -> None:
    path = write(tmp_path / "notice.toml", BROKEN["unknown_key"])
    result = run_cli("--lang", "de", "-c", f"notice.file={path}", "config", "check")
    assert result.returncode == 2
    assert "unbekannten Eintrag verison" in result.stderr and "Traceback" not in result.stderr


def test_notice_rejects_invalid_identity() -> None:
    for args in [
        ("", "1", "de", "t"),
        ("x", "1", "fr", "t"),
        ("x", "1", "de", " \r\n"),
        ("x", "\n", "de", "t"),
        ("x" * 101, "1", "de", "t"),
    ]:
        with pytest.raises(ValueError):
            Notice(*args)


def test_normalise_text_strips_only_the_outside() -> None:
    assert normalise_text("\r\n\n  # A\r\n\r\n  b  \r\n\n") == "# A\n\n  b"
