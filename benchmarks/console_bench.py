"""Benchmark: the support console's queue and search with 100,000 stored confirmations.

Not a test: it prints figures. ``.venv/bin/python benchmarks/console_bench.py``
(``--db sqlite``, ``--db postgres`` or both; ``--records N``).

For each database it fills a fresh one with N real confirmations (the helper's own
records, chained as the ledger chains them in entry format 2, spread over 90 days, the
newest 200 in the last 24 hours), then times the pages the way the server answers them:
Django's whole request handling, the reading of every listed entry against the ledger and
template rendering in this process, no network (the server time).
Target: the queue and every kind of search under 200 ms.
"""

from __future__ import annotations

import argparse
import contextlib
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
TARGET_MS = 200.0


def fill(count: int) -> dict[str, str]:
    """N confirmations in entry format 2 through bulk inserts; what the searches look for."""
    import hashlib
    import json
    from datetime import timedelta

    from django.utils import timezone

    from intake_server.api import ledger
    from intake_server.api.intake import derived_fields
    from intake_server.api.models import ChainHead, Confirmation
    from tests.server.records import real_record

    template = json.loads(real_record().payload)
    now = timezone.now()
    facts = ledger.server_facts_text(None, True)  # no token; the built-in notice is known
    prev, batch, probe = ledger.GENESIS, [], {}
    for seq in range(1, count + 1):
        document = dict(
            template,
            submission_id=str(uuid.uuid4()),
            session_id=str(100_000_000 + seq * 7919 % 899_999_999),
        )
        document["customer"] = {
            "number": f"K{seq % 5000:05d}",
            "company": f"Kanzlei Nummer {seq % 5000} GmbH",
        }
        body = json.dumps(document, separators=(",", ":")).encode()
        age = (
            timedelta(minutes=(count - seq) * 90 * 24 * 60 / count)
            if seq < count - 200
            else timedelta(seconds=(count - seq) * 60)
        )
        received = ledger.now() - age if seq < count - 200 else now - age
        receipt = f"R-{seq:08X}"[:6] + "-" + f"{seq:08X}"[4:]
        row = Confirmation(
            version=ledger.ENTRY_VERSION,
            seq=seq,
            prev_hash=prev,
            receipt_id=receipt,
            received_at=received.replace(microsecond=received.microsecond // 1000 * 1000),
            body=body,
            body_sha256=hashlib.sha256(body).hexdigest(),
            server_facts=facts,
            notice_verified=True,
            **derived_fields(document, None),
        )
        row.entry_hash = prev = ledger.entry_hash(row)
        batch.append(row)
        if seq == count // 2:
            probe = {
                "session": document["session_id"],
                "receipt": receipt,
                "number": document["customer"]["number"],
            }
        if len(batch) == 2000:
            Confirmation.objects.bulk_create(batch)
            batch = []
    Confirmation.objects.bulk_create(batch)
    ChainHead.objects.update_or_create(pk=1, defaults={"seq": count, "entry_hash": prev})
    return probe


def measure(count: int, runs: int) -> None:
    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client

    call_command("migrate", verbosity=0)
    started = time.perf_counter()
    probe = fill(count)
    print(f"  filled {count:,} confirmations in {time.perf_counter() - started:.1f} s")
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    user = get_user_model().objects.create_user("bench", password="x" * 12)
    client = Client()
    client.force_login(user)
    grouped = " ".join([probe["session"][:3], probe["session"][3:6], probe["session"][6:]])
    pages = {
        "queue": "/",
        "queue refresh": "/queue/rows",
        "search Session ID": f"/search?q={grouped}",
        "search receipt": f"/search?q={probe['receipt'].lower()}",
        "search customer no.": f"/search?q={probe['number']}",
        "search company part": "/search?q=Nummer%204711",
    }
    assert b'class="damaged' not in client.get("/").content, "the filled ledger must verify"
    print(f"  {'page':<22}{'p50 ms':>9}{'p95 ms':>9}{'max ms':>9}  target")
    for name, url in pages.items():
        times = []
        for _ in range(runs):
            begin = time.perf_counter()
            answer = client.get(url)
            times.append((time.perf_counter() - begin) * 1000)
            assert answer.status_code == 200, (url, answer.status_code)
        times.sort()
        p95 = times[int(len(times) * 0.95) - 1]
        verdict = "PASS" if p95 < TARGET_MS else "MISS"
        print(
            f"  {name:<22}{statistics.median(times):>9.1f}{p95:>9.1f}{times[-1]:>9.1f}  "
            f"{verdict} (< {TARGET_MS:.0f})"
        )


def run_on(db: str, count: int, runs: int) -> int:
    """One database in a child process: Django's settings are read once per process."""
    from tests.server.conftest import fresh_postgres_database, intake_env

    with tempfile.TemporaryDirectory() as folder, contextlib.ExitStack() as stack:
        url = (
            stack.enter_context(fresh_postgres_database("intake_bench")) if db == "postgres" else ""
        )
        env = intake_env(Path(folder), url, log_level="warning", allowed_hosts="testserver")
        env["DJANGO_SETTINGS_MODULE"] = "intake_server.settings"
        print(f"{db}:")
        return subprocess.run(
            [sys.executable, __file__, "--child", str(count), str(runs)],
            env=env,
            cwd=REPO,
            check=False,
        ).returncode


def main() -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--db", choices=("sqlite", "postgres", "both"), default="both")
    parser.add_argument("--records", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--child", nargs=2, type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        measure(*args.child)
        return 0
    dbs = ("sqlite", "postgres") if args.db == "both" else (args.db,)
    return max(run_on(db, args.records, args.runs) for db in dbs)


if __name__ == "__main__":
    sys.exit(main())
