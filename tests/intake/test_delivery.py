"""deliver() and send_pending() against a real HTTPS server on 127.0.0.1.

Every class of the intake contract: success, each retryable and each permanent answer,
Retry-After, connection failures, redirects, TLS trust, the token, proxies, locking.
"""

from __future__ import annotations

import json
import logging
import os
import re
import shutil
import threading
from pathlib import Path

import pytest
from urllib3.response import HTTPResponse

from helper.intake import DeliveryState, Outbox, Reason, RecordState, deliver, send_pending
from helper.intake.client import RETRY_AFTER_CAP_S, BudgetRetry, _planned_wait
from tests.intake.conftest import Configure
from tests.intake.proxy import ConnectProxy
from tests.intake.records import Sample, sample_record
from tests.intake.server import IntakeServer, Reply

TOKEN = "tok-3f9a1c77e2b54d0c"


def _add(data_dir: Path, language: str = "en") -> tuple[Outbox, Sample]:
    outbox = Outbox(data_dir)
    sample = sample_record(language=language)
    outbox.add(sample.payload, sample.submission_id, sample.session_id)
    return outbox, sample


def test_success_sends_the_exact_bytes_with_the_contract_headers(
    intake_server: IntakeServer, configure: Configure, data_dir: Path
) -> None:
    outbox, sample = _add(data_dir)
    delivery = deliver(configure(), outbox, sample.submission_id)

    assert delivery.state is DeliveryState.DELIVERED
    assert (delivery.receipt_id, delivery.attempts, delivery.http_status) == ("R-000001", 1, 200)
    assert "R-000001" in delivery.message("en")
    [seen] = intake_server.seen
    assert seen.body == sample.payload
    assert seen.headers["content-type"] == "application/json"
    assert seen.headers["idempotency-key"] == f'"{sample.submission_id}"'
    assert re.fullmatch(
        r"intellekta-helper/\d+\.\d+\.\d+\S* \((linux|macos|windows)\)", seen.headers["user-agent"]
    )
    assert "authorization" not in seen.headers
    assert outbox.list() == []


def test_the_receipt_keeps_the_answer_and_speaks_the_records_language(
    intake_server: IntakeServer, configure: Configure, data_dir: Path
) -> None:
    outbox, sample = _add(data_dir, language="de")
    delivery = deliver(configure(), outbox, sample.submission_id)

    receipt = json.loads((data_dir / "receipts" / f"{sample.submission_id}.json").read_text())
    assert receipt["receipt_id"] == delivery.receipt_id == "R-000001"
    assert receipt["server_answer"]["receipt_id"] == "R-000001"
    assert receipt["record"] == json.loads(sample.payload)
    assert receipt["session_id"] == sample.session_id
    assert delivery.receipt_text == data_dir / "receipts" / f"{sample.submission_id}.txt"
    text = delivery.receipt_text.read_text("utf-8")
    assert "Beleg" in text and "Referenz:        R-000001" in text
    assert sample.session_id in text and sample.submission_id in text


def test_without_a_receipt_id_the_submission_id_is_the_reference(
    intake_server: IntakeServer, configure: Configure, data_dir: Path
) -> None:
    intake_server.reply(Reply(201, body=b"\x00 garbage, not JSON"))
    outbox, sample = _add(data_dir)
    delivery = deliver(configure(), outbox, sample.submission_id)
    assert delivery.state is DeliveryState.DELIVERED
    assert delivery.reference == delivery.receipt_id == sample.submission_id


@pytest.mark.parametrize("status", [408, 409, 425, 429, 500, 502, 503, 504])
def test_each_retryable_answer_is_retried(
    status: int, intake_server: IntakeServer, configure: Configure, data_dir: Path
) -> None:
    intake_server.reply(Reply(status))
    outbox, sample = _add(data_dir)
    delivery = deliver(configure(), outbox, sample.submission_id)
    assert (delivery.state, delivery.attempts) == (DeliveryState.DELIVERED, 2)
    assert intake_server.posts(sample.submission_id) == 2
    assert list(intake_server.stored) == [sample.submission_id]


