"""Every configuration layer, their precedence and the administrator's locks.

Real files in temporary folders, real environment variables, and the real CLI run as a
subprocess; only the Windows registry is replaced, by ``FakeWinreg``.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from helper import config
from helper.config._windows_policy import read_policy
from tests.config.fake_winreg import REG_DWORD, REG_MULTI_SZ, REG_SZ, FakeWinreg
from tests.conftest import Home, run_cli
from tests.platform_marks import xdg_only

POLICY = r"SOFTWARE\Policies\intellekta\Helper"


def show(*args: str, env: dict[str, str] | None = None) -> dict[str, Any]:
    result = run_cli(*args, "config", "show", "--json", env=env)
    assert result.returncode == 0, result.stderr
    data: dict[str, Any] = json.loads(result.stdout)
    return data


def test_defaults_and_vendor_file() -> None:
    data = show()
    url = data["intake.url"]
    assert url["value"] == "https://support.intellekta.de/api/v1/remote-support/confirmations"
    assert url["source"].startswith("vendor defaults") and url["source"].endswith("vendor.toml)")
    assert data["intake.timeout_s"] == {
        "value": 10.0,
        "source": "built-in default",
        "locked": False,
    }
    assert data["vendor.name"]["value"] == "intellekta GmbH"


def test_precedence_of_every_layer(home: Home, tmp_path: Path) -> None:
    """machine < user < INTELLEKTA_HELPER_CONFIG file < environment < command line."""
    machine = home.write_machine(
        '[customer]\nnumber = "M"\ncompany = "M"\n[intake]\ntimeout_s = 11\n[ui]\nlanguage = "de"\n'
    )
    user = home.write_user('[customer]\nnumber = "U"\ncompany = "U"\n[intake]\ntimeout_s = 12\n')
    extra = tmp_path / "extra.toml"
    extra.write_text('[customer]\nnumber = "F"\n[intake]\ntimeout_s = 13\n', "utf-8")
    env = {"INTELLEKTA_HELPER_CONFIG": str(extra), "INTELLEKTA_HELPER_INTAKE_TIMEOUT_S": "14"}
    data = show("-c", "intake.timeout_s=15", env=env)
    assert data["ui.language"]["value"] == "de"
    assert data["ui.language"]["source"] == f"machine-wide file {machine}"
    assert data["customer.company"]["value"] == "U"
    assert data["customer.company"]["source"] == f"user file {user}"
    assert data["customer.number"]["value"] == "F"
    assert data["customer.number"]["source"] == f"file {extra} (INTELLEKTA_HELPER_CONFIG)"
    assert data["intake.timeout_s"] == {"value": 15.0, "source": "command line", "locked": False}
    data = show(env=env)
    assert data["intake.timeout_s"]["value"] == 14.0
    assert (
        data["intake.timeout_s"]["source"]
        == "environment variable INTELLEKTA_HELPER_INTAKE_TIMEOUT_S"
    )


@xdg_only
def test_xdg_config_dirs_first_existing_folder_wins(
    home: Home, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    first, second = tmp_path / "first", tmp_path / "second"
    (second / "intellekta-helper").mkdir(parents=True)
    (second / "intellekta-helper" / "config.toml").write_text('[customer]\nnumber = "2"\n')
    monkeypatch.setenv("XDG_CONFIG_DIRS", f"{first}:{second}")
    assert config.load()["customer.number"] == "2"
    (first / "intellekta-helper").mkdir(parents=True)
    (first / "intellekta-helper" / "config.toml").write_text('[customer]\nnumber = "1"\n')
    assert config.load()["customer.number"] == "1"


def test_lang_option_sets_ui_language() -> None:
    assert show("--lang", "en")["ui.language"] == {
        "value": "en",
        "source": "command line",
        "locked": False,
    }


def test_locked_keys_cannot_be_overridden(home: Home, tmp_path: Path) -> None:
    home.write_machine(
        'locked = ["intake.url", "customer.number"]\n[customer]\nnumber = "K-1000"\n'
    )
    user = home.write_user('[customer]\nnumber = "user"\n[intake]\nurl = "https://user.example/"\n')
    env = {"INTELLEKTA_HELPER_CUSTOMER_NUMBER": "env"}
    data = show("-c", "intake.url=https://cli.example/", env=env)
    assert data["customer.number"]["value"] == "K-1000"
    assert data["customer.number"]["locked"] is True
    assert data["intake.url"]["value"].startswith("https://support.intellekta.de/")
    assert data["intake.url"]["locked"] is True
    assert data["customer.company"]["locked"] is False

    text = run_cli("-c", "intake.url=https://cli.example/", "config", "show", env=env).stdout
    assert "ignored: environment variable INTELLEKTA_HELPER_CUSTOMER_NUMBER tried to set" in text
    assert f"ignored: user file {user} tried to set" in text
    assert "ignored: command line tried to set this, but it is locked by machine-wide file" in text
    log = (home.logs / "intellekta-helper.log").read_text("utf-8")
    assert "Ignored customer.number from INTELLEKTA_HELPER_CUSTOMER_NUMBER" in log


def test_locked_language_ignores_lang_option(home: Home) -> None:
    home.write_machine('locked = ["ui.language"]\n[ui]\nlanguage = "de"\n')
    assert show("--lang", "en")["ui.language"]["value"] == "de"


def _policy(values: dict[str, Any]) -> FakeWinreg:
    return FakeWinreg({POLICY: values})


def test_policy_wins_over_everything_and_locks(home: Home) -> None:
    home.write_machine('[customer]\nnumber = "machine"\n')
    reg = _policy(
        {
            "intake": {"url": (REG_SZ, "https://policy.example/api"), "timeout_s": (REG_DWORD, 30)},
            "customer": {"Number": (REG_SZ, "policy")},
            "ui": {"require_contact_name": (REG_DWORD, 1)},
            "apps": {"keep_open": (REG_MULTI_SZ, ["intellekta-suite", "datev"])},
        }
    )
    cfg = config.load(
        cli=[("intake.url", "https://cli.example/")],
        env={"INTELLEKTA_HELPER_INTAKE_TIMEOUT_S": "5"},
        policy_reader=lambda: read_policy(reg),
    )
    assert cfg.valid, cfg.report()
    assert cfg["intake.url"] == "https://policy.example/api"
    assert cfg["intake.timeout_s"] == 30.0
    assert cfg["customer.number"] == "policy"
    assert cfg["ui.require_contact_name"] is True
    assert cfg["apps.keep_open"] == ["intellekta-suite", "datev"]
    entry = cfg.entries["intake.url"]
    assert entry.locked and entry.source.describe("en") == (
        r"Windows policy HKLM\SOFTWARE\Policies\intellekta\Helper\intake\url"
    )
    assert {(i.key, i.source.kind) for i in cfg.ignored} == {
        ("intake.url", "cli"),
        ("intake.timeout_s", "env"),
    }
    assert all(a & reg.KEY_WOW64_64KEY for a in reg.access), "must read the 64-bit view"


def test_policy_problems_and_absence() -> None:
    reg = _policy({"intake": {"timeout_s": (REG_SZ, "soon"), "colour": (REG_SZ, "x")}})
    cfg = config.load(policy_reader=lambda: read_policy(reg))
    messages = cfg.report("en")
    assert "intake.colour" in messages
    assert "intake.timeout_s must be a number, not 'soon'" in messages
    empty = config.load(policy_reader=lambda: read_policy(FakeWinreg({})))
    assert empty.valid


def test_secrets_are_masked_and_never_logged(home: Home) -> None:
    token = "tok-SECRET-1234567890"
    env = {
        "INTELLEKTA_HELPER_INTAKE_TOKEN": token,
        "INTELLEKTA_HELPER_INTAKE_PROXY": "http://user:pw-SECRET@proxy.example:3128",
    }
    result = run_cli("--verbose", "config", "show", env=env)
    data = show(env=env)
    assert data["intake.token"]["value"] == "********"
    assert data["intake.proxy"]["value"] == "http://user:********@proxy.example:3128"
    assert token not in result.stdout + result.stderr
    assert "pw-SECRET" not in result.stdout + result.stderr
    log = (home.logs / "intellekta-helper.log").read_text("utf-8")
    assert token not in log


def test_secret_filter_masks_log_records(home: Home) -> None:
    import logging

    from helper import logs

    logs.setup()
    logs.secret_filter.add(["s3cr3t-token"])
    logging.getLogger("test").warning("sending with %s", "s3cr3t-token")
    try:
        raise RuntimeError("bad s3cr3t-token")
    except RuntimeError:
        logging.getLogger("test").exception("failed")
    for handler in logging.getLogger().handlers:
        handler.flush()
    text = (home.logs / "intellekta-helper.log").read_text("utf-8")
    assert "s3cr3t-token" not in text
    assert text.count("********") >= 2


def test_token_file_is_read(tmp_path: Path) -> None:
    token_file = tmp_path / "token.txt"
    token_file.write_text("\ufefffile-token-abc\n", "utf-8")
    cfg = config.load(cli=[("intake.token_file", str(token_file))])
    assert cfg.read_token_file() == "file-token-abc"
    assert "file-token-abc" in cfg.secrets()


def test_relative_paths_resolve_against_their_file(home: Home) -> None:
    (home.machine_config).mkdir(parents=True, exist_ok=True)
    (home.machine_config / "ca.pem").write_text("-----BEGIN CERTIFICATE-----\n")
    home.write_machine('[intake]\nca_bundle = "ca.pem"\n')
    cfg = config.load()
    assert cfg.valid, cfg.report()
    assert cfg["intake.ca_bundle"] == str(home.machine_config / "ca.pem")
