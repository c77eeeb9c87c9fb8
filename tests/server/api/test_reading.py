"""The one reading of a stored confirmation (:mod:`reading`): what it takes as facts, what
it says of a damaged entry, its JSON form, and that it reads many rows in three queries.

Every column changed one at a time, and whole entries: ``tests/server/test_tamper.py``. Format 1:
``test_verification.py``.
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from django.utils import translation

from intake_server.api import reading
from intake_server.api.models import Confirmation, NoticeText
from tests.server.records import real_record
from tests.server.test_api import post
from tests.server.test_tamper import UNKNOWN_NOTICE, make_token, sql_set

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("builtin_notices")]


def words(problem: reading.Problem) -> str:
    """A problem in English (a request to the test client leaves its language active)."""
    with translation.override("en"):
        return str(problem)


def one(client: Client, token: str = "", **record: Any) -> Confirmation:
    assert post(client, real_record(**record), token).status_code == 201
    return Confirmation.objects.select_related("token").order_by("-seq").first()


def reread(row: Confirmation) -> reading.Reading:
    return reading.read_one(Confirmation.objects.select_related("token").get(pk=row.pk))


def test_an_intact_entry_gives_the_facts_of_its_body_and_its_token(client: Client) -> None:
    secret = make_token("10472", "Known AG")
    row = one(client, secret, company="Stated GmbH", session_id="123456789")
    found = reading.read_one(row)
    assert found.proven and not found.damaged and found.facts is not None
    assert found.facts.session_id == "123456789" and found.facts.customer_verified
    assert found.facts.companies() == [("Known AG", True), ("Stated GmbH", False)]
    assert found.notice_status == "verified" and found.notice_text
    item = reading.summary(found)
    assert item["ledger"] == {"seq": 1, "proven": True, "damaged": False, "problems": []}
    assert (item["customer_verified"], item["verified_company"], item["token_id"]) == (
        True,
        "Known AG",
        row.token_id,
    )
    assert item["customer"] == {
        "number": "10472",
        "company": "Stated GmbH",
        "contact_name": "Erika Mustermann",
    }
    assert item["notice"]["registered_at_receipt"] is True


def test_a_changed_column_is_damage_and_the_facts_stay_the_bodys(client: Client) -> None:
    row = one(client, session_id="123456789")
    sql_set(row.seq, "session_id", "987654321")
    found = reread(row)
    assert found.proven and found.damaged and found.facts is not None
    assert found.facts.session_id == "123456789"
    assert [p.code for p in found.problems] == ["column"]
    assert words(found.problems[0]) == (
        "the column session_id says 987654321, the entry says 123456789"
    )
    item = reading.summary(found)
    assert item["session_id"] == "123456789"
    assert item["ledger"]["damaged"] and item["ledger"]["problems"] == [str(found.problems[0])]


def test_a_changed_body_gives_no_facts(client: Client) -> None:
    row = one(client)
    sql_set(row.seq, "body", bytes(row.body).replace(b"Erika", b"Erich"))
    found = reread(row)
    assert found.facts is None and not found.proven
    assert {p.code for p in found.problems} == {"changed", "body_changed"}
    assert found.notice_status == "unknown" and found.notice_text is None
    assert reading.summary(found) == {
        "receipt_id": row.receipt_id,
        "facts": None,
        "ledger": {
            "seq": 1,
            "proven": False,
            "damaged": True,
            "problems": [str(p) for p in found.problems],
        },
    }


@pytest.mark.parametrize(
    ("column", "value", "code"),
    [
        ("version", 7, "format"),
        ("server_facts", "{", "server_facts"),
        ("body", b"[1]", "unreadable"),
    ],
)
def test_an_entry_that_cannot_be_read_gives_no_facts(
    client: Client, column: str, value: object, code: str
) -> None:
    row = one(client)
    sql_set(row.seq, column, value)
    if column == "body":  # the body's SHA-256 changed with it: only the hash shows it
        sql_set(row.seq, "body_sha256", hashlib.sha256(b"[1]").hexdigest())
    found = reread(row)
    assert found.facts is None and found.damaged
    assert code in {p.code for p in found.problems}


def test_a_long_or_empty_value_is_quoted_short(client: Client) -> None:
    row = one(client, contact_name="Erika Mustermann")
    sql_set(row.seq, "contact_name", "x" * 200)
    (problem,) = reread(row).problems
    assert f"says {'x' * (reading.QUOTED_CHARS - 1)}…, the entry" in words(problem)
    sql_set(row.seq, "contact_name", "")
    with translation.override("de"):  # read in one language, shown in another
        (problem,) = reread(row).problems
    assert words(problem) == "the column contact_name says (empty), the entry says Erika Mustermann"


def test_a_changed_notice_text_is_no_longer_verified(client: Client) -> None:
    row = one(client)
    NoticeText.objects.filter(sha256=row.notice_sha256).update(text="Ein anderer Text")
    found = reread(row)
    assert not found.damaged and found.notice_status == "changed"
    assert found.notice_text is None


def test_the_notice_is_named_by_the_facts_never_by_the_columns(
    client: Client, tmp_path: Path
) -> None:
    """Columns pointing a confirmation of an unknown text at a registered one."""
    notice = tmp_path / "notice.toml"
    notice.write_text(UNKNOWN_NOTICE, "utf-8")
    known = one(client, session_id="111111111")
    unknown = one(client, session_id="222222222", notice_file=str(notice))
    for column in ("notice_id", "notice_version", "notice_sha256"):
        sql_set(unknown.seq, column, getattr(known, column))
    found = reread(unknown)
    assert found.damaged and found.notice_status == "unknown" and found.notice_text is None


def test_many_rows_are_read_in_three_queries(
    client: Client, django_assert_max_num_queries: Any
) -> None:
    for index in range(12):
        one(client, session_id=f"{333000000 + index}")
    rows = list(Confirmation.objects.select_related("token").order_by("seq"))
    with django_assert_max_num_queries(3):
        found = reading.read_all(rows)
    assert [item.row.seq for item in found] == list(range(1, 13))
    assert not any(item.damaged for item in found)
