"""The command line as a newcomer meets it: output cut short by a pager or ``head``."""

from __future__ import annotations

import errno
import json
import os
import subprocess
import sys

import pytest

from tests.conftest import REPO, Home, run_cli


@pytest.mark.parametrize(
    "command",
    [
        ["config", "show"],
        ["config", "show", "--json"],
        ["scan"],
        ["scan", "--json"],
        ["outbox", "list"],
        ["--help"],
    ],
)
def test_output_into_a_closed_pipe_ends_quietly(home: Home, command: list[str]) -> None:
    """As in ``intellekta-helper config show | head -1``, with the reader gone before
    the first byte, so that every write meets a broken pipe."""
    read, write = os.pipe()
    os.close(read)
    try:
        result = subprocess.run(
            [sys.executable, "-m", "helper", "--lang", "en", *command],
            stdout=write,
            stderr=subprocess.PIPE,
            text=True,
            cwd=REPO,
            timeout=60,
            check=False,
        )
    finally:
        os.close(write)
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""


@pytest.mark.parametrize(
    "argv",
    [
        ["--lang", "en", "-c", "vendor.name=ACME", "config", "show"],
        ["config", "show", "--lang", "en", "-c", "vendor.name=ACME"],
        ["config", "--lang", "en", "show", "--set", "vendor.name=ACME"],
        ["-c", "vendor.name=ACME", "config", "show", "--lang=en"],
    ],
)
def test_global_options_go_on_either_side_of_the_command(home: Home, argv: list[str]) -> None:
    result = run_cli(*argv)
    assert result.returncode == 0, result.stderr
    assert 'vendor.name             = "ACME"' in result.stdout


def test_settings_from_both_sides_add_up_and_verbose_works_after(home: Home) -> None:
    result = run_cli(
        "-c", "vendor.name=ACME", "config", "show", "--json", "-v", "-c", "customer.number=K-1"
    )
    assert result.returncode == 0, result.stderr
    shown = json.loads(result.stdout)
    assert shown["vendor.name"]["value"] == "ACME"
    assert shown["customer.number"]["value"] == "K-1"
    assert "DEBUG" in result.stderr or "INFO" in result.stderr, "-v after the command"


@pytest.mark.parametrize(
    "argv",
    [
        ["scan", "intake.token=TOPSECRET-4711"],
        ["scan", "-c", "intake.token=TOPSECRET-4711", "--no-such-option"],
        ["-c", "intake.token=TOPSECRET-4711", "scan", "--lang", "xx"],
        ["scan", "-c", "TOPSECRET-4711"],
    ],
)
def test_usage_errors_never_repeat_a_secret(home: Home, argv: list[str]) -> None:
    result = run_cli(*argv)
    assert result.returncode == 2
    assert "usage:" in result.stderr
    assert "TOPSECRET-4711" not in result.stderr + result.stdout


def test_windows_says_a_pipe_was_closed_with_einval(monkeypatch: pytest.MonkeyPatch) -> None:
    """Windows has no EPIPE for a pipe whose reader closed: a write fails with EINVAL.
    (Only ``sys.platform`` is faked; the Windows CI job runs the real pipes above.)"""
    from helper import cli

    monkeypatch.setattr(sys, "platform", "win32")
    assert cli._reader_gone(OSError(errno.EINVAL, "Invalid argument"))
    assert not cli._reader_gone(OSError(errno.EINVAL, "Invalid argument", r"C:\data\x.json"))
    assert not cli._reader_gone(OSError(errno.EACCES, "Permission denied"))
    monkeypatch.setattr(sys, "platform", "linux")
    assert not cli._reader_gone(OSError(errno.EINVAL, "Invalid argument"))
    assert cli._reader_gone(BrokenPipeError())
