"""``config check``: each kind of mistake gets a message naming the source, key and fix."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from helper import config
from helper.config.values import is_loopback_host
from tests.conftest import REPO, Home, run_cli
from tests.platform_marks import WINDOWS

#: An absolute path on every platform (on Windows, one needs a drive).
ABSENT_CA = Path(Path.cwd().anchor, "nonexistent", "ca.pem")


def check(*args: str, env: dict[str, str] | None = None) -> tuple[int, str]:
    result = run_cli(*args, "config", "check", env=env)
    assert "Traceback" not in result.stderr
    return result.returncode, result.stdout + result.stderr


def test_valid_configuration_exits_0(home: Home) -> None:
    home.write_machine('locked = ["intake.url"]\n[intake]\nurl = "https://intake.example/x"\n')
    code, out = check()
    assert (code, out.strip()) == (0, "The configuration is valid.")


@pytest.mark.parametrize(
    ("machine_text", "expected"),
    [
        (
            '[intake]\nurl = "https://a.example/"\ntimeout_s = \n',
            "config.toml, line 3: is not valid TOML: Invalid value.",
        ),
        ('[intke]\nurl = "https://a.example/"\n', "unknown section [intke]. Did you mean intake?"),
        (
            '[intake]\nulr = "https://a.example/"\n',
            "config.toml, line 2: unknown setting intake.ulr. Did you mean intake.url?",
        ),
        ('[intake]\ntimeout_s = "ten"\n', "intake.timeout_s must be a number, not text."),
        ("[intake]\ntimeout_s = 0\n", "intake.timeout_s must be at least 1."),
        ("[ui]\nrequire_contact_name = 1\n", "ui.require_contact_name must be true or false"),
        ('[ui]\nlanguage = "fr"\n', "ui.language must be one of auto | de | en, not 'fr'."),
        (
            '[intake]\nurl = "http://intake.example/api"\n',
            "intake.url must start with https://. Plain http:// is only allowed to this computer",
        ),
        ('[intake]\nurl = "ftp://intake.example/api"\n', "intake.url is not a valid web address"),
        ('[intake]\nurl = "https://"\n', "intake.url is not a valid web address"),
        (
            f"[intake]\nca_bundle = '{ABSENT_CA}'\n",
            f"intake.ca_bundle names a file that does not exist: {ABSENT_CA}",
        ),
        (
            '[intake]\ntoken_file = "missing-token.txt"\n',
            "intake.token_file names a file that does not exist:",
        ),
        (
            '[session_id]\npattern = "(\\\\d"\n',
            "session_id.pattern is not a valid regular expression",
        ),
        ('locked = "intake.url"\n', "'locked' must be a list of setting names"),
        (
            'locked = ["intake.uri"]\n',
            "'locked' names an unknown setting intake.uri. Did you mean intake.url?",
        ),
        ("intake = 3\n", "intake must be a section ([intake]) with settings in it."),
        ('[apps]\nignore = "chrome"\n', "apps.ignore must be a list of texts, not text."),
    ],
)
def test_machine_file_mistakes(home: Home, machine_text: str, expected: str) -> None:
    path = home.write_machine(machine_text)
    code, out = check()
    assert code == 2
    assert str(path) in out
    assert expected in out


def test_plain_http_to_loopback_is_allowed(home: Home) -> None:
    for url in ("http://127.0.0.1:8080/x", "http://localhost/x", "http://[::1]:9/x"):
        home.write_machine(f'[intake]\nurl = "{url}"\n')
        assert check()[0] == 0, url


def test_loopback_is_named_or_addressed_with_or_without_brackets() -> None:
    """The intake server's ``serve --host`` asks the same question of its address."""
    assert all(map(is_loopback_host, ["localhost", "LOCALHOST", "127.0.0.2", "::1", "[::1]"]))
    assert not any(map(is_loopback_host, ["0.0.0.0", "[::]", "10.0.0.1", "example.com"]))


def test_unreadable_and_non_utf8_files(home: Home) -> None:
    (home.machine_config / "config.toml").mkdir(parents=True)
    code, out = check()
    reason = "Permission denied" if WINDOWS else "Is a directory"  # what open() says there
    assert code == 2 and f"cannot be read ({reason})" in out
    (home.machine_config / "config.toml").rmdir()
    (home.machine_config / "config.toml").write_bytes(b'[customer]\ncompany = "M\xfcller"\n')
    code, out = check()
    assert code == 2 and "is not a UTF-8 text file" in out


def test_locked_only_in_machine_file(home: Home) -> None:
    home.write_user('locked = ["intake.url"]\n')
    code, out = check()
    assert code == 2 and "'locked' is only allowed in the machine-wide configuration file" in out


