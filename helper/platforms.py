"""The three platforms the helper knows, by the names the catalogue and the record use."""

from __future__ import annotations

import sys

PLATFORMS = ("windows", "macos", "linux")


def platform_name(sys_platform: str | None = None) -> str:
    """``windows``, ``macos`` or ``linux``; other Unix systems count as ``linux`` (the
    record's ``os_version`` carries the true name)."""
    sys_platform = sys_platform or sys.platform
    if sys_platform in ("win32", "cygwin"):
        return "windows"
    if sys_platform == "darwin":
        return "macos"
    return "linux"
