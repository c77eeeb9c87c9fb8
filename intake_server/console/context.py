"""What every console page shows administrators: the damage the last verification found.

The banner must not slow the queue, which refreshes every two seconds, so it costs one
query (:func:`verification.state` with ``only_damage``), only for staff, and none on the
refresh itself.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.http import HttpRequest
from django.urls import NoReverseMatch, reverse

from intake_server.api import verification

#: How many damaged entries the banner names.
NAMED = 5


@dataclass(frozen=True)
class Named:
    """One damaged entry (or run of missing ones) as the banner names it."""

    seq: int
    last: int  # the last entry of a run of missing ones; ``seq`` for one entry
    receipt_id: str
    url: str  # its detail page, or "" (no receipt id, or one no link can hold)


@dataclass(frozen=True)
class LedgerDamage:
    total: int  # damaged, missing or inserted entries
    named: tuple[Named, ...]
    checked_at: datetime | None

    @property
    def more(self) -> bool:
        """Whether damaged entries remain that the banner does not name."""
        return self.total > sum(entry.last - entry.seq + 1 for entry in self.named)


def ledger_damage(request: HttpRequest) -> dict[str, LedgerDamage]:
    """``ledger_damage`` for staff while the last verification found damage; else nothing."""
    user = getattr(request, "user", None)
    if user is None or not user.is_staff or _is_refresh(request):
        return {}
    found = verification.state(NAMED, only_damage=True)
    if not found.damaged:
        return {}
    named = tuple(
        Named(d.seq, d.seq + d.entries - 1, d.receipt_id, _link(d.receipt_id)) for d in found.first
    )
    return {"ledger_damage": LedgerDamage(found.damaged, named, found.checked_at)}


def _is_refresh(request: HttpRequest) -> bool:
    """The queue's rows alone, fetched every two seconds: they show no banner."""
    match = request.resolver_match
    return match is not None and match.view_name == "console:queue_rows"


def _link(receipt_id: str) -> str:
    """The detail page of ``receipt_id``; "" when there is none (a stored receipt id
    changed into something a link cannot hold, such as a slash, has none either)."""
    if not receipt_id:
        return ""
    try:
        return reverse("console:detail", args=[receipt_id])
    except NoReverseMatch:
        return ""
