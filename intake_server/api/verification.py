"""Verifying the whole ledger, or what was added since the last time, and keeping the result.

:func:`verify` reads every entry in order, each as :mod:`reading` reads it (its hash, the
chain's reference to it, every column), and also what only the order shows: entries
missing between two others or at the end, an entry that does not follow the start of the
chain, entries inserted before the start or after the head. It names every damaged entry,
not just the first. :func:`record` keeps what it found (:class:`Damage`,
:class:`LedgerWatch`), for the console's banner, ``/readyz``, the metrics and the search
by a Session ID whose column was changed.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime

from django.db import connection, transaction
from django.db.models import Subquery, Sum, Window
from django.utils import timezone

from intake_server.api import ledger, reading
from intake_server.api.models import (
    ChainHead,
    Checkpoint,
    Confirmation,
    Damage,
    LedgerWatch,
    NoticeText,
)

_CHUNK = 2000


@dataclass(frozen=True)
class Finding:
    """A damaged entry, or a run of missing ones (``last`` > ``seq``), in words."""

    seq: int
    receipt_id: str
    problems: tuple[str, ...]
    session_id: str = ""  # as the entry's body gives it, when it can be read
    last: int = 0  # the last of a run of missing entries; 0 for one entry

    @property
    def entries(self) -> int:
        return self.last - self.seq + 1 if self.last else 1

    def __str__(self) -> str:
        where = (
            f"ledger entries {self.seq} to {self.last}"
            if self.last > self.seq
            else f"ledger entry {self.seq}"
        )
        named = f" (receipt {self.receipt_id})" if self.receipt_id else ""
        return f"{where}{named}: {'; '.join(self.problems)}"


@dataclass(frozen=True)
class Report:
    checked: int
    start_seq: int  # the entry the run started after (a checkpoint, or the last run's)
    head_seq: int
    head_hash: str
    full: bool
    findings: list[Finding] = field(default_factory=list)

    @property
    def damaged(self) -> int:
        """How many entries are damaged, missing or inserted."""
        return sum(finding.entries for finding in self.findings)


def verify(since_last: bool = False) -> Report:
    """Recompute the chain from its start, or with ``since_last`` from where the last
    recorded run ended (the whole chain if that place is gone). Reads one snapshot, so
    that appends meanwhile are neither mistaken for damage nor held up."""
    with _snapshot():
        head = ChainHead.objects.filter(pk=1).first() or ChainHead(seq=0, entry_hash=ledger.GENESIS)
        start = _start(head, since_last)
        full = start == _chain_start()
        rows = Confirmation.objects.select_related("token__customer").filter(
            seq__gt=start[0] if not full else -1
        )
        # The chain up to the head read; rows after it are inserted (_beyond_head). On
        # SQLite, which has no snapshot, they may also be appends made meanwhile.
        rows = rows.filter(seq__lte=head.seq)
        findings, checked = _walk(rows.order_by("seq").iterator(_CHUNK), start, head)
        findings = _merged(findings + _beyond_head())
    return Report(checked, start[0], head.seq, head.entry_hash, full, findings)


def _chain_start() -> tuple[int, str]:
    checkpoint = Checkpoint.objects.order_by("-seq").first()
    return (checkpoint.seq, checkpoint.entry_hash) if checkpoint else (0, ledger.GENESIS)


def _start(head: ChainHead, since_last: bool) -> tuple[int, str]:
    """Where to begin: the chain's start, or the last run's end while it still lies
    within the chain (not purged away, not beyond a head restored from a backup)."""
    chain = _chain_start()
    watch = LedgerWatch.objects.filter(pk=1).first() if since_last else None
    if watch is None or not watch.entry_hash or not chain[0] < watch.seq <= head.seq:
        return chain
    return watch.seq, watch.entry_hash


def _walk(
    rows: Iterator[Confirmation], start: tuple[int, str], head: ChainHead
) -> tuple[list[Finding], int]:
    """Each entry read against the next one (its anchor), and the order checked."""
    texts = {(t.notice_id, t.version, t.sha256): t for t in NoticeText.objects.all()}
    findings: list[Finding] = []
    seq, checked = start[0], 0
    previous: Confirmation | None = None
    for row in rows:
        if row.seq <= start[0]:
            inserted = ("it lies before the start of the chain (inserted)",)
            findings.append(Finding(row.seq, row.receipt_id, inserted))
            continue
        if previous is not None:
            anchor = row.prev_hash if row.seq == previous.seq + 1 else None
            findings += _read(previous, anchor, texts)
        elif row.seq == start[0] + 1 and row.prev_hash != start[1]:
            findings.append(
                Finding(
                    row.seq,
                    row.receipt_id,
                    ("it does not follow the start of the chain (its previous hash differs)",),
                )
            )
        if row.seq > seq + 1:
            findings.append(_missing(seq + 1, row.seq - 1))
        previous, seq, checked = row, row.seq, checked + 1
    if previous is not None:
        findings += _read(previous, head.entry_hash if previous.seq == head.seq else None, texts)
    if seq < head.seq:
        findings.append(_missing(seq + 1, head.seq))
    return findings, checked


def _read(
    row: Confirmation, anchor: str | None, texts: dict[tuple[str, str, str], NoticeText]
) -> list[Finding]:
    found = reading.read(
        row, anchor, texts.get((row.notice_id, row.notice_version, row.notice_sha256))
    )
    if not found.damaged:
        return []
    session = found.facts.session_id if found.facts else ""
    return [Finding(row.seq, row.receipt_id, tuple(map(str, found.problems)), session)]


def _merged(findings: list[Finding]) -> list[Finding]:
    """One finding per entry, in order: an entry may break the chain's start and be
    changed itself."""
    by_entry: dict[tuple[int, int], Finding] = {}
    for finding in sorted(findings, key=lambda f: f.seq):
        key = (finding.seq, finding.last)
        known = by_entry.get(key)
        if known is None:
            by_entry[key] = finding
        else:
            by_entry[key] = Finding(
                known.seq,
                known.receipt_id or finding.receipt_id,
                known.problems + finding.problems,
                known.session_id or finding.session_id,
                known.last,
            )
    return list(by_entry.values())


def _missing(first: int, last: int) -> Finding:
    what = "it is missing (deleted)" if first == last else "they are missing (deleted)"
    return Finding(first, "", (what,), last=last if last > first else 0)


def _beyond_head() -> list[Finding]:
    """The walk went up to the head it read. A real append commits its row and the head
    together, so a row beyond the head read now (in PostgreSQL's snapshot: the same head)
    was put there by hand."""
    head = ChainHead.objects.filter(pk=1).first()
    after = Confirmation.objects.filter(seq__gt=head.seq if head else 0).order_by("seq")
    return [
        Finding(row.seq, row.receipt_id, ("it lies after the chain head (inserted)",))
        for row in after.only("seq", "receipt_id")
    ]


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


def record(report: Report) -> None:
    """Keep what ``report`` found: a full run replaces the damage known, a run over the
    new entries adds to it. The next run over new entries starts at this one's head."""
    now = timezone.now()
    with transaction.atomic():
        if report.full:
            Damage.objects.all().delete()
        Damage.objects.bulk_create(
            Damage(
                seq=f.seq,
                receipt_id=f.receipt_id,
                session_id=f.session_id,
                entries=f.entries,
                what="; ".join(f.problems),
                found_at=now,
            )
            for f in report.findings
        )
        watch, _created = LedgerWatch.objects.get_or_create(pk=1)
        watch.seq, watch.entry_hash, watch.checked_at = report.head_seq, report.head_hash, now
        if report.full:
            watch.full_at = now
        watch.save()


@dataclass(frozen=True)
class State:
    """What the last recorded runs found, for ``/readyz``, the metrics and the console."""

    damaged: int  # entries
    first: list[Damage]  # the first few, for a banner
    checked_at: datetime | None  # None: never verified
    full_at: datetime | None


def state(first: int = 5, *, only_damage: bool = False) -> State:
    """The state in one query while entries are damaged (a window sum carries the total,
    subqueries the times of the last runs), else one more for the times, unless
    ``only_damage`` is asked for: the console's banner, on every page, needs no times
    when there is nothing to show."""
    watch = LedgerWatch.objects.filter(pk=1)
    rows = list(
        Damage.objects.annotate(
            total=Window(Sum("entries")),
            checked_at=Subquery(watch.values("checked_at")[:1]),
            full_at=Subquery(watch.values("full_at")[:1]),
        ).order_by("seq")[: max(first, 1)]
    )
    if rows:
        return State(rows[0].total, rows[:first], rows[0].checked_at, rows[0].full_at)
    found = None if only_damage else watch.first()
    return State(0, [], found.checked_at if found else None, found.full_at if found else None)
