"""What staff add to a confirmation (session marks and notes) and who looked at what."""

from __future__ import annotations

from datetime import timedelta

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from intake_server.api.models import Confirmation


class SessionMark(models.Model):
    """ "Session started", "Session finished" or a note, with who and when."""

    STARTED, FINISHED, NOTE = "started", "finished", "note"
    KINDS = {STARTED: _("Session started"), FINISHED: _("Session finished"), NOTE: _("Note")}

    confirmation = models.ForeignKey(Confirmation, on_delete=models.CASCADE, related_name="marks")
    kind = models.CharField(max_length=16, choices=list(KINDS.items()))
    note = models.TextField(blank=True, max_length=2000)
    username = models.CharField(max_length=150)
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["at", "pk"]


class AccessEntry(models.Model):
    """What a user did with a record (opened it, marked it, downloaded its evidence) or
    the data (exported it): accountability. A visit is one entry: opening the same record
    again within :data:`VISIT` of the user's last opening of it, with no other record
    opened in between, adds none (the page reloads after every mark)."""

    VIEW, EVIDENCE_PDF, EVIDENCE_JSON, EXPORT = "view", "evidence_pdf", "evidence_json", "export"
    STARTED, FINISHED, NOTE = "session_started", "session_finished", "note_saved"
    ACTIONS = {
        VIEW: _("Opened the record"),
        STARTED: _("Session started"),
        FINISHED: _("Session finished"),
        NOTE: _("Note saved"),
        EVIDENCE_PDF: _("Downloaded the evidence (PDF)"),
        EVIDENCE_JSON: _("Downloaded the evidence (JSON)"),
        EXPORT: _("Exported records"),
    }
    #: The entry each kind of :class:`SessionMark` logs.
    FOR_MARK = {
        SessionMark.STARTED: STARTED,
        SessionMark.FINISHED: FINISHED,
        SessionMark.NOTE: NOTE,
    }
    VISIT = timedelta(minutes=10)

    username = models.CharField(max_length=150, db_index=True)
    action = models.CharField(max_length=20, choices=list(ACTIONS.items()))
    receipt_id = models.CharField(max_length=16, blank=True, db_index=True)
    detail = models.CharField(max_length=200, blank=True)
    at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        ordering = ["-at", "-pk"]
        verbose_name_plural = "access entries"

    @classmethod
    def log(cls, username: str, action: str, receipt_id: str = "", detail: str = "") -> None:
        if action == cls.VIEW and cls._visiting(username, receipt_id):
            return
        cls.objects.create(
            username=username, action=action, receipt_id=receipt_id, detail=detail[:200]
        )

    @classmethod
    def _visiting(cls, username: str, receipt_id: str) -> bool:
        """Whether the user's last opening of a record was of this one, within the visit."""
        last = cls.objects.filter(username=username, action=cls.VIEW).first()
        return (
            last is not None
            and last.receipt_id == receipt_id
            and last.at >= timezone.now() - cls.VISIT
        )
