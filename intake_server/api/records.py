"""Finding stored confirmations and describing them: for ``find``, exports and the console."""

from __future__ import annotations

import re
from functools import reduce
from operator import or_
from typing import Any

from django.db.models import CharField, JSONField, Q, QuerySet, TextField

from helper.consent.session_id import normalise_session_id
from helper.consent.text import printable
from intake_server.api.models import Confirmation, Damage
from intake_server.customers.models import Customer
from intake_server.folding import fold, number_key

#: What people write for Crockford base32 letters that look alike.
_CROCKFORD = str.maketrans({"O": "0", "I": "1", "L": "1"})
#: A receipt id's shape, once separators are gone: ``R`` (or nothing) and eight
#: characters of Crockford base32, whose alphabet has no U (O, I and L are read as 0, 1).
_RECEIPT = re.compile(r"R?([0-9A-TV-Z]{4})([0-9A-TV-Z]{4})")
#: What people read ids out with: spaces, dashes, dots.
_SEPARATOR = r"[\s\-‐-―.]"
#: Digits as read out (a Session ID, a customer number): no name is searched for them.
_READ_OUT_NUMBER = re.compile(rf"(?:\d|{_SEPARATOR})+")
#: How many confirmations (and how many customers of the register) a search by part of
#: a name takes at the most, the newest: a word in every name, like "GmbH", finds only
#: some.
NAME_MATCHES = 500
#: How many characters (folded) a part of a name needs: shorter parts are in too many
#: names to be of use, and a trigram index cannot find them (PostgreSQL then scans).
MIN_NAME = 3
#: Longer text finds nothing: no name is that long.
MAX_TEXT = 1000
#: The columns that hold text or JSON taken from a body.
_TEXT_FIELDS = frozenset(
    f.attname
    for f in Confirmation._meta.concrete_fields
    if isinstance(f, CharField | TextField | JSONField)
)


def receipt_id_of(text: str) -> str | None:
    """``r 7k3m q9xd``, ``7K3M-Q9XD`` or ``R-7K3M-Q9XD`` as stored, or None if it cannot
    be one."""
    compact = re.sub(_SEPARATOR, "", text.upper())
    match = _RECEIPT.fullmatch(compact)
    if not match:
        return None
    return f"R-{match[1].translate(_CROCKFORD)}-{match[2].translate(_CROCKFORD)}"


def search(text: str) -> QuerySet[Confirmation]:
    """Confirmations matching ``text`` as a person types it, newest first: a Session ID
    as read out (spaces, dashes), a receipt id (with or without its R), a customer
    number however written (:func:`~intake_server.folding.number_key`), and, unless the
    text is only digits as read out, a part of :data:`MIN_NAME` characters or more of
    a name (a company, stated or verified, or the contact) folded
    (:func:`~intake_server.folding.fold`), also of the company of a customer in the
    register, whose confirmations it finds by their number.

    Each kind is asked on its own, as an equality in an index or a capped scan of one,
    and the query combines their results: a subquery inside the OR would make
    PostgreSQL scan the whole table. A Session ID read out never waits for a name scan.
    An entry whose Session ID column was changed is found by the Session ID its body
    gives, as the last verification recorded it (:class:`Damage`).
    """
    text = text.strip()
    if not text or len(text) > MAX_TEXT:
        return Confirmation.objects.none()
    session_id = normalise_session_id(text)
    wanted = [Q(session_id=session_id), Q(seq__in=_damaged(session_id))]
    if key := number_key(text):
        wanted.append(Q(number_key=key))
    if receipt := receipt_id_of(text):
        wanted.append(Q(receipt_id=receipt))
    name = fold(printable(text))
    if len(name) >= MIN_NAME and not _READ_OUT_NUMBER.fullmatch(text):
        wanted += [Q(pk__in=_name_matches(name)), Q(number_key__in=_register_matches(name))]
    return Confirmation.objects.filter(reduce(or_, wanted)).order_by("-received_at", "-seq")


def _damaged(session_id: str) -> list[int]:
    return list(Damage.objects.filter(session_id=session_id).values_list("seq", flat=True))


def _name_matches(name: str) -> list[int]:
    """Ids of the newest confirmations with a name containing ``name`` (folded), at
    most :data:`NAME_MATCHES`. On SQLite, this scans the index of (received_at, seq,
    search_names) from its end and stops at the cap, never the table with its bodies;
    PostgreSQL uses its trigram index (migration 0005)."""
    found = Confirmation.objects.filter(search_names__contains=name)
    newest = found.order_by("-received_at", "-seq").values_list("pk", flat=True)
    return list(newest[:NAME_MATCHES])


def _register_matches(name: str) -> list[str]:
    """The number keys of customers in the register whose company contains ``name``
    (folded), at most :data:`NAME_MATCHES`; never the empty key of a number without a
    letter or digit, which every confirmation without a number has too."""
    found = Customer.objects.filter(search_name__contains=name).exclude(key="")
    return list(found.order_by().values_list("key", flat=True)[:NAME_MATCHES])


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
