"""A stored confirmation in the words a support employee reads: no UI framework here."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any
from urllib.parse import quote

from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from django.utils.timesince import timesince
from django.utils.translation import gettext_lazy as _

from helper.consent import Authority, format_session_id
from intake_server.api.models import Confirmation

AUTHORITY = {
    Authority.OWNER.value: _("Owner"),
    Authority.IT_ADMIN_PERMISSION.value: _("IT administration agreed"),
}
#: The columns the queue and search pages need (never the body).
LIST_FIELDS = ("seq", "receipt_id", "received_at", "session_id", "customer_number", "company",
               "contact_name", "customer_verified", "authority", "confidential_apps",
               "open_applications", "notice_verified")  # fmt: skip


@dataclass(frozen=True)
class Row:
    """Everything a row shows, worked out here once: the queue renders a hundred."""

    record: Confirmation
    url: str
    session_id: str  # grouped for reading: 1 234 567 890
    customer: str
    authority: Any  # a lazy translation
    kept_open: str  # names of the confidential programs still open, or ""
    received_iso: str
    ago: str

    @property
    def connect_url(self) -> str:
        template = settings.CONFIG["console_connect_url_template"]
        return template.replace("{session_id}", quote(self.record.session_id)) if template else ""


def row(record: Confirmation) -> Row:
    customer = " · ".join(p for p in (record.company, record.customer_number) if p)
    names = [str(app.get("name", "")) for app in record.open_applications if isinstance(app, dict)]
    return Row(
        record=record,
        url=reverse("console:detail", args=[record.receipt_id]),
        session_id=format_session_id(record.session_id),
        customer=customer or str(_("not stated")),
        authority=AUTHORITY.get(record.authority, record.authority),
        kept_open=", ".join(names),
        received_iso=record.received_at.isoformat(),
        ago=ago(record.received_at),
    )


def ago(moment: datetime) -> str:
    """ "just now" under a minute, else Django's "3 minutes ago"."""
    if (timezone.now() - moment).total_seconds() < 60:
        return str(_("just now"))
    return str(_("%(time)s ago") % {"time": timesince(moment)})
