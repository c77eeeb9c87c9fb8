"""The server's log in a real ``serve`` process: one line format for hypercorn, Django and
the application, JSON lines on request, and a wrong ``Host`` as one WARNING naming it."""

from __future__ import annotations

import http.client
import json
import re
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from intake_server import logs
from tests.server.conftest import ServerProcess, intake_env

#: TEXT_FORMAT as a pattern: time, [pid], level, logger: message.
TEXT_LINE = re.compile(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3} \[\d+\] [A-Z]+ [\w.]+: .+")


@pytest.fixture(params=["text", "json"])
def logging_server(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[ServerProcess]:
    env = intake_env(
        tmp_path / "data", f"sqlite:///{tmp_path / 'intake.sqlite3'}", log_format=request.param
    )
    server = ServerProcess(env, None, options=("--no-purge",)).start()
    yield server
    server.stop()


def _get(server: ServerProcess, path: str, host: str) -> int:
    connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
    try:
        connection.request("GET", path, headers={"Host": host})
        return connection.getresponse().status
    finally:
        connection.close()


def _lines(server: ServerProcess, wanted: str) -> list[str]:
    """The log's lines once one contains ``wanted`` (a worker writes it a moment later)."""
    deadline = time.monotonic() + 10
    while True:
        lines = server.log_text().splitlines()
        if any(wanted in line for line in lines) or time.monotonic() > deadline:
            return lines


def test_every_line_has_the_one_format_and_a_wrong_host_is_one_warning(
    logging_server: ServerProcess,
) -> None:
    assert _get(logging_server, "/healthz", "evil.example") == 400
    lines = _lines(logging_server, "evil.example")
    refused = [line for line in lines if "'evil.example'" in line]
    assert len(refused) == 1, lines
    assert "Traceback" not in logging_server.log_text()
    json_format = logging_server.env["INTELLEKTA_INTAKE_LOG_FORMAT"] == "json"
    for line in lines:
        if json_format:
            entry = json.loads(line)
            assert {"time", "level", "logger", "message", "process"} <= entry.keys(), line
        else:
            assert TEXT_LINE.fullmatch(line), line
    names = {json.loads(line)["logger"] if json_format else line.split()[4] for line in lines}
    assert {"intake_server.serve:", "hypercorn.error:"} <= {n.rstrip(":") + ":" for n in names}
    warning = json.loads(refused[0]) if json_format else refused[0]
    if json_format:
        assert warning["level"] == "WARNING" and "request" not in warning
    else:
        assert " WARNING django.security.DisallowedHost: " in warning


def test_the_text_format_is_the_documented_one() -> None:
    config = logs.config("info", "text")
    assert config["formatters"]["line"]["format"] == logs.TEXT_FORMAT
