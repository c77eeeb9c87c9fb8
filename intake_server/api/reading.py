"""The one reading of a stored confirmation: every fact shown or exported comes from here.

A row's columns are copies, made for indexes and search, and anyone with the database
file can change them. So :func:`read` takes the facts from what the ledger covers (the
body as received and, in entry format 2, the server's facts; see ``ledger.py``), checks
that the entry's hash follows from them and that the chain refers to that hash, and then
compares every column with what it should hold. A :class:`Reading` carries the facts and
every :class:`Problem` found; a page, a command or a document shows the facts only as
the reading gives them, and shows the problems as damage.

Whether the entry is *proven* decides what the facts are worth:

- proven (its hash follows from its content, and the next entry or the chain head refers
  to it): the facts hold, whatever the columns say;
- not proven, but the body still has the SHA-256 stored with it: the facts are what the
  body says, shown as not proven, without what the row adds to it (the receipt time,
  the token), which is then only a column's word;
- not proven, and the body's SHA-256 differs: the body itself was changed, and no fact
  is shown.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from helper.consent.record import OpenApplication
from helper.consent.text import printable
from intake_server.api import intake, ledger
from intake_server.api.models import ChainHead, Confirmation, NoticeText
from intake_server.api.records import printable_json, readable

#: How many characters of a stored value a problem quotes.
QUOTED_CHARS = 60


@dataclass(frozen=True)
class Problem:
    """One thing about an entry that does not hold, in words for people.

    ``message`` is translated when shown (the console and the evidence in their
    language, the command line in English)."""

    code: str
    message: Promise
    params: tuple[tuple[str, str | Promise], ...] = ()

    def __str__(self) -> str:
        return str(self.message) % {name: str(value) for name, value in self.params}


def _problem(code: str, message: Promise, **params: object) -> Problem:
    return Problem(code, message, tuple((k, _quoted(v)) for k, v in params.items()))


def _quoted(value: object) -> str | Promise:
    """A stored value for a sentence: printable, shortened; nothing at all as "(empty)",
    in the language it is shown in."""
    if value is None or value == "":
        return _("(empty)")
    text = printable(value if isinstance(value, str) else json.dumps(value, default=str))
    return text if len(text) <= QUOTED_CHARS else text[: QUOTED_CHARS - 1] + "…"


CHANGED = _("its content was changed: its hash no longer follows from what is stored")
BODY_CHANGED = _("its body was changed after it was received (its SHA-256 differs)")
HASH_CHANGED = _("its stored hash was changed (the chain still proves its content)")
UNLINKED = _("the entry after it does not refer to it (it was replaced, or the next one changed)")
UNANCHORED = _("nothing confirms its hash: the entry after it is missing")
AFTER_HEAD = _("it lies after the chain head (inserted)")
UNREADABLE = _("its body is no longer a confirmation")
UNKNOWN_FORMAT = _("its entry format %(version)s is unknown")
FACTS_UNREADABLE = _("the server's facts stored with it cannot be read")
COLUMN = _("the column %(column)s says %(stored)s, the entry says %(expected)s")


@dataclass(frozen=True)
class Vouched:
    """The token that vouched for the customer, as the entry's hash covers it."""

    id: int
    customer_number: str
    company: str
    #: The customer's sector in the register then; "" in entries from before it.
    sector: str = ""


