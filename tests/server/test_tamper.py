"""The database changed behind the server's back, the way anyone with access to it could:
every column of a stored confirmation, its body, whole entries deleted or forged. Each
time ``verify`` exits 1 and names the damaged entry, the one reading of the entry
(:func:`reading.read_one`) marks it damaged and shows no forged value as a fact, a
search by the real Session ID still finds it once a verification has run, the console's
queue and detail page say DAMAGED, and its evidence says so first and exits 1.

Which entries a change names: the changed one, and in three cases a neighbour whose hash
nothing confirms any more, as the reading says of it:

- ``prev_hash``: the entry before, which the changed entry no longer refers to;
- ``seq`` (moved beyond the head): the entry before, which no next entry confirms, and
  the empty place (missing) besides the moved entry (inserted);
- a deleted entry: the entry before it, for the same reason.

In process (Django's test client, pytest-django's database: SQLite, or PostgreSQL with
``INTELLEKTA_TEST_DATABASE=postgres``), then through the command line.
"""

from __future__ import annotations

import hashlib
import json
import re
import sqlite3
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from io import StringIO
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.test import Client
from django.urls import reverse

from intake_server.api import intake, ledger, reading, records, verification
from intake_server.api.models import ChainHead, Confirmation, Token
from tests.server.conftest import (
    ServerProcess,
    intake_env,
    run_intake,
    shared_database_url,
)
from tests.server.posting import post as post_to
from tests.server.records import Built, real_record
from tests.server.register import make_token
from tests.server.test_api import post

#: A notice text no server holds: a confirmation of it is "unknown text".
UNKNOWN_NOTICE = 'id = "acme"\nversion = "7"\n[de]\ntext = "Unser Text {dpa_url}"\n'


# -- a ledger of five real confirmations ---------------------------------------------------


@dataclass(frozen=True)
class Stored:
    """The ledger the tests change: each role's row as stored, and its original facts."""

    rows: dict[str, Confirmation]
    facts: dict[int, reading.Facts]  # by seq, as read before any change
    tokens: tuple[Token, Token]

    def row(self, role: str) -> Confirmation:
        return self.rows[role]


#: The role of each entry, in the order stored: seq 1 to 5.
ROLES = ("anonymous", "token", "unknown_notice", "other_token", "last")


def store_five(client: Client, tmp_path: Path) -> Stored:
    """Five confirmations through the API: without a token, with one of two tokens, one of
    a notice text the server does not hold."""
    known = make_token("10472", "Known AG")
    other = make_token("20000", "Other KG")
    notice = tmp_path / "unknown-notice.toml"
    notice.write_text(UNKNOWN_NOTICE, "utf-8")
    sent: list[tuple[Built, str]] = [
        (real_record(session_id="333444551", number=""), ""),
        (real_record(session_id="333444552", company="Stated GmbH"), known),
        (real_record(session_id="333444553", notice_file=str(notice)), ""),
        (real_record(session_id="333444554", number="20000", company=""), other),
        (real_record(session_id="333444555", kept_open=()), ""),
    ]
    for built, token in sent:
        answer = post(client, built, token)
        assert answer.status_code == 201, answer.content
    rows = list(Confirmation.objects.select_related("token").order_by("seq"))
    assert [row.seq for row in rows] == [1, 2, 3, 4, 5]
    found = reading.read_all(rows)
    assert not any(item.damaged for item in found), [item.problems for item in found]
    statuses = [item.notice_status for item in found]
    assert statuses == ["verified", "verified", "unknown", "verified", "verified"]
    tokens = tuple(Token.objects.order_by("pk"))
    return Stored(
        dict(zip(ROLES, rows, strict=True)),
        {item.row.seq: item.facts for item in found if item.facts},
        (tokens[0], tokens[1]),
    )


@pytest.fixture(autouse=True)
def _no_rate_limit(settings: Any) -> None:
    """Hundreds of confirmations from one address, a few per test."""
    values = {**settings.CONFIG.values, "rate_limit_address": "off"}
    settings.CONFIG = type(settings.CONFIG)(values, "")


@pytest.fixture
def five(client: Client, tmp_path: Path, builtin_notices: None) -> Stored:
    return store_five(client, tmp_path)


