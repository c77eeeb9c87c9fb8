"""The client's address: REMOTE_ADDR, or behind trusted proxies the address the outermost
one saw; nothing a client writes into X-Forwarded-For can choose it."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import RequestFactory

from intake_server.addresses import client_address

PROXY = "127.0.0.1"


def configure(settings: Any, **changes: Any) -> None:
    """Replace settings in ``settings.CONFIG`` (pytest-django restores it afterwards)."""
    settings.CONFIG = type(settings.CONFIG)({**settings.CONFIG.values, **changes}, "")


def address(forwarded: str | None, remote: str = PROXY) -> str:
    headers = {} if forwarded is None else {"HTTP_X_FORWARDED_FOR": forwarded}
    return client_address(RequestFactory().get("/", REMOTE_ADDR=remote, **headers))


@pytest.mark.parametrize(
    ("forwarded", "expected"),
    [
        ("203.0.113.9", "203.0.113.9"),  # what nginx sends for a client that sent none
        ("6.6.6.6, 203.0.113.9", "203.0.113.9"),  # the client's own entry is not trusted
        ("6.6.6.6,203.0.113.9", "203.0.113.9"),
        ('"6.6.6.6, 203.0.113.9', "203.0.113.9"),  # a quote must not swallow the proxy's entry
        ("for=6.6.6.6, 203.0.113.9", "203.0.113.9"),
        ("not an address, 203.0.113.9", "203.0.113.9"),
        ("203.0.113.9:51234", "203.0.113.9"),
        ("[2001:db8::7]:443", "2001:db8::7"),
        ("::ffff:203.0.113.9", "203.0.113.9"),
        ("127.0.0.1", "127.0.0.1"),  # a client on the proxy's machine is on loopback
        (None, PROXY),  # not through the proxy: whoever connected
        ("", PROXY),
    ],
)
def test_behind_one_proxy_the_client_is_what_the_proxy_appended(
    settings: Any, forwarded: str | None, expected: str
) -> None:
    configure(settings, behind_proxy=True, proxy_count=1)
    assert address(forwarded) == expected


@pytest.mark.parametrize("forwarded", ["6.6.6.6, 203.0.113.9, not an address", "6.6.6.6, x"])
def test_an_unreadable_entry_of_the_proxy_falls_back_to_the_connection(
    settings: Any, forwarded: str
) -> None:
    configure(settings, behind_proxy=True, proxy_count=1)
    assert address(forwarded) == PROXY


def test_behind_two_proxies_the_client_is_what_the_outer_one_saw(settings: Any) -> None:
    configure(settings, behind_proxy=True, proxy_count=2)
    assert address("6.6.6.6, 203.0.113.9, 10.0.0.2", remote="10.0.0.3") == "203.0.113.9"
    assert address("203.0.113.9, 10.0.0.2", remote="10.0.0.3") == "203.0.113.9"
    assert address("10.0.0.2", remote="10.0.0.3") == "10.0.0.3"  # not through both


def test_without_a_proxy_x_forwarded_for_is_ignored(settings: Any) -> None:
    configure(settings, behind_proxy=False)
    assert address("203.0.113.9", remote="198.51.100.4") == "198.51.100.4"
    assert address(None, remote="::ffff:198.51.100.4") == "198.51.100.4"
