"""The facts of one confirmation as one list: the console's detail page, the evidence (text
and PDF) and the CSV export show the same fields, in this order, worded once.

Each :class:`Field` turns a :class:`~intake_server.api.reading.Reading` into parts of
text, each marked whether the server checked it; a page renders a part with a badge, a
document or a spreadsheet cell with words (:func:`plain`). Nothing here reads a column:
only the reading's facts, which the ledger covers.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from django.conf import settings
from django.utils import dateformat
from django.utils.functional import Promise
from django.utils.translation import gettext as _, gettext_lazy, pgettext

from helper.consent.choices import Authority
from helper.consent.session_id import format_session_id
from intake_server.api.reading import Facts, Reading

AUTHORITY = {
    Authority.OWNER.value: gettext_lazy("The customer owns the computer."),
    Authority.IT_ADMIN_PERMISSION.value: gettext_lazy(
        "The computer is not the customer's; the responsible IT administration agreed."
    ),
}


@dataclass(frozen=True)
class Part:
    text: str
    #: True: checked by the server; False: as the customer stated it; None: nothing to check.
    verified: bool | None = None
    #: The time the text names, for a page that writes it in its own way (:func:`exact`).
    moment: datetime | None = None


@dataclass(frozen=True)
class Field:
    key: str  # the CSV column
    label: Promise
    parts: Callable[[Facts, Reading], tuple[Part, ...]]


#: What the abbreviations of the default zone are called in the console's languages.
ABBREVIATIONS = {"CET": gettext_lazy("CET"), "CEST": gettext_lazy("CEST")}


def zone() -> ZoneInfo:
    """The configured zone (``time_zone``): every time the console and the evidence
    show is in it. ``settings.TIME_ZONE`` is the same, so Django's ``date`` agrees."""
    return ZoneInfo(settings.CONFIG["time_zone"])


def when(moment: datetime) -> str:
    """A time in the configured zone, named, with UTC beside it, for a document read on
    its own: ``2026-12-07 20:51:18 Europe/Berlin (19:51:18 UTC)``."""
    utc = moment.astimezone(UTC)
    try:
        local = moment.astimezone(zone())
    except OverflowError:  # the last hours of the year 9999, east of UTC
        return f"{utc:%Y-%m-%d %H:%M:%S} UTC"
    same_day = local.date() == utc.date()
    utc_text = f"{utc:%H:%M:%S}" if same_day else f"{utc:%Y-%m-%d %H:%M:%S}"
    return f"{local:%Y-%m-%d %H:%M:%S} {zone().key} ({utc_text} UTC)"


def exact(moment: datetime) -> str:
    """A time in the configured zone as the current language writes it, to the second
    (``08.12.2026, 17:24:05``): for a page that names the zone once (:func:`zone_named`)."""
    try:
        local = moment.astimezone(zone())
    except OverflowError:
        return when(moment)
    return dateformat.format(local, pgettext("exact time, Django date format", "Y-m-d H:i:s"))


def machine(moment: datetime) -> str:
    """A time for ``<time datetime>``: in the configured zone with its offset, or in UTC
    for the last hours of the year 9999, which no zone east of UTC can hold."""
    try:
        return moment.astimezone(zone()).isoformat(timespec="milliseconds")
    except OverflowError:
        return moment.astimezone(UTC).isoformat(timespec="milliseconds")


def day(value: date) -> str:
    """A date as the current language writes it (``01.03.2024``; ``2024-03-01``)."""
    return dateformat.format(value, pgettext("date, Django date format", "Y-m-d"))


def zone_named(moment: datetime) -> str:
    """The zone as a page names it: ``Europe/Berlin (MEZ)``, with the abbreviation it
    has at ``moment`` (now, for a list) in the current language."""
    name = moment.astimezone(zone()).tzname() or ""
    short = str(ABBREVIATIONS.get(name, name))
    return f"{zone().key} ({short})" if short and short != zone().key else zone().key


def _one(text: str, verified: bool | None = None) -> tuple[Part, ...]:
    return (Part(text, verified),) if text else ()


def _time(moment: datetime | None) -> tuple[Part, ...]:
    return (Part(when(moment), moment=moment),) if moment else ()


def _companies(facts: Facts, _reading: Reading) -> tuple[Part, ...]:
    return tuple(Part(name, ok) for name, ok in facts.companies())


