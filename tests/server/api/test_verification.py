"""``verify`` and :mod:`verification`: entries of the old format 1 still verify next to
format 2; ``--json`` for machines; ``--new`` checks only what was added since the last
run, and the whole chain when that place is gone; what a run finds is kept.

In process, on SQLite or (``INTELLEKTA_TEST_DATABASE=postgres``) PostgreSQL. What is
changed behind the server's back, column by column: ``tests/server/test_tamper.py``.
"""

from __future__ import annotations

import hashlib
import json
from datetime import timedelta
from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client

from intake_server.api import intake, ledger, reading, verification
from intake_server.api.models import ChainHead, Confirmation, Damage, LedgerWatch, Token
from tests.server.records import real_record
from tests.server.test_api import post
from tests.server.test_tamper import make_token, sql_set

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("builtin_notices")]


def run(*args: str) -> tuple[str, CommandError | None]:
    """``verify ARGS``: its output, and the error it ended with (exit 1 on damage)."""
    out = StringIO()
    try:
        call_command("verify", *args, stdout=out, stderr=StringIO())
    except CommandError as exc:
        assert exc.returncode == 1
        return out.getvalue(), exc
    return out.getvalue(), None


def store(client: Client, count: int, first: int = 0) -> None:
    for index in range(first, first + count):
        assert post(client, real_record(session_id=f"{666777000 + index}")).status_code == 201


# -- format 1 ----------------------------------------------------------------------------


def format_1_hash(row: Confirmation) -> str:
    """The hash of an entry stored before format 2, written out as the ledger defined it."""
    head = f"{row.prev_hash}\n{row.receipt_id}\n{ledger.rfc3339(row.received_at)}\n"
    return hashlib.sha256(head.encode() + bytes(row.body)).hexdigest()


def format_1_entries(count: int, token: Token | None = None) -> list[Confirmation]:
    """The start of a chain as a server before format 2 stored it: ``version`` 1, no
    server facts, the columns (token and flags included) as it set them."""
    rows, prev = [], ledger.GENESIS
    for index in range(count):
        built = real_record(session_id=f"55566677{index}")
        row = Confirmation(
            version=1,
            seq=index + 1,
            prev_hash=prev,
            receipt_id=ledger.new_receipt_id(),
            received_at=ledger.now(),
            scope=str(token.pk) if token else "",
            body=built.payload,
            body_sha256=hashlib.sha256(built.payload).hexdigest(),
            server_facts="",
            token=token,
            customer_verified=token is not None,
            notice_verified=True,
            **intake.derived_fields(json.loads(built.payload), token),
        )
        row.entry_hash = prev = format_1_hash(row)
        row.save()
        rows.append(row)
    ChainHead.objects.update_or_create(pk=1, defaults={"seq": count, "entry_hash": prev})
    return rows


def test_format_1_entries_before_format_2_ones_verify(client: Client) -> None:
    make_token("10472", "Known AG")
    old = format_1_entries(3, token=Token.objects.get())
    assert [ledger.entry_hash(row) for row in old] == [row.entry_hash for row in old]
    store(client, 2)
    assert list(Confirmation.objects.order_by("seq").values_list("version", flat=True)) == [
        1,
        1,
        1,
        2,
        2,
    ]
    assert Confirmation.objects.get(seq=4).prev_hash == old[-1].entry_hash
    out, error = run()
    assert error is None, out
    assert out.startswith("Ledger intact: 5 entries checked; head 5 ")


def test_a_format_1_entry_proves_no_token_and_its_changed_body_is_caught(client: Client) -> None:
    make_token("10472", "Known AG")
    old = format_1_entries(2, token=Token.objects.get())
    store(client, 1)
    found = reading.read_one(Confirmation.objects.select_related("token").get(seq=1))
    assert not found.damaged and found.proven and found.facts is not None
    assert found.facts.token is None and not found.facts.covers_server
    assert not found.facts.customer_verified and found.facts.notice_registered is None
    assert reading.summary(found)["token_id"] is None

    sql_set(1, "body", bytes(old[0].body).replace(b"it_admin_permission", b"owner"))
    out, error = run()
    assert error is not None and out.startswith(f"ledger entry 1 (receipt {old[0].receipt_id})")
    assert reading.read_one(Confirmation.objects.get(seq=1)).facts is None


# -- --json ------------------------------------------------------------------------------


def test_json_says_intact_with_the_head(client: Client) -> None:
    store(client, 2)
    out, error = run("--json")
    head = ChainHead.objects.get()
    assert error is None
    assert json.loads(out) == {
        "intact": True,
        "full": True,
        "checked": 2,
        "start_seq": 0,
        "head": {"seq": 2, "sha256": head.entry_hash},
        "damaged": 0,
        "entries": [],
    }