def test_when_the_budget_is_spent_the_record_waits_and_is_sent_later(
    intake_server: IntakeServer, configure: Configure, data_dir: Path
) -> None:
    intake_server.reply(Reply(503))
    outbox, sample = _add(data_dir)
    config = configure()
    delivery = deliver(config, outbox, sample.submission_id, budget_s=0)

    assert (delivery.state, delivery.message_id) == (DeliveryState.PENDING, "intake.pending.server")
    assert delivery.http_status == 503 and "503" in delivery.message("de")
    assert intake_server.posts() == 1
    [record] = outbox.list()
    assert (record.state, record.attempts) == (RecordState.PENDING, 1)
    assert record.last_error == "HTTP 503"

    summary = send_pending(config, outbox)
    assert [d.state for d in summary.results] == [DeliveryState.DELIVERED]
    assert (summary.pending, summary.rejected, intake_server.posts()) == (0, 0, 2)


@pytest.mark.parametrize("status", [400, 404, 410, 413, 422])
def test_each_permanent_answer_rejects_and_keeps_the_record(
    status: int, intake_server: IntakeServer, configure: Configure, data_dir: Path
) -> None:
    message = "Session\x1b[31m unknown\n" + "x" * 500
    intake_server.reply(Reply(status, body=json.dumps({"message": message}).encode()))
    outbox, sample = _add(data_dir)
    config = configure()
    delivery = deliver(config, outbox, sample.submission_id)

    assert (delivery.state, delivery.http_status) == (DeliveryState.REJECTED, status)
    assert delivery.server_message.startswith("Session [31m unknown x")
    assert len(delivery.server_message) <= 200 and "\x1b" not in delivery.server_message
    assert f"{status}" in delivery.message("en") and sample.submission_id in delivery.message("en")
    [record] = outbox.list()
    assert (record.state, record.http_status) == (RecordState.REJECTED, status)
    assert outbox.payload(sample.submission_id) == sample.payload

    assert send_pending(config, outbox).results == ()  # refused ones wait for a person
    assert intake_server.posts() == 1
    summary = send_pending(config, outbox, include_rejected=True)
    assert [d.state for d in summary.results] == [DeliveryState.DELIVERED]
    assert outbox.list() == []


@pytest.mark.parametrize("status", [401, 403])
def test_not_authorised_keeps_the_record_pending_until_the_token_changes(
    status: int, intake_server: IntakeServer, configure: Configure, data_dir: Path, tmp_path: Path
) -> None:
    """A wrong, missing or revoked token is not the customer's fault: the record waits,
    not tried again with the same access, and goes out once the token is new."""
    token_file = tmp_path / "token.txt"
    token_file.write_text("old-token\n", "utf-8")
    intake_server.reply(Reply(status, body=b'{"message": "token revoked"}'), Reply(201))
    outbox, sample = _add(data_dir)
    config = configure({"intake.token_file": str(token_file)})

    delivery = deliver(config, outbox, sample.submission_id)

    assert (delivery.state, delivery.reason) == (DeliveryState.PENDING, Reason.NOT_AUTHORISED)
    for lang, call in (("en", "Please call support"), ("de", "rufen Sie den Support an")):
        assert call in delivery.message(lang) and str(status) in delivery.message(lang)
    [record] = outbox.list()
    assert (record.state, record.http_status) == (RecordState.NOT_AUTHORISED, status)
    assert (
        record.state.waiting and "old-token" not in outbox.path_of(sample.submission_id).read_text()
    )
    summary = send_pending(config, outbox)  # e.g. the next start: the same access, no request
    assert (summary.results, summary.pending, intake_server.posts()) == ((), 1, 1)

    token_file.write_text("new-token\n", "utf-8")
    summary = send_pending(configure({"intake.token_file": str(token_file)}), outbox)

    assert [d.state for d in summary.results] == [DeliveryState.DELIVERED]
    assert [s.headers["authorization"] for s in intake_server.seen] == [
        "Bearer old-token",
        "Bearer new-token",
    ]
    assert (summary.pending, outbox.list()) == (0, [])


