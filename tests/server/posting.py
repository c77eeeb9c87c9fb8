"""POSTing a confirmation to a real server process, as the helper does, over HTTPS."""

from __future__ import annotations

import http.client
import json
from typing import Any

from tests.server.conftest import URL_PATH, ServerProcess
from tests.server.records import Built


def send(
    server: ServerProcess, built: Built, token: str = "", timeout: float = 60
) -> tuple[int, dict[str, str], bytes]:
    """One POST on a new HTTPS connection of its own: ``(status, headers, body)``, the
    headers' names in lower case."""
    assert server.tls is not None
    connection = http.client.HTTPSConnection(
        "127.0.0.1", server.port, context=server.tls.client_context(), timeout=timeout
    )
    headers = {
        "Content-Type": "application/json",
        "Accept": "application/json",
        "Idempotency-Key": f'"{built.submission_id}"',
    }
    if token:
        headers["Authorization"] = f"Bearer {token}"
    try:
        connection.request("POST", URL_PATH, body=built.payload, headers=headers)
        answer = connection.getresponse()
        return answer.status, {k.lower(): v for k, v in answer.getheaders()}, answer.read()
    finally:
        connection.close()


def post(server: ServerProcess, built: Built, timeout: float = 60) -> tuple[int, dict[str, Any]]:
    """One POST as :func:`send`: ``(status, JSON answer)``."""
    status, _headers, body = send(server, built, timeout=timeout)
    try:
        document = json.loads(body)
    except ValueError:
        document = {"unparsed": body.decode("utf-8", "replace")}
    return status, document
