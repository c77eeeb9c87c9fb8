"""Concurrency against real server processes: one submission sent 50 times at once is
stored once; two servers on one PostgreSQL, started together, store 200 confirmations
posted in parallel with random replays exactly once each, in one linear chain.
"""

from __future__ import annotations

import json
import random
import re
import sqlite3
import threading
from collections import Counter, defaultdict
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from tests.server.conftest import ServerProcess, Tls, intake_env, run_intake
from tests.server.posting import post
from tests.server.records import Built, real_record

_VERIFIED = re.compile(r"Ledger intact: (\d+) entries")


def verified_count(env: dict[str, str], *logs: str) -> int:
    result = run_intake("verify", env=env)
    assert result.returncode == 0, result.stdout + result.stderr + "\n".join(logs)
    assert "Traceback" not in result.stderr
    match = _VERIFIED.search(result.stdout)
    assert match, result.stdout
    return int(match[1])


def stored_submissions(database_url: str) -> Counter[str]:
    """How often each submission id is stored, read straight from the table."""
    query = "SELECT submission_id FROM api_confirmation"
    if database_url.startswith("sqlite:"):
        with sqlite3.connect(urlsplit(database_url).path) as db:
            rows = db.execute(query).fetchall()
    else:
        import psycopg

        with psycopg.connect(database_url) as db:
            rows = db.execute(query).fetchall()
    return Counter(row[0] for row in rows)


def test_fifty_concurrent_posts_with_one_key_store_one_confirmation(
    serve: ServerProcess, database_url: str
) -> None:
    built = real_record(session_id="4711471147")
    barrier = threading.Barrier(50)

    def one(_index: int) -> tuple[int, dict[str, Any]]:
        barrier.wait(timeout=30)  # all 50 leave together
        return post(serve, built)

    with ThreadPoolExecutor(max_workers=50) as pool:
        answers = list(pool.map(one, range(50)))
    statuses = Counter(status for status, _ in answers)
    assert set(statuses) <= {200, 201}, f"{answers}\n--- server log ---\n{serve.log_text()}"
    assert statuses[201] == 1, statuses
    assert statuses[200] == 49, statuses
    receipts = {document["receipt_id"] for _, document in answers}
    assert len(receipts) == 1, receipts
    assert len({document["received_at"] for _, document in answers}) == 1

    found = run_intake("find", "4 711 471 147", "--json", env=serve.env)
    assert found.returncode == 0, found.stdout + found.stderr
    assert [item["receipt_id"] for item in json.loads(found.stdout)] == list(receipts)
    assert verified_count(serve.env, serve.log_text()) == 1
    assert stored_submissions(database_url) == {built.submission_id: 1}


RECORDS = 200
REPLAY_SHARE = 0.3
THREADS = 16


def test_two_servers_on_one_postgres_store_each_record_once(
    tmp_path: Path, postgres_database: str, server_tls: Tls
) -> None:
    seed = random.randrange(1 << 32)
    print(f"seed {seed}")
    rng = random.Random(seed)
    servers = [
        ServerProcess(intake_env(tmp_path / f"intake-{name}", postgres_database), server_tls)
        for name in ("a", "b")
    ]
    started: list[BaseException] = []

    def start(server: ServerProcess) -> None:
        try:
            server.start()
        except BaseException as exc:  # reported below, with both logs
            started.append(exc)

    try:
        # Both at once: both migrate the empty database at the same time.
        starters = [threading.Thread(target=start, args=(s,)) for s in servers]
        for thread in starters:
            thread.start()
        for thread in starters:
            thread.join(timeout=120)
        assert not started, f"{started}\n" + "\n".join(s.log_text() for s in servers)

        records = [
            real_record(session_id=str(2_000_000_000 + i), number=str(10_000 + i))
            for i in range(RECORDS)
        ]
        tasks = [(built, rng.choice(servers)) for built in records]
        tasks += [(built, rng.choice(servers)) for built in records if rng.random() < REPLAY_SHARE]
        rng.shuffle(tasks)  # a replay may come first, or at the same time as the original
        answers: dict[str, list[tuple[int, dict[str, Any], int]]] = defaultdict(list)
        lock = threading.Lock()

        def send(task: tuple[Built, ServerProcess]) -> None:
            built, server = task
            status, document = post(server, built)
            with lock:
                answers[built.submission_id].append((status, document, server.port))

        with ThreadPoolExecutor(max_workers=THREADS) as pool:
            list(pool.map(send, tasks))

        logs = [s.log_text() for s in servers]
        every = [a for per in answers.values() for a in per]
        assert len(every) == len(tasks)
        bad = [a for a in every if a[0] not in (200, 201)]
        assert not bad, f"{bad[:5]}\n--- server logs ---\n" + "\n".join(logs)
        for built in records:
            mine = answers[built.submission_id]
            assert [status for status, _, _ in mine].count(201) == 1, mine
            assert len({document["receipt_id"] for _, document, _ in mine}) == 1, mine
        receipts = {answers[b.submission_id][0][1]["receipt_id"] for b in records}
        assert len(receipts) == RECORDS, "two records got the same receipt id"
        replays = len(tasks) - RECORDS
        print(
            f"{len(tasks)} POSTs ({replays} replays) to two servers, "
            f"{sum(1 for a in every if a[2] == servers[0].port)} to the first"
        )

        assert verified_count(servers[0].env, *logs) == RECORDS
        assert stored_submissions(postgres_database) == {b.submission_id: 1 for b in records}
        for built in rng.sample(records, 2):  # support finds them as read out
            found = run_intake("find", built.session_id, "--json", env=servers[1].env)
            assert found.returncode == 0, found.stderr
            (item,) = json.loads(found.stdout)
            assert item["submission_id"] == built.submission_id
            assert item["receipt_id"] == answers[built.submission_id][0][1]["receipt_id"]
    finally:
        for server in servers:
            server.stop()