def test_not_authorised_with_the_same_access_is_tried_again_a_day_later(
    intake_server: IntakeServer, configure: Configure, data_dir: Path
) -> None:
    """The server's side may change unseen (a token no longer required): once a day."""
    intake_server.reply(Reply(401), Reply(401), Reply(201))
    outbox, sample = _add(data_dir)
    config = configure()
    deliver(config, outbox, sample.submission_id)
    assert send_pending(config, outbox).results == ()  # an hour later, say

    [record] = outbox.list()
    with outbox.lock(sample.submission_id):
        outbox.update(record, refused_at="2026-01-01T00:00:00.000000+00:00")
    assert [d.reason for d in send_pending(config, outbox).results] == [Reason.NOT_AUTHORISED]
    assert send_pending(config, outbox).results == ()  # refused again just now: waits a day
    assert len(send_pending(config, outbox, every_waiting=True).delivered) == 1  # a person
    assert intake_server.posts() == 3


def test_retry_after_is_what_the_client_waits(
    intake_server: IntakeServer,
    configure: Configure,
    data_dir: Path,
    caplog: pytest.LogCaptureFixture,
) -> None:
    intake_server.reply(Reply(429, headers={"Retry-After": "2"}))
    outbox, sample = _add(data_dir)
    with caplog.at_level(logging.INFO, logger="helper.intake.client"):
        delivery = deliver(configure(), outbox, sample.submission_id)
    assert (delivery.state, delivery.attempts) == (DeliveryState.DELIVERED, 2)
    assert "Attempt 1 failed (HTTP 429); next in 2.0 s" in caplog.messages


def test_retry_after_beyond_the_budget_leaves_the_record_pending_at_once(
    intake_server: IntakeServer, configure: Configure, data_dir: Path
) -> None:
    date = "Wed, 21 Oct 2099 07:28:00 GMT"  # the HTTP-date form, capped to 30 s
    intake_server.reply(Reply(503, headers={"Retry-After": date}))
    outbox, sample = _add(data_dir)
    delivery = deliver(configure(), outbox, sample.submission_id, budget_s=5)
    assert (delivery.state, delivery.http_status) == (DeliveryState.PENDING, 503)
    assert intake_server.posts() == 1


def test_retry_after_is_capped() -> None:
    retry = BudgetRetry.for_budget(100)
    for value in ("3600", "Wed, 21 Oct 2099 07:28:00 GMT"):
        answer = HTTPResponse(status=503, headers={"Retry-After": value})
        assert _planned_wait(retry, answer) == RETRY_AFTER_CAP_S
    assert _planned_wait(retry, HTTPResponse(status=503, headers={"Retry-After": "soon"})) == 0


def test_server_down_then_back_up(
    intake_server: IntakeServer, configure: Configure, data_dir: Path
) -> None:
    config = configure()
    intake_server.stop()
    outbox, sample = _add(data_dir)
    delivery = deliver(config, outbox, sample.submission_id, budget_s=0)
    assert delivery.message_id == "intake.pending.connection"
    assert "internet" in delivery.message("en")
    assert outbox.list()[0].last_error.startswith("connection: ")

    intake_server.start()
    summary = send_pending(config, outbox)
    assert len(summary.delivered) == 1 and summary.pending == 0
    assert intake_server.posts() == 1


def test_a_reset_connection_is_retried(
    intake_server: IntakeServer, configure: Configure, data_dir: Path
) -> None:
    intake_server.reply(Reply(fault="reset"))
    outbox, sample = _add(data_dir)
    delivery = deliver(configure(), outbox, sample.submission_id)
    assert (delivery.state, delivery.attempts) == (DeliveryState.DELIVERED, 2)


