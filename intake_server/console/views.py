"""The console's pages: plain function views, each behind sign-in."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from functools import wraps
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_GET

from intake_server.api import evidence, fields, reading, records
from intake_server.api.models import Confirmation
from intake_server.console import listing, present
from intake_server.console.models import AccessEntry, SessionMark

View = Callable[..., HttpResponse]
#: How many other confirmations with the same Session ID the detail page reads.
OTHERS_READ = 20
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


def _listed(
    request: HttpRequest, found: QuerySet[Confirmation], default: str, path: str, paged: bool = True
) -> dict[str, Any]:
    """The page of a list the request asks for, its filters and the links to the pages
    beside it (on ``path``): the rows read as the ledger proves them (one query for the
    page, one for the count, three for reading, one for the register's customers)."""
    chosen = listing.filters_of(request.GET, default)
    shown = listing.page(listing.filtered(found, chosen), request.GET if paged else QueryDict())
    rows = present.rows(reading.read_all(shown.rows))
    kept = {**chosen.params(), **({"q": request.GET["q"]} if "q" in request.GET else {})}
    return {
        "rows": rows,
        "page": shown,
        "filters": chosen,
        "shared": present.shared_of(rows),
        "zone": fields.zone_named(timezone.now()),
        "newer_url": _link(path, kept, "newer", shown.newer),
        "older_url": _link(path, kept, "older", shown.older),
        "refresh_url": _refresh_url(chosen) if shown.first else "",
    }


def _link(path: str, kept: dict[str, str], way: str, key: listing.Key | None) -> str:
    return f"{path}?{urlencode({**kept, way: str(key)})}" if key else ""


def _refresh_url(chosen: listing.Filters) -> str:
    return f"{reverse('console:queue_rows')}?{urlencode(chosen.params())}"


def _queue(request: HttpRequest, paged: bool = True) -> dict[str, Any]:
    found = Confirmation.objects.all()
    return _listed(request, found, listing.DAY, reverse("console:queue"), paged)


@login_required
@require_GET
def queue(request: HttpRequest) -> HttpResponse:
    context = {**_queue(request), "windows": listing.WINDOWS, "checks": listing.CHECKS}
    return render(request, "console/queue.html", context)


@require_GET
def queue_rows(request: HttpRequest) -> HttpResponse:
    """The queue's first page alone, with its filters, fetched by the page every two
    seconds (``X-Console-Refresh``)."""
    if not request.user.is_authenticated:
        return HttpResponse(status=401)  # the page reloads and lands on sign-in
    return render(request, "console/_list.html", _queue(request, paged=False))


@login_required
@require_GET
def search(request: HttpRequest) -> HttpResponse:
    text = request.GET.get("q", "").strip()[:100]
    found = records.search(text)
    context = _listed(request, found, listing.ALL, reverse("console:search"))
    context |= {"q": text, "windows": listing.WINDOWS, "checks": listing.CHECKS}
    return render(request, "console/search.html", context)


def record_of(receipt_id: str) -> Confirmation:
    return get_object_or_404(
        Confirmation.objects.select_related("token__customer"), receipt_id=receipt_id
    )


@login_required
@require_GET
def detail(request: HttpRequest, receipt_id: str) -> HttpResponse:
    record = record_of(receipt_id)
    AccessEntry.log(request.user.get_username(), AccessEntry.VIEW, record.receipt_id)
    read = reading.read_one(record)
    row = present.row(read, present.customers_of([read]))
    candidates = list(listing.same_session(record, timezone.now())[:OTHERS_READ])
    context = {
        "row": row,
        "facts": present.facts_shown(row),
        "others": present.other_customers(read, reading.read_all(candidates)),
        "days": listing.SAME_SESSION_DAYS,
        "zone": fields.zone_named(timezone.now()),
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