def _programs(facts: Facts, _reading: Reading) -> tuple[Part, ...]:
    if facts.confidential_apps != "kept_open":
        return (Part(_("all closed")),)
    if not facts.open_applications:
        return (Part(_("kept open on purpose (names not sent)")),)
    names = ", ".join(f"{app.name} ({app.category})" for app in facts.open_applications)
    return (Part(_("kept open on purpose: %(apps)s") % {"apps": names}),)


_NOTICE_STATUS = {
    "verified": gettext_lazy("text verified: the server holds this exact text"),
    "changed": gettext_lazy("the text the server holds was changed: it no longer has this SHA-256"),
    "unknown": gettext_lazy("unknown text: the server holds no text with this SHA-256"),
}


def _notice_check(_facts: Facts, reading: Reading) -> tuple[Part, ...]:
    return (Part(str(_NOTICE_STATUS[reading.notice_status])),)  # the words say it


def _client(facts: Facts, _reading: Reading) -> tuple[Part, ...]:
    client = facts.client
    text = (
        f"{client.get('name', '')} {client.get('version', '')}, "
        f"{client.get('platform', '')}, {client.get('os_version', '')}"
    )
    return (Part(text),)


FIELDS: tuple[Field, ...] = (
    Field("receipt_id", gettext_lazy("Receipt"), lambda f, r: _one(f.receipt_id)),
    Field(
        "session_id", gettext_lazy("Session ID"), lambda f, r: _one(format_session_id(f.session_id))
    ),
    Field("company", gettext_lazy("Company"), _companies),
    Field(
        "customer_number",
        gettext_lazy("Customer number"),
        lambda f, r: _one(f.customer_number, f.customer_verified),
    ),
    Field("contact_name", gettext_lazy("Contact"), lambda f, r: _one(f.contact_name, False)),
    Field(
        "authority",
        gettext_lazy("Authority"),
        lambda f, r: _one(str(AUTHORITY.get(f.authority, f.authority))),
    ),
    Field("confidential_programs", gettext_lazy("Confidential programs"), _programs),
    Field(
        "confirmed_at",
        gettext_lazy("Confirmed at (the customer's clock)"),
        lambda f, r: _time(f.confirmed_at),
    ),
    Field("received_at", gettext_lazy("Received at"), lambda f, r: _time(f.received_at)),
    Field(
        "notice",
        gettext_lazy("Notice"),
        lambda f, r: _one(
            _("%(id)s, version %(version)s, language %(language)s")
            % {"id": f.notice_id, "version": f.notice_version, "language": f.language}
        ),
    ),
    Field(
        "notice_sha256", gettext_lazy("SHA-256 of the notice"), lambda f, r: _one(f.notice_sha256)
    ),
    Field("notice_check", gettext_lazy("Notice text"), _notice_check),
    Field("submission_id", gettext_lazy("Submission id"), lambda f, r: _one(f.submission_id)),
    Field("helper", gettext_lazy("Helper"), _client),
)


def ledger_state(reading: Reading) -> str:
    """The ledger's verdict in a few words: a CSV cell, the end of a summary."""
    if not reading.damaged:
        return _("proven by the ledger (entry %(seq)s)") % {"seq": reading.row.seq}
    return _("DAMAGED: %(problems)s") % {"problems": "; ".join(map(str, reading.problems))}


def shown(reading: Reading) -> list[tuple[Field, tuple[Part, ...]]]:
    """Each field with its parts; none but the receipt when the facts cannot be shown."""
    facts = reading.facts
    if facts is None:
        return [(FIELDS[0], (Part(reading.row.receipt_id),))]
    return [(field, field.parts(facts, reading)) for field in FIELDS]


def plain(parts: tuple[Part, ...]) -> str:
    """Parts as one line of text, each checked or stated one marked in words."""
    marks = {True: _("verified"), False: _("as stated")}
    return "; ".join(
        part.text if part.verified is None else f"{part.text} ({marks[part.verified]})"
        for part in parts
    )


CSV_HEADER: tuple[str, ...] = (*(field.key for field in FIELDS), "ledger")


def csv_cells(reading: Reading) -> list[str]:
    """The cells of :data:`CSV_HEADER` for one confirmation (not yet made safe for a
    spreadsheet: ``export`` does that)."""
    by_key = {field.key: plain(parts) for field, parts in shown(reading)}
    return [*(by_key.get(field.key, "") for field in FIELDS), ledger_state(reading)]