def sql_set(seq: int, column: str, value: object) -> None:
    """``UPDATE`` one column of the entry ``seq``, as a person with the database would."""
    field = next(f for f in Confirmation._meta.concrete_fields if f.column == column)
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE api_confirmation SET {quote(column)} = %s WHERE seq = %s",
            [field.get_db_prep_save(value, connection), seq],
        )
        assert cursor.rowcount == 1


def sql(statement: str, *params: object) -> int:
    with connection.cursor() as cursor:
        cursor.execute(statement, list(params))
        return int(cursor.rowcount)


def verify_fails() -> tuple[str, str]:
    """``verify``'s findings (stdout) and its closing message; it must fail with exit 1."""
    out = StringIO()
    with pytest.raises(CommandError) as caught:
        call_command("verify", stdout=out, stderr=StringIO())
    assert caught.value.returncode == 1
    message = str(caught.value)
    assert message.startswith("the ledger is damaged: "), message
    return out.getvalue(), message


_NAMED = re.compile(r"^ledger (?:entry (\d+)|entries (\d+) to (\d+))", re.MULTILINE)


def named(findings: str) -> set[int]:
    """The seqs ``verify``'s findings name, each of a run of missing entries included."""
    seqs: set[int] = set()
    for one, first, last in _NAMED.findall(findings):
        seqs |= {int(one)} if one else set(range(int(first), int(last) + 1))
    return seqs


def forged_facts(found: reading.Reading, original: reading.Facts) -> dict[str, object]:
    """Each fact ``found`` shows that is not the ``original`` one. Showing less is fine: a
    fact left out (None), or the server's facts as not covered. ``seq`` is no fact shown:
    the entry's number comes from the row, beside its damage (``fields.ledger_state``),
    and so does its receipt id, the key it is found by (a changed one makes the entry
    unproven, and its facts are marked so)."""
    if found.facts is None:
        return {}
    shown = {
        name: getattr(found.facts, name)
        for name in original.__dataclass_fields__
        if name not in ("seq", "receipt_id")
    }
    return {
        name: value
        for name, value in shown.items()
        if value != getattr(original, name)
        and value is not None
        and (name, value) != ("covers_server", False)
    }


def reread(pk: int) -> reading.Reading:
    return reading.read_one(Confirmation.objects.select_related("token").get(pk=pk))


def found_by(session_id: str) -> set[int]:
    """The keys of what a search by ``session_id`` finds after a verification has run."""
    verification.record(verification.verify())
    return set(records.search(session_id).values_list("pk", flat=True))


# -- every column ----------------------------------------------------------------------------


def _other_notice(row: Confirmation, stored: Stored) -> Confirmation:
    """The row whose notice text differs from ``row``'s: the forger's choice of value."""
    unknown = stored.row("unknown_notice")
    return stored.row("anonymous") if row.notice_id == unknown.notice_id else unknown


def _other_token(row: Confirmation, stored: Stored) -> Token:
    known, other = stored.tokens
    return other if row.token_id == known.pk else known


def _flipped_facts(row: Confirmation, stored: Stored) -> str:
    """Server facts that say what the forger wants: a token for an anonymous record, none
    for a vouched one, and the notice's registration the other way round."""
    token = None if row.token_id else stored.tokens[0]
    return ledger.server_facts_text(token, not row.notice_verified)