def test_a_lost_acknowledgement_is_resent_and_the_server_keeps_one(
    intake_server: IntakeServer, configure: Configure, data_dir: Path
) -> None:
    intake_server.reply(Reply(fault="store_then_reset"))
    outbox, sample = _add(data_dir)
    delivery = deliver(configure(), outbox, sample.submission_id)
    assert (delivery.state, delivery.receipt_id) == (DeliveryState.DELIVERED, "R-000001")
    assert intake_server.posts() == 2
    assert intake_server.stored == {sample.submission_id: sample.payload}
    assert intake_server.conflicts == []


def test_a_slow_answer_times_out_and_is_retried(
    intake_server: IntakeServer, configure: Configure, data_dir: Path
) -> None:
    intake_server.reply(Reply(delay_s=2.5))
    outbox, sample = _add(data_dir)
    delivery = deliver(configure({"intake.timeout_s": "1"}), outbox, sample.submission_id)
    assert (delivery.state, delivery.attempts) == (DeliveryState.DELIVERED, 2)
    assert len(intake_server.stored) == 1


def test_a_slow_answer_without_budget_is_a_timeout(
    intake_server: IntakeServer, configure: Configure, data_dir: Path
) -> None:
    intake_server.reply(Reply(delay_s=2.5))
    outbox, sample = _add(data_dir)
    config = configure({"intake.timeout_s": "1"})
    delivery = deliver(config, outbox, sample.submission_id, budget_s=0)
    assert delivery.message_id == "intake.pending.timeout"


def test_a_redirect_to_plain_http_is_refused(
    intake_server: IntakeServer, configure: Configure, data_dir: Path
) -> None:
    target = f"http://127.0.0.1:{intake_server.port}/intake"
    intake_server.reply(Reply(307, headers={"Location": target}))
    outbox, sample = _add(data_dir)
    delivery = deliver(configure(), outbox, sample.submission_id)
    assert delivery.message_id == "intake.pending.redirect_http"
    assert "unencrypted" in delivery.message("en") and "unverschlüsselte" in delivery.message("de")
    assert intake_server.posts() == 1
    assert "not https" in outbox.list()[0].last_error


def test_a_redirect_to_https_keeps_the_post_and_its_body(
    intake_server: IntakeServer, configure: Configure, data_dir: Path
) -> None:
    intake_server.reply(Reply(308, headers={"Location": "/moved"}))
    outbox, sample = _add(data_dir)
    delivery = deliver(configure(), outbox, sample.submission_id)
    assert delivery.state is DeliveryState.DELIVERED
    assert [s.path for s in intake_server.seen] == ["/intake", "/moved"]
    assert intake_server.seen[1].body == sample.payload


def test_a_malformed_redirect_is_an_unexpected_answer_not_a_crash(
    intake_server: IntakeServer, configure: Configure, data_dir: Path
) -> None:
    intake_server.reply(Reply(307, headers={"Location": "https://[::1/intake"}))
    outbox, sample = _add(data_dir)
    delivery = deliver(configure(), outbox, sample.submission_id)
    assert delivery.message_id == "intake.pending.unexpected"


def test_a_redirect_that_would_drop_the_body_is_not_followed(
    intake_server: IntakeServer, configure: Configure, data_dir: Path
) -> None:
    intake_server.reply(Reply(302, headers={"Location": "/elsewhere"}))
    outbox, sample = _add(data_dir)
    delivery = deliver(configure(), outbox, sample.submission_id)
    assert (delivery.state, delivery.http_status) == (DeliveryState.REJECTED, 302)
    assert intake_server.posts() == 1


