"""A stored confirmation in the words a support employee reads: no UI framework here.

Every value comes from the reading of the entry (:mod:`intake_server.api.reading`), never
from the row's columns, which anyone with the database file can change: a row only gives
its receipt id, the key a page links by.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any
from urllib.parse import quote

from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from django.utils.timesince import timesince
from django.utils.translation import gettext_lazy as _

from helper.consent.choices import Authority
from helper.consent.session_id import format_session_id
from intake_server.api import fields
from intake_server.api.reading import Facts, Reading
from intake_server.customers.models import Customer
from intake_server.folding import fold, number_key

AUTHORITY = {
    Authority.OWNER.value: _("Owner"),
    Authority.IT_ADMIN_PERMISSION.value: _("IT administration agreed"),
}
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
class AvStatus:
    """Whether the register holds an AV-Vertrag for the customer, as it says now: the
    register's word, not the ledger's (an AV-Vertrag signed later counts, one removed
    no longer does). The customer is the token's number if a token vouched, else the
    number the customer stated."""

    SIGNED, MISSING, UNKNOWN, NO_NUMBER = "signed", "missing", "unknown", "no-number"

    state: str
    number: str
    verified: bool  # the number is the token's; else as the customer stated it
    signed_on: date | None = None

    @property
    def ok(self) -> bool:
        return self.state == self.SIGNED

    @property
    def text(self) -> str:
        if self.state == self.SIGNED and self.signed_on:
            return str(_("AV-Vertrag signed on %(date)s") % {"date": fields.day(self.signed_on)})
        return str(AV_WORDS[self.state])


AV_WORDS = {
    AvStatus.MISSING: _("No AV-Vertrag on file"),
    AvStatus.UNKNOWN: _("Customer not in the register"),
    AvStatus.NO_NUMBER: _("No customer number: AV-Vertrag unknown"),
}


def av_status(facts: Facts, customers: Mapping[str, Customer]) -> AvStatus:
    """``facts``' customer looked up in ``customers`` (:meth:`Customer.by_key` of a
    whole list's numbers: one query)."""
    number = facts.customer_number
    if not number_key(number):
        return AvStatus(AvStatus.NO_NUMBER, number, facts.customer_verified)
    customer = customers.get(number_key(number))
    if customer is None:
        return AvStatus(AvStatus.UNKNOWN, number, facts.customer_verified)
    state = AvStatus.SIGNED if customer.has_av else AvStatus.MISSING
    return AvStatus(state, number, facts.customer_verified, customer.av_signed_on)


def customers_of(readings: Sequence[Reading]) -> dict[str, Customer]:
    """The register's customers of these confirmations, by number key: one query."""
    return Customer.by_key(r.facts.customer_number for r in readings if r.facts)


def customer_identity(facts: Facts) -> str:
    """Who sent a confirmation, for telling customers apart: the number however
    written, else the company however spelled; "" when it names neither."""
    key = number_key(facts.customer_number)
    if key:
        return "number:" + key
    companies = facts.companies()
    return "company:" + fold(companies[0][0]) if companies else ""


def shared_sessions(readings: Sequence[Reading]) -> dict[str, int]:
    """The Session IDs these confirmations give for more than one customer, each with
    how many customers gave it: support must check whom they connect to."""
    senders: dict[str, set[str]] = defaultdict(set)
    for reading in readings:
        if reading.facts and (identity := customer_identity(reading.facts)):
            senders[reading.facts.session_id].add(identity)
    return {session: len(ids) for session, ids in senders.items() if len(ids) > 1}


@dataclass(frozen=True)
class Shared:
    """A Session ID that several customers sent, as the list says it above the rows."""

    session_id: str  # grouped for reading
    customers: int


@dataclass(frozen=True)
class Row:
    """Everything a row shows, worked out here once: the queue renders a hundred.

    Without facts (the entry's body was changed), every value is empty: the row shows
    its receipt id and that it is damaged, nothing else."""

    reading: Reading
    url: str
    session_id: str  # grouped for reading: 1 234 567 890
    #: The company the token vouches for, then the one the record states if it differs.
    companies: tuple[Claim, ...]
    number: Claim | None
    authority: Any  # a lazy translation
    kept_open: str  # names of the confidential programs still open, or ""
    received_iso: str
    received_exact: str  # in the configured zone, to the second
    ago: str
    #: How many customers sent this Session ID in the same list (0: only this one).
    shared: int
    av: AvStatus | None
    clock_note: str  # the gap between confirmation and arrival in a sentence, or ""
    clock_mark: str  # the same in a few words for the queue, or ""

    @property
    def receipt_id(self) -> str:
        """The key the row was found by (the facts hold the same while it is intact)."""
        return self.reading.row.receipt_id

    @property
    def facts(self) -> Facts | None:
        return self.reading.facts

    @property
    def damaged(self) -> bool:
        return self.reading.damaged

    @property
    def css_class(self) -> str:
        """``damaged`` and ``kept-open`` as they apply: the classes of the row."""
        return " ".join(
            name
            for name, applies in (("damaged", self.damaged), ("kept-open", bool(self.kept_open)))
            if applies
        )

    @property
    def customer(self) -> tuple[Claim, ...]:
        """What a list shows of the customer: the companies, then the number."""
        return (*self.companies, self.number) if self.number else self.companies

    @property
    def connect_url(self) -> str:
        """The configured link with the Session ID the entry gives; none without facts."""
        template = settings.CONFIG["console_connect_url_template"]
        if not template or self.facts is None:
            return ""
        return template.replace("{session_id}", quote(self.facts.session_id))


