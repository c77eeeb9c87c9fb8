"""Hypothesis: whatever a client sends, the intake API answers 2xx or a 4xx problem.

Bodies are random bytes, random JSON, and real records with one field replaced, removed
or added; headers are random too. No answer is a 5xx, and every refusal is
``application/problem+json`` with a ``detail``.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client
from hypothesis import HealthCheck, given, settings, strategies as st

from tests.server.records import real_record

URL = "/api/v1/remote-support/confirmations"
RECORD = real_record()
DOCUMENT = json.loads(RECORD.payload)
pytestmark = pytest.mark.django_db

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(), inner, max_size=4),
    max_leaves=12,
)


def _paths(value: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    found = [prefix] if prefix else []
    if isinstance(value, dict):
        for key, item in value.items():
            found += _paths(item, (*prefix, key))
    return found


@st.composite
def mutated_records(draw: st.DrawFn) -> bytes:
    document = json.loads(RECORD.payload)
    path = draw(st.sampled_from(_paths(document)))
    parent = document
    for key in path[:-1]:
        parent = parent[key]
    action = draw(st.sampled_from(["replace", "remove", "add"]))
    if action == "replace":
        parent[path[-1]] = draw(json_values)
    elif action == "remove":
        del parent[path[-1]]
    else:
        parent[draw(st.text(max_size=10))] = draw(json_values)
    return json.dumps(document, ensure_ascii=draw(st.booleans())).encode()


bodies = st.one_of(
    st.binary(max_size=300),
    json_values.map(lambda v: json.dumps(v).encode()),
    mutated_records(),
)
header_text = st.text(max_size=80) | st.sampled_from(
    [f'"{RECORD.submission_id}"', RECORD.submission_id, '""', '"', "Bearer x", ""]
)
content_types = st.sampled_from(
    [
        "application/json",
        "application/json; charset=utf-8",
        "text/plain",
        "",
        "application/json; charset=latin-1",
        "multipart/form-data; boundary=x",
    ]
) | st.text(max_size=40)


@pytest.fixture(autouse=True)
def _no_rate_limit(settings: Any) -> None:
    config = settings.CONFIG
    values = {**config.values, "rate_limit_address": "off", "rate_limit_token": "off"}
    settings.CONFIG = type(config)(values, "")


@settings(
    max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    body=bodies,
    content_type=content_types,
    key=st.none() | header_text,
    authorization=st.none() | header_text,
)
def test_no_input_gets_a_5xx(
    client: Client, body: bytes, content_type: str, key: str | None, authorization: str | None
) -> None:
    headers = {}
    if key is not None:
        headers["HTTP_IDEMPOTENCY_KEY"] = key
    if authorization is not None:
        headers["HTTP_AUTHORIZATION"] = authorization
    answer = client.generic("POST", URL, data=body, content_type=content_type, **headers)
    assert answer.status_code < 500, answer.content
    if answer.status_code >= 400:
        assert answer["Content-Type"] == "application/problem+json"
        problem = json.loads(answer.content)
        assert problem["status"] == answer.status_code and problem["detail"].strip()


@settings(
    max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(method=st.sampled_from(["GET", "PUT", "DELETE", "PATCH", "OPTIONS"]))
def test_other_methods_get_405_problems(client: Client, method: str) -> None:
    answer = client.generic(method, URL)
    assert answer.status_code == 405 and answer["Allow"] == "POST"
    assert answer["Content-Type"] == "application/problem+json"
