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
twice.
"""

from __future__ import annotations

import contextlib
import hashlib
import secrets
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime

from django.db import IntegrityError, connection, transaction

from intake_server.api.models import ChainHead, Checkpoint, Confirmation

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
_SQLITE_WRITERS = threading.Lock()


def _writers_queue() -> contextlib.AbstractContextManager[object]:
    """On SQLite, this process's threads queue for the write lock here, in order: in
    SQLite's own busy handler they would sleep in growing steps and miss the moment it
    frees (a p99 of seconds). PostgreSQL queues them on the head row's lock itself."""
    return _SQLITE_WRITERS if connection.vendor == "sqlite" else contextlib.nullcontext()


def append(
    scope: str, submission_id: str, build: Callable[[], Confirmation]
) -> tuple[Confirmation, bool]:
    """Store the confirmation ``build()`` makes as the next entry, unless this submission
    is stored already. Returns ``(row, created)``. Thread- and process-safe.

    Everything that does not need the chain head happens before its lock is taken; under
    the lock there are three statements (head, INSERT, UPDATE) and the commit. A second
    store of the same submission, or a receipt id already given, fails the INSERT on its
    unique constraint; the transaction is then rolled back and the stored row returned,
    or the append tried again with a new receipt id.
    """
    row = build()
    fields = [f for f in Confirmation._meta.concrete_fields if not f.primary_key]
    quote = connection.ops.quote_name
    insert = (f"INSERT INTO {quote(Confirmation._meta.db_table)} "
              f"({', '.join(quote(f.column) for f in fields)}) "
              f"VALUES ({', '.join(['%s'] * len(fields))}) RETURNING {quote('id')}")  # fmt: skip
    update = f"UPDATE {ChainHead._meta.db_table} SET seq = %s, entry_hash = %s WHERE id = 1"
    for _attempt in range(_RECEIPT_ATTEMPTS):
        row.receipt_id = new_receipt_id()
        try:
            with _writers_queue(), transaction.atomic():
                seq, prev = _locked_head_row()
                row.received_at = now()
                row.seq, row.prev_hash = seq + 1, prev
                row.entry_hash = entry_hash(prev, row.receipt_id, rfc3339(row.received_at),
                                            row.body)  # fmt: skip
                values = [f.get_db_prep_save(getattr(row, f.attname), connection) for f in fields]
                with connection.cursor() as cursor:
                    cursor.execute(insert, values)
                    row.pk = cursor.fetchone()[0]
                    cursor.execute(update, [row.seq, row.entry_hash])
        except IntegrityError:
            existing = Confirmation.objects.filter(scope=scope, submission_id=submission_id).first()
            if existing is not None:
                return existing, False
            continue  # the receipt id was taken: another one
        row._state.adding = False
        return row, True
    raise IntegrityError("no free receipt id after several attempts")


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
