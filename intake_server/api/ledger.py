"""The tamper-evident ledger: every accepted confirmation is one entry of a hash chain.

An entry's hash is::

    SHA-256( prev_hash_hex + "\\n" + receipt_id + "\\n" + received_at + "\\n" + body )

over UTF-8, where ``body`` is the exact bytes received and ``received_at`` the RFC 3339
text of :func:`rfc3339` (the one the helper was given). The first entry's ``prev_hash`` is
64 zeros, or after a purge the :class:`Checkpoint`'s hash. Anyone can recompute it with
``sha256sum``; ``intellekta-intake verify`` does so for every entry.

Appends lock the :class:`ChainHead` row (``SELECT ... FOR UPDATE`` on PostgreSQL; SQLite
takes its write lock when the transaction begins), so the chain stays linear with any
number of server processes, and a submission looked up under that lock cannot be stored
twice. Confirmations that arrive while the head is held are appended together, in one
transaction (:class:`_GroupCommit`).
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import secrets
import threading
from collections.abc import Callable, Iterator
from concurrent.futures import Future
from dataclasses import dataclass, field
from datetime import UTC, datetime

from django.db import IntegrityError, connection, transaction

from intake_server.api.models import ChainHead, Checkpoint, Confirmation
from intake_server.faults import is_fault

try:
    import fcntl
except ImportError:  # Windows: SQLite's busy handler alone
    fcntl = None  # type: ignore[assignment]

GENESIS = "0" * 64
#: Crockford's base32 without the letters that read like digits (I, L, O) and U.
_RECEIPT_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"


def rfc3339(moment: datetime) -> str:
    """The one text form of a time in the ledger: UTC, milliseconds, ``Z``."""
    return moment.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def now() -> datetime:
    """The current time, cut to what :func:`rfc3339` keeps, so it reads back equal."""
    moment = datetime.now(UTC)
    return moment.replace(microsecond=moment.microsecond // 1000 * 1000)


def entry_hash(prev_hash: str, receipt_id: str, received_at: str, body: bytes) -> str:
    head = f"{prev_hash}\n{receipt_id}\n{received_at}\n".encode()
    return hashlib.sha256(head + bytes(body)).hexdigest()


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
    row.seq, row.prev_hash = seq + 1, prev
    row.entry_hash = entry_hash(prev, row.receipt_id, rfc3339(received_at), row.body)
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
    sql = (f"INSERT INTO {quote(Confirmation._meta.db_table)} "
           f"({', '.join(quote(f.column) for f in fields)}) "
           f"VALUES {', '.join([one] * len(rows))} "
           f"RETURNING {quote('id')}, {quote('seq')}")  # fmt: skip
    values = [f.get_db_prep_save(getattr(row, f.attname), connection)
              for row in rows for f in fields]  # fmt: skip
    with connection.cursor() as cursor:
        cursor.execute(sql, values)
        ids = {seq: pk for pk, seq in cursor.fetchall()}  # in no promised order
    for row in rows:
        row.pk = ids[row.seq]


def _set_head(seq: int, entry: str) -> None:
    with connection.cursor() as cursor:
        cursor.execute(f"UPDATE {ChainHead._meta.db_table} SET seq = %s, entry_hash = %s "
                       "WHERE id = 1", [seq, entry])  # fmt: skip


@dataclass(frozen=True)
class Break:
    """The first place where the chain does not hold, in words for the operator."""

    seq: int
    receipt_id: str
    what: str

    def __str__(self) -> str:
        named = f" (receipt {self.receipt_id})" if self.receipt_id else ""
        return f"ledger entry {self.seq}{named}: {self.what}"


@dataclass(frozen=True)
class Verification:
    checked: int
    head_seq: int
    head_hash: str
    start_seq: int  # the checkpoint the chain starts after (0: the beginning)
    broken: Break | None


def verify(check_row: Callable[[Confirmation], str | None] | None = None) -> Verification:
    """Recompute the whole chain; names the first entry changed, inserted or deleted.

    ``check_row`` may add a check per entry (the columns derived from the body); it
    returns what is wrong, or None. Reads one snapshot, so appends meanwhile are not
    mistaken for damage and are not held up (see :func:`_snapshot`).
    """
    with _snapshot():
        head = ChainHead.objects.filter(pk=1).first() or ChainHead(seq=0, entry_hash=GENESIS)
        checkpoint = Checkpoint.objects.order_by("-seq").first()
        seq, prev = (checkpoint.seq, checkpoint.entry_hash) if checkpoint else (0, GENESIS)
        start, checked = seq, 0
        broken: Break | None = None
        rows = Confirmation.objects.select_related("token").order_by("seq")
        if connection.vendor == "sqlite":  # no snapshot: leave out what came after the head
            rows = rows.filter(seq__lte=head.seq)
        rows = rows.iterator(2000)
        for row in rows:
            broken = _check_entry(row, seq, prev, check_row)
            if broken:
                break
            seq, prev, checked = row.seq, row.entry_hash, checked + 1
        if broken is None and (seq, prev) != (head.seq, head.entry_hash):
            if seq < head.seq:
                broken = Break(seq + 1, "", f"missing: {_entries(seq + 1, head.seq)} deleted")
            else:
                broken = Break(seq, "", "does not match the chain head (inserted or changed)")
        if broken is None and connection.vendor == "sqlite":
            broken = _beyond_head()
    return Verification(checked, head.seq, head.entry_hash, start, broken)


def _entries(first: int, last: int) -> str:
    return f"entry {first} was" if first == last else f"entries {first} to {last} were"


def _beyond_head() -> Break | None:
    """SQLite checked only up to the head it read. A real append commits its row and the
    head together, so a row still beyond the head read now was put there by hand."""
    head = ChainHead.objects.filter(pk=1).first()
    after = Confirmation.objects.filter(seq__gt=head.seq if head else 0).order_by("seq").first()
    if after is None:
        return None
    return Break(after.seq, after.receipt_id, "lies after the chain head (inserted)")


@contextlib.contextmanager
def _snapshot() -> Iterator[None]:
    """PostgreSQL: one REPEATABLE READ transaction, a snapshot without locks. SQLite: no
    transaction, because ours begin IMMEDIATE and would hold every append until the end;
    WAL gives each query its own snapshot, and rows after the head read are skipped."""
    if connection.vendor != "postgresql":
        yield
        return
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY")
        yield


def _check_entry(
    row: Confirmation, seq: int, prev: str, check_row: Callable[[Confirmation], str | None] | None
) -> Break | None:
    if row.seq <= seq:
        return Break(row.seq, row.receipt_id, "lies before the start of the chain (inserted)")
    if row.seq > seq + 1:
        return Break(seq + 1, "", f"missing: {_entries(seq + 1, row.seq - 1)} deleted")
    if row.prev_hash != prev:
        return Break(row.seq, row.receipt_id, "does not follow the entry before it (inserted)")
    body = bytes(row.body)
    if entry_hash(prev, row.receipt_id, rfc3339(row.received_at), body) != row.entry_hash:
        return Break(row.seq, row.receipt_id, "was changed: its hash does not match its content")
    problem = check_row(row) if check_row else None
    return Break(row.seq, row.receipt_id, problem) if problem else None
