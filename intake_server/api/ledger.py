"""The tamper-evident ledger: every accepted confirmation is one entry of a hash chain.

An entry's hash (format 2, every entry stored since it exists) is::

    SHA-256( "intellekta-ledger-entry/2\n" + seq + "\n" + prev_hash + "\n" + receipt_id
             + "\n" + received_at + "\n" + server_facts + "\n" + body )

over UTF-8, where ``body`` is the exact bytes received, ``received_at`` the RFC 3339 text
of :func:`rfc3339` (the one the helper was given) and ``server_facts`` one line of
canonical JSON with what the server added (:func:`server_facts_text`: the token that
vouched for the customer, with its number and company then, and whether the notice text
was registered). So nothing a page or a document states about a confirmation lies
outside the hash, except what can be recomputed from it (the body's SHA-256, the columns
copied for search). Format 1, of entries stored before, covers ``prev_hash``,
``receipt_id``, ``received_at`` and ``body`` only; such entries still verify, and what
format 1 does not cover is shown as not proven (:mod:`intake_server.api.reading`).

The first entry's ``prev_hash`` is 64 zeros, or after a purge the :class:`Checkpoint`'s
hash. Anyone can recompute an entry's hash with ``sha256sum``; ``intellekta-intake
verify`` does so for every entry (:mod:`intake_server.api.verification`).

Appends lock the :class:`ChainHead` row (``SELECT ... FOR UPDATE`` on PostgreSQL; SQLite
takes its write lock when the transaction begins), so the chain stays linear with any
number of server processes, and a submission looked up under that lock cannot be stored
twice. Confirmations that arrive while the head is held are appended together, in one
transaction (:class:`_GroupCommit`).
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import secrets
import threading
from collections.abc import Callable, Iterator
from concurrent.futures import Future
from dataclasses import dataclass, field
from datetime import UTC, datetime

from django.db import IntegrityError, connection, transaction

from intake_server.api.models import ChainHead, Confirmation, Token
from intake_server.faults import is_fault

try:
    import fcntl
except ImportError:  # Windows: SQLite's busy handler alone
    fcntl = None  # type: ignore[assignment]

GENESIS = "0" * 64
#: The hash format of new entries (the module's docstring); 1 is still verified.
ENTRY_VERSION = 2
VERSIONS = (1, 2)
_FORMAT_2 = "intellekta-ledger-entry/2"
#: Crockford's base32 without the letters that read like digits (I, L, O) and U.
_RECEIPT_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"


def rfc3339(moment: datetime) -> str:
    """The one text form of a time in the ledger: UTC, milliseconds, ``Z``."""
    return moment.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def now() -> datetime:
    """The current time, cut to what :func:`rfc3339` keeps, so it reads back equal."""
    moment = datetime.now(UTC)
    return moment.replace(microsecond=moment.microsecond // 1000 * 1000)


def server_facts_text(token: Token | None, notice_verified: bool) -> str:
    """What the server adds to a confirmation, as the one line of canonical JSON that
    format 2 hashes: sorted keys, no spaces, ASCII (``\\u`` escapes), so that it reads the
    same everywhere and cannot break the line it stands on."""
    vouched = None
    if token is not None:
        vouched = {
            "id": token.pk,
            "customer_number": token.customer_number,
            "company": token.company,
            "sector": token.sector,
        }
    facts = {"notice_verified": notice_verified, "token": vouched}
    return json.dumps(facts, sort_keys=True, separators=(",", ":"), ensure_ascii=True)


def entry_head(row: Confirmation) -> bytes:
    """What precedes the body in the text an entry's hash is taken over."""
    received = rfc3339(row.received_at)
    if row.version == 1:
        return f"{row.prev_hash}\n{row.receipt_id}\n{received}\n".encode()
    return (
        f"{_FORMAT_2}\n{row.seq}\n{row.prev_hash}\n{row.receipt_id}\n{received}\n"
        f"{row.server_facts}\n"
    ).encode()


def entry_hash(row: Confirmation) -> str:
    """The hash ``row``'s entry has, recomputed from what it holds (its ``version``)."""
    return hashlib.sha256(entry_head(row) + bytes(row.body)).hexdigest()


def new_receipt_id() -> str:
    """``R-XXXX-XXXX``: 40 random bits, easy to read out on the phone."""
    chars = "".join(secrets.choice(_RECEIPT_ALPHABET) for _ in range(8))
    return f"R-{chars[:4]}-{chars[4:]}"


