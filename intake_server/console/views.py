"""The console's pages: plain function views, each behind sign-in."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from datetime import timedelta
from functools import wraps

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils import timezone, translation
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_GET

from intake_server.api import evidence, reading, records
from intake_server.api.models import Confirmation
from intake_server.console import present
from intake_server.console.models import AccessEntry, SessionMark

View = Callable[..., HttpResponse]
QUEUE_HOURS = 24
QUEUE_LIMIT = 100
SEARCH_LIMIT = 100
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


def record_of(receipt_id: str) -> Confirmation:
    return get_object_or_404(Confirmation.objects.select_related("token"), receipt_id=receipt_id)


@login_required
@require_GET
def detail(request: HttpRequest, receipt_id: str) -> HttpResponse:
    record = record_of(receipt_id)
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
@require_GET
def evidence_download(request: HttpRequest, receipt_id: str, kind: str) -> HttpResponse:
    """``evidence.pdf`` or ``evidence.json`` (the route knows no other kind), named after
    the stored receipt id, never after anything in the link."""
    record = record_of(receipt_id)
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
