"""Finding stored confirmations and describing them: for ``find``, exports and the console."""

from __future__ import annotations

import re
from typing import Any

from django.db.models import CharField, JSONField, Q, QuerySet, TextField

from helper.consent.session_id import normalise_session_id
from helper.consent.text import printable
from intake_server.api.models import Confirmation, Damage

#: What people write for Crockford base32 letters that look alike.
_CROCKFORD = str.maketrans({"O": "0", "I": "1", "L": "1"})
#: How many confirmations a search by part of a company name takes at the most.
COMPANY_MATCHES = 500
_RECEIPT = re.compile(r"R?([0-9A-Z]{4})([0-9A-Z]{4})")
#: The columns that hold text or JSON taken from a body.
_TEXT_FIELDS = frozenset(
    f.attname
    for f in Confirmation._meta.concrete_fields
    if isinstance(f, CharField | TextField | JSONField)
)


def receipt_id_of(text: str) -> str | None:
    """``r 7k3m q9xd`` or ``R-7K3M-Q9XD`` as stored, or None if it cannot be one."""
    compact = re.sub(r"[\s\-‐-―.]", "", text.upper())
    match = _RECEIPT.fullmatch(compact)
    if not match:
        return None
    return f"R-{match[1].translate(_CROCKFORD)}-{match[2].translate(_CROCKFORD)}"


def search(text: str, companies: bool = False) -> QuerySet[Confirmation]:
    """Confirmations matching ``text`` as a person types it: a Session ID as read out
    (spaces, dashes), a receipt id, a customer number, or (with ``companies``) part of a
    company name. Newest first.

    Each kind is an indexed equality; only the company search scans, and only for text
    with a letter that is no receipt id, so a Session ID read out never waits for it.
    An entry whose Session ID column was changed is found by the Session ID its body
    gives, as the last verification recorded it (:class:`Damage`).
    """
    text = text.strip()
    if not text:
        return Confirmation.objects.none()
    session_id = normalise_session_id(text)
    wanted = Q(session_id=session_id) | Q(customer_number=text)
    # Asked apart: as a subquery inside the OR, PostgreSQL would scan the whole table.
    damaged = list(Damage.objects.filter(session_id=session_id).values_list("seq", flat=True))
    if damaged:
        wanted |= Q(seq__in=damaged)
    receipt = receipt_id_of(text)
    if receipt:
        wanted |= Q(receipt_id=receipt)
    if companies and receipt is None and any(c.isalpha() for c in text):
        wanted |= Q(pk__in=list(_company_matches(text)))
    return Confirmation.objects.filter(wanted).order_by("-received_at", "-seq")


def _company_matches(text: str) -> QuerySet[Confirmation]:
    """Ids of confirmations whose company contains ``text``, at most
    :data:`COMPANY_MATCHES` (a word in every name, like "GmbH", finds only some). Asked
    on its own, so that SQLite scans only the company index (not the table with its
    bodies) and PostgreSQL uses its trigram index."""
    found = Confirmation.objects.filter(company__icontains=text).values_list("pk", flat=True)
    # No ORDER BY here: it would make SQLite walk the table instead of the index.
    return found.order_by()[:COMPANY_MATCHES]


def readable(row: Confirmation) -> Confirmation:
    """``row``, changed in place so that every text it holds is printable: each
    character the schema's rule for text forbids becomes U+FFFD (:func:`printable`).

    Since the server enforces that rule, this changes only rows stored before it: on
    SQLite one may hold a lone surrogate (in its JSON) or NUL, and any may hold control
    characters. The ledger forbids changing or deleting them, so every page and command
    that shows a row reads it through here. Only loaded columns are touched (a deferred
    one is not fetched); the body is left as received. Never save a row after this."""
    for name in _TEXT_FIELDS & row.__dict__.keys():
        setattr(row, name, printable_json(getattr(row, name)))
    return row


def printable_json(value: Any) -> Any:
    """A JSON value (or text) with every string in it, keys included, made printable."""
    if isinstance(value, str):
        return printable(value)
    if isinstance(value, list):
        return [printable_json(item) for item in value]
    if isinstance(value, dict):
        return {printable(str(k)): printable_json(v) for k, v in value.items()}
    return value
