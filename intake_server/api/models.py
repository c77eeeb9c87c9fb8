"""What the server keeps: confirmations (each one a ledger entry), tokens, notice texts.

A :class:`Confirmation` holds the exact body bytes the helper sent, what the server added
(``server_facts``: the token that vouched for it, whether the notice was registered), its
place in the hash chain (``seq``, ``prev_hash``, ``entry_hash``; see ``ledger.py``) and
columns copied from those for indexes and search. The copies are never what a page or
a document shows: :mod:`intake_server.api.reading` reads the hash-covered entry and names
every copy that no longer agrees with it.

:class:`Damage` and :class:`LedgerWatch` hold what the last verification found.
"""

from __future__ import annotations

import hashlib
import secrets

from django.db import models
from django.utils import timezone

from intake_server.customers.models import Customer


class Token(models.Model):
    """A customer's token for the intake API. Only its SHA-256 is stored: a copy of the
    database gives no one a secret to send with. Each belongs to a customer of the
    register, whose company and sector a confirmation sent with it is hashed with."""

    customer = models.ForeignKey(Customer, on_delete=models.PROTECT, related_name="tokens")
    #: The customer's number, as the entries sent with this token name it.
    customer_number = models.CharField(max_length=64, db_index=True)
    digest = models.CharField(max_length=64, unique=True)
    hint = models.CharField(max_length=12)  # the first characters, to tell tokens apart
    created_at = models.DateTimeField(default=timezone.now)
    revoked_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"token {self.pk} ({self.customer_number})"

    @property
    def company(self) -> str:
        """The customer's company, as the register has it now."""
        return self.customer.company

    @property
    def sector(self) -> str:
        return self.customer.sector

    @staticmethod
    def hash_of(secret: str) -> str:
        """The ``digest`` stored for ``secret``. Any text hashes (a lone surrogate,
        which UTF-8 cannot encode, as "?"): what a client sends never raises."""
        return hashlib.sha256(secret.encode("utf-8", "replace")).hexdigest()

    @classmethod
    def find(cls, secret: str) -> Token | None:
        """The token whose secret this is, unless it was revoked, with its customer."""
        found = cls.objects.select_related("customer")
        return found.filter(digest=cls.hash_of(secret), revoked_at__isnull=True).first()

    @classmethod
    def issue(cls, customer: Customer) -> tuple[Token, str]:
        """A new token for the customer, and its secret: returned only here, never
        stored, so whoever issues it must hand it on now. The ``itk_`` prefix makes
        one found in a file or a log recognisable."""
        secret = "itk_" + secrets.token_urlsafe(32)
        token = cls.objects.create(
            customer=customer,
            customer_number=customer.number,
            digest=cls.hash_of(secret),
            hint=secret[:8],
        )
        return token, secret


class NoticeText(models.Model):
    """A notice text the helper may show; a record naming its (id, version, sha256) is
    "text verified"."""

    notice_id = models.CharField(max_length=100)
    version = models.CharField(max_length=100)
    language = models.CharField(max_length=2)
    sha256 = models.CharField(max_length=64, db_index=True)
    text = models.TextField()
    source = models.CharField(max_length=500)  # "built-in" or the file it was added from
    added_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["notice_id", "version", "sha256"], name="notice_text_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.notice_id} {self.version} ({self.language})"


class Confirmation(models.Model):
    """One confirmation as received, and its ledger entry."""

    #: The entry's hash format (``ledger.py``): 1 covers the body, receipt id and time;
    #: 2 also the position and the server's facts.
    version = models.PositiveSmallIntegerField(default=1)
    seq = models.BigIntegerField(unique=True)
    prev_hash = models.CharField(max_length=64)
    entry_hash = models.CharField(max_length=64)
    receipt_id = models.CharField(max_length=16, unique=True)
    received_at = models.DateTimeField(db_index=True)
    #: The idempotency scope: the token's id, or "" without a token.
    scope = models.CharField(max_length=24, default="", blank=True)
    submission_id = models.CharField(max_length=36)
    body = models.BinaryField()
    body_sha256 = models.CharField(max_length=64)
    #: What the server added, as one line of canonical JSON inside the entry's hash
    #: (version 2; ``ledger.server_facts_text``). Empty in version 1.
    server_facts = models.TextField(default="", blank=True)
    # Copies of the body and the server's facts, for indexes and search:
    session_id = models.CharField(max_length=64, db_index=True)
    confirmed_at = models.DateTimeField()
    language = models.CharField(max_length=2)
    authority = models.CharField(max_length=32)
    confidential_apps = models.CharField(max_length=16)
    open_applications = models.JSONField(default=list)
    customer_number = models.CharField(max_length=64, blank=True, db_index=True)
    #: ``customer_number`` as compared (:func:`~intake_server.folding.number_key`): what
    #: search and the register's ``Customer.key`` match it by.
    number_key = models.CharField(max_length=64, blank=True, default="", db_index=True)
    company = models.CharField(max_length=300, blank=True)
    contact_name = models.CharField(max_length=200, blank=True)
    #: The companies (stated and the token's) and the contact name, folded, kept apart
    #: (:func:`~intake_server.folding.names`): what search finds a part of a name in.
    #: Its indexes depend on the database (migration 0005).
    search_names = models.TextField(blank=True, default="")
    notice_id = models.CharField(max_length=100)
    notice_version = models.CharField(max_length=100)
    notice_sha256 = models.CharField(max_length=64)
    client = models.JSONField(default=dict)
    token = models.ForeignKey(Token, null=True, blank=True, on_delete=models.PROTECT)
    customer_verified = models.BooleanField(default=False)
    notice_verified = models.BooleanField(default=False)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["scope", "submission_id"], name="submission_once")
        ]

    def __str__(self) -> str:
        return f"{self.receipt_id} ({self.session_id})"


class ChainHead(models.Model):
    """The newest ledger entry; one row. Appends lock it, so the chain stays linear."""

    seq = models.BigIntegerField(default=0)
    entry_hash = models.CharField(max_length=64)


class Checkpoint(models.Model):
    """Where the chain starts after a purge: the last purged entry's seq and hash."""

    seq = models.BigIntegerField()
    entry_hash = models.CharField(max_length=64)
    purged = models.BigIntegerField()  # how many entries that purge removed
    created_at = models.DateTimeField(default=timezone.now)


class LedgerWatch(models.Model):
    """How far the ledger has been verified, and when; one row (``verify`` writes it)."""

    #: The last entry verified and its hash: the next incremental run starts there.
    seq = models.BigIntegerField(default=0)
    entry_hash = models.CharField(max_length=64, default="")
    checked_at = models.DateTimeField(null=True)
    full_at = models.DateTimeField(null=True)  # the last run over the whole chain


class Damage(models.Model):
    """An entry (or a run of missing entries) the last verification found damaged."""

    seq = models.BigIntegerField(db_index=True)
    receipt_id = models.CharField(max_length=16, blank=True)
    #: The Session ID the hash-covered body gives, so a search by it finds the entry
    #: even when its column was changed; "" when the body itself cannot be trusted.
    session_id = models.CharField(max_length=64, blank=True, db_index=True)
    entries = models.PositiveIntegerField(default=1)  # more for a run of missing ones
    what = models.TextField()
    found_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["seq"]
