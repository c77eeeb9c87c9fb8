"""Refusals as RFC 9457 problem details (``application/problem+json``), in plain words.

The helper shows ``detail`` to the customer, so it is written for a person and given in
the language of the confirmation (or the request's ``Accept-Language``).
"""

from __future__ import annotations

import json
from typing import Any

from django.http import HttpResponse

#: reason -> (status, title); ``reason`` also labels the refusal in the metrics.
REASONS: dict[str, tuple[int, str]] = {
    "not_json": (400, "Body is not JSON"),
    "not_utf8": (400, "Body is not UTF-8"),
    "no_idempotency_key": (400, "Idempotency-Key missing"),
    "bad_idempotency_key": (400, "Idempotency-Key malformed"),
    "unauthorized": (401, "Token missing or not valid"),
    "method": (405, "Method not allowed"),
    "timeout": (408, "Request timeout"),  # answered by intake_server.asgi
    "too_large": (413, "Body too large"),
    "media_type": (415, "Unsupported media type"),
    "schema": (422, "Confirmation does not match the schema"),
    "key_mismatch": (422, "Idempotency-Key does not match submission_id"),
    "key_reused": (422, "Idempotency-Key already used for another confirmation"),
    "customer_mismatch": (422, "Customer number does not match the token"),
    "rate_limited": (429, "Too many requests"),
    "unavailable": (503, "Database unavailable"),
}
TYPE_BASE = "urn:intellekta:intake:problem:"


class Refused(Exception):
    """Raised inside the intake view; turned into a problem response at its edge."""

    def __init__(
        self,
        reason: str,
        detail: str,
        errors: list[dict[str, str]] | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(reason)
        self.reason = reason
        self.detail = detail
        self.errors = errors or []
        self.headers = headers or {}


def response(refused: Refused) -> HttpResponse:
    status, title = REASONS[refused.reason]
    body: dict[str, Any] = {
        "type": TYPE_BASE + refused.reason,
        "title": title,
        "status": status,
        "detail": refused.detail,
    }
    if refused.errors:
        body["errors"] = refused.errors
    answer = HttpResponse(
        json.dumps(body, ensure_ascii=False).encode(),
        status=status,
        content_type="application/problem+json",
    )
    for name, value in refused.headers.items():
        answer[name] = value
    return answer