def rows(readings: Sequence[Reading]) -> list[Row]:
    """A list's rows: the register asked once for them all, and each Session ID that
    several customers sent marked."""
    customers = customers_of(readings)
    shared = shared_sessions(readings)
    return [
        row(item, customers, shared.get(item.facts.session_id, 0) if item.facts else 0)
        for item in readings
    ]


def shared_of(listed: Sequence[Row]) -> list[Shared]:
    """The Session IDs of ``listed`` that several customers sent, once each."""
    seen = {item.session_id: item.shared for item in listed if item.shared}
    return [Shared(session, count) for session, count in seen.items()]


def other_customers(reading: Reading, candidates: Sequence[Reading]) -> list[Row]:
    """Of ``candidates`` (confirmations found by the same Session ID column), those whose
    entry gives the same Session ID as ``reading``'s for another customer."""
    facts = reading.facts
    if facts is None:
        return []
    own = customer_identity(facts)
    others = [
        other
        for other in candidates
        if other.facts
        and other.facts.session_id == facts.session_id
        and customer_identity(other.facts) != own
    ]
    return rows(others)


def row(reading: Reading, customers: Mapping[str, Customer], shared: int = 0) -> Row:
    url = reverse("console:detail", args=[reading.row.receipt_id])
    facts = reading.facts
    if facts is None:
        return Row(reading, url, "", (), None, "", "", "", "", "", 0, None, "", "")
    number = facts.customer_number
    received = facts.received_at  # None when the chain does not prove the entry
    note, mark = clock_gap(facts.confirmed_at, received) if received else ("", "")
    return Row(
        reading=reading,
        url=url,
        session_id=format_session_id(facts.session_id),
        companies=tuple(Claim(name, ok) for name, ok in facts.companies()),
        number=Claim(number, facts.customer_verified) if number else None,
        authority=AUTHORITY.get(facts.authority, facts.authority),
        kept_open=_kept_open(facts),
        received_iso=fields.machine(received) if received else "",
        received_exact=fields.exact(received) if received else "",
        ago=ago(received) if received else "",
        shared=shared,
        av=av_status(facts, customers),
        clock_note=note,
        clock_mark=mark,
    )


def _kept_open(facts: Facts) -> str:
    """The names of the confidential programs kept open, or "" when all were closed."""
    if facts.confidential_apps != "kept_open":
        return ""
    return ", ".join(app.name for app in facts.open_applications) or str(_("names not sent"))


@dataclass(frozen=True)
class Fact:
    """One line of the detail page: a field of :data:`fields.FIELDS`, its parts, and a
    remark the console adds (the clock's gap, how long ago it arrived)."""

    key: str  # the field's key, as the CSV names it
    label: Any  # a lazy translation
    parts: tuple[fields.Part, ...]
    remark: str
    missing: Any  # what stands there without parts: "not stated", or "not proven"


def facts_shown(item: Row) -> list[Fact]:
    """The detail page's list: the fields every view shows (:func:`fields.shown`)."""
    remarks = {"confirmed_at": item.clock_note, "received_at": item.ago}
    unproven = {"received_at": _("not proven")} if not item.reading.proven else {}
    return [
        Fact(
            field.key,
            field.label,
            parts,
            remarks.get(field.key, "") if item.facts else "",
            unproven.get(field.key, _("not stated")),
        )
        for field, parts in fields.shown(item.reading)
    ]


def clock_gap(confirmed: datetime, received: datetime) -> tuple[str, str]:
    """How far the confirmation time lies from the arrival, when over :data:`CLOCK_GAP`:
    a sentence for the detail page and a few words for the queue, else ("", "").

    Not an error: customers' clocks are wrong, and an outbox may deliver weeks later."""
    if abs(confirmed - received) <= CLOCK_GAP:
        return "", ""
    if confirmed < received:
        time = timesince(confirmed, received)
        return (
            str(
                _(
                    "Confirmed %(time)s before it arrived (the customer's clock, or a "
                    "confirmation sent later)"
                )
                % {"time": time}
            ),
            str(_("confirmed %(time)s before arrival") % {"time": time}),
        )
    time = timesince(received, confirmed)
    return (
        str(
            _("Confirmed %(time)s after it arrived (the customer's clock is ahead)")
            % {"time": time}
        ),
        str(_("confirmed %(time)s after arrival") % {"time": time}),
    )


def ago(moment: datetime) -> str:
    """ "just now" under a minute, else Django's "3 minutes ago"."""
    if (timezone.now() - moment).total_seconds() < 60:
        return str(_("just now"))
    return str(_("%(time)s ago") % {"time": timesince(moment)})
