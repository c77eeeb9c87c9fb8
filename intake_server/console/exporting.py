"""The console's export: confirmations of a range of days as CSV, for administrators.

For the people who open it: days are days in the configured time zone (``time_zone``,
as every time in the console), both ends included, the current month by default; the
file is CSV as Excel in German opens it (semicolons, UTF-8 with a byte order mark) when
the console speaks German, plain RFC 4180 (commas, UTF-8) otherwise, as Excel in English
locales opens it; the form offers both.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any

from django import forms
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import render
from django.utils import timezone, translation
from django.utils.http import content_disposition_header
from django.utils.translation import gettext_lazy as _

from intake_server.api import export as export_module
from intake_server.console.models import AccessEntry
from intake_server.console.views import admin_required

EXCEL_DE, RFC4180 = "excel-de", "rfc4180"


class ExportForm(forms.Form):
    since = forms.DateField(label=_("From (inclusive)"))
    until = forms.DateField(label=_("Until (inclusive)"), required=False)
    dialect = forms.ChoiceField(
        label=_("Format"),
        widget=forms.RadioSelect,
        required=False,  # a request without it gets the language's (:func:`defaults`)
        choices=[
            (EXCEL_DE, _("Excel (German): semicolons, UTF-8 with byte order mark")),
            (RFC4180, _("CSV (RFC 4180): commas, UTF-8")),
        ],
    )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        since, until = cleaned.get("since"), cleaned.get("until")
        if since and until and until < since:
            raise forms.ValidationError(_("The last day comes before the first."))
        return cleaned


def defaults() -> dict[str, Any]:
    """The current month up to today, in the configured zone; the dialect of the
    console's language."""
    today = timezone.localdate()
    german = translation.get_language().startswith("de")
    return {
        "since": today.replace(day=1),
        "until": today,
        "dialect": EXCEL_DE if german else RFC4180,
    }


def _start(day: date) -> datetime:
    """Midnight at the start of ``day`` in the configured zone."""
    return datetime.combine(day, time(), timezone.get_default_timezone())


@admin_required
def export(request: HttpRequest) -> HttpResponse:
    """The form (GET), or the CSV of its days, streamed (POST); every export is logged."""
    form = ExportForm(request.POST if request.method == "POST" else None, initial=defaults())
    context = {"form": form, "zone": timezone.get_default_timezone_name()}
    if not form.is_bound:
        return render(request, "console/export.html", context)
    if not form.is_valid():
        return render(request, "console/export.html", context, status=400)
    since, until, dialect = (form.cleaned_data[k] for k in ("since", "until", "dialect"))
    dialect = dialect or defaults()["dialect"]
    end = _start(until + timedelta(days=1)) if until else timezone.now()
    lines = export_module.csv_text(export_module.between(_start(since), end), dialect)
    answer = StreamingHttpResponse(lines, content_type="text/csv; charset=utf-8")
    last = until.isoformat() if until else "now"
    name = f"confirmations-{since.isoformat()}-{last}.csv"
    answer["Content-Disposition"] = content_disposition_header(True, name)
    AccessEntry.log(
        request.user.get_username(), AccessEntry.EXPORT, detail=f"{since} – {last} ({dialect})"
    )
    return answer
