"""What every console page shows administrators: the damage the last verification found.

The banner must not slow the queue, which refreshes every two seconds, so it costs one
query and only for staff: the first damaged entries, each carrying the total and the time
of the last run (a window sum and a subquery), where :func:`verification.state` asks three.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.db.models import Subquery, Sum, Window
from django.http import HttpRequest
from django.urls import NoReverseMatch, reverse

from intake_server.api.models import Damage, LedgerWatch

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
    checked = LedgerWatch.objects.filter(pk=1).values("checked_at")[:1]
    first = list(
        Damage.objects.annotate(
            total=Window(Sum("entries")), checked_at=Subquery(checked)
        ).order_by("seq")[:NAMED]
    )
    if not first:
        return {}
    named = tuple(
        Named(d.seq, d.seq + d.entries - 1, d.receipt_id, _link(d.receipt_id)) for d in first
    )
    return {"ledger_damage": LedgerDamage(first[0].total, named, first[0].checked_at)}


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
