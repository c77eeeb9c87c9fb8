"""A stored confirmation in the words a support employee reads: no UI framework here."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import quote

from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from django.utils.timesince import timesince
from django.utils.translation import gettext_lazy as _

from helper.consent import Authority, format_session_id
from intake_server.api import records
from intake_server.api.evidence import company_claims
from intake_server.api.models import Confirmation

AUTHORITY = {
    Authority.OWNER.value: _("Owner"),
    Authority.IT_ADMIN_PERMISSION.value: _("IT administration agreed"),
}
#: The columns the queue and search pages need (never the body), with the token's company
#: (``select_related("token")``).
LIST_FIELDS = ("seq", "receipt_id", "received_at", "confirmed_at", "session_id",
               "customer_number", "company", "contact_name", "customer_verified", "authority",
               "confidential_apps", "open_applications", "notice_verified", "token",
               "token__company")  # fmt: skip
#: How many characters of a customer's text a list shows (the detail page shows all).
LIST_CHARS = 80
#: A confirmation time further than this from the arrival is pointed out to support.
CLOCK_GAP = timedelta(hours=1)


@dataclass(frozen=True)
class Claim:
    """A value about the customer, and whether the server checked it."""

    value: str
    verified: bool


@dataclass(frozen=True)
class Row:
    """Everything a row shows, worked out here once: the queue renders a hundred."""

    record: Confirmation
    url: str
    session_id: str  # grouped for reading: 1 234 567 890
    #: The company the token vouches for, then the one the record states if it differs.
    companies: tuple[Claim, ...]
    number: Claim | None
    authority: Any  # a lazy translation
    kept_open: str  # names of the confidential programs still open, or ""
    received_iso: str
    ago: str
    clock_note: str  # the gap between confirmation and arrival in a sentence, or ""
    clock_mark: str  # the same in a few words for the queue, or ""

    @property
    def customer(self) -> tuple[Claim, ...]:
        """What a list shows of the customer: the companies, then the number."""
        return (*self.companies, self.number) if self.number else self.companies

    @property
    def connect_url(self) -> str:
        template = settings.CONFIG["console_connect_url_template"]
        return template.replace("{session_id}", quote(self.record.session_id)) if template else ""


def row(record: Confirmation) -> Row:
    records.readable(record)  # text stored before the server refused unprintable text
    names = [str(app.get("name", "")) for app in record.open_applications if isinstance(app, dict)]
    number = record.customer_number
    note, mark = clock_gap(record.confirmed_at, record.received_at)
    return Row(
        record=record,
        url=reverse("console:detail", args=[record.receipt_id]),
        session_id=format_session_id(record.session_id),
        companies=tuple(Claim(name, ok) for name, ok in company_claims(record)),
        number=Claim(number, record.customer_verified) if number else None,
        authority=AUTHORITY.get(record.authority, record.authority),
        kept_open=", ".join(names),
        received_iso=record.received_at.isoformat(),
        ago=ago(record.received_at),
        clock_note=note,
        clock_mark=mark,
    )


def clock_gap(confirmed: datetime, received: datetime) -> tuple[str, str]:
    """How far the confirmation time lies from the arrival, when over :data:`CLOCK_GAP`:
    a sentence for the detail page and a few words for the queue, else ("", "").

    Not an error: customers' clocks are wrong, and an outbox may deliver weeks later."""
    if abs(confirmed - received) <= CLOCK_GAP:
        return "", ""
    if confirmed < received:
        time = timesince(confirmed, received)
        return (str(_("Confirmed %(time)s before it arrived (the customer's clock, or a "
                      "confirmation sent later)") % {"time": time}),
                str(_("confirmed %(time)s before arrival") % {"time": time}))  # fmt: skip
    time = timesince(received, confirmed)
    return (str(_("Confirmed %(time)s after it arrived (the customer's clock is ahead)")
                % {"time": time}),
            str(_("confirmed %(time)s after arrival") % {"time": time}))  # fmt: skip


def ago(moment: datetime) -> str:
    """ "just now" under a minute, else Django's "3 minutes ago"."""
    if (timezone.now() - moment).total_seconds() < 60:
        return str(_("just now"))
    return str(_("%(time)s ago") % {"time": timesince(moment)})
