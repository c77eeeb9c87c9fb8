"""Benchmark: the support console's queue, search and detail page with 100,000 stored
confirmations and 10,000 customers in the register.

Not a test: it prints figures. ``.venv/bin/python benchmarks/console_bench.py``
(``--db sqlite``, ``--db postgres`` or both; ``--records N``, ``--customers N``;
``--migration`` also times migration 0005 filling the search keys of every row).

For each database it fills a fresh one with N real confirmations (the helper's own
records, chained as the ledger chains them in entry format 2, spread over 90 days, the
newest 200 in the last 24 hours) from the register's customers, every fifth of which has
a token: half of that customer's confirmations came with it, so their company is
verified. Companies and contacts are German names, umlauts included, and every company
is a "GmbH". Then it times the pages the way the server answers them: Django's whole
request handling, the reading of every listed entry against the ledger and template
rendering in this process, no network (the server time).
Target: the queue, every kind of search and the detail page under 200 ms (p95).
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
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
TARGET_MS = 200.0
KINDS = (
    "Apotheke",
    "Zahnarztpraxis",
    "Steuerkanzlei",
    "Rechtsanwälte",
    "Arztpraxis",
    "Physiotherapie",
    "Ingenieurbüro",
    "Autohaus",
    "Bäckerei",
    "Versicherungsbüro",
)
SURNAMES = (
    *("Müller", "Schmidt", "Schneider", "Fischer", "Weber", "Meyer", "Wagner", "Becker"),
    *("Schulz", "Hoffmann", "Schäfer", "Koch", "Bauer", "Richter", "Klein", "Wolf"),
    *("Schröder", "Neumann", "Schwarz", "Zimmermann", "Braun", "Krüger", "Hofmann"),
    *("Hartmann", "Lange", "Schmitt", "Werner", "Schmitz", "Krause", "Meier", "Lehmann"),
    *("Schmid", "Schulze", "Maier", "Köhler", "Herrmann", "König", "Walter", "Mayer"),
    *("Huber", "Kaiser", "Fuchs", "Peters", "Lang", "Scholz", "Möller", "Weiß", "Jung"),
    *("Hahn", "Schubert"),
)
FIRST_NAMES = (
    *("Anna", "Jürgen", "Sabine", "Thomas", "Ute", "Michael", "Birgit", "Stefan", "Petra"),
    *("Andreas", "Jörg", "Monika", "Frank", "Claudia", "Uwe", "Susanne", "Ralf"),
    *("Gabriele", "Bernd", "Karin", "Dieter", "Heike", "Klaus", "Renate", "Sören", "Ines"),
    *("Matthias", "Anja", "Günter", "Silke"),
)
#: The contact of the confirmation the searches look for: one name in 100,000.
PROBE_CONTACT = "Annegret Übelhör"
#: The register's share of customers with a token (every n-th).
TOKEN_EVERY = 5


@dataclass(frozen=True)
class Register:
    """The customers, by index, and the tokens of every :data:`TOKEN_EVERY`-th."""

    customers: list[Any]
    tokens: dict[int, Any]


def company_of(index: int) -> str:
    surname = SURNAMES[(index // len(KINDS)) % len(SURNAMES)]
    return f"{KINDS[index % len(KINDS)]} {surname} {index} GmbH"


def register(count: int) -> Register:
    """``count`` customers (``K-0`` ...), half with an AV-Vertrag, and their tokens."""
    import hashlib
    from datetime import date

    from intake_server.api.models import Token
    from intake_server.customers.models import Customer
    from intake_server.folding import fold, number_key

    customers = [
        Customer(
            number=f"K-{index}",
            key=number_key(f"K-{index}"),
            company=company_of(index),
            search_name=fold(company_of(index)),
            sector=Customer.HEALTH if index % len(KINDS) < 2 else Customer.TAX,
            av_signed_on=date(2025, 1, 1) if index % 2 else None,
        )
        for index in range(count)
    ]
    Customer.objects.bulk_create(customers, batch_size=2000)
    customers = list(Customer.objects.order_by("pk"))
    tokens = [
        Token(
            customer=customer,
            customer_number=customer.number,
            digest=hashlib.sha256(customer.number.encode()).hexdigest(),
            hint="itk_bench",
        )
        for customer in customers[::TOKEN_EVERY]
    ]
    Token.objects.bulk_create(tokens, batch_size=2000)
    by_customer = {t.customer_id: t for t in Token.objects.select_related("customer")}
    return Register(
        customers, {i: by_customer[c.pk] for i, c in enumerate(customers) if c.pk in by_customer}
    )


def fill(count: int, known: Register) -> dict[str, str]:
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
    prev, batch, probe = ledger.GENESIS, [], {}
    probe_seq = count // 2 + 4711 % count  # a customer whose number has four digits
    for seq in range(1, count + 1):
        index = seq % len(known.customers)
        token = known.tokens.get(index) if seq % 2 else None
        contact = f"{FIRST_NAMES[seq % 30]} {SURNAMES[(seq // 30) % 50]}"
        document = dict(
            template,
            submission_id=str(uuid.uuid4()),
            session_id=str(100_000_000 + seq * 7919 % 899_999_999),
        )
        document["customer"] = {
            "number": known.customers[index].number,
            "company": company_of(index).replace(" GmbH", "") if token else company_of(index),
            "contact_name": PROBE_CONTACT if seq == probe_seq else contact,
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
            server_facts=ledger.server_facts_text(token, True),  # the built-in notice
            token=token,
            scope=str(token.pk) if token else "",
            customer_verified=token is not None,
            notice_verified=True,
            **derived_fields(document, token),
        )
        row.entry_hash = prev = ledger.entry_hash(row)
        batch.append(row)
        if seq == probe_seq:
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


def pages(probe: dict[str, str]) -> dict[str, str]:
    """What is timed: each page by its name, and the address it asks for."""
    session = probe["session"]
    grouped = " ".join([session[:3], session[3:6], session[6:]])
    searches = {
        "Session ID": grouped,
        "receipt": probe["receipt"].lower().replace("-", " "),
        "customer no.": probe["number"].lower().replace("-", ""),  # K-4711 as k4711
        "company part": "Bäckerei Krüger",
        "folded company": "mueller",
        "8 letters": "Apotheke",
        "contact name": "Ubelhor",  # Übelhör
        "in every name": "gmbh",
        "nothing found": "Xylophonbau Quast",
    }
    return {
        "queue": "/",
        "queue refresh": "/queue/rows",
        **{f"queue {query}": f"/?{query}" for query in QUEUE_FILTERS},
        **{
            f"search {kind}": f"/search?{urlencode({'q': text})}" for kind, text in searches.items()
        },
        "search, filtered": f"/search?{urlencode({'q': 'mueller', 'kept_open': 1})}",
        "detail": f"/r/{probe['receipt']}",
    }


#: The queue's filters (intake_server/console/listing.py), as the page's links ask.
QUEUE_FILTERS = ("when=all", "when=today", "kept_open=1&when=7d", "no_av=1&when=all")


def time_pages(client: Any, runs: int, probe: dict[str, str]) -> None:
    print(f"  {'page':<28}{'p50 ms':>9}{'p95 ms':>9}{'max ms':>9}  target")
    for name, url in pages(probe).items():
        times = []
        for _ in range(runs):
            begin = time.perf_counter()
            answer = client.get(url)
            times.append((time.perf_counter() - begin) * 1000)
            assert answer.status_code == 200, (url, answer.status_code)
        times.sort()
        p95 = times[max(0, int(len(times) * 0.95) - 1)]
        verdict = "PASS" if p95 < TARGET_MS else "MISS"
        print(
            f"  {name:<28}{statistics.median(times):>9.1f}{p95:>9.1f}{times[-1]:>9.1f}  "
            f"{verdict} (< {TARGET_MS:.0f})"
        )


def check_found(client: Any, probe: dict[str, str]) -> None:
    """Each search for the probe finds it; the one for nothing finds nothing."""
    for kind, url in pages(probe).items():
        if kind in (
            "search Session ID",
            "search receipt",
            "search contact name",
            "search customer no.",
        ):
            assert probe["receipt"] in client.get(url).content.decode(), kind
    assert b"/r/R-" not in client.get(pages(probe)["search nothing found"]).content


def time_migration() -> None:
    """Migration 0005 on every stored row: back to 0004 (its columns dropped), and again."""
    from django.core.management import call_command

    call_command("migrate", "api", "0004", verbosity=0)
    started = time.perf_counter()
    call_command("migrate", "api", "0005", verbosity=0)
    print(f"  migration 0005 (search keys of every row): {time.perf_counter() - started:.1f} s")


def measure(count: int, customers: int, runs: int, migration: bool) -> None:
    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client

    call_command("migrate", verbosity=0)
    started = time.perf_counter()
    probe = fill(count, register(customers))
    print(
        f"  filled {count:,} confirmations of {customers:,} customers "
        f"in {time.perf_counter() - started:.1f} s"
    )
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    user = get_user_model().objects.create_user("bench", password="x" * 12)
    client = Client()
    client.force_login(user)
    assert b'class="damaged' not in client.get("/").content, "the filled ledger must verify"
    check_found(client, probe)
    time_pages(client, runs, probe)
    if migration:
        time_migration()
        check_found(client, probe)


def run_on(db: str, args: argparse.Namespace) -> int:
    """One database in a child process: Django's settings are read once per process."""
    from tests.server.conftest import fresh_postgres_database, intake_env

    with tempfile.TemporaryDirectory() as folder, contextlib.ExitStack() as stack:
        url = (
            stack.enter_context(fresh_postgres_database("intake_bench")) if db == "postgres" else ""
        )
        env = intake_env(Path(folder), url, log_level="warning", allowed_hosts="testserver")
        env["DJANGO_SETTINGS_MODULE"] = "intake_server.settings"
        print(f"{db}:", flush=True)
        child = [str(args.records), str(args.customers), str(args.runs), str(int(args.migration))]
        return subprocess.run(
            [sys.executable, __file__, "--child", *child], env=env, cwd=REPO, check=False
        ).returncode


def main() -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--db", choices=("sqlite", "postgres", "both"), default="both")
    parser.add_argument("--records", type=int, default=100_000)
    parser.add_argument("--customers", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--migration", action="store_true", help="also time migration 0005")
    parser.add_argument("--child", nargs=4, type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        records, customers, runs, migration = args.child
        measure(records, customers, runs, bool(migration))
        return 0
    dbs = ("sqlite", "postgres") if args.db == "both" else (args.db,)
    return max(run_on(db, args) for db in dbs)


if __name__ == "__main__":
    sys.exit(main())
