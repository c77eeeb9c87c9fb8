"""A customer of intellekta: the company support works for, its sector and whether the
AV-Vertrag (the data processing agreement, Art. 28 GDPR) is signed.

Every token belongs to one (:class:`~intake_server.api.models.Token`), so a company the
console shows as verified comes from here. The register is intellekta's own data, kept
by administrators; it is not part of the ledger. What a confirmation was received for is
hashed with its entry when it arrives (the company and sector then); what the register
says now (the AV-Vertrag) is shown as the register's, not as the ledger's.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from intake_server.folding import fold, number_key


class Customer(models.Model):
    HEALTH, LEGAL, TAX, FINANCE, OTHER = "health", "legal", "tax", "finance", "other"
    SECTORS = {
        HEALTH: _("Health care"),
        LEGAL: _("Legal"),
        TAX: _("Tax advice"),
        FINANCE: _("Finance"),
        OTHER: _("Other"),
    }

    number = models.CharField(_("customer number"), max_length=64, unique=True)
    #: ``number`` as compared (:func:`number_key`): ``K-1`` and ``k1`` are one customer.
    key = models.CharField(max_length=64, unique=True, editable=False)
    company = models.CharField(_("company"), max_length=200)
    #: ``company`` as searched (:func:`fold`).
    search_name = models.CharField(max_length=200, editable=False, db_index=True, default="")
    sector = models.CharField(
        _("sector"), max_length=16, choices=list(SECTORS.items()), default=OTHER
    )
    av_signed_on = models.DateField(_("AV-Vertrag signed on"), null=True, blank=True)
    av_document = models.CharField(_("AV-Vertrag document"), max_length=300, blank=True)
    notes = models.TextField(_("notes"), blank=True, max_length=2000)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["number"]
        verbose_name = _("customer")
        verbose_name_plural = _("customers")

    def __str__(self) -> str:
        return f"{self.number} {self.company}"

    def save(self, *args: object, **kwargs: object) -> None:
        self.key = number_key(self.number)
        self.search_name = fold(self.company)[:200]
        self.updated_at = timezone.now()
        super().save(*args, **kwargs)

    @property
    def has_av(self) -> bool:
        return self.av_signed_on is not None

    @classmethod
    def find(cls, number: str) -> Customer | None:
        """The customer with this number, however it is written (case, separators)."""
        key = number_key(number)
        return cls.objects.filter(key=key).first() if key else None

    @classmethod
    def by_key(cls, numbers: Iterable[str]) -> dict[str, Customer]:
        """The customers with these numbers, however written, by :func:`number_key`:
        one query for a whole list of rows."""
        keys = {number_key(n) for n in numbers} - {""}
        return {c.key: c for c in cls.objects.filter(key__in=keys)} if keys else {}
