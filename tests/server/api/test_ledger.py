"""A record fails alone: an error while storing one confirmation of a group commit's batch
answers that request only; every other one is stored, in one linear chain that verifies.

In process, the failing rows are real ones the database layer cannot store (a time that
does not exist in UTC, a lone surrogate in a text column), built straight into the ledger
below the API's validation. Against a real server, 200 requests from 32 threads, one in
four poisoned in a different way, on SQLite and on PostgreSQL.
"""

from __future__ import annotations

import hashlib
import json
import threading
from collections import Counter
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta, timezone
from typing import Any

import pytest
from django.db import DataError, OperationalError, connection

from intake_server.api import intake, ledger, verification
from intake_server.api.models import Confirmation
from tests.server.api.test_ledger_group_commit import another_writer_holds_the_chain, wait_for
from tests.server.conftest import ServerProcess
from tests.server.posting import post
from tests.server.records import Built, real_record
from tests.server.test_concurrency import verified_count

#: 1 January of year 1 at +23:59 is a day before the first day a datetime can hold in UTC.
NO_SUCH_TIME = datetime(1, 1, 1, tzinfo=timezone(timedelta(hours=23, minutes=59)))


def _row(built: Built, **changed: Any) -> Callable[[], Confirmation]:
    """A row as the intake view builds it, with ``changed`` put in below the validation."""
    document = json.loads(built.payload)

    def build() -> Confirmation:
        fields = {**intake.derived_fields(document, None), **changed}
        return Confirmation(
            scope="",
            body=built.payload,
            token=None,
            body_sha256=hashlib.sha256(built.payload).hexdigest(),
            server_facts=ledger.server_facts_text(None, False),
            **fields,
        )

    return build


def _append_together(rows: list[tuple[Built, Callable[[], Confirmation]]]) -> list[Any]:
    """Append all rows from threads of their own, queued up behind another writer: the
    first leads alone and waits for the chain, the others queue behind it and are stored
    as one batch. Each thread's result or exception."""
    outcomes: list[Any] = [None] * len(rows)

    def one(index: int) -> None:
        built, build = rows[index]
        try:
            outcomes[index] = ledger.append("", built.submission_id, build)
        except Exception as exc:  # what this request's view would get
            outcomes[index] = exc
        finally:
            connection.close()  # this thread's own connection

    with another_writer_holds_the_chain():
        threads = [threading.Thread(target=one, args=(i,)) for i in range(len(rows))]
        threads[0].start()
        wait_for(lambda: ledger._GROUP._storing)
        for thread in threads[1:]:
            thread.start()
        wait_for(lambda: len(ledger._GROUP._waiting) == len(rows) - 1)
    for thread in threads:
        thread.join(timeout=60)
    return outcomes


@pytest.mark.django_db(transaction=True)
def test_a_row_the_database_cannot_store_fails_alone(batch_sizes: list[int]) -> None:
    first = real_record(session_id="1000000001")
    ledger.append("", first.submission_id, _row(first))  # the chain has a head
    batch_sizes.clear()
    records = [real_record(session_id=f"2{i:09d}") for i in range(13)]
    poisoned = {4: {"confirmed_at": NO_SUCH_TIME}, 8: {"contact_name": "Erika \ud800"}}
    rows = [(built, _row(built, **poisoned.get(i, {}))) for i, built in enumerate(records)]

    outcomes = _append_together(rows)

    assert batch_sizes == [1, len(rows) - 1]  # all but the first were one batch
    for index, outcome in enumerate(outcomes):
        if index in poisoned:
            # Python refuses them on SQLite, PostgreSQL itself (DataError)
            assert isinstance(outcome, (OverflowError, UnicodeEncodeError, DataError)), outcome
        else:
            assert isinstance(outcome, tuple), f"record {index}: {outcome!r}"
            assert outcome[1] is True
    stored = Confirmation.objects.order_by("seq")
    good = [built.submission_id for i, built in enumerate(records) if i not in poisoned]
    assert sorted(row.submission_id for row in stored[1:]) == sorted(good)
    assert [row.seq for row in stored] == list(range(1, len(good) + 2))
    report = verification.verify()
    assert not report.findings and report.checked == len(good) + 1


