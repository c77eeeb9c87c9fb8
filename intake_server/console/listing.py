"""Which confirmations a list holds, and which of them one page shows: the filters and
keyset paging of the queue and of search results. No UI here.

Filters and counts work on the indexed columns (copies made for that); what a row then
shows comes from the reading of its entry (:mod:`intake_server.console.present`). Pages
are cut by the key ``(received_at, seq)``, newest first, never by an offset: a page
stays the same while new confirmations arrive above it, and the database walks the
index from the key instead of counting past every row before it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from django import forms
from django.db.models import Q, QuerySet
from django.http import QueryDict
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from intake_server.api import fields
from intake_server.api.models import Confirmation, Damage
from intake_server.customers.models import Customer

#: How many confirmations one page shows.
PAGE_SIZE = 50
#: Where a key's microseconds count from.
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
#: How far back the detail page looks for the same Session ID from other customers.
SAME_SESSION_DAYS = 7
TODAY, DAY, WEEK, ALL = "today", "24h", "7d", "all"
WINDOWS = {
    TODAY: _("Today"),
    DAY: _("Last 24 hours"),
    WEEK: _("Last 7 days"),
    ALL: _("All"),
}
#: What a list of each window is called.
HEADINGS = {
    TODAY: _("Confirmations of today"),
    DAY: _("Confirmations of the last 24 hours"),
    WEEK: _("Confirmations of the last 7 days"),
    ALL: _("All confirmations"),
}
#: The filters a list offers besides the time window, with what each means.
CHECKS = {
    "kept_open": (_("Kept open"), _("confidential programs were kept open")),
    "unverified": (
        _("Not verified"),
        _("no token vouched for the customer, or the notice text was not registered"),
    ),
    "no_av": (
        _("No AV-Vertrag"),
        _(
            "the customer register holds no AV-Vertrag for the customer's number, or does "
            "not know the number"
        ),
    ),
    "damaged": (_("Damaged"), _("the last verification of the ledger found the entry damaged")),
}


class FilterForm(forms.Form):
    """The filters as GET parameters: a list's address can be bookmarked and sent on."""

    when = forms.ChoiceField(choices=list(WINDOWS.items()), required=False)
    kept_open = forms.BooleanField(required=False)
    unverified = forms.BooleanField(required=False)
    no_av = forms.BooleanField(required=False)
    damaged = forms.BooleanField(required=False)


@dataclass(frozen=True)
class Filters:
    when: str
    checks: frozenset[str]

    @property
    def heading(self) -> str:
        return str(HEADINGS[self.when])

    def params(self) -> dict[str, str]:
        """The filters as query parameters (for links to other pages and the refresh)."""
        return {"when": self.when, **{name: "1" for name in sorted(self.checks)}}


def filters_of(query: QueryDict, default: str) -> Filters:
    """The filters a request asks for; ``default`` the window without (or with a wrong)
    ``when``. Anything not understood is left out, never an error: it is a link."""
    form = FilterForm(query)
    form.is_valid()
    data: dict[str, Any] = form.cleaned_data
    checks = frozenset(name for name in CHECKS if data.get(name))
    return Filters(data.get("when") or default, checks)


def since(window: str, now: datetime) -> datetime | None:
    """Where ``window`` starts; "today" starts at midnight in the configured zone."""
    if window == TODAY:
        local = now.astimezone(fields.zone())
        return datetime(local.year, local.month, local.day, tzinfo=fields.zone())
    return {DAY: now - timedelta(hours=24), WEEK: now - timedelta(days=7)}.get(window)


def filtered(found: QuerySet[Confirmation], chosen: Filters) -> QuerySet[Confirmation]:
    """``found`` with the filters applied, on the indexed columns."""
    start = since(chosen.when, timezone.now())
    if start is not None:
        found = found.filter(received_at__gte=start)
    if "kept_open" in chosen.checks:
        found = found.filter(confidential_apps="kept_open")
    if "unverified" in chosen.checks:
        found = found.filter(Q(customer_verified=False) | Q(notice_verified=False))
    if "no_av" in chosen.checks:
        # A number of no letters or digits ("---") has the key "": it covers nobody.
        signed = Customer.objects.filter(av_signed_on__isnull=False).exclude(key="")
        signed = signed.values("key")
        found = found.exclude(number_key__in=signed)
    if "damaged" in chosen.checks:
        found = found.filter(seq__in=Damage.objects.values("seq"))
    return found


