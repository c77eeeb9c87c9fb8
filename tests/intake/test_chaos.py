"""Chaos: faults on the wire and a sender killed with SIGKILL, yet every record once.

At least 300 records go through a server that resets connections, answers 5xx and 429 with
Retry-After, answers slowly (beyond the client's timeout), sends garbage, and loses its
acknowledgement after storing. Meanwhile ``python -m helper outbox send`` is killed at
random moments and restarted, while new records keep arriving. At the end the server
holds every record exactly once with the exact bytes, the client never sent a record
after it had a receipt, the outbox is empty and every file in the data folder parses.

The seed is printed; rerun with INTELLEKTA_CHAOS_SEED=<seed> to replay the same faults.
"""

from __future__ import annotations

import json
import os
import random
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from helper.intake import Outbox
from tests.intake.killing import send_until_done, send_with_kills
from tests.intake.records import Sample, random_session_id, sample_record
from tests.intake.server import IntakeServer, Reply, Seen

RECORDS = 300
KILLS = 12


def fault_policy(rng: random.Random) -> Callable[[Seen], Reply]:
    """About one request in four meets a fault; a few make the client wait."""

    def policy(seen: Seen) -> Reply:
        roll = rng.random()
        if roll < 0.05:
            return Reply(fault="reset")
        if roll < 0.10:
            garbage = rng.choice([None, b"<html>\x00\xff oops"])
            return Reply(rng.choice([500, 502, 503, 504, 408, 425]), body=garbage)
        if roll < 0.12:
            return Reply(429, headers={"Retry-After": rng.choice(["0", "1"])})
        if roll < 0.15:
            return Reply(delay_s=rng.uniform(0.2, 1.3))  # the client gives up after 1 s
        if roll < 0.19:
            return Reply(200, body=b"\x00\xff not json at all")
        if roll < 0.25:
            return Reply(fault="store_then_reset")
        return Reply()

    return policy


@pytest.mark.slow
def test_every_record_arrives_exactly_once_despite_faults_and_kills(
    intake_server: IntakeServer, data_dir: Path
) -> None:
    seed = int(os.environ.get("INTELLEKTA_CHAOS_SEED") or random.randrange(1 << 32))
    print(f"INTELLEKTA_CHAOS_SEED={seed}")
    rng = random.Random(seed)
    intake_server.policy = fault_policy(random.Random(seed + 1))
    intake_server.watch_receipts = data_dir / "receipts"
    outbox = Outbox(data_dir)
    samples: dict[str, Sample] = {}

    def add(count: int) -> None:
        for _ in range(count):
            sample = sample_record(
                rng.choice(["de", "en"]), random_session_id(rng), extra=rng.randrange(0, 3000)
            )
            outbox.add(sample.payload, sample.submission_id, sample.session_id)
            samples[sample.submission_id] = sample

    command = [
        sys.executable,
        "-m",
        "helper",
        *intake_server.cli_args(),
        "-c",
        f"paths.data_dir={data_dir}",
        "-c",
        "intake.timeout_s=1",
        "-c",
        "intake.send_window_s=3",
        "outbox",
        "send",
    ]
    add(RECORDS // 2)
    kills, killing = send_with_kills(  # 15 more per run, and never a dry outbox
        command,
        rng,
        KILLS,
        lambda: add(min(15, max(RECORDS - len(samples), 15 - len(outbox.list())))),
    )
    assert kills == KILLS, f"the sender was killed only {kills} times"
    add(RECORDS - len(samples))
    started = time.monotonic()
    runs, finished = send_until_done(command)
    assert finished.returncode == 0, finished.stdout.decode() + finished.stderr.decode()

    assert set(intake_server.stored) == set(samples)
    assert all(intake_server.stored[sid] == s.payload for sid, s in samples.items())
    assert all(seen.body == samples[seen.submission_id].payload for seen in intake_server.seen)
    assert intake_server.conflicts == [] and intake_server.errors == []
    assert intake_server.late == [], "a record was sent again after its receipt was written"
    assert outbox.list() == []
    _assert_every_file_is_whole(data_dir, set(samples))
    print(
        f"{kills} kills in {killing:.1f} s, then {runs} run(s) to finish in "
        f"{time.monotonic() - started:.1f} s; "
        f"{intake_server.posts()} POSTs for {len(samples)} records"
    )


def _assert_every_file_is_whole(data_dir: Path, ids: set[str]) -> None:
    receipts = set()
    for path in data_dir.rglob("*"):
        if path.is_dir() or path.suffix == ".lock":
            continue
        assert path.suffix in (".json", ".txt"), f"leftover file {path}"
        content = path.read_bytes().decode("utf-8")
        if path.suffix == ".json":
            data = json.loads(content)
            assert path.parent.name == "receipts", f"record still in the outbox: {path}"
            receipts.add(data["submission_id"])
        else:
            assert content.strip() and (path.parent / f"{path.stem}.json").exists(), path
    assert receipts == ids
    assert {p.stem for p in (data_dir / "receipts").glob("*.txt")} == ids
