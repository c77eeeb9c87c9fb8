"""The access log for administrators: who opened, downloaded or exported what."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from intake_server.api import records
from intake_server.console.models import AccessEntry
from intake_server.console.views import admin_required


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