def locked_head() -> ChainHead:
    """The chain head, locked until the transaction ends; made on the first append."""
    head = ChainHead.objects.select_for_update().filter(pk=1).first()
    if head is None:
        ChainHead.objects.get_or_create(pk=1, defaults={"seq": 0, "entry_hash": GENESIS})
        head = ChainHead.objects.select_for_update().get(pk=1)
    return head


def _locked_head_row() -> tuple[int, str]:
    """``(seq, entry_hash)`` of the chain head, locked until the transaction ends."""
    sql = f"SELECT seq, entry_hash FROM {ChainHead._meta.db_table} WHERE id = 1"
    if connection.vendor == "postgresql":
        sql += " FOR UPDATE"  # SQLite holds its write lock since BEGIN IMMEDIATE
    with connection.cursor() as cursor:
        cursor.execute(sql)
        found = cursor.fetchone()
    if found is None:
        head = locked_head()
        return head.seq, head.entry_hash
    return int(found[0]), str(found[1])


_RECEIPT_ATTEMPTS = 5
#: At most this many confirmations are stored in one transaction.
MAX_BATCH = 64


#: What storing one confirmation came to: ``(row, created)``, or the error it alone met.
Outcome = tuple[Confirmation, bool] | Exception


@dataclass(frozen=True)
class _Pending:
    scope: str
    submission_id: str
    row: Confirmation
    result: Future[tuple[Confirmation, bool]] = field(default_factory=Future)


class _GroupCommit:
    """Appends of one process's threads share transactions: while one thread (the
    leader) stores, the others queue, and the next leader stores all of them at once,
    with one lock of the chain head and one commit (one fsync) for the lot.

    So the head is locked once per batch instead of once per confirmation, which is what
    limits throughput and, under load, the latency of everyone waiting behind it. The
    leader uses its own database connection, so a caller's transaction (a test, a
    command) is simply joined. Processes still queue for the head between them.

    A confirmation that cannot be stored fails alone (:func:`_store`); a fault of the
    database (:func:`intake_server.faults.is_fault`) fails the whole batch.
    """

    def __init__(self) -> None:
        self._turn = threading.Condition()
        self._waiting: list[_Pending] = []
        self._storing = False

    def append(self, pending: _Pending) -> tuple[Confirmation, bool]:
        with self._turn:
            self._waiting.append(pending)
            while self._storing and not pending.result.done():
                self._turn.wait()
            if pending.result.done():
                return pending.result.result()
            self._storing = True
            self._waiting.remove(pending)  # the leader's own, then the longest waiting
            batch = [pending, *self._waiting[: MAX_BATCH - 1]]
            del self._waiting[: MAX_BATCH - 1]
        try:
            for item, outcome in zip(batch, _store(batch), strict=True):
                if isinstance(outcome, Exception):
                    item.result.set_exception(outcome)
                else:
                    item.result.set_result(outcome)
        except BaseException as exc:  # a fault: every waiting request gets it, not a hang
            for item in batch:
                if not item.result.done():
                    item.result.set_exception(exc)
        finally:
            with self._turn:
                self._storing = False
                self._turn.notify_all()
        return pending.result.result()


_GROUP = _GroupCommit()


def append(
    scope: str, submission_id: str, build: Callable[[], Confirmation]
) -> tuple[Confirmation, bool]:
    """Store the confirmation ``build()`` makes as the next entry, unless this submission
    is stored already. Returns ``(row, created)``. Thread- and process-safe.

    ``build()`` runs before any lock is taken; the entry is stored with the others that
    arrive meanwhile (:class:`_GroupCommit`). Raises what storing this one met, or a
    fault of the database.
    """
    return _GROUP.append(_Pending(scope, submission_id, build()))


def _store(batch: list[_Pending]) -> list[Outcome]:
    """The batch in one transaction with one INSERT. Should that fail for anything but a
    fault of the database, the batch is stored again in one transaction with a savepoint
    per confirmation, so that the ones that can be stored are, and only the one that
    cannot gets its error. The usual case costs no query more; a fault is raised at once,
    for the whole batch (each of its confirmations would only meet it again)."""
    try:
        with _writers_turn(), transaction.atomic():
            outcomes = _store_batch(batch, each=False)
    except Exception as exc:
        if is_fault(exc):
            raise
        with _writers_turn(), transaction.atomic():
            outcomes = _store_batch(batch, each=True)
    for outcome in outcomes:
        if not isinstance(outcome, Exception):
            outcome[0]._state.adding = False
    return outcomes