def test_environment_mistakes(tmp_path: Path) -> None:
    code, out = check(env={"INTELLEKTA_HELPER_INTAKE_TIMEOUTS": "5"})
    assert code == 2
    assert (
        "unknown environment variable INTELLEKTA_HELPER_INTAKE_TIMEOUTS. Did you mean "
        "INTELLEKTA_HELPER_INTAKE_TIMEOUT_S?" in out
    )
    code, out = check(env={"INTELLEKTA_HELPER_UI_REQUIRE_CONTACT_NAME": "maybe"})
    assert code == 2 and "ui.require_contact_name must be true or false, not 'maybe'" in out
    assert check(env={"INTELLEKTA_HELPER_UI_REQUIRE_CONTACT_NAME": "yes"})[0] == 0
    missing = tmp_path / "nope.toml"
    code, out = check(env={"INTELLEKTA_HELPER_CONFIG": str(missing)})
    assert code == 2 and f"file {missing} (INTELLEKTA_HELPER_CONFIG): cannot be read" in out


def test_command_line_mistakes() -> None:
    code, out = check("-c", "intake.tmeout_s=3")
    assert code == 2 and "command line: unknown setting intake.tmeout_s" in out
    code, out = check("-c", "intake.token=abc123secret")
    assert code == 2 and "must not be given on the command line" in out
    assert "abc123secret" not in out
    code, out = check("-c", "novalue")
    assert code == 2 and "expected KEY=VALUE" in out


def test_messages_in_german(home: Home) -> None:
    home.write_machine('[ui]\nlanguage = "de"\n[intake]\nulr = "x"\n')
    code, out = check()
    assert code == 2
    assert "Zeile 4: unbekannte Einstellung intake.ulr. Meinten Sie intake.url?" in out


def test_other_commands_refuse_invalid_configuration(home: Home) -> None:
    home.write_machine("[intake]\ntimeout_s = -1\n")
    result = run_cli("notice")
    assert result.returncode == 2
    assert "The configuration of intellekta-helper is not valid:" in result.stderr
    assert "intake.timeout_s must be at least 1." in result.stderr


def test_show_still_shows_an_invalid_configuration(home: Home) -> None:
    home.write_machine("[intake]\ntimeout_s = -1\n")
    result = run_cli("config", "show")
    assert result.returncode == 2
    assert "intake.timeout_s" in result.stdout and "must be at least 1" in result.stderr


def test_problems_never_carry_secret_values(home: Home) -> None:
    home.write_user("[intake]\ntoken = 12345\n")
    cfg = config.load()
    assert "12345" not in cfg.report("en")


OWNED = (
    "[ui]\nlanguage = 'de'\n[notice]\nfile = '{notice}'\n"
    '[[apps.extra]]\nid = "x"\nname = "X"\ncategory = "nonsense"\nlinux = ["x"]\n'
)


def test_problems_of_apps_and_consent_are_reported_with_the_configurations(
    home: Home, tmp_path: Path
) -> None:
    notice = tmp_path / "notice.toml"
    notice.write_text('id = "x"\nversion = "1"\n', "utf-8")
    path = home.write_user(OWNED.format(notice=notice))
    home.write_machine("[intake]\ntimeout_s = -1\n")
    code, out = check()
    assert code == 2
    lines = out.splitlines()
    assert "intake.timeout_s muss mindestens 1 sein." in lines[0]
    assert f"{path}: apps.extra: Regel 1 (id 'x'): 'category' muss" in lines[1]
    assert f"{path}, Zeile 4: Die Hinweisdatei {notice} enthält keinen Text." in lines[2]
    assert "Die Konfiguration ist gültig." not in out


def test_other_commands_refuse_broken_rules_or_notice_files(home: Home, tmp_path: Path) -> None:
    notice = tmp_path / "notice.toml"
    notice.write_text('id = "x"\nversion = "1"\n[en]\ntext = "ok"\n', "utf-8")
    home.write_user(OWNED.format(notice=notice))
    for command in ("notice", "scan"):
        result = run_cli("--lang", "en", command)
        assert result.returncode == 2, result.stderr
        assert "The configuration of intellekta-helper is not valid:" in result.stderr
        assert "apps.extra: rule 1 (id 'x'): 'category' must be one of" in result.stderr
        assert "notice file" not in result.stderr and result.stdout == ""


def test_checking_loads_the_catalogue_and_the_notice_only_when_they_are_set() -> None:
    """The window's start-up checks the configuration too: without ``apps.extra`` and
    ``notice.file`` it must not pay for the catalogue or the notice module."""
    code = (
        "import sys; from helper import cli; cli.prepare([]); "
        "print(sorted({'helper.apps.catalogue', 'helper.consent.notice'} & set(sys.modules)))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=REPO
    )
    assert result.stdout.strip() == "[]", result.stderr


