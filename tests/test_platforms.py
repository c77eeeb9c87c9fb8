"""The platform names the catalogue, the record and the User-Agent use."""

from __future__ import annotations

import pytest

from helper.platforms import platform_name


@pytest.mark.parametrize(
    ("sys_platform", "name"),
    [("win32", "windows"), ("darwin", "macos"), ("linux", "linux"), ("freebsd14", "linux")],
)
def test_platform_name(sys_platform: str, name: str) -> None:
    assert platform_name(sys_platform) == name
