"""/metrics answers only to loopback (behind a proxy: the forwarded client) or to the bearer
token in ``metrics_token_file``."""

from __future__ import annotations

import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

import pytest
from django.http import HttpResponse
from django.test import Client

from tests.server.conftest import ServerProcess, intake_env, run_intake
from tests.server.test_addresses import configure

TOKEN = "s3cret-metrics-token"


def scrape(
    client: Client, address: str, token: str | None = None, forwarded: str | None = None
) -> HttpResponse:
    headers = {"REMOTE_ADDR": address}
    if token is not None:
        headers["HTTP_AUTHORIZATION"] = f"Bearer {token}"
    if forwarded is not None:
        headers["HTTP_X_FORWARDED_FOR"] = forwarded
    answer: HttpResponse = client.get("/metrics", **headers)
    return answer


@pytest.fixture
def token_file(tmp_path: Path, settings: Any) -> Path:
    path = tmp_path / "metrics-token"
    path.write_text(TOKEN + "\n")
    configure(settings, metrics_token_file=str(path))
    return path


@pytest.mark.parametrize("address", ["127.0.0.1", "127.8.0.1", "::1"])
def test_loopback_reads_the_metrics(client: Client, address: str) -> None:
    answer = scrape(client, address)
    assert answer.status_code == 200 and b"intake_confirmations_received" in answer.content


def test_anyone_else_is_refused_in_plain_words(client: Client) -> None:
    answer = scrape(client, "203.0.113.9")
    assert answer.status_code == 403 and answer["Content-Type"].startswith("text/plain")
    assert b"metrics_token_file" in answer.content
    assert b"intake_" not in answer.content
    assert scrape(client, "203.0.113.9", token="").status_code == 403  # no file: no token


def test_the_bearer_token_from_the_file_opens_the_metrics(client: Client, token_file: Path) -> None:
    assert scrape(client, "203.0.113.9", token=TOKEN).status_code == 200
    for wrong in ("", "s3cret", TOKEN + "x", "ä" + TOKEN):
        assert scrape(client, "203.0.113.9", token=wrong).status_code == 403, wrong
    basic = client.get("/metrics", REMOTE_ADDR="203.0.113.9", HTTP_AUTHORIZATION=f"Basic {TOKEN}")
    assert basic.status_code == 403


def test_behind_a_proxy_loopback_means_the_forwarded_client(client: Client, settings: Any) -> None:
    configure(settings, behind_proxy=True, proxy_count=1)
    assert scrape(client, "127.0.0.1", forwarded="203.0.113.9").status_code == 403
    assert scrape(client, "127.0.0.1", forwarded="127.0.0.1, 203.0.113.9").status_code == 403
    assert scrape(client, "127.0.0.1", forwarded="127.0.0.1").status_code == 200


@pytest.mark.parametrize("content", [None, "", "\n", b"\xff\xfe"])
def test_an_unreadable_or_empty_token_file_is_a_configuration_error(
    client: Client, token_file: Path, content: str | bytes | None
) -> None:
    if content is None:
        token_file.unlink()
    elif isinstance(content, bytes):
        token_file.write_bytes(content)
    else:
        token_file.write_text(content)
    from intake_server.api import metrics_access

    problem = metrics_access.token_file_problem()
    assert problem is not None and str(token_file) in problem
    assert scrape(client, "203.0.113.9", token="").status_code == 403
    assert scrape(client, "203.0.113.9", token=TOKEN).status_code == 403
    assert scrape(client, "127.0.0.1").status_code == 200


def test_a_readable_token_file_is_no_problem(token_file: Path) -> None:
    from intake_server.api import metrics_access

    assert metrics_access.token_file_problem() is None


def test_a_real_server_behind_a_proxy_reads_the_forwarded_client(tmp_path: Path) -> None:
    """The address as ``serve`` hands it to Django: loopback by connection, the forwarded
    client behind the proxy."""
    env = intake_env(
        tmp_path / "data", f"sqlite:///{tmp_path / 'intake.sqlite3'}", behind_proxy="true"
    )
    assert run_intake("migrate", env=env).returncode == 0
    server = ServerProcess(env, None, workers=1).start()
    try:

        def status(forwarded: str | None) -> int:
            headers = {} if forwarded is None else {"X-Forwarded-For": forwarded}
            request = urllib.request.Request(server.base + "/metrics", headers=headers)
            try:
                with urllib.request.urlopen(request, timeout=10) as answer:
                    return int(answer.status)
            except urllib.error.HTTPError as refused:
                return refused.code

        assert status(None) == 200  # a monitor on the proxy's machine, not through it
        assert status("203.0.113.9") == 403
        assert status("127.0.0.1, 203.0.113.9") == 403
        assert status("127.0.0.1") == 200
    finally:
        server.stop()
