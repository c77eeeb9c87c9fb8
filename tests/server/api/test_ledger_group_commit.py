"""Group commit: confirmations that arrive while another writer holds the chain are
stored together, in one transaction, each exactly once, and the chain still verifies.

The other writer is real: a second connection that holds SQLite's write lock or
PostgreSQL's lock on the chain head, as another server process does while it stores.
"""

from __future__ import annotations

import sqlite3
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from django.db import connection
from django.test import Client

from intake_server.api import ledger, verification
from intake_server.api.models import Confirmation
from tests.server.records import Built, real_record

URL = "/api/v1/remote-support/confirmations"
pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("builtin_notices")]


@contextmanager
def another_writer_holds_the_chain() -> Iterator[None]:
    settings = connection.settings_dict
    if connection.vendor == "sqlite":
        other = sqlite3.connect(settings["NAME"], isolation_level=None)
        other.execute("BEGIN IMMEDIATE")
        try:
            yield
        finally:
            other.execute("ROLLBACK")
            other.close()
        return
    import psycopg

    with psycopg.connect(
        dbname=settings["NAME"],
        user=settings["USER"],
        password=settings["PASSWORD"],
        host=settings["HOST"],
        port=settings["PORT"],
    ) as other:
        other.execute("SELECT seq FROM api_chainhead WHERE id = 1 FOR UPDATE")
        yield
        other.rollback()


def post(built: Built) -> tuple[int, dict[str, Any]]:
    try:
        answer = Client().post(
            URL, data=built.payload, content_type="application/json", **built.headers()
        )
        return answer.status_code, answer.json()
    finally:
        connection.close()  # this thread's own connection


def wait_for(condition: Any, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "the requests did not queue up"
        time.sleep(0.01)


def test_confirmations_waiting_for_the_chain_are_stored_in_one_transaction(
    batch_sizes: list[int],
) -> None:
    assert post(real_record(session_id="1000000001"))[0] == 201  # the chain has a head
    batch_sizes.clear()
    records = [real_record(session_id=f"2{i:09d}") for i in range(11)]
    sent = [*records, records[0]]  # the first one twice: a replay inside the batch
    answers: list[tuple[int, dict[str, Any]]] = [(0, {})] * len(sent)

    def one(index: int) -> None:
        answers[index] = post(sent[index])

    with another_writer_holds_the_chain():
        threads = [threading.Thread(target=one, args=(i,)) for i in range(len(sent))]
        for thread in threads:
            thread.start()
        # One request leads and waits for the chain; the others queue behind it.
        wait_for(lambda: len(ledger._GROUP._waiting) == len(sent) - 1)
    for thread in threads:
        thread.join(timeout=60)

    assert batch_sizes == [1, len(sent) - 1]
    statuses = sorted(status for status, _answer in answers)
    assert statuses == [200] + [201] * len(records)
    assert answers[0][1] == answers[-1][1]  # the replay got the original answer
    rows = Confirmation.objects.order_by("seq")
    assert [row.seq for row in rows] == list(range(1, len(records) + 2))
    assert sorted(row.receipt_id for row in rows[1:]) == sorted(
        a["receipt_id"] for _s, a in answers[:-1]
    )
    report = verification.verify()
    assert not report.findings and report.checked == len(records) + 1