@dataclass(frozen=True)
class Facts:
    """What a confirmation says, as its ledger entry gives it (text made printable)."""

    seq: int
    receipt_id: str
    #: None when the chain does not prove the entry: then the time is only a column's.
    received_at: datetime | None
    submission_id: str
    session_id: str
    confirmed_at: datetime  # in UTC; ``confirmed_at_text`` as the helper wrote it
    confirmed_at_text: str
    language: str
    authority: str
    confidential_apps: str  # "closed" or "kept_open"
    open_applications: tuple[OpenApplication, ...]
    stated_number: str
    stated_company: str
    contact_name: str
    notice_id: str
    notice_version: str
    notice_sha256: str
    client: dict[str, str]
    #: None: no token, entry format 1, which does not cover it (``covers_server``), or an
    #: entry the chain does not prove (then the token is only a column's word).
    token: Vouched | None
    #: Whether the notice text was registered when the confirmation arrived; None in
    #: format 1, which does not cover it.
    notice_registered: bool | None
    covers_server: bool  # format 2: the token and notice_registered are in the hash

    @property
    def customer_number(self) -> str:
        """The number the token vouches for, else the one stated."""
        return self.token.customer_number if self.token else self.stated_number

    @property
    def customer_verified(self) -> bool:
        return self.token is not None

    def companies(self) -> list[tuple[str, bool]]:
        """The company as (name, verified): the one the token's customer has on the
        server, then the one the record states if it differs (that one is as stated)."""
        known = self.token.company if self.token else ""
        claims = [(known, True)] if known else []
        if self.stated_company and self.stated_company != known:
            claims.append((self.stated_company, False))
        return claims


@dataclass(frozen=True)
class Reading:
    """A stored confirmation as the ledger proves it."""

    row: Confirmation  # for its key (``receipt_id``) and the raw entry, never for facts
    facts: Facts | None  # None: nothing about it can be shown as a fact
    problems: tuple[Problem, ...]
    proven: bool  # the entry's hash follows from it and the chain refers to that hash
    #: "verified" (the server holds the text, and it has the confirmed SHA-256),
    #: "changed" (the stored text no longer has it) or "unknown".
    notice_status: str
    notice_text: str | None  # the confirmed text: only when "verified"

    @property
    def damaged(self) -> bool:
        return bool(self.problems)

    @property
    def body_text(self) -> str:
        """The bytes received, as text, each character the schema forbids made visible."""
        return printable(bytes(self.row.body).decode("utf-8", "replace"))


#: What an entry's hash is confirmed by: the next entry's ``prev_hash`` or the chain
#: head's hash; None when nothing refers to it (the next entry is missing); AFTER when
#: it lies after the chain head.
AFTER = "after-head"


def read(row: Confirmation, anchor: str | None, notice: NoticeText | None) -> Reading:
    """Read ``row`` (all its columns loaded, ``token`` with it) against ``anchor`` and the
    notice text it names (:func:`read_all` finds both)."""
    readable(row)
    if row.version not in ledger.VERSIONS:
        problem = _problem("format", UNKNOWN_FORMAT, version=row.version)
        return Reading(row, None, (problem,), False, "unknown", None)
    body = bytes(row.body)
    body_intact = hashlib.sha256(body).hexdigest() == row.body_sha256
    proven, problems = _proof(row, anchor)
    if not proven and not body_intact:
        problems.append(_problem("body_changed", BODY_CHANGED))
    facts, document = _facts(row, body, problems)
    if facts is not None and not proven and not body_intact:
        facts = None  # the body itself is what changed: nothing in it is a fact
    if facts is not None:
        problems += _columns_against(row, facts, document, body)
        if not proven:  # what the row adds to the body is then only a column's word
            facts = replace(facts, received_at=None, token=None, notice_registered=None)
    status, text = _notice_status(facts, notice)
    return Reading(row, facts, tuple(problems), proven, status, text)


def _proof(row: Confirmation, anchor: str | None) -> tuple[bool, list[Problem]]:
    """Whether the entry is proven (its hash follows from its content, and ``anchor``
    refers to that hash; with no anchor, the stored hash stands in for it, and the entry
    is named unanchored), and what does not hold about its hash and its place."""
    problems: list[Problem] = []
    recomputed = ledger.entry_hash(row)
    if anchor == AFTER:
        problems.append(_problem("after_head", AFTER_HEAD))
        proven = False
    elif anchor is None:
        problems.append(_problem("unanchored", UNANCHORED))
        proven = recomputed == row.entry_hash
    else:
        proven = recomputed == anchor
        if proven and row.entry_hash != recomputed:
            problems.append(_problem("hash_changed", HASH_CHANGED))
        elif not proven and row.entry_hash == recomputed:
            problems.append(_problem("unlinked", UNLINKED))
    if not proven and row.entry_hash != recomputed:
        problems.append(_problem("changed", CHANGED))
    return proven, problems


