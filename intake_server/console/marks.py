"""Marks and notes staff add to a confirmation: session started, finished, a note."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from intake_server.console.models import SessionMark
from intake_server.console.views import record_of

NOTE_CHARS = 2000


@login_required
@require_POST
def mark(request: HttpRequest, receipt_id: str) -> HttpResponse:
    record = record_of(receipt_id)
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
