"""Who may read /metrics: a client on loopback (behind a proxy, the client the proxy
forwarded, not the proxy), or whoever sends ``Authorization: Bearer <token>`` with the
token in ``metrics_token_file``.

The file is read on every scrape (a few bytes), so a new token works without a restart.
An unreadable or empty file lets nobody in by token, is logged, and is a configuration
error that ``intellekta-intake check`` reports (:func:`token_file_problem`).
"""

from __future__ import annotations

import hmac
import ipaddress
import logging
from pathlib import Path

from django.conf import settings
from django.http import HttpRequest

from intake_server.addresses import client_address

LOG = logging.getLogger(__name__)
_FIX = "Write the token into it, or leave the setting empty."


class TokenFileError(Exception):
    """``metrics_token_file`` cannot be read, or holds no token."""


def allowed(request: HttpRequest) -> bool:
    """True for loopback and for the right bearer token. Thread-safe."""
    try:
        if ipaddress.ip_address(client_address(request)).is_loopback:
            return True
    except ValueError:
        pass
    scheme, _space, sent = request.META.get("HTTP_AUTHORIZATION", "").partition(" ")
    if scheme.lower() != "bearer" or not settings.CONFIG["metrics_token_file"]:
        return False
    try:
        token = _token()
    except TokenFileError as exc:
        LOG.error("/metrics: %s", exc)
        return False
    # Compared in constant time: the answer must not tell how much of a guess was right.
    return hmac.compare_digest(sent.strip().encode("utf-8", "replace"), token.encode())


def token_file_problem() -> str | None:
    """What is wrong with ``metrics_token_file``, in a sentence; None if nothing is."""
    if not settings.CONFIG["metrics_token_file"]:
        return None
    try:
        _token()
    except TokenFileError as exc:
        return str(exc)
    return None


def _token() -> str:
    path = Path(settings.CONFIG["metrics_token_file"])
    try:
        token = path.read_text("utf-8").strip()
    except (OSError, UnicodeDecodeError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) else "not UTF-8 text"
        message = f"metrics_token_file {path} cannot be read ({reason}). {_FIX}"
        raise TokenFileError(message) from None
    if not token:
        raise TokenFileError(f"metrics_token_file {path} is empty. {_FIX}")
    return token