@pytest.mark.parametrize(
    ("machine_text", "shown"),
    [
        (
            '[intake]\nurl = "https://a.example/"\ntimeout_s = \n',
            ["config.toml, line 3:", "    timeout_s = ", "                ^"],
        ),
        (
            '[intake]\n\turl = "https://a.example\n',
            ["line 2:", '    \turl = "https://a.example', "    \t" + " " * 24 + "^"],
        ),
        (
            "[intake]\ntimeout_s = [1,\n",
            ["line 2:", "    timeout_s = [1,", "    " + " " * 15 + "^"],
        ),
    ],
)
def test_a_toml_error_shows_the_line_and_a_caret(
    home: Home, machine_text: str, shown: list[str]
) -> None:
    home.write_machine(machine_text)
    code, out = check("--lang", "en")
    assert code == 2
    lines = out.splitlines()
    for expected in shown:
        assert any(expected in line for line in lines), (expected, out)
    caret = next(line for line in lines if line.strip() == "^")
    assert caret.rstrip() == shown[-1], repr(caret)


ADMIN = "Please ask your IT administrator to correct the configuration of this computer."


@pytest.mark.parametrize(
    ("where", "advice"),
    [
        ("cli", ["Correct the value in your command (-c KEY=VALUE or --lang) and run it again."]),
        ("env", ["Correct or remove in your environment: INTELLEKTA_HELPER_INTAKE_TIMEOUT_S."]),
        (
            "env_file",
            [
                "Correct the file {extra} that INTELLEKTA_HELPER_CONFIG names, or remove"
                " that variable."
            ],
        ),
        ("user", ["Correct your own configuration file {user}."]),
        ("machine", [ADMIN]),
        ("user+machine", ["Correct your own configuration file {user}.", ADMIN]),
    ],
)
def test_the_advice_fits_who_set_the_value(
    where: str, advice: list[str], home: Home, tmp_path: Path
) -> None:
    """What the user set themselves they correct; only the machine's file is the IT
    administrator's. The refusal of any other command gives the same advice."""
    bad = "[intake]\ntimeout_s = 0\n"
    extra = tmp_path / "extra.toml"
    user = home.write_user(bad) if "user" in where else None
    if "machine" in where:
        home.write_machine('[ui]\nlanguage = "fr"\n')
    args: list[str] = ["-c", "intake.timeout_s=zehn"] if where == "cli" else []
    env = {"INTELLEKTA_HELPER_INTAKE_TIMEOUT_S": "0"} if where == "env" else {}
    if where == "env_file":
        extra.write_text(bad, "utf-8")
        env["INTELLEKTA_HELPER_CONFIG"] = str(extra)
    expected = [line.format(extra=extra, user=user) for line in advice]

    code, out = check(*args, env=env)
    assert code == 2
    assert out.splitlines()[-len(expected) :] == expected
    assert where in ("machine", "user+machine") or "IT administrator" not in out

    refused = run_cli(*args, "notice", env=env)
    assert refused.returncode == 2
    assert refused.stderr.splitlines()[-len(expected) :] == expected


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (b"", "intake.token_file names an empty file: {path}. It must hold the access token"),
        (b"  \n\n", "intake.token_file names an empty file: {path}."),
        (b"\xff\xfetoken", "intake.token_file names a file that is not UTF-8 text: {path}."),
    ],
)
def test_an_unusable_token_file_is_a_configuration_error(
    content: bytes, expected: str, home: Home, tmp_path: Path
) -> None:
    """Not "no token": sending without it would only be refused (401)."""
    token = tmp_path / "token.txt"
    token.write_bytes(content)
    home.write_user(f"[intake]\ntoken_file = '{token}'\n")

    code, out = check()
    assert code == 2 and expected.format(path=token) in out
    refused = run_cli("outbox", "send")
    assert refused.returncode == 2 and expected.format(path=token) in refused.stderr


@pytest.mark.skipif(WINDOWS or os.geteuid() == 0, reason="root, and Windows, read it anyway")
def test_an_unreadable_token_file_is_a_configuration_error(home: Home, tmp_path: Path) -> None:
    token = tmp_path / "token.txt"
    token.write_text("secret-token\n", "utf-8")
    token.chmod(0)
    home.write_user(f"[intake]\ntoken_file = '{token}'\n")

    code, out = check()
    assert code == 2
    assert f"intake.token_file names a file that cannot be read (Permission denied): {token}" in out
    assert "secret-token" not in out
