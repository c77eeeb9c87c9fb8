"""Real records with what a hostile or careless sender could put in them, for the tests of
how the console shows customer text."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from tests.server.records import Built

#: RIGHT-TO-LEFT OVERRIDE: without isolation it reverses the text that follows it.
RLO = "\u202e"


def edited(built: Built, change: Callable[[dict[str, Any]], None]) -> Built:
    """``built`` with ``change`` applied to its JSON document (same submission id)."""
    document = json.loads(built.payload)
    change(document)
    payload = json.dumps(document, ensure_ascii=False).encode()
    return Built(payload, built.submission_id, built.session_id)
