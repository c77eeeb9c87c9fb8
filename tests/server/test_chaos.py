"""Chaos against the real server: the helper's outbox goes through a fault-injecting proxy
to ``intellekta-intake serve`` while the sender is killed with SIGKILL, yet every record
is stored exactly once, with the exact bytes, in a ledger that verifies.

The proxy (``fault_proxy``) resets connections before anything reached the server, loses
answers after the server stored the record, stalls connections and delays answers beyond
the helper's timeout. Meanwhile ``python -m helper outbox send`` is killed at random
moments and restarted while new records keep arriving in the outbox.

The seed is printed; rerun with INTELLEKTA_CHAOS_SEED=<seed> to replay the same faults.
"""

from __future__ import annotations

import json
import os
import random
import re
import sqlite3
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from helper.intake import Outbox
from tests.intake.killing import send_until_done, send_with_kills
from tests.server.conftest import URL_PATH, ServerProcess, run_intake
from tests.server.fault_proxy import FaultProxy
from tests.server.records import Built, real_record

RECORDS = 150
KILLS = 12
_PROXY_VARIABLES = ("http_proxy", "https_proxy", "all_proxy", "no_proxy")


@pytest.fixture(autouse=True)
def _no_proxy_from_outside(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in _PROXY_VARIABLES:
        monkeypatch.delenv(name, raising=False)
        monkeypatch.delenv(name.upper(), raising=False)


def stored_rows(database_url: str) -> list[tuple[str, bytes, str]]:
    """``(submission_id, body, receipt_id)`` of every row, straight from the SQLite file."""
    with sqlite3.connect(urlsplit(database_url).path) as db:
        return db.execute("SELECT submission_id, body, receipt_id FROM api_confirmation").fetchall()


@pytest.mark.slow
@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_every_record_is_stored_once_despite_faults_and_kills(
    serve: ServerProcess, database_url: str, tmp_path: Path
) -> None:
    seed = int(os.environ.get("INTELLEKTA_CHAOS_SEED") or random.randrange(1 << 32))
    print(f"INTELLEKTA_CHAOS_SEED={seed}")
    rng = random.Random(seed)
    data_dir = tmp_path / "helper-data"
    outbox = Outbox(data_dir)
    records: dict[str, Built] = {}

    def add(count: int) -> None:
        for _ in range(count):
            index = len(records)
            language = rng.choice(["de", "en"])
            built = real_record(
                session_id=str(3_000_000_000 + index), language=language, number=str(20_000 + index)
            )
            outbox.add(built.payload, built.submission_id, built.session_id)
            records[built.submission_id] = built

    add(RECORDS // 2)
    smallest = min(len(b.payload) for b in records.values())
    assert serve.tls is not None
    with FaultProxy(serve.port, seed + 1, request_bytes=smallest) as proxy:
        command = [
            sys.executable,
            "-m",
            "helper",
            "-c",
            f"intake.url=https://127.0.0.1:{proxy.port}{URL_PATH}",
            "-c",
            f"intake.ca_bundle={serve.tls.ca_pem}",
            "-c",
            f"paths.data_dir={data_dir}",
            "-c",
            "intake.timeout_s=1",
            "-c",
            "intake.send_window_s=3",
            "outbox",
            "send",
        ]
        kills, killing = send_with_kills(  # 10 more per run, and never a dry outbox
            command,
            rng,
            KILLS,
            lambda: add(min(10, max(RECORDS - len(records), 10 - len(outbox.list())))),
            pause=(0.6, 1.6),
        )
        assert kills == KILLS, f"the sender was killed only {kills} times"
        add(RECORDS - len(records))
        started = time.monotonic()
        runs, finished = send_until_done(command)
        output = finished.stdout.decode() + finished.stderr.decode()
        assert finished.returncode == 0, f"{output}\n--- server log ---\n{serve.log_text()}"
    finishing = time.monotonic() - started
    print(
        f"{kills} kills in {killing:.1f} s, then {runs} run(s) to finish in {finishing:.1f} s; "
        f"proxy: {dict(proxy.counts)}"
    )
    assert proxy.errors == []
    assert proxy.counts["answer lost"] >= 5, "the faults were not exercised"
    assert proxy.counts["reset before forwarding"] + proxy.counts["stalled"] >= 1

    log = serve.log_text()
    assert "Traceback" not in log, log

    rows = stored_rows(database_url)
    ids = [sid for sid, _body, _receipt in rows]
    duplicated = {sid for sid in ids if ids.count(sid) > 1}
    assert not duplicated, f"stored more than once: {sorted(duplicated)}"
    lost = set(records) - set(ids)
    assert not lost, f"{len(lost)} record(s) lost: {sorted(lost)[:5]}"
    assert set(ids) == set(records), "the server holds records nobody sent"
    assert all(bytes(body) == records[sid].payload for sid, body, _receipt in rows)

    # Each customer's receipt names the receipt id the server stored for that record.
    server_receipts = {sid: receipt for sid, _body, receipt in rows}
    for sid in records:
        receipt = json.loads((data_dir / "receipts" / f"{sid}.json").read_text("utf-8"))
        assert receipt["receipt_id"] == server_receipts[sid], sid
        assert receipt["http_status"] in (200, 201)
    assert outbox.list() == []
    assert not list((data_dir / "outbox").glob("*.json"))

    verified = run_intake("verify", env=serve.env)
    assert verified.returncode == 0, verified.stdout + verified.stderr
    assert re.search(rf"Ledger intact: {len(records)} entries", verified.stdout), verified.stdout
    some = rng.choice(list(records.values()))
    found = run_intake("find", some.session_id, "--json", env=serve.env)
    assert found.returncode == 0, found.stderr
    assert [item["submission_id"] for item in json.loads(found.stdout)] == [some.submission_id]