def test_json_lists_every_damaged_entry_and_exits_1(client: Client) -> None:
    store(client, 6)
    receipts = dict(Confirmation.objects.values_list("seq", "receipt_id"))
    sql_set(2, "session_id", "666777999")
    Confirmation.objects.filter(seq__in=[4, 5]).delete()
    out, error = run("--json")
    assert error is not None and "4 entries (2, 3, 4) of 4 checked" in str(error)
    report = json.loads(out)
    assert (report["intact"], report["full"], report["checked"], report["damaged"]) == (
        False,
        True,
        4,
        4,
    )
    entries = report["entries"]
    assert [(e["seq"], e["last"], e["receipt_id"]) for e in entries] == [
        (2, 2, receipts[2]),
        (3, 3, receipts[3]),
        (4, 5, None),
    ]
    assert all(entry["problems"] and isinstance(entry["problems"][0], str) for entry in entries)
    assert "session_id" in entries[0]["problems"][0]


# -- --new -------------------------------------------------------------------------------


def test_new_checks_only_what_was_added_since_the_last_run(client: Client) -> None:
    store(client, 3)
    assert run()[1] is None
    store(client, 2, first=3)
    sql_set(2, "body", bytes(Confirmation.objects.get(seq=2).body).replace(b"Erika", b"Erich"))
    out, error = run("--new")
    assert error is None, out
    assert out.startswith(
        "Ledger intact: 2 entries checked added since the last verification "
        "(after entry 3); head 5 "
    )
    out, error = run()
    assert error is not None and out.startswith("ledger entry 2 ")


def test_new_after_a_purge_of_the_last_run_checks_the_whole_chain(
    client: Client, settings: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    real_now = ledger.now
    monkeypatch.setattr(ledger, "now", lambda: real_now() - timedelta(days=40))
    store(client, 2)
    assert run()[1] is None  # the last run ended at entry 2
    store(client, 1, first=2)
    monkeypatch.setattr(ledger, "now", real_now)
    store(client, 2, first=3)
    settings.CONFIG = type(settings.CONFIG)({**settings.CONFIG.values, "retention_days": 30}, "")
    call_command("purge", stdout=StringIO())
    report = verification.verify(since_last=True)
    assert report.full and report.start_seq == 3 and report.checked == 2
    out, error = run("--new")
    assert error is None, out
    assert out.startswith("Ledger intact: 2 entries checked after checkpoint 3"), out


def test_new_with_a_last_run_beyond_the_head_checks_the_whole_chain(client: Client) -> None:
    """A database restored from an older backup: the last run's place is not in it."""
    store(client, 3)
    assert run()[1] is None
    LedgerWatch.objects.update(seq=99)
    report = verification.verify(since_last=True)
    assert report.full and report.checked == 3 and report.start_seq == 0
    out, error = run("--new")
    assert error is None and out.startswith("Ledger intact: 3 entries checked; head 3 ")


def test_new_notices_a_new_entry_that_does_not_follow_the_last_run(client: Client) -> None:
    store(client, 3)
    assert run()[1] is None
    store(client, 1, first=3)
    sql_set(4, "prev_hash", "0" * 64)
    out, error = run("--new")
    assert error is not None and out.startswith("ledger entry 4 ")


# -- what a run keeps ----------------------------------------------------------------------


def test_a_full_run_replaces_what_was_found_and_a_new_run_adds_to_it(client: Client) -> None:
    store(client, 4)
    sql_set(2, "session_id", "666777999")
    verification.record(verification.verify())
    assert list(Damage.objects.values_list("seq", "session_id", "entries")) == [(2, "666777001", 1)]
    state = verification.state()
    assert state.damaged == 1 and state.checked_at and state.full_at
    sql_set(2, "session_id", "666777001")  # restored
    store(client, 1, first=4)
    sql_set(5, "contact_name", "Max Forger")
    verification.record(verification.verify(since_last=True))
    assert list(Damage.objects.values_list("seq", flat=True)) == [2, 5]  # not yet re-checked
    verification.record(verification.verify())
    assert list(Damage.objects.values_list("seq", flat=True)) == [5]
    assert verification.state().damaged == 1


def test_a_run_of_missing_entries_counts_each(client: Client) -> None:
    store(client, 6)
    Confirmation.objects.filter(seq__in=[2, 3, 4]).delete()
    report = verification.verify()
    assert [(f.seq, f.last, f.entries) for f in report.findings] == [(1, 0, 1), (2, 4, 3)]
    assert report.damaged == 4
    verification.record(report)
    assert verification.state().damaged == 4
