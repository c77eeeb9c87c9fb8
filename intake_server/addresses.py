"""The client's address, worked out once for everything that counts or checks it: the
intake API's rate limit, django-axes' sign-in locks and who may read /metrics.

Without ``behind_proxy`` it is the address that connected (REMOTE_ADDR), and
X-Forwarded-For is ignored: any client can write it. Behind ``proxy_count`` trusted
proxies, each appends the address it saw to X-Forwarded-For, so the last
``proxy_count`` entries are theirs and the first of those is the client as the outermost
proxy saw it. Whatever comes before is the client's own text and is never read: a forged
header neither chooses the address nor, being unreadable, makes a client count as the
proxy. python-ipware (django-ipware's engine) reads the entries (ports, brackets,
IPv4-mapped IPv6); only the trusted ones are handed to it, because it reads the header as
a whole and one stray quote from the client would make it unreadable.
"""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest
from python_ipware import IpWare

_HEADER = "HTTP_X_FORWARDED_FOR"
_CONNECTED = "REMOTE_ADDR"


def client_address(request: HttpRequest) -> str:
    """The client's address as text (IPv6 without brackets), or "" if there is none.

    Thread-safe; reads ``settings.CONFIG`` on every call, so tests may change it."""
    meta = request.META
    if settings.CONFIG["behind_proxy"]:
        count = settings.CONFIG["proxy_count"]
        appended = str(meta.get(_HEADER, "")).split(",")[-count:]
        forwarded = _read(_HEADER, ",".join(appended), count)
        if forwarded:
            return forwarded
    connected = str(meta.get(_CONNECTED, ""))
    return _read(_CONNECTED, connected, 1) or connected


def _read(header: str, value: str, entries: int) -> str:
    """The first of exactly ``entries`` addresses in ``value``; "" if any is unreadable."""
    reader = IpWare(precedence=(header,), proxy_count=entries - 1)
    found, _trusted = reader.get_client_ip({header: value}, strict=True)
    return str(found) if found is not None else ""
