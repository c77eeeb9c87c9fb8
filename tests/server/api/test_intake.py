"""Reading a request (intake.py): chunked bodies are read like any other, through the real
serving stack (no Content-Length; the server takes off the chunks' framing), and the
schema is compiled without changing a verdict."""

from __future__ import annotations

import http.client
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from helper.consent.record import schema
from intake_server.api import intake
from intake_server.api.intake import MAX_BODY_BYTES
from tests.server.conftest import URL_PATH, ServerProcess, Tls, intake_env
from tests.server.records import Built, real_record


@pytest.fixture
def server(tmp_path: Path, server_tls: Tls) -> Iterator[ServerProcess]:
    env = intake_env(tmp_path / "data", f"sqlite:///{tmp_path / 'intake.sqlite3'}")
    running = ServerProcess(env, server_tls).start()
    yield running
    running.stop()


def post_chunked(server: ServerProcess, built: Built, chunks: list[bytes]) -> tuple[int, Any]:
    """POST ``chunks`` with ``Transfer-Encoding: chunked`` (no Content-Length)."""
    assert server.tls is not None
    connection = http.client.HTTPSConnection(
        "127.0.0.1", server.port, context=server.tls.client_context(), timeout=60
    )
    try:
        connection.request(
            "POST",
            URL_PATH,
            body=iter(chunks),
            encode_chunked=True,
            headers={
                "Content-Type": "application/json",
                "Transfer-Encoding": "chunked",
                "Idempotency-Key": f'"{built.submission_id}"',
            },
        )
        answer = connection.getresponse()
        return answer.status, json.loads(answer.read())
    finally:
        connection.close()


def test_a_chunked_body_is_read_whole(server: ServerProcess) -> None:
    built = real_record(session_id="1000000001")
    size = len(built.payload) // 5 + 1
    chunks = [built.payload[i : i + size] for i in range(0, len(built.payload), size)]

    status, answer = post_chunked(server, built, chunks)

    assert status == 201, f"{answer}\n{server.log_text()}"
    assert answer["receipt_id"].startswith("R-")
    replayed = post_chunked(server, built, [built.payload])  # one chunk: the same record
    assert replayed == (200, answer)


def test_a_chunked_body_larger_than_allowed_is_refused_as_too_large(
    server: ServerProcess,
) -> None:
    built = real_record(session_id="1000000002")
    status, answer = post_chunked(server, built, [b" " * 4096] * (MAX_BODY_BYTES // 4096 + 1))
    assert status == 413, answer
    assert answer["type"].endswith(":too_large")


def test_the_compiled_schema_judges_as_the_helpers_schema_does() -> None:
    """The server compiles schema.json with its ``$ref``s written out (for speed): the
    verdicts must stay the same."""
    assert "$ref" not in json.dumps(intake._inlined(schema(), schema()["$defs"]))
    original = jsonschema.validators.validator_for(schema())(schema())
    good = json.loads(real_record().payload)
    cases = [
        good,
        {**good, "session_id": "1234\x0056789"},
        {**good, "language": "fr"},
        {**good, "client": {**good["client"], "os_version": "\ud800"}},
    ]
    for case in cases:
        expected = sorted((list(e.absolute_path), e.validator) for e in original.iter_errors(case))
        found = sorted(
            (list(e.absolute_path), e.validator) for e in intake.validator().iter_errors(case)
        )
        assert found == expected
