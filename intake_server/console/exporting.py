"""The console's export: confirmations of a date range as CSV, for administrators."""

from __future__ import annotations

import csv
from collections.abc import Iterator
from datetime import UTC, date, datetime, time, timedelta

from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _

from intake_server.api import export as export_module, fields, reading
from intake_server.console.models import AccessEntry
from intake_server.console.views import admin_required


class _Echo:
    """A file that hands back what is written: csv.writer into a streaming answer."""

    def write(self, text: str) -> str:
        return text


@admin_required
def export(request: HttpRequest) -> HttpResponse:
    """CSV of a date range (UTC days, as the ``export`` command reads them), streamed;
    every export is logged."""
    if request.method != "POST":
        today = timezone.now().date()
        return render(
            request, "console/export.html", {"since": today - timedelta(days=30), "until": today}
        )
    since_text, until_text = request.POST.get("since", ""), request.POST.get("until", "")
    try:
        since = datetime.combine(date.fromisoformat(since_text), time(), UTC)
        until = (
            datetime.combine(date.fromisoformat(until_text), time(), UTC)
            if until_text
            else timezone.now()
        )
    except ValueError:
        until = since = None
    if since is None or until is None or until <= since:
        error = _("Give a start day and an end day after it.")
        context = {"error": error, "since": since_text, "until": until_text}
        return render(request, "console/export.html", context, status=400)
    rows = export_module.between(since, until)
    lines = (line for row in _with_header(rows) for line in row)
    answer = StreamingHttpResponse(lines, content_type="text/csv; charset=utf-8")
    last = until.date().isoformat() if until_text else "now"
    name = f"confirmations-{since.date().isoformat()}-{last}.csv"
    answer["Content-Disposition"] = content_disposition_header(True, name)
    AccessEntry.log(
        request.user.get_username(),
        AccessEntry.EXPORT,
        detail=f"{since_text} – {until_text or 'now'}",
    )
    return answer


def _with_header(found: Iterator[reading.Reading]) -> Iterator[list[str]]:
    """The CSV text, one line per item: the header, then each confirmation."""
    writer = csv.writer(_Echo())
    yield [writer.writerow(fields.CSV_HEADER)]
    for item in found:
        yield [writer.writerow(export_module.csv_row(item))]
