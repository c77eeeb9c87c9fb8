"""Which language the helper speaks when nothing is configured."""

from __future__ import annotations

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
