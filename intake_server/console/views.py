"""The console's pages: plain function views, each behind sign-in."""

from __future__ import annotations

import csv
import json
import re
from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime, time, timedelta
from functools import wraps

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone, translation
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from intake_server.api import evidence, export as export_module, fields, reading, records
from intake_server.api.models import Confirmation
from intake_server.console import present
from intake_server.console.models import AccessEntry, SessionMark

View = Callable[..., HttpResponse]
QUEUE_HOURS = 24
QUEUE_LIMIT = 100
SEARCH_LIMIT = 100
NOTE_CHARS = 2000
#: What a receipt id in a download's file name may hold.
SAFE_NAME = re.compile(r"[A-Z0-9-]+")


def admin_required(view: View) -> View:
    """Signed in, and an administrator; anyone else gets 403 with a sentence."""

    @login_required
    @wraps(view)
    def wrapped(request: HttpRequest, *args: object, **kwargs: object) -> HttpResponse:
        if not request.user.is_staff:
            return render(request, "console/forbidden.html", status=403)
        return view(request, *args, **kwargs)

    return wrapped


def _queue_rows() -> list[present.Row]:
    since = timezone.now() - timedelta(hours=QUEUE_HOURS)
    found = Confirmation.objects.filter(received_at__gte=since).order_by("-received_at", "-seq")
    return _rows(found, QUEUE_LIMIT)


def _rows(found: QuerySet[Confirmation], limit: int) -> list[present.Row]:
    """The first ``limit`` as rows, each read as the ledger proves it: one query for the
    rows (bodies and tokens with them), three for reading them all."""
    listed = list(found.select_related("token")[:limit])
    return [present.row(item) for item in reading.read_all(listed)]


@login_required
@require_GET
def queue(request: HttpRequest) -> HttpResponse:
    return render(request, "console/queue.html", {"rows": _queue_rows(), "hours": QUEUE_HOURS})


@require_GET
def queue_rows(request: HttpRequest) -> HttpResponse:
    """The queue's rows alone, fetched by the page every two seconds."""
    if not request.user.is_authenticated:
        return HttpResponse(status=401)  # the page reloads and lands on sign-in
    return render(request, "console/_rows.html", {"rows": _queue_rows()})


@login_required
@require_GET
def search(request: HttpRequest) -> HttpResponse:
    text = request.GET.get("q", "").strip()[:100]
    rows = _rows(records.search(text, companies=True), SEARCH_LIMIT)
    return render(request, "console/search.html", {"rows": rows, "q": text})


def _record(receipt_id: str) -> Confirmation:
    return get_object_or_404(Confirmation.objects.select_related("token"), receipt_id=receipt_id)


@login_required
@require_GET
def detail(request: HttpRequest, receipt_id: str) -> HttpResponse:
    record = _record(receipt_id)
    AccessEntry.log(request.user.get_username(), AccessEntry.VIEW, record.receipt_id)
    row = present.row(reading.read_one(record))
    context = {
        "row": row,
        "facts": present.facts_shown(row),
        "marks": record.marks.all(),
        "kinds": SessionMark,
    }
    return render(request, "console/detail.html", context)


@login_required
@require_POST
def mark(request: HttpRequest, receipt_id: str) -> HttpResponse:
    record = _record(receipt_id)
    kind = request.POST.get("kind", "")
    note = request.POST.get("note", "").strip()
    if (
        kind not in SessionMark.KINDS
        or len(note) > NOTE_CHARS
        or (kind == SessionMark.NOTE and not note)
    ):
        return HttpResponseBadRequest(
            _("A mark is started, finished or a note of up to 2000 characters.")
        )
    SessionMark.objects.create(
        confirmation=record, kind=kind, note=note, username=request.user.get_username()
    )
    return redirect("console:detail", receipt_id=record.receipt_id)


@login_required
@require_GET
def evidence_download(request: HttpRequest, receipt_id: str, kind: str) -> HttpResponse:
    """``evidence.pdf`` or ``evidence.json`` (the route knows no other kind), named after
    the stored receipt id, never after anything in the link."""
    record = _record(receipt_id)
    lang = translation.get_language()
    lang = lang if lang in dict(settings.LANGUAGES) else settings.LANGUAGE_CODE
    if kind == "pdf":
        answer = HttpResponse(evidence.evidence_pdf(record, lang), content_type="application/pdf")
        action = AccessEntry.EVIDENCE_PDF
    else:
        document = json.dumps(evidence.evidence_json(record, lang), ensure_ascii=False, indent=1)
        answer = HttpResponse(document.encode(), content_type="application/json")
        action = AccessEntry.EVIDENCE_JSON
    name = f"evidence-{record.receipt_id}" if SAFE_NAME.fullmatch(record.receipt_id) else "evidence"
    answer["Content-Disposition"] = content_disposition_header(True, f"{name}.{kind}")
    AccessEntry.log(request.user.get_username(), action, record.receipt_id)
    return answer


@admin_required
@require_GET
def access_log(request: HttpRequest) -> HttpResponse:
    entries = AccessEntry.objects.all()
    who = request.GET.get("user", "").strip()
    receipt = records.receipt_id_of(request.GET.get("receipt", "")) or ""
    if who:
        entries = entries.filter(username=who)
    if receipt:
        entries = entries.filter(receipt_id=receipt)
    return render(
        request,
        "console/access_log.html",
        {"entries": entries[:500], "who": who, "receipt": receipt},
    )


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