#: For each column of ``api_confirmation``, the value a forger would put there.
FORGED: dict[str, Callable[[Confirmation, Stored], object]] = {
    "session_id": lambda row, s: "333444999",
    "confirmed_at": lambda row, s: row.confirmed_at - timedelta(days=1),
    "language": lambda row, s: "en" if row.language == "de" else "de",
    "authority": lambda row, s: "owner",
    "confidential_apps": lambda row, s: "closed" if row.open_applications else "kept_open",
    "open_applications": lambda row, s: (
        [] if row.open_applications else [{"id": "x", "name": "Forged Mail", "category": "mail"}]
    ),
    "customer_number": lambda row, s: "99999",
    "company": lambda row, s: "Forged GmbH",
    "contact_name": lambda row, s: "Max Forger",
    "number_key": lambda row, s: "99999",
    "search_names": lambda row, s: "forged gmbh",
    "notice_id": lambda row, s: _other_notice(row, s).notice_id,
    "notice_version": lambda row, s: _other_notice(row, s).notice_version,
    "notice_sha256": lambda row, s: _other_notice(row, s).notice_sha256,
    "client": lambda row, s: {**row.client, "name": "forged-helper"},
    "submission_id": lambda row, s: str(uuid.uuid4()),
    "scope": lambda row, s: "" if row.scope else str(s.tokens[0].pk),
    "token_id": lambda row, s: _other_token(row, s).pk,
    "customer_verified": lambda row, s: not row.customer_verified,
    "notice_verified": lambda row, s: not row.notice_verified,
    "body_sha256": lambda row, s: hashlib.sha256(b"forged").hexdigest(),
    "server_facts": _flipped_facts,
    "version": lambda row, s: 1,
    "received_at": lambda row, s: row.received_at - timedelta(hours=1),
    "receipt_id": lambda row, s: ledger.new_receipt_id(),
    "entry_hash": lambda row, s: hashlib.sha256(b"forged").hexdigest(),
    "prev_hash": lambda row, s: hashlib.sha256(b"forged").hexdigest(),
    "seq": lambda row, s: row.seq + 1000,
    "body": lambda row, s: bytes(row.body).replace(b"it_admin_permission", b"owner"),
}


def test_every_column_is_in_the_matrix() -> None:
    columns = {f.column for f in Confirmation._meta.concrete_fields if not f.primary_key}
    assert columns == set(FORGED)


def expected_named(column: str, seq: int) -> set[int]:
    """The entries a change of ``column`` in entry ``seq`` names (the module's docstring)."""
    before = {seq - 1} if seq > 1 else set()
    if column == "prev_hash":
        return before | {seq}
    if column == "seq":
        return before | {seq, seq + 1000}
    return {seq}


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("role", ["anonymous", "token", "unknown_notice", "last"])
@pytest.mark.parametrize("column", list(FORGED))
def test_a_changed_column_is_named_never_shown_and_still_found(
    five: Stored, column: str, role: str
) -> None:
    row = five.row(role)
    value = FORGED[column](row, five)
    assert value != getattr(row, column)
    sql_set(row.seq, column, value)

    findings, message = verify_fails()
    assert named(findings) == expected_named(column, row.seq), findings
    assert f"{len(expected_named(column, row.seq))} entr" in message, message

    found = reread(row.pk)
    assert found.damaged and found.problems
    assert forged_facts(found, five.facts[row.seq]) == {}, f"a forged {column} is shown"
    assert row.pk in found_by(five.facts[row.seq].session_id)
    shown_damaged_everywhere(row.pk, FORGED_TEXT.get(column))


#: A forged value as a page or a document would print it, where it is text.
FORGED_TEXT = {
    "session_id": "333 444 999",
    "customer_number": "99999",
    "company": "Forged GmbH",
    "contact_name": "Max Forger",
    "client": "forged-helper",
    "open_applications": "Forged Mail",
}


