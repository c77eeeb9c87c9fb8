"""What a record says about the computer: platform and OS version, nothing identifying."""

from __future__ import annotations

import getpass
import socket

import pytest

from helper import __version__
from helper.consent.device import client_info, unix_version, windows_version
from tests.platform_marks import WINDOWS


@pytest.mark.parametrize(
    ("version", "shown"),
    [
        ("10.0.22631", "Windows 11 (10.0.22631)"),
        ("10.0.22000", "Windows 11 (10.0.22000)"),
        ("10.0.19045", "Windows 10 (10.0.19045)"),
        ("6.3.9600", "Windows 8.1 (6.3.9600)"),
        ("6.1.7601", "Windows 7 (6.1.7601)"),
        ("5.1.2600", "Windows 5.1.2600"),
        ("", "Windows"),
        ("garbage", "Windows garbage"),
    ],
)
def test_windows_version(version: str, shown: str) -> None:
    assert windows_version(version) == shown


def test_unix_version() -> None:
    assert unix_version("Linux", "6.1.0-18-amd64", "Debian GNU/Linux 12 (bookworm)") == (
        "Debian GNU/Linux 12 (bookworm) (Linux 6.1.0-18-amd64)"
    )
    assert unix_version("FreeBSD", "14.0-RELEASE", "") == "FreeBSD 14.0-RELEASE"


def test_this_computer() -> None:
    info = client_info()
    platform, system = ("windows", "Windows") if WINDOWS else ("linux", "Linux")
    assert (info.name, info.version, info.platform) == ("intellekta-helper", __version__, platform)
    assert 0 < len(info.os_version) <= 200 and system in info.os_version
    assert socket.gethostname() not in info.os_version and getpass.getuser() not in info.os_version