def test_an_unknown_certificate_authority_is_refused_until_configured(
    intake_server: IntakeServer,
    configure: Configure,
    data_dir: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    outbox, sample = _add(data_dir)
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", str(intake_server.tls.ca_pem))  # not ours to read
    delivery = deliver(configure({"intake.ca_bundle": ""}), outbox, sample.submission_id)
    assert delivery.message_id == "intake.pending.tls"
    assert "intake.ca_bundle" in delivery.message("en")
    assert "CERTIFICATE_VERIFY_FAILED" in outbox.list()[0].last_error
    assert intake_server.posts() == 0 and intake_server.tls_failures >= 1

    assert deliver(configure(), outbox, sample.submission_id).state is DeliveryState.DELIVERED


def test_an_unreadable_ca_bundle_is_reported(
    intake_server: IntakeServer, configure: Configure, data_dir: Path, tmp_path: Path
) -> None:
    bundle = tmp_path / "not-a-certificate.pem"
    bundle.write_text("hello")
    outbox, sample = _add(data_dir)
    delivery = deliver(configure({"intake.ca_bundle": str(bundle)}), outbox, sample.submission_id)
    assert delivery.message_id == "intake.pending.ca_bundle"
    assert intake_server.posts() == 0


def test_the_bearer_token_is_sent_from_the_setting_or_the_file(
    intake_server: IntakeServer, configure: Configure, data_dir: Path, tmp_path: Path
) -> None:
    outbox, first = _add(data_dir)
    deliver(configure(env={"INTELLEKTA_HELPER_INTAKE_TOKEN": TOKEN}), outbox, first.submission_id)
    token_file = tmp_path / "token.txt"
    token_file.write_text(f"{TOKEN}-file\n", "utf-8")
    second = sample_record()
    outbox.add(second.payload, second.submission_id, second.session_id)
    deliver(configure({"intake.token_file": str(token_file)}), outbox, second.submission_id)

    assert [s.headers["authorization"] for s in intake_server.seen] == [
        f"Bearer {TOKEN}",
        f"Bearer {TOKEN}-file",
    ]


def test_the_token_does_not_follow_a_redirect_to_another_host(
    intake_server: IntakeServer, configure: Configure, data_dir: Path
) -> None:
    target = f"https://localhost:{intake_server.port}/intake"
    intake_server.reply(Reply(307, headers={"Location": target}))
    outbox, sample = _add(data_dir)
    config = configure(env={"INTELLEKTA_HELPER_INTAKE_TOKEN": TOKEN})
    assert deliver(config, outbox, sample.submission_id).state is DeliveryState.DELIVERED
    assert [s.headers.get("authorization") for s in intake_server.seen] == [f"Bearer {TOKEN}", None]


def test_a_token_that_cannot_be_sent_is_reported_without_showing_it(
    intake_server: IntakeServer, configure: Configure, data_dir: Path
) -> None:
    outbox, sample = _add(data_dir)
    config = configure(env={"INTELLEKTA_HELPER_INTAKE_TOKEN": "geheim\u00e4wort"})
    delivery = deliver(config, outbox, sample.submission_id)
    assert delivery.message_id == "intake.pending.token_invalid"
    assert "geheim" not in delivery.message("de") and "geheim" not in outbox.list()[0].last_error
    assert intake_server.posts() == 0


def test_without_an_intake_url_nothing_is_sent(configure: Configure, data_dir: Path) -> None:
    outbox, sample = _add(data_dir)
    delivery = deliver(configure({"intake.url": ""}), outbox, sample.submission_id)
    assert delivery.message_id == "intake.pending.no_url"
    assert outbox.list()[0].last_error == "no_url"


def test_intake_proxy_is_used_and_its_tunnel_reused(
    intake_server: IntakeServer, configure: Configure, data_dir: Path
) -> None:
    outbox = Outbox(data_dir)
    for _ in range(3):
        sample = sample_record()
        outbox.add(sample.payload, sample.submission_id, sample.session_id)
    with ConnectProxy() as proxy:
        summary = send_pending(configure({"intake.proxy": proxy.url}), outbox)
    assert len(summary.delivered) == 3
    assert proxy.tunnels == [f"127.0.0.1:{intake_server.port}"]


def test_the_environments_proxy_is_honoured(
    intake_server: IntakeServer,
    configure: Configure,
    data_dir: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    outbox, sample = _add(data_dir)
    with ConnectProxy() as proxy:
        monkeypatch.setenv("HTTPS_PROXY", proxy.url)
        delivery = deliver(configure(), outbox, sample.submission_id)
    assert delivery.state is DeliveryState.DELIVERED
    assert len(proxy.tunnels) == 1


def test_a_proxy_that_refuses_is_reported(
    intake_server: IntakeServer, configure: Configure, data_dir: Path
) -> None:
    outbox, sample = _add(data_dir)
    with ConnectProxy() as proxy:
        port = proxy.url.rsplit(":", 1)[1]
    delivery = deliver(
        configure({"intake.proxy": f"http://127.0.0.1:{port}"}),
        outbox,
        sample.submission_id,
        budget_s=0,
    )
    assert delivery.message_id == "intake.pending.proxy"


def test_threads_deliver_different_records_at_once(
    intake_server: IntakeServer, configure: Configure, data_dir: Path
) -> None:
    config = configure()
    outbox = Outbox(data_dir)
    samples = [sample_record() for _ in range(8)]
    for sample in samples:
        outbox.add(sample.payload, sample.submission_id, sample.session_id)
    results: dict[str, DeliveryState] = {}

    def work(sample: Sample) -> None:
        results[sample.submission_id] = deliver(config, outbox, sample.submission_id).state

    threads = [threading.Thread(target=work, args=(s,)) for s in samples]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert set(results.values()) == {DeliveryState.DELIVERED} and len(results) == 8
    assert set(intake_server.post_counts().values()) == {1}


def test_a_record_another_helper_is_sending_is_left_to_it(
    intake_server: IntakeServer, configure: Configure, data_dir: Path
) -> None:
    config = configure()
    outbox, sample = _add(data_dir)
    with outbox.lock(sample.submission_id):  # the other helper
        assert deliver(config, outbox, sample.submission_id, budget_s=0).message_id == (
            "intake.pending.busy"
        )
        summary = send_pending(config, outbox)
        assert [d.message_id for d in summary.results] == ["intake.pending.busy"]
        assert summary.pending == 1
    assert intake_server.posts() == 0
    assert deliver(config, outbox, sample.submission_id).state is DeliveryState.DELIVERED


def test_a_record_with_a_receipt_is_never_sent_again(
    intake_server: IntakeServer, configure: Configure, data_dir: Path, tmp_path: Path
) -> None:
    config = configure()
    outbox, sample = _add(data_dir)
    saved = tmp_path / "copy.json"
    shutil.copy(outbox.path_of(sample.submission_id), saved)
    first = deliver(config, outbox, sample.submission_id)
    # A helper killed after writing the receipt, before removing the outbox file:
    shutil.copy(saved, outbox.path_of(sample.submission_id))
    (data_dir / "receipts" / f"{sample.submission_id}.txt").unlink()

    again = deliver(config, outbox, sample.submission_id)
    assert (again.state, again.receipt_id) == (DeliveryState.DELIVERED, first.receipt_id)
    assert intake_server.posts() == 1 and outbox.list() == []
    assert (data_dir / "receipts" / f"{sample.submission_id}.txt").exists()


def test_a_damaged_record_is_reported_and_the_rest_still_sent(
    intake_server: IntakeServer, configure: Configure, data_dir: Path
) -> None:
    outbox, damaged = _add(data_dir)
    good = sample_record()
    outbox.add(good.payload, good.submission_id, good.session_id)
    path = outbox.path_of(damaged.submission_id)
    path.write_text(path.read_text("utf-8").replace("Praxis", "Kanzlei"), "utf-8")
    stale = data_dir / "outbox" / ".old.json.part"
    stale.write_bytes(b"left by a helper killed long ago")
    os.utime(stale, (0, 0))

    summary = send_pending(configure(), outbox)
    assert [d.message_id for d in summary.results] == [
        "intake.pending.damaged",
        "intake.delivered",
    ]
    assert list(intake_server.stored) == [good.submission_id]
    assert path.exists() and not stale.exists()


def test_deliver_for_an_unknown_record_is_a_programming_error(
    configure: Configure, data_dir: Path
) -> None:
    with pytest.raises(KeyError):
        deliver(configure(), Outbox(data_dir), "00000000-0000-4000-8000-000000000000")