def shown_damaged_everywhere(pk: int, forged: str | None) -> None:
    """The console's queue and detail page say DAMAGED, and so does the evidence, which
    exits 1 and names a forged value only where it says what differs."""
    from intake_server.api import evidence

    user = get_user_model().objects.create_user("ben", password="x" * 16)
    console = Client(SERVER_NAME="localhost")
    console.force_login(user)
    row = Confirmation.objects.select_related("token").get(pk=pk)
    queue = console.get(reverse("console:queue_rows"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    line = next(tr for tr in queue.split("<tr")[1:] if row.receipt_id in tr)
    assert 'class="damaged' in line and "DAMAGED" in line
    detail = console.get(
        reverse("console:detail", args=[row.receipt_id]), HTTP_ACCEPT_LANGUAGE="en"
    ).content.decode()
    assert 'class="banner damaged"' in detail
    text = evidence.evidence_text(row, "en")
    damage, _sep, rest = text.partition("*** DAMAGED ***")[2].partition("\n\n")
    assert damage.strip()
    if forged is not None:
        assert forged not in rest and forged not in _facts_of(detail), forged
    out, err, code = _evidence_exit(row.receipt_id)
    assert code == 1 and "DAMAGED" in err, (out, err)


def _facts_of(page: str) -> str:
    """The detail page's facts card."""
    start = page.find('<dl class="facts">')
    return page[start : page.index("</dl>", start)] if start >= 0 else ""


def _evidence_exit(receipt_id: str) -> tuple[str, str, int]:
    out, err = StringIO(), StringIO()
    try:
        call_command("evidence", receipt_id, stdout=out, stderr=err)
    except CommandError as exc:
        return out.getvalue(), str(exc), exc.returncode
    return out.getvalue(), err.getvalue(), 0


# -- the cases ---------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_an_anonymous_record_given_a_token_shows_none(five: Stored) -> None:
    """The issue's case: the flags and the token set on a record no token vouched for."""
    row = five.row("anonymous")
    token = five.tokens[0]
    sql(
        "UPDATE api_confirmation SET customer_verified = %s, notice_verified = %s, "
        "token_id = %s, scope = %s WHERE seq = 1",
        True,
        True,
        token.pk,
        str(token.pk),
    )
    findings, _message = verify_fails()
    assert named(findings) == {1}
    for column in ("customer_verified", "token_id", "scope"):
        assert column in findings
    found = reread(row.pk)
    assert found.damaged and found.facts is not None
    assert found.facts.token is None and not found.facts.customer_verified
    assert reading.summary(found)["customer_verified"] is False


@pytest.mark.django_db(transaction=True)
def test_an_anonymous_record_given_a_token_in_its_server_facts_too_shows_none(
    five: Stored,
) -> None:
    """A forger who also rewrites the server's facts: the hash no longer follows, and a
    fact the chain does not prove is not shown."""
    row = five.row("anonymous")
    token = five.tokens[0]
    sql(
        "UPDATE api_confirmation SET customer_verified = %s, token_id = %s, scope = %s, "
        "customer_number = %s, server_facts = %s WHERE seq = 1",
        True,
        token.pk,
        str(token.pk),
        token.customer_number,
        ledger.server_facts_text(token, True),
    )
    assert named(verify_fails()[0]) == {1}
    found = reread(row.pk)
    assert found.damaged and not found.proven
    assert found.facts is None or found.facts.token is None, found.facts


@pytest.mark.django_db(transaction=True)
def test_a_body_changed_with_its_sha256_is_shown_only_as_not_proven(five: Stored) -> None:
    """The body and the SHA-256 stored beside it, changed together: nothing tells this
    apart from a change of the receipt time, after which the body is the original. So
    its facts are those of a reading the chain does not prove: every page and document
    marks them not proven under DAMAGED, and the row's own words (time, token) are gone."""
    row = five.row("token")
    forged = bytes(row.body).replace(b"333444552", b"333444999")
    sql(
        "UPDATE api_confirmation SET body = %s, body_sha256 = %s, session_id = %s WHERE seq = 2",
        forged,
        hashlib.sha256(forged).hexdigest(),
        "333444999",
    )
    assert named(verify_fails()[0]) == {2}
    found = reread(row.pk)
    assert found.damaged and not found.proven
    assert "changed" in {problem.code for problem in found.problems}
    assert found.facts is not None
    assert (found.facts.received_at, found.facts.token, found.facts.notice_registered) == (
        None,
        None,
        None,
    )


@pytest.mark.django_db(transaction=True)
def test_three_changed_entries_of_twenty_are_all_named_and_counted(client: Client) -> None:
    for index in range(20):
        assert post(client, real_record(session_id=f"{444555600 + index}")).status_code == 201
    rows = {row.seq: row for row in Confirmation.objects.all()}
    sql_set(7, "body", bytes(rows[7].body).replace(b"Steuerkanzlei", b"Steuerkanzlai"))
    sql_set(12, "session_id", "444555999")
    sql_set(15, "received_at", rows[15].received_at + timedelta(seconds=1))
    findings, message = verify_fails()
    assert named(findings) == {7, 12, 15}
    assert message.startswith("the ledger is damaged: 3 entries (7, 12, 15) of 20 checked")
    report = verification.verify()
    assert report.damaged == 3 and [f.seq for f in report.findings] == [7, 12, 15]


# -- whole entries deleted or forged ----------------------------------------------------------


def _delete(seq: int) -> Callable[[Stored], tuple[set[int], str]]:
    def delete(stored: Stored) -> tuple[set[int], str]:
        assert sql("DELETE FROM api_confirmation WHERE seq = %s", seq) == 1
        return {seq - 1, seq}, "deleted"

    delete.__name__ = f"delete_{seq}"
    return delete


def forged_entry(after: Confirmation, body: bytes) -> Confirmation:
    """A perfectly formed entry after ``after``, by someone who knows the hash formula."""
    document = json.loads(body)
    row = Confirmation(
        seq=after.seq + 1,
        prev_hash=after.entry_hash,
        receipt_id=ledger.new_receipt_id(),
        received_at=ledger.now(),
        scope="",
        body=body,
        version=ledger.ENTRY_VERSION,
        body_sha256=hashlib.sha256(body).hexdigest(),
        server_facts=ledger.server_facts_text(None, True),
        notice_verified=True,
        **intake.derived_fields(
            {**document, "confirmed_at": json.loads(real_record().payload)["confirmed_at"]},
            None,
        ),
    )
    row.entry_hash = ledger.entry_hash(row)
    row.save()
    return row


def insert_after_head(stored: Stored) -> tuple[set[int], str]:
    forged_entry(stored.row("last"), real_record(session_id="5555555555").payload)
    return {6}, "after the chain head"


def insert_after_head_with_a_gap(stored: Stored) -> tuple[set[int], str]:
    """Beyond the head, not next to it: the head still confirms the last real entry."""
    row = forged_entry(stored.row("last"), real_record(session_id="5555555555").payload)
    sql("UPDATE api_confirmation SET seq = 9 WHERE seq = %s", row.seq)
    return {9}, "after the chain head"


def forge_a_time_that_does_not_exist(stored: Stored) -> tuple[set[int], str]:
    """A well-linked entry, head included, whose body confirms at a time no reader can
    convert (its columns copied from a real one)."""
    payload = real_record(session_id="5555555555").payload
    confirmed = json.loads(payload)["confirmed_at"].encode()
    row = forged_entry(stored.row("last"), payload.replace(confirmed, b"0001-01-01T00:00:00+23:59"))
    assert sql("UPDATE api_chainhead SET seq = %s, entry_hash = %s", row.seq, row.entry_hash) == 1
    return {6}, "no longer a confirmation"


ENTRIES: list[Callable[[Stored], tuple[set[int], str]]] = [
    _delete(3),
    _delete(5),
    insert_after_head,
    insert_after_head_with_a_gap,
    forge_a_time_that_does_not_exist,
]


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("change", ENTRIES, ids=lambda f: f.__name__)
def test_a_deleted_or_forged_entry_is_named(
    five: Stored, change: Callable[[Stored], tuple[set[int], str]]
) -> None:
    seqs, what = change(five)
    findings, message = verify_fails()
    assert named(findings) == seqs, findings
    assert what in findings, findings
    assert message.startswith(f"the ledger is damaged: {len(seqs)} entr"), message
    for seq in seqs & {row.seq for row in Confirmation.objects.all()}:
        receipt = Confirmation.objects.get(seq=seq).receipt_id
        assert f"ledger entry {seq} (receipt {receipt})" in findings


@pytest.mark.django_db(transaction=True)
def test_an_untouched_ledger_verifies(five: Stored) -> None:
    out = StringIO()
    call_command("verify", stdout=out, stderr=StringIO())
    assert out.getvalue().startswith("Ledger intact: 5 entries checked; head 5 sha256 ")
    assert ChainHead.objects.get().entry_hash in out.getvalue()


# -- through the command line ----------------------------------------------------------------


def _forged_dates(row: Confirmation, token: Token) -> dict[str, object]:
    return {
        "received_at": row.received_at.replace(year=2020),
        "confirmed_at": row.confirmed_at.replace(year=2020),
    }


def _forged_flags(row: Confirmation, token: Token) -> dict[str, object]:
    return {
        "customer_verified": True,
        "notice_verified": True,
        "token_id": token.pk,
        "scope": str(token.pk),
        "customer_number": token.customer_number,
    }


#: The issue's cases: what a forger changes, and the text that must not be printed then.
KINDS: dict[str, tuple[Callable[[Confirmation, Token], dict[str, object]], tuple[str, ...]]] = {
    "column": (lambda row, token: {"session_id": "333444556"}, ("333 444 556",)),
    "dates": (_forged_dates, ("2020-",)),
    "body": (
        lambda row, token: {"body": bytes(row.body).replace(b"333444555", b"333444556")},
        ("333 444 556", "333444556"),
    ),
    "flags": (_forged_flags, ("Known AG", "10472")),
}


def stated_as_facts(evidence: str, form: list[str]) -> str:
    """What the evidence states as facts: all but the words on its damage, which quote
    the columns' forged values on purpose. The PDF holds what the text does."""
    if form == ["--json"]:
        document = json.loads(evidence)
        document["intellekta"]["ledger"].pop("problems")
        return json.dumps(document, ensure_ascii=False)
    sections = evidence.split("\n\n")
    return "\n\n".join(s for s in sections if s.startswith(("The confirmation", "Controller")))


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("kind", list(KINDS))
def test_the_evidence_of_a_damaged_entry_exits_1_and_prints_no_forged_fact(
    client: Client, tmp_path: Path, builtin_notices: None, kind: str
) -> None:
    """End to end, ``evidence`` and ``verify`` as their own processes (text, JSON, PDF)."""
    make_token("10472", "Known AG")
    assert post(client, real_record(session_id="333444555", number="")).status_code == 201
    row = Confirmation.objects.get()
    change, never = KINDS[kind]
    for column, value in change(row, Token.objects.get()).items():
        sql_set(1, column, value)
    env = intake_env(tmp_path / "data", shared_database_url())
    for form in ([], ["--json"], ["--pdf", str(tmp_path / "evidence.pdf")]):
        evidence = run_intake("evidence", row.receipt_id, "--lang", "en", *form, env=env)
        assert evidence.returncode == 1, (form, evidence.stdout + evidence.stderr)
        assert "Traceback" not in evidence.stderr
        for text in never:
            assert text not in stated_as_facts(evidence.stdout, form), (form, text)
    assert "DAMAGED" in run_intake("evidence", row.receipt_id, "--lang", "en", env=env).stdout
    verified = run_intake("verify", env=env)
    assert verified.returncode == 1
    assert verified.stdout.startswith(f"ledger entry 1 (receipt {row.receipt_id}): ")


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_the_command_line_names_the_damaged_entry(serve: ServerProcess, database_url: str) -> None:
    posted = [post_to(serve, real_record(session_id=f"{223456780 + i}")) for i in range(3)]
    assert [status for status, _ in posted] == [201, 201, 201], serve.log_text()
    receipts = [answer["receipt_id"] for _, answer in posted]
    assert run_intake("verify", env=serve.env).returncode == 0

    path = urlsplit(database_url).path
    with sqlite3.connect(path) as db:
        (original,) = db.execute("SELECT body FROM api_confirmation WHERE seq = 2").fetchone()
        db.execute(
            "UPDATE api_confirmation SET body = ? WHERE seq = 2",
            [bytes(original).replace(b"Steuerkanzlei", b"Steuerkanzlai")],
        )
    damaged = run_intake("verify", env=serve.env)
    assert damaged.returncode == 1, damaged.stdout + damaged.stderr
    assert "Traceback" not in damaged.stderr
    assert damaged.stdout.startswith(f"ledger entry 2 (receipt {receipts[1]}): ")
    assert damaged.stderr.startswith(
        "intellekta-intake verify: the ledger is damaged: 1 entry (2) of 3 checked."
    )

    with sqlite3.connect(path) as db:  # the backup's bytes back: intact again
        db.execute("UPDATE api_confirmation SET body = ? WHERE seq = 2", [original])
    assert run_intake("verify", env=serve.env).returncode == 0

    with sqlite3.connect(path) as db:
        db.execute("DELETE FROM api_confirmation WHERE seq = 3")
    truncated = run_intake("verify", env=serve.env)
    assert truncated.returncode == 1, truncated.stdout + truncated.stderr
    assert "Traceback" not in truncated.stderr
    assert "ledger entry 3: it is missing (deleted)" in truncated.stdout
    assert "2 entries (2, 3) of 2 checked" in truncated.stderr