def read_all(rows: Sequence[Confirmation]) -> list[Reading]:
    """Each row read against the chain and the notice texts: three queries for them all."""
    anchors = _anchors([row.seq for row in rows])
    texts = _notices(rows)
    return [
        read(
            row, anchors[row.seq], texts.get((row.notice_id, row.notice_version, row.notice_sha256))
        )
        for row in rows
    ]


def read_one(row: Confirmation) -> Reading:
    return read_all([row])[0]


def _anchors(seqs: Iterable[int]) -> dict[int, str | None]:
    """For each seq, the hash the chain confirms it by (see :data:`AFTER`). The head is
    read first: an append commits its entry and the head together, so an entry is
    never mistaken for the last while the one after it is being stored."""
    wanted = set(seqs)
    head = ChainHead.objects.filter(pk=1).values_list("seq", "entry_hash").first() or (0, "")
    following = dict(
        Confirmation.objects.filter(seq__in=[seq + 1 for seq in wanted]).values_list(
            "seq", "prev_hash"
        )
    )
    anchors: dict[int, str | None] = {}
    for seq in wanted:
        if seq + 1 in following:
            anchors[seq] = following[seq + 1]
        elif seq == head[0]:
            anchors[seq] = head[1]
        else:
            anchors[seq] = AFTER if seq > head[0] else None
    return anchors


def _notices(rows: Iterable[Confirmation]) -> dict[tuple[str, str, str], NoticeText]:
    keys = {(row.notice_id, row.notice_version, row.notice_sha256) for row in rows}
    shas = {sha for _id, _version, sha in keys}
    found = NoticeText.objects.filter(sha256__in=shas)
    return {
        key: text for text in found if (key := (text.notice_id, text.version, text.sha256)) in keys
    }


def _notice_status(facts: Facts | None, notice: NoticeText | None) -> tuple[str, str | None]:
    """Recomputed now, from first principles: a text the server holds whose SHA-256 is
    the one confirmed (the notice's ids come from the proven facts, never the columns)."""
    if facts is None or notice is None:
        return "unknown", None
    if (notice.notice_id, notice.version, notice.sha256) != (
        facts.notice_id,
        facts.notice_version,
        facts.notice_sha256,
    ):
        return "unknown", None
    if hashlib.sha256(notice.text.encode()).hexdigest() != facts.notice_sha256:
        return "changed", None
    return "verified", notice.text


def _facts(
    row: Confirmation, body: bytes, problems: list[Problem]
) -> tuple[Facts | None, dict[str, Any]]:
    """The facts and the body they come from (parsed once: the queue reads a hundred)."""
    try:
        document = printable_json(json.loads(body))
        server = _server_facts(row)
    except (ValueError, RecursionError):
        problems.append(_problem("unreadable", UNREADABLE))
        return None, {}
    except _BadServerFacts:
        problems.append(_problem("server_facts", FACTS_UNREADABLE))
        return None, {}
    try:
        return _from_document(row, document, *server), document
    except (KeyError, TypeError, AttributeError, ValueError, OverflowError):
        problems.append(_problem("unreadable", UNREADABLE))
        return None, {}


class _BadServerFacts(Exception):
    pass


def _server_facts(row: Confirmation) -> tuple[Vouched | None, bool | None, bool]:
    """``(token, notice_registered, covered)`` as the entry's hash covers them."""
    if row.version == 1:
        return None, None, False
    try:
        facts = json.loads(row.server_facts)
        token = facts["token"]
        vouched = (
            None
            if token is None
            else Vouched(
                int(token["id"]),
                printable(token["customer_number"]),
                printable(token["company"]),
                printable(token.get("sector", "")),
            )
        )
        registered = facts["notice_verified"]
        if not isinstance(registered, bool):
            raise TypeError(registered)
    except (ValueError, KeyError, TypeError):
        raise _BadServerFacts from None
    return vouched, registered, True