def _store_batch(batch: list[_Pending], each: bool) -> list[Outcome]:
    """Lock the head, leave out what is stored already (looked up under the lock, so
    nothing is stored twice), store the new rows, then one UPDATE of the head.

    Not ``each``: one INSERT for all; any error fails the lot, a taken receipt id too.
    ``each``: every row in a savepoint of its own (:func:`_insert_alone`); a row that
    fails is left out of the chain, which links the next row to the last one stored."""
    seq, prev = head = _locked_head_row()
    stored = _stored_rows(batch)
    received_at = now()
    outcomes: list[Outcome] = []
    new: list[Confirmation] = []
    for item in batch:
        key = (item.scope, item.submission_id)
        if key not in stored:
            if not each:
                seq, prev = _link(item.row, seq, prev, received_at)
                new.append(item.row)
            else:
                try:
                    seq, prev = _insert_alone(item.row, seq, prev, received_at)
                except Exception as exc:
                    if is_fault(exc):
                        raise
                    outcomes.append(exc)
                    continue
            stored[key] = item.row
        outcomes.append((stored[key], stored[key] is item.row))
    if new:
        _insert(new)
    if (seq, prev) != head:
        _set_head(seq, prev)
    return outcomes


def _insert_alone(row: Confirmation, seq: int, prev: str, received_at: datetime) -> tuple[int, str]:
    """One row in a savepoint, as the entry after ``(seq, prev)``; a taken receipt id is
    drawn again."""
    for attempt in range(1, _RECEIPT_ATTEMPTS + 1):
        try:
            with transaction.atomic():
                linked = _link(row, seq, prev, received_at)
                _insert([row])
            return linked
        except IntegrityError:
            if attempt == _RECEIPT_ATTEMPTS:
                raise
    raise AssertionError("unreachable")


def _link(row: Confirmation, seq: int, prev: str, received_at: datetime) -> tuple[int, str]:
    """Make ``row`` the entry after ``(seq, prev)``, with a new receipt id; the new
    ``(seq, entry_hash)``."""
    row.receipt_id, row.received_at = new_receipt_id(), received_at
    row.seq, row.prev_hash, row.version = seq + 1, prev, ENTRY_VERSION
    row.entry_hash = entry_hash(row)
    return row.seq, row.entry_hash


_LOCK_FILES: dict[tuple[int, str], int] = {}


@contextlib.contextmanager
def _writers_turn() -> Iterator[None]:
    """On SQLite, the server processes take turns at a blocking file lock, which hands
    over the moment it frees. In SQLite's own busy handler a waiting process sleeps in
    growing steps while the one that just wrote writes again (a p99 of seconds under
    load). PostgreSQL queues them on the head row's lock. Within a process only the
    group commit's leader comes here, and a lock file is opened per process because a
    forked child would share its parent's lock."""
    if connection.vendor != "sqlite" or fcntl is None:
        yield
        return
    key = (os.getpid(), f"{connection.settings_dict['NAME']}-writer.lock")
    if key not in _LOCK_FILES:
        _LOCK_FILES[key] = os.open(key[1], os.O_RDWR | os.O_CREAT, 0o600)
    fcntl.flock(_LOCK_FILES[key], fcntl.LOCK_EX)
    try:
        yield
    finally:
        fcntl.flock(_LOCK_FILES[key], fcntl.LOCK_UN)


def _stored_rows(batch: list[_Pending]) -> dict[tuple[str, str], Confirmation]:
    ids = {item.submission_id for item in batch}
    found = Confirmation.objects.filter(submission_id__in=ids)
    return {(row.scope, row.submission_id): row for row in found}


def _insert(rows: list[Confirmation]) -> None:
    """One plain INSERT for all rows: the ORM's bulk_create cost more than the query."""
    fields = [f for f in Confirmation._meta.concrete_fields if not f.primary_key]
    quote = connection.ops.quote_name
    one = f"({', '.join(['%s'] * len(fields))})"
    sql = (
        f"INSERT INTO {quote(Confirmation._meta.db_table)} "
        f"({', '.join(quote(f.column) for f in fields)}) "
        f"VALUES {', '.join([one] * len(rows))} "
        f"RETURNING {quote('id')}, {quote('seq')}"
    )
    values = [
        f.get_db_prep_save(getattr(row, f.attname), connection) for row in rows for f in fields
    ]
    with connection.cursor() as cursor:
        cursor.execute(sql, values)
        ids = {seq: pk for pk, seq in cursor.fetchall()}  # in no promised order
    for row in rows:
        row.pk = ids[row.seq]


def _set_head(seq: int, entry: str) -> None:
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {ChainHead._meta.db_table} SET seq = %s, entry_hash = %s WHERE id = 1",
            [seq, entry],
        )
