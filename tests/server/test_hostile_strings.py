"""Hypothesis: strings from the whole of Unicode, surrogates and controls included, in
any string field of a real record, sent as ASCII or UTF-8 JSON. No answer is a 5xx, and
whatever was stored is shown by every page and command, as it was sent.

In-process on the test database, so ``INTELLEKTA_TEST_DATABASE=postgres`` runs it on
PostgreSQL as well. Each example starts with no confirmations, so that a failure is its
own and hypothesis can shrink it.
"""

from __future__ import annotations

import json
import sys
import uuid
from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from hypothesis import HealthCheck, event, given, settings, strategies as st

from helper.consent.text import UNSTORABLE
from intake_server.api.models import ChainHead, Confirmation
from tests.server.api.test_intake_text import every_reader_shows, run, signed_in_admin
from tests.server.records import real_record
from tests.server.test_api import URL

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("builtin_notices")]
RECORD = real_record()
#: Characters that broke readers elsewhere, more often than the whole range would give them:
#: lone surrogates, NUL, ESC, C1, bidi override, line separator, BOM, noncharacter, astral.
TRICKY = st.sampled_from(list("\ud800\udfff\x00\x1b\x85\x9b\u202e\u2028\ufeff\uffff\U0001f600"))
#: Joined from a list: st.text() merges its alphabet and then hardly ever draws a surrogate.
hostile = st.lists(
    st.characters(min_codepoint=0, max_codepoint=sys.maxunicode) | TRICKY, max_size=50
).map("".join)
#: Half of them without what the rule refuses, so that many records are stored and shown.
texts = hostile | hostile.map(lambda text: UNSTORABLE.sub("", text))


def _string_fields(value: Any, path: tuple[str | int, ...] = ()) -> list[tuple[str | int, ...]]:
    if isinstance(value, dict):
        return [p for key, item in value.items() for p in _string_fields(item, (*path, key))]
    if isinstance(value, list):
        return [p for i, item in enumerate(value) for p in _string_fields(item, (*path, i))]
    return [path] if isinstance(value, str) else []


FIELDS = _string_fields(json.loads(RECORD.payload))
#: The fields whose text is free: any printable text is stored.
FREE = [f for f in FIELDS if f[0] in ("open_applications", "customer") or f[-1] == "os_version"]


@pytest.fixture
def staff() -> Client:
    return signed_in_admin()


@pytest.fixture(autouse=True)
def _no_rate_limit(settings: Any) -> None:
    values = {**settings.CONFIG.values, "rate_limit_address": "off"}
    settings.CONFIG = type(settings.CONFIG)(values, "")


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    changes=st.dictionaries(
        st.sampled_from(FIELDS) | st.sampled_from(FREE), texts, min_size=1, max_size=4
    ),
    append=st.booleans(),
    ascii=st.booleans(),
)
def test_hostile_strings_are_refused_or_shown_everywhere(
    client: Client,
    staff: Client,
    tmp_path: Path,
    changes: dict[tuple[Any, ...], str],
    append: bool,
    ascii: bool,
) -> None:
    Confirmation.objects.all().delete()
    ChainHead.objects.all().delete()
    document = json.loads(RECORD.payload)
    key = str(uuid.uuid4())
    document["submission_id"] = key
    for path, text in changes.items():
        target = document
        for part in path[:-1]:
            target = target[part]
        # Appended to a valid value, the text keeps the record valid more often.
        target[path[-1]] = target[path[-1]] + text if append else text
    # As ASCII a lone surrogate travels as "\\ud800"; as UTF-8 it makes the body invalid.
    body = json.dumps(document, ensure_ascii=ascii).encode("utf-8", "surrogatepass")
    answer = client.post(
        URL, data=body, content_type="application/json", HTTP_IDEMPOTENCY_KEY=f'"{key}"'
    )
    assert answer.status_code < 500, answer.content
    event(str(answer.status_code))
    if answer.status_code != 201:
        assert answer.status_code in (400, 422), answer.content
        assert answer["Content-Type"] == "application/problem+json"
        assert json.loads(answer.content)["detail"]
        return
    row = Confirmation.objects.get(receipt_id=answer.json()["receipt_id"])
    # What was sent, as the server read it: escaped surrogate pairs join into one character.
    document = json.loads(body)
    every_reader_shows(staff, row, tmp_path, downloads=False)
    found = json.loads(run("find", row.receipt_id, "--json"))[0]
    assert found["customer"] == {k: v for k, v in document["customer"].items() if v}
    assert found["open_applications"] == [
        {"name": app["name"], "category": app.get("category", "")}
        for app in document["open_applications"]
    ]
    assert found["client"] == document["client"]