def _from_document(
    row: Confirmation,
    document: dict[str, Any],
    token: Vouched | None,
    registered: bool | None,
    covered: bool,
) -> Facts:
    customer, notice = document["customer"], document["notice"]
    confirmations, client = document["confirmations"], document["client"]
    apps = tuple(
        OpenApplication(str(a["id"]), str(a["name"]), str(a.get("category", "")))
        for a in document.get("open_applications", [])
    )
    return Facts(
        seq=row.seq,
        receipt_id=row.receipt_id,
        received_at=row.received_at,
        submission_id=str(document["submission_id"]),
        session_id=str(document["session_id"]),
        confirmed_at=intake.confirmed_time(document["confirmed_at"]),
        confirmed_at_text=str(document["confirmed_at"]),
        language=str(document["language"]),
        authority=str(confirmations["authority"]),
        confidential_apps=str(confirmations["confidential_apps"]),
        open_applications=apps,
        stated_number=str(customer.get("number", "")),
        stated_company=str(customer.get("company", "")),
        contact_name=str(customer.get("contact_name", "")),
        notice_id=str(notice["id"]),
        notice_version=str(notice["version"]),
        notice_sha256=str(notice["sha256"]),
        client={str(k): str(v) for k, v in client.items()},
        token=token,
        notice_registered=registered,
        covers_server=covered,
    )


def _columns_against(
    row: Confirmation, facts: Facts, document: dict[str, Any], body: bytes
) -> list[Problem]:
    """Every column that no longer says what the entry says. In format 1, what the hash
    does not cover (the token, the flags) is at least checked against itself."""
    if facts.covers_server:
        token, token_id = facts.token, facts.token.id if facts.token else None
        expected: dict[str, Any] = {"notice_verified": facts.notice_registered}
    else:
        token, token_id, expected = row.token, row.token_id, {"server_facts": ""}
    expected.update(intake.derived_fields(document, token))
    expected.update(
        token_id=token_id,
        scope=str(token_id) if token_id is not None else "",
        customer_verified=token_id is not None,
        body_sha256=hashlib.sha256(body).hexdigest(),
    )
    return [
        _problem("column", COLUMN, column=name, stored=getattr(row, name), expected=value)
        for name, value in expected.items()
        if getattr(row, name) != value
    ]


def summary(reading: Reading) -> dict[str, Any]:
    """The documented JSON form of one stored confirmation (``find --json``, the JSON
    Lines export, the evidence's ``intellekta`` part): the facts as the ledger gives
    them, and ``ledger`` saying whether it proves them."""
    state = {
        "seq": reading.row.seq,
        "proven": reading.proven,
        "damaged": reading.damaged,
        "problems": [str(problem) for problem in reading.problems],
    }
    facts = reading.facts
    if facts is None:
        return {"receipt_id": reading.row.receipt_id, "facts": None, "ledger": state}
    customer = {
        "number": facts.customer_number,
        "company": facts.stated_company,
        "contact_name": facts.contact_name,
    }
    return {
        "receipt_id": facts.receipt_id,
        "submission_id": facts.submission_id,
        "session_id": facts.session_id,
        "received_at": ledger.rfc3339(facts.received_at) if facts.received_at else None,
        "confirmed_at": ledger.rfc3339(facts.confirmed_at),
        "customer": {k: v for k, v in customer.items() if v},
        "customer_verified": facts.customer_verified,
        "verified_company": (facts.token.company or None) if facts.token else None,
        "token_id": facts.token.id if facts.token else None,
        "authority": facts.authority,
        "confidential_apps": facts.confidential_apps,
        "open_applications": [
            {"name": a.name, "category": a.category} for a in facts.open_applications
        ],
        "notice": {
            "id": facts.notice_id,
            "version": facts.notice_version,
            "sha256": facts.notice_sha256,
            "status": reading.notice_status,
            "registered_at_receipt": facts.notice_registered,
        },
        "client": facts.client,
        "ledger": state,
    }
