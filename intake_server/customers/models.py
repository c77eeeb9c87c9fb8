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

    #: The register's own facts, in the order the CSV import's header names them.
    FACTS = ("number", "company", "sector", "av_signed_on", "av_document", "notes")

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
        self.derive()
        super().save(*args, **kwargs)

    def derive(self) -> None:
        """Set what follows from the facts (``key``, ``search_name``) and the time of the
        change: :meth:`save` does, and so must whoever writes without it (a bulk import)."""
        self.key = number_key(self.number)
        self.search_name = fold(self.company)[:200]
        self.updated_at = timezone.now()

    def facts(self) -> dict[str, object]:
        """The register's facts about this customer (:attr:`FACTS`), as they are compared
        and listed."""
        return {name: getattr(self, name) for name in self.FACTS}

    def as_dict(self) -> dict[str, object]:
        """The facts as JSON has them (``customer list --json``): the date in ISO form."""
        signed = self.av_signed_on.isoformat() if self.av_signed_on else None
        return {**self.facts(), "av_signed_on": signed, "has_av": self.has_av}

    @property
    def has_av(self) -> bool:
        return self.av_signed_on is not None

    @classmethod
    def find(cls, number: str) -> Customer | None:
        """The customer with this number, however it is written (case, separators)."""
        key = number_key(number)
        return cls.objects.filter(key=key).first() if key else None

    @classmethod
    def matching(cls, text: str) -> models.QuerySet[Customer]:
        """The customers whose number starts with ``text`` (case and separators do not
        count: ``k-1`` finds ``K1``) or whose company holds it (folded: ``Mueller`` finds
        ``Müller``); all of them for an empty text."""
        key, name = number_key(text), fold(text)
        if not (key or name):
            return cls.objects.all()
        by_number = models.Q(key__startswith=key) if key else models.Q(pk__in=[])
        return cls.objects.filter(by_number | models.Q(search_name__contains=name))

    @classmethod
    def by_key(cls, numbers: Iterable[str]) -> dict[str, Customer]:
        """The customers with these numbers, however written, by :func:`number_key`:
        one query for a whole list of rows."""
        keys = {number_key(n) for n in numbers} - {""}
        return {c.key: c for c in cls.objects.filter(key__in=keys)} if keys else {}
