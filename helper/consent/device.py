"""The record's ``client`` object: this program and the computer it runs on, nothing more.

Support staff need the platform and operating-system version to prepare a session.
Nothing identifying is collected: no user or host names, no paths, no process ids, no
addresses. Only the standard library's ``platform`` module is read, so there is no
platform-specific API to wrap; the small formatting rules are pure and tested.
"""

from __future__ import annotations

import platform
import sys
from dataclasses import dataclass

from helper import __version__
from helper.platforms import platform_name

CLIENT_NAME = "intellekta-helper"
MAX_OS_VERSION_CHARS = 200


@dataclass(frozen=True)
class ClientInfo:
    """The record's ``client`` object."""

    name: str
    version: str
    platform: str  # windows | macos | linux
    os_version: str


def client_info() -> ClientInfo:
    """This program and the operating system it runs on."""
    return ClientInfo(CLIENT_NAME, __version__, platform_name(), os_version())


def os_version() -> str:
    """E.g. "Windows 11 (10.0.22631)", "macOS 14.4.1", "Ubuntu 22.04.4 LTS (Linux 6.5.0)"."""
    if sys.platform == "win32":
        text = windows_version(platform.win32_ver()[1])
    elif sys.platform == "darwin":
        text = f"macOS {platform.mac_ver()[0]}".strip()
    else:
        try:
            pretty = platform.freedesktop_os_release().get("PRETTY_NAME", "")
        except OSError:
            pretty = ""
        text = unix_version(platform.system(), platform.release(), pretty)
    return text[:MAX_OS_VERSION_CHARS] or "unknown"


def windows_version(version: str) -> str:
    """The marketing name from ``platform.win32_ver()[1]`` (e.g. "10.0.22631").

    Windows 11 still reports 10.0; build 22000 and later is Windows 11.
    """
    parts = version.split(".")
    try:
        major, minor, build = int(parts[0]), int(parts[1]), int(parts[2])
    except (IndexError, ValueError):
        return f"Windows {version}".strip()
    if major == 10:
        name = "11" if build >= 22000 else "10"
    else:
        name = {(6, 3): "8.1", (6, 2): "8", (6, 1): "7"}.get((major, minor), "")
    return f"Windows {name} ({version})" if name else f"Windows {version}"


def unix_version(system: str, release: str, pretty_name: str) -> str:
    """The distribution's name, if known, and the kernel: "Debian GNU/Linux 12 (Linux 6.1.0)"."""
    kernel = f"{system} {release}".strip()
    return f"{pretty_name} ({kernel})" if pretty_name else kernel
