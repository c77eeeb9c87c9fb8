"""What staff add to a confirmation (session marks and notes) and who looked at what."""

from __future__ import annotations

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
    """One record opened, evidence downloaded or data exported: accountability."""

    VIEW, EVIDENCE_PDF, EVIDENCE_JSON, EXPORT = "view", "evidence_pdf", "evidence_json", "export"
    ACTIONS = {
        VIEW: _("Opened the record"),
        EVIDENCE_PDF: _("Downloaded the evidence (PDF)"),
        EVIDENCE_JSON: _("Downloaded the evidence (JSON)"),
        EXPORT: _("Exported records"),
    }

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
        cls.objects.create(
            username=username, action=action, receipt_id=receipt_id, detail=detail[:200]
        )
