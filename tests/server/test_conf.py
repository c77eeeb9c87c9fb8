"""The server's configuration (intake_server/conf.py): a broken one stops every command
with exit 2 and a message naming the file, the line, the key and what was expected,
instead of a traceback, and creates nothing. Its messages come from the helper's
configuration primitives and catalogue: the same line numbers, did-you-mean and masking."""

from __future__ import annotations

from pathlib import Path

import pytest

from intake_server import conf
from tests.server.conftest import free_port, intake_env, run_intake


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('require_token = true\nrate_limit_address = "300/m\n', ["not valid TOML", "line 2"]),
        (
            'require_token = true\nrate_limit_adress = "10/m"\n',
            ["line 2", "unknown setting 'rate_limit_adress'", "did you mean 'rate_limit_address'"],
        ),
        ('retention_days = "soon"\n', ["line 1", "retention_days", "expected a whole number"]),
        (
            "[rate_limit]\naddress = 5\n",
            ["line 2", "rate_limit_address", "expected text in quotes"],
        ),
        ("require_token = 1\n", ["line 1", "require_token", "expected true or false"]),
    ],
    ids=["bad-toml", "unknown-key", "wrong-type", "wrong-type-in-section", "not-a-boolean"],
)
@pytest.mark.parametrize("command", [["check"], ["serve", "--port", "0"]], ids=lambda c: c[0])
def test_a_broken_configuration_file_stops_with_exit_2(
    tmp_path: Path, text: str, expected: list[str], command: list[str]
) -> None:
    path = tmp_path / "intake.toml"
    path.write_text(text, encoding="utf-8")
    env = intake_env(tmp_path / "data", f"sqlite:///{tmp_path / 'intake.sqlite3'}")
    if command[0] == "serve":
        command = ["serve", "--port", str(free_port())]
    result = run_intake("--config", str(path), *command, env=env, timeout=60)
    assert result.returncode == 2, result.stdout + result.stderr
    assert "Traceback" not in result.stderr
    assert "the configuration cannot be used" in result.stderr
    assert str(path) in result.stderr, result.stderr
    for part in expected:
        assert part in result.stderr, result.stderr
    assert not (tmp_path / "data").exists(), "nothing is created from a broken configuration"


def problems_of(tmp_path: Path, text: str, **env: str) -> list[str]:
    path = tmp_path / "intake.toml"
    path.write_text(text, encoding="utf-8")
    try:
        conf.load(str(path), env=env)
    except conf.ConfigError as exc:
        return exc.problems
    return []


@pytest.mark.parametrize(
    ("text", "said"),
    [
        ('database_url = "mysql://u:pw@h/db"', "'mysql://u:********@h/db': expected sqlite:///"),
        ('database_url = "postgresql://u:pw@h:port/db"', "expected sqlite:///PATH or postgres"),
        ('rate_limit_token = "5/y"', 'expected a rate like "300/m"'),
        ("allowed_hosts = []", "allowed_hosts = []: expected at least one host name."),
        ('time_zone = "Mars/Olympus"', 'expected a time zone of the tz database, like "Europe'),
        ('console_connect_url_template = "https://x/"', "expected an address containing {sess"),
        ('notice_dpa_url = "http://x/"', "expected an https:// address"),
        ("read_timeout_s = 301", "read_timeout_s = 301: expected at most 300."),
        ("verify_interval_minutes = 0", "expected a number of at least 0.01 (decimals allowed)"),
        ('session_id_pattern = "[0-"', "expected a regular expression (unterminated character"),
        ('language = "fr"', "language = 'fr': expected one of de, en."),
        ('log_level = "loud"', "expected one of debug, info, warning, error."),
    ],
)
def test_each_check_says_what_it_expected(tmp_path: Path, text: str, said: str) -> None:
    problems = problems_of(tmp_path, text + "\n")
    assert len(problems) == 1 and said in problems[0], problems
    assert problems[0].startswith(f"the configuration file {tmp_path / 'intake.toml'}, line 1: ")
    assert "pw" not in problems[0]


def test_text_is_read_as_every_kind_from_the_file_and_the_environment(tmp_path: Path) -> None:
    path = tmp_path / "intake.toml"
    path.write_text('retention_days = "30"\nlog_level = "INFO"\nbehind_proxy = "yes"\n', "utf-8")
    env = {"INTELLEKTA_INTAKE_ALLOWED_HOSTS": "a.example, b.example"}
    config = conf.load(str(path), env=env)
    assert (config["retention_days"], config["log_level"], config["behind_proxy"]) == (
        30,
        "info",
        True,
    )
    assert config["allowed_hosts"] == ["a.example", "b.example"]


def test_an_unknown_environment_variable_is_named_with_what_was_meant(tmp_path: Path) -> None:
    problems = problems_of(tmp_path, "", INTELLEKTA_INTAKE_RETENTON_DAYS="5")
    assert problems == [
        "environment variable INTELLEKTA_INTAKE_RETENTON_DAYS: unknown setting "
        "'retenton_days' (did you mean 'retention_days'?)"
    ]


def test_a_syntax_error_is_shown_with_its_line_and_a_caret(tmp_path: Path) -> None:
    (problem,) = problems_of(tmp_path, 'retention_days = 30\nlog_level = "info\n')
    assert "line 2: is not valid TOML" in problem
    assert problem.endswith('\n    log_level = "info\n                     ^'), problem


def test_the_language_setting_names_one_of_djangos_languages(tmp_path: Path) -> None:
    env = intake_env(tmp_path / "data", "", language="fr")
    result = run_intake("check", env=env)
    assert result.returncode == 2 and "Traceback" not in result.stderr, result.stderr
    assert "INTELLEKTA_INTAKE_LANGUAGE: language = 'fr': expected one of de, en." in result.stderr
    assert not (tmp_path / "data").exists(), "checked before anything is created"
    english = run_intake("check", env={**env, "INTELLEKTA_INTAKE_LANGUAGE": "en"})
    assert "Configuration: defaults and environment: OK" in english.stdout, english.stderr