@dataclass(frozen=True)
class Key:
    """A row's place in a list: ``received_at``, then ``seq`` (times can be equal)."""

    received_at: datetime
    seq: int

    def __str__(self) -> str:
        """As a link carries it: microseconds since the epoch, and the seq."""
        micros = (self.received_at - EPOCH) // timedelta(microseconds=1)
        return f"{micros}_{self.seq}"

    @classmethod
    def parse(cls, text: str) -> Key | None:
        """The key a link carries, or None for anything else (the first page then)."""
        micros, _sep, seq = text.partition("_")
        try:
            return cls(EPOCH + timedelta(microseconds=int(micros)), int(seq))
        except (ValueError, OverflowError):
            return None

    @classmethod
    def of(cls, row: Confirmation) -> Key:
        return cls(row.received_at, row.seq)

    def below(self) -> Q:
        """The rows after this one in the list (older)."""
        return Q(received_at__lt=self.received_at) | Q(
            received_at=self.received_at, seq__lt=self.seq
        )

    def above(self) -> Q:
        """The rows before this one in the list (newer)."""
        return Q(received_at__gt=self.received_at) | Q(
            received_at=self.received_at, seq__gt=self.seq
        )


@dataclass(frozen=True)
class Page:
    """One page of a list: its rows, how many the list holds, where they start, and
    the keys of the pages beside it (None where there is none)."""

    rows: list[Confirmation]
    total: int
    start: int  # the position of the first row, from 1
    newer: Key | None
    older: Key | None

    @property
    def first(self) -> bool:
        return self.newer is None

    @property
    def end(self) -> int:
        return self.start + len(self.rows) - 1


def page(found: QuerySet[Confirmation], query: QueryDict) -> Page:
    """The page ``query`` asks for (``older=KEY`` or ``newer=KEY``; else the newest),
    rows with their tokens. A "newer" page that would hold fewer than a page's rows
    is the first page."""
    found = found.select_related("token__customer")
    total = found.count()
    older, newer = Key.parse(query.get("older", "")), Key.parse(query.get("newer", ""))
    if newer is not None:
        taken = list(found.filter(newer.above()).order_by("received_at", "seq")[: PAGE_SIZE + 1])
        if len(taken) > PAGE_SIZE:
            rows = taken[:PAGE_SIZE][::-1]
            start = found.filter(Key.of(rows[0]).above()).count() + 1
            return Page(rows, total, start, Key.of(rows[0]), Key.of(rows[-1]))
        older = None  # within a page of the newest: the first page
    descending = found.order_by("-received_at", "-seq")
    if older is not None:
        descending = descending.filter(older.below())
    taken = list(descending[: PAGE_SIZE + 1])
    rows = taken[:PAGE_SIZE]
    start = found.filter(Key.of(rows[0]).above()).count() + 1 if older and rows else 1
    after = Key.of(rows[-1]) if len(taken) > PAGE_SIZE else None
    return Page(rows, total, start, Key.of(rows[0]) if older and rows else None, after)


def same_session(row: Confirmation, now: datetime) -> QuerySet[Confirmation]:
    """Other confirmations whose Session ID column is this one's, from the last
    :data:`SAME_SESSION_DAYS` days, newest first: candidates, which the caller reads
    (the column is a copy) before it says anything about them."""
    recent = now - timedelta(days=SAME_SESSION_DAYS)
    found = Confirmation.objects.filter(session_id=row.session_id, received_at__gte=recent)
    return (
        found.exclude(pk=row.pk).select_related("token__customer").order_by("-received_at", "-seq")
    )
