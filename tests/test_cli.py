"""The command line as a newcomer meets it: output cut short by a pager or ``head``."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from tests.conftest import REPO, Home


@pytest.mark.parametrize(
    "command",
    [["config", "show"], ["config", "show", "--json"], ["scan"], ["scan", "--json"],
     ["outbox", "list"], ["--help"]],
)  # fmt: skip
def test_output_into_a_closed_pipe_ends_quietly(home: Home, command: list[str]) -> None:
    """As in ``intellekta-helper config show | head -1``, with the reader gone before
    the first byte, so that every write meets a broken pipe."""
    read, write = os.pipe()
    os.close(read)
    try:
        result = subprocess.run(
            [sys.executable, "-m", "helper", "--lang", "en", *command],
            stdout=write, stderr=subprocess.PIPE, text=True, cwd=REPO, timeout=60, check=False,
        )  # fmt: skip
    finally:
        os.close(write)
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
