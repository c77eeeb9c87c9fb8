"""Text that comes from outside (server answers, error details) made safe to show and store.

A server's message ends up in the customer's window, the outbox and the log: control
characters, terminal escapes and bidirectional overrides are removed, whitespace is
collapsed, the length is bounded, and known secrets are masked.
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Iterable

from helper.logs import MASK

_URL_PASSWORD = re.compile(r"(://[^:/@\s]+:)[^@/\s]+@")


def clean(text: str, limit: int = 200, secrets: Iterable[str] = ()) -> str:
    """One line of at most ``limit`` characters, with secrets and URL passwords masked."""
    for secret in secrets:
        if secret:
            text = text.replace(secret, MASK)
    text = _URL_PASSWORD.sub(rf"\g<1>{MASK}@", text)
    text = "".join(" " if unicodedata.category(c) in ("Cc", "Cf", "Zl", "Zp") else c for c in text)
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def server_message(body: bytes, secrets: Iterable[str] = ()) -> str:
    """The human part of an error answer: a JSON ``message``/``error``/``detail`` or the text."""
    text = body[:4096].decode("utf-8", errors="replace")
    try:
        data = json.loads(text)
    except ValueError:
        data = None
    if isinstance(data, dict):
        for key in ("message", "error", "detail", "title"):
            if isinstance(data.get(key), str) and data[key].strip():
                return clean(data[key], secrets=secrets)
    return clean(text, secrets=secrets)
