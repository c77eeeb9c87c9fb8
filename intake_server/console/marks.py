"""Marks and notes staff add to a confirmation: session started, finished, a note.

A note sent after the idle timeout signed its writer out is not lost. It is kept in the
(now anonymous) session with the name of the user whose session ended
(:data:`.middleware.IDLE_USER`), and the browser is sent to sign in with the record's
page as the way back. When that same user signs in, the note is saved in their name and
the page says so; when someone else signs in at that browser, the note is not saved in
their name, but offered in the note field of its record, unsaved, until a note is saved
there or the session ends.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from intake_server.api.models import Confirmation
from intake_server.console.middleware import IDLE_USER
from intake_server.console.models import AccessEntry, SessionMark
from intake_server.console.views import record_of

NOTE_CHARS = 2000
#: In the session: a note that arrived after its writer was signed out.
KEPT_NOTE = "console_kept_note"
#: The tag of the message that a note was saved, which also tells console.js to forget
#: the copy it kept in the page.
NOTE_SAVED = "note-saved"


@require_http_methods(["GET", "POST"])
def mark(request: HttpRequest, receipt_id: str) -> HttpResponse:
    """Save a mark. A GET (this address as the way back from signing in) goes to the
    record's page; a note from someone signed out meanwhile is kept for later."""
    page = reverse("console:detail", args=[receipt_id])
    if request.method == "GET":
        return redirect(page)
    if not request.user.is_authenticated:
        _keep_note(request, receipt_id)
        return redirect_to_login(page)
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
    save(record, kind, note, request.user.get_username())
    if kind == SessionMark.NOTE:
        request.session.pop(KEPT_NOTE, None)
        messages.success(request, _("The note was saved."), extra_tags=NOTE_SAVED)
    return redirect(page)


def save(record: Confirmation, kind: str, note: str, username: str) -> None:
    """The mark, and the access log's entry for it."""
    SessionMark.objects.create(confirmation=record, kind=kind, note=note, username=username)
    AccessEntry.log(username, AccessEntry.FOR_MARK[kind], record.receipt_id)


def _keep_note(request: HttpRequest, receipt_id: str) -> None:
    note = request.POST.get("note", "").strip()
    if request.POST.get("kind") == SessionMark.NOTE and note and len(note) <= NOTE_CHARS:
        by = request.session.get(IDLE_USER, "")
        request.session[KEPT_NOTE] = {"receipt_id": receipt_id, "note": note, "by": by}


def save_kept_note(sender: Any, request: HttpRequest, user: Any, **kwargs: Any) -> None:
    """``user_logged_in``: the note kept when its writer was signed out is saved now if
    the same user signed in again (and its record still exists); else it stays offered."""
    kept = request.session.get(KEPT_NOTE)
    if not kept or kept["by"] != user.get_username():
        return
    record = Confirmation.objects.filter(receipt_id=kept["receipt_id"]).first()
    if record is not None:
        save(record, SessionMark.NOTE, kept["note"], user.get_username())
        message = _("Your note, sent after you were signed out, was saved.")
        messages.success(request, message, extra_tags=NOTE_SAVED)
    del request.session[KEPT_NOTE]