@pytest.mark.django_db(transaction=True)
def test_a_fault_of_the_database_fails_the_whole_batch_without_trying_each(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A full disk is no record's fault: every request gets it, and nothing is tried one
    by one (which would only meet the full disk again, once per record)."""
    if connection.vendor != "sqlite":
        pytest.skip("made with SQLite's max_page_count; PostgreSQL's: the database-down test")
    first = real_record(session_id="1000000001")
    ledger.append("", first.submission_id, _row(first))
    inserts: list[int] = []
    insert, head = ledger._insert, ledger._locked_head_row

    def counted(rows: list[Confirmation]) -> None:
        inserts.append(len(rows))
        insert(rows)

    def full_disk() -> tuple[int, str]:
        """SQLite's own SQLITE_FULL: the database may not grow by a single page."""
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA page_count")
            (pages,) = cursor.fetchone()
            cursor.execute(f"PRAGMA max_page_count = {pages}")
        return head()

    monkeypatch.setattr(ledger, "_insert", counted)
    monkeypatch.setattr(ledger, "_locked_head_row", full_disk)
    # The leader's may still fit on a free page; the batch behind it cannot.
    leader = real_record(session_id="3000000000")
    records = [
        real_record(session_id=f"3{i:09d}", kept_open=("x" * 50_000,) * 2) for i in range(1, 6)
    ]

    outcomes = _append_together([(built, _row(built)) for built in [leader, *records]])

    assert all(isinstance(o, OperationalError) for o in outcomes[1:]), outcomes
    assert "full" in str(outcomes[-1])
    assert inserts[1:] == [len(records)]  # one INSERT for the batch, none for each
    stored = {row.submission_id for row in Confirmation.objects.all()}
    assert stored <= {first.submission_id, leader.submission_id}


# -- against a real server: the acceptance test ---------------------------------

REQUESTS = 200
THREADS = 32


def _poisoned(index: int) -> Built:
    """A record broken in one of six ways (index picks which), each once a storage-time
    error or a stored record that later broke the console."""
    built = real_record(session_id=str(3_000_000_000 + index))
    document = json.loads(built.payload)
    kind = index % 6
    if kind == 0:
        document["open_applications"][0]["name"] = "\ud800"
    elif kind == 1:
        document["customer"]["contact_name"] = "Erika\u0000Mustermann"
    elif kind == 2:
        document["confirmed_at"] = "0001-01-01T00:00:00+23:59"
    elif kind == 3:
        document["session_id"] = "abc"
    elif kind == 4:
        document["session_id"] = "12345\u000067890"
    else:
        return Built(b'{"schema_version": 1, "submission_id": ', built.submission_id, "")
    return Built(json.dumps(document).encode(), built.submission_id, document["session_id"])


def test_poisoned_requests_among_valid_ones_fail_alone(serve: ServerProcess) -> None:
    sent = [
        _poisoned(i // 4) if i % 4 == 3 else real_record(session_id=str(2_000_000_000 + i))
        for i in range(REQUESTS)
    ]
    with ThreadPoolExecutor(max_workers=THREADS) as pool:
        answers = list(pool.map(lambda built: post(serve, built), sent))

    valid = Counter(status for i, (status, _a) in enumerate(answers) if i % 4 != 3)
    poisoned = Counter(status for i, (status, _a) in enumerate(answers) if i % 4 == 3)
    log = serve.log_text()
    assert valid == {201: REQUESTS * 3 // 4}, f"valid: {valid}, poisoned: {poisoned}\n{log}"
    assert verified_count(serve.env, log) == REQUESTS * 3 // 4
    assert set(poisoned) <= {400, 422}, f"poisoned: {poisoned}\n{log}"
