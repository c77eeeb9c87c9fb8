"""POSTing a confirmation to a real server process, as the helper does, over HTTPS."""

from __future__ import annotations

import http.client
import json
from typing import Any

from tests.server.conftest import URL_PATH, ServerProcess
from tests.server.records import Built


def post(server: ServerProcess, built: Built, timeout: float = 60) -> tuple[int, dict[str, Any]]:
    """One POST on a new HTTPS connection of its own: ``(status, JSON answer)``."""
    assert server.tls is not None
    connection = http.client.HTTPSConnection(
        "127.0.0.1", server.port, context=server.tls.client_context(), timeout=timeout
    )
    try:
        connection.request("POST", URL_PATH, body=built.payload, headers={
            "Content-Type": "application/json",
            "Idempotency-Key": f'"{built.submission_id}"',
            "Accept": "application/json",
        })  # fmt: skip
        answer = connection.getresponse()
        body = answer.read()
    finally:
        connection.close()
    try:
        document = json.loads(body)
    except ValueError:
        document = {"unparsed": body.decode("utf-8", "replace")}
    return answer.status, document
