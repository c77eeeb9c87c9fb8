"""The intake API through Django's test client: answers, refusals, idempotency, tokens."""

from __future__ import annotations

import json
import uuid
from typing import Any

import pytest
from django.core.management import call_command
from django.test import Client

from intake_server.api.models import Confirmation, Token
from tests.server.records import Built, real_record
from tests.server.register import make_token

URL = "/api/v1/remote-support/confirmations"
pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("builtin_notices")]


def post(
    client: Client,
    built: Built,
    token: str = "",
    body: bytes | None = None,
    content_type: str = "application/json",
    **headers: str,
) -> Any:
    data = built.payload if body is None else body
    return client.post(
        URL, data=data, content_type=content_type, **{**built.headers(token), **headers}
    )


def test_a_confirmation_is_stored_once_and_replayed_with_the_same_answer(client: Client) -> None:
    built = real_record()
    first = post(client, built)
    assert first.status_code == 201, first.content
    answer = first.json()
    assert answer["receipt_id"].startswith("R-") and len(answer["receipt_id"]) == 11
    again = post(client, built)
    assert again.status_code == 200 and again.json() == answer
    row = Confirmation.objects.get()
    assert bytes(row.body) == built.payload
    assert row.notice_verified and not row.customer_verified
    assert row.session_id == "1234567890" and row.seq == 1


def test_same_key_with_another_body_is_refused(client: Client) -> None:
    built = real_record()
    assert post(client, built).status_code == 201
    other = built.payload.replace(b"1234567890", b"1234567899")
    answer = post(client, built, body=other)
    assert answer.status_code == 422
    assert answer["Content-Type"] == "application/problem+json"
    assert answer.json()["type"].endswith("key_reused")


@pytest.mark.parametrize(
    ("body", "content_type", "headers", "status"),
    [
        (b"{", "application/json", {}, 400),
        (b"\xff\xfe", "application/json", {}, 400),
        (None, "text/plain", {}, 415),
        (None, "application/json; charset=latin-1", {}, 415),
        (b"x" * 70000, "application/json", {}, 413),
        (b'{"schema_version": 1}', "application/json", {}, 422),
    ],
)
def test_bad_requests_get_problem_details(
    client: Client, body: bytes | None, content_type: str, headers: dict[str, str], status: int
) -> None:
    answer = post(client, real_record(), body=body, content_type=content_type, **headers)
    assert answer.status_code == status, answer.content
    assert answer["Content-Type"] == "application/problem+json"
    problem = answer.json()
    assert problem["status"] == status and problem["detail"]


def test_schema_errors_name_the_field(client: Client) -> None:
    built = real_record()
    document = json.loads(built.payload)
    document["confirmations"]["authority"] = "neighbour"
    answer = post(client, built, body=json.dumps(document).encode())
    assert answer.status_code == 422
    assert answer.json()["errors"][0]["pointer"] == "/confirmations/authority"


def test_idempotency_key_is_required_and_must_match(client: Client) -> None:
    built = real_record()
    missing = client.post(URL, data=built.payload, content_type="application/json")
    assert missing.status_code == 400 and missing.json()["type"].endswith("no_idempotency_key")
    wrong = post(client, built, HTTP_IDEMPOTENCY_KEY=f'"{uuid.uuid4()}"')
    assert wrong.status_code == 422 and wrong.json()["type"].endswith("key_mismatch")
    assert not Confirmation.objects.exists()


def test_a_token_verifies_the_customer(client: Client) -> None:
    token = make_token("10472")
    answer = post(client, real_record(number="10472"), token=token)
    assert answer.status_code == 201
    row = Confirmation.objects.get()
    assert row.customer_verified and row.customer_number == "10472"
    contradicting = post(client, real_record(number="99999"), token=token)
    assert contradicting.status_code == 422
    assert contradicting.json()["errors"][0]["pointer"] == "/customer/number"


def test_a_token_takes_its_number_however_the_helper_writes_it(client: Client) -> None:
    """The helper's administrator wrote "k-1"; the register has "K1": the same number.
    The entry names it as the register does."""
    token = make_token("K1")
    assert post(client, real_record(number="k-1"), token=token).status_code == 201
    assert Confirmation.objects.get().customer_number == "K1"


def test_unknown_and_revoked_tokens_get_401(client: Client) -> None:
    assert post(client, real_record(), token="itk_nonsense").status_code == 401
    token = make_token()
    call_command("token", "revoke", str(Token.objects.get().pk), stdout=None)
    answer = post(client, real_record(), token=token)
    assert answer.status_code == 401 and "WWW-Authenticate" in answer


def test_require_token_refuses_anonymous(client: Client, settings: Any) -> None:
    settings.CONFIG = type(settings.CONFIG)({**settings.CONFIG.values, "require_token": True}, "")
    assert post(client, real_record()).status_code == 401
    assert post(client, real_record(), token=make_token()).status_code == 201


def test_keys_are_scoped_to_the_token(client: Client) -> None:
    """The same submission id from two customers' tokens are two confirmations."""
    built = real_record(number="")
    assert post(client, built, token=make_token("1")).status_code == 201
    assert post(client, built, token=make_token("2")).status_code == 201
    assert Confirmation.objects.count() == 2


def test_rate_limit_answers_429_with_retry_after(client: Client, settings: Any) -> None:
    settings.CONFIG = type(settings.CONFIG)(
        {**settings.CONFIG.values, "rate_limit_address": "3/m"}, ""
    )
    statuses = [post(client, real_record(), REMOTE_ADDR="192.0.2.7").status_code for _ in range(5)]
    assert statuses[:3] == [201, 201, 201] and statuses[3:] == [429, 429]
    limited = post(client, real_record(), REMOTE_ADDR="192.0.2.7")
    assert int(limited["Retry-After"]) >= 1
    assert post(client, real_record(), REMOTE_ADDR="192.0.2.8").status_code == 201


def test_problem_details_speak_the_records_language(client: Client) -> None:
    built = real_record(language="de")
    answer = post(client, built, HTTP_IDEMPOTENCY_KEY=f'"{uuid.uuid4()}"')
    assert "Idempotency-Key" in answer.json()["detail"]
    assert "muss" in answer.json()["detail"]


def test_health_readiness_metrics_and_openapi(client: Client) -> None:
    assert client.get("/healthz").status_code == 200
    ready = client.get("/readyz").json()
    assert ready["status"] == "ready" and ready["ledger"]["checked_at"] is None  # not verified
    post(client, real_record())
    metrics = client.get("/metrics").content.decode()
    assert "intake_confirmations_received_total" in metrics
    document = client.get("/api/v1/openapi.json").json()
    assert document["openapi"].startswith("3.1")
    body = document["components"]["schemas"]["Confirmation"]
    assert body["$id"] == "urn:intellekta:remote-support:confirmation:1"
