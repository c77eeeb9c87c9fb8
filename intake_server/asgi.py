"""What ``intellekta-intake serve`` runs in each server process: Django's WSGI
application, called only for a request that has arrived whole.

hypercorn reads every connection on an event loop: the TLS handshake, the headers and the
body. Only a complete request takes one of the process's threads to run Django, so a
client that sends slowly, or stops, costs a little memory and never a thread, and is
closed after ``read_timeout_s`` of silence:

- in the TLS handshake, and before its headers are complete: by hypercorn
  (``ssl_handshake_timeout`` and ``keep_alive_timeout``, set in :mod:`intake_server.serve`);
- in the body: here, with ``408`` (hypercorn's own read timeout would also cut off a
  download that takes longer than that, during which the client rightly sends nothing).

A body is never held beyond ``MAX_BODY_BYTES + 1`` bytes: a larger declared length is
not read at all, a chunked body is cut there, and the view answers ``413`` in the
client's language. The one exception is a CSV file for the customer register, which may
be larger (``importing.MAX_UPLOAD_BYTES``), and only when the session cookie belongs to
a signed-in administrator, checked before the body is read: a stranger can never make a
server hold more than ``MAX_BODY_BYTES`` of a request. A chunked body that fits is handed
to Django with its length, like any other.

The thread runs Django and collects the answer; only a streaming answer (an export, a
static file) comes back to the loop part by part. The first version handed every part
across with a blocking call from the thread (hypercorn's ``AsyncioWSGIMiddleware``), which
cost a third more CPU per request than gunicorn (``benchmarks/intake_bench.py``).
"""

from __future__ import annotations

import asyncio
import functools
import json
import os
import sys
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from importlib import import_module
from typing import Any

from hypercorn.typing import (
    ASGIReceiveCallable as Receive,
    ASGISendCallable as Send,
    HTTPResponseStartEvent,
    HTTPScope,
    Scope,
)

from intake_server.wsgi import application as django_application

# isort: split
# Django is set up now (by the import above): the models may be imported.
from django import db
from django.conf import settings
from django.contrib.auth import SESSION_KEY, get_user_model
from django.http.cookie import parse_cookie
from django.urls import reverse

from intake_server.api.intake import MAX_BODY_BYTES
from intake_server.api.problems import REASONS, TYPE_BASE
from intake_server.customers.importing import MAX_UPLOAD_BYTES
from intake_server.serve import THREADS_VARIABLE

Headers = list[tuple[bytes, bytes]]


class _Stalled(Exception):
    """The client sent no part of its body for ``read_timeout_s``."""


async def application(scope: Scope, receive: Receive, send: Send) -> None:
    """The ASGI application hypercorn serves (see the module's docstring)."""
    if scope["type"] == "lifespan":
        await _lifespan(receive, send)
    elif scope["type"] == "http":
        try:
            limit = await _body_limit(scope)
            body = await _body(scope, receive, settings.CONFIG["read_timeout_s"], limit)
        except _Stalled:
            await _timed_out(send)
            return
        await _respond(_environ(scope, body), send)
    # anything else (a WebSocket): no answer, and hypercorn closes the connection


async def _body_limit(scope: HTTPScope) -> int:
    """``MAX_BODY_BYTES``; for an administrator's CSV upload to the customer register,
    which alone asks for more, ``MAX_UPLOAD_BYTES``."""
    if _declared_length(scope) <= MAX_BODY_BYTES or scope["path"] != _import_path():
        return MAX_BODY_BYTES
    cookies = parse_cookie(_header(scope, b"cookie").decode("latin-1"))
    session_key = cookies.get(settings.SESSION_COOKIE_NAME, "")
    loop = asyncio.get_running_loop()
    admin = await loop.run_in_executor(None, _is_administrator, session_key)
    return MAX_UPLOAD_BYTES if admin else MAX_BODY_BYTES


@functools.cache
def _import_path() -> str:
    return reverse("customers:import")


def _is_administrator(session_key: str) -> bool:
    """Whether the session is an active administrator's (in a pool thread: it reads the
    database). The view checks everything else (the idle time) as for any request."""
    if not session_key:
        return False
    try:
        session = import_module(settings.SESSION_ENGINE).SessionStore(session_key)
        user_id = session.get(SESSION_KEY)
        if user_id is None:
            return False
        users = get_user_model().objects.filter(pk=user_id, is_active=True, is_staff=True)
        return users.exists()
    except db.Error:
        # The database is down or full: the body stays unread, and Django's answer to the
        # request meets the same fault and says so (503, intake_server.faults).
        return False


async def _body(scope: HTTPScope, receive: Receive, timeout: float, limit: int) -> bytes:
    """The body, at most ``limit + 1`` bytes of it, each part within ``timeout``; none at
    all when the declared length is larger (the view then answers 413)."""
    if _declared_length(scope) > limit:
        return b""
    body = bytearray()
    while len(body) <= limit:
        try:
            message = await asyncio.wait_for(receive(), timeout)
        except TimeoutError:
            raise _Stalled from None
        if message["type"] != "http.request":
            break  # http.disconnect: the client is gone
        body += message.get("body", b"")
        if not message.get("more_body", False):
            break
    return bytes(body[: limit + 1])


def _declared_length(scope: HTTPScope) -> int:
    value = _header(scope, b"content-length")
    return int(value) if value.isdigit() else 0  # hypercorn refuses a bad one


def _header(scope: HTTPScope, wanted: bytes) -> bytes:
    """The first header of that (lower-case) name, or b""."""
    return next((value for name, value in scope["headers"] if name.lower() == wanted), b"")


def _environ(scope: HTTPScope, body: bytes) -> dict[str, Any]:
    """The WSGI environment (PEP 3333) of a request that has arrived whole."""
    server = scope.get("server") or ("localhost", 80)
    environ: dict[str, Any] = {
        "REQUEST_METHOD": scope["method"],
        "SCRIPT_NAME": "",
        "PATH_INFO": scope["path"].encode("utf-8").decode("latin-1"),
        "QUERY_STRING": scope["query_string"].decode("latin-1"),
        "SERVER_NAME": server[0],
        "SERVER_PORT": str(server[1]),
        "SERVER_PROTOCOL": f"HTTP/{scope['http_version']}",
        "REMOTE_ADDR": client[0] if (client := scope.get("client")) else "",
        "wsgi.version": (1, 0),
        "wsgi.url_scheme": scope.get("scheme", "http"),
        "wsgi.input": _Input(body),
        "wsgi.errors": sys.stderr,
        "wsgi.multithread": True,
        "wsgi.multiprocess": True,
        "wsgi.run_once": False,
    }
    for raw_name, raw_value in scope["headers"]:
        if b"_" in raw_name:
            # X_Forwarded_For would become HTTP_X_FORWARDED_FOR, as X-Forwarded-For does:
            # dropped, as gunicorn and Django's own server drop them.
            continue
        name = raw_name.decode("latin-1").upper().replace("-", "_")
        if name not in ("CONTENT_LENGTH", "CONTENT_TYPE"):
            name = f"HTTP_{name}"
        value = raw_value.decode("latin-1")
        environ[name] = f"{environ[name]},{value}" if name in environ else value
    # A chunked body has arrived whole: Django reads it by its length. (A declared length
    # that is too large stays, unread, so that the view can say so.)
    environ.setdefault("CONTENT_LENGTH", str(len(body)))
    return environ


class _Input:
    """``wsgi.input``: the body in memory."""

    def __init__(self, body: bytes) -> None:
        self._body, self._at = body, 0

    def read(self, size: int = -1) -> bytes:
        end = len(self._body) if size is None or size < 0 else self._at + size
        chunk, self._at = self._body[self._at : end], min(end, len(self._body))
        return chunk

    def readline(self, size: int = -1) -> bytes:
        end = self._body.find(b"\n", self._at) + 1 or len(self._body)
        if size is not None and size >= 0:
            end = min(end, self._at + size)
        return self.read(end - self._at)


async def _respond(environ: dict[str, Any], send: Send) -> None:
    """Run Django in a thread of the pool; send its answer from the loop."""
    loop = asyncio.get_running_loop()
    status, headers, parts = await loop.run_in_executor(None, _run_django, environ)
    start: HTTPResponseStartEvent = {
        "type": "http.response.start",
        "status": status,
        "headers": headers,
        "trailers": False,
    }
    await send(start)
    if isinstance(parts, bytes):
        await send({"type": "http.response.body", "body": parts, "more_body": False})
        return
    try:  # streaming: each part is made in the pool (it may read the database)
        each = iter(parts)
        while (part := await loop.run_in_executor(None, next, each, None)) is not None:
            await send({"type": "http.response.body", "body": part, "more_body": True})
        await send({"type": "http.response.body", "body": b"", "more_body": False})
    finally:
        await loop.run_in_executor(None, _close, parts)


def _run_django(environ: dict[str, Any]) -> tuple[int, Headers, bytes | Iterable[bytes]]:
    """Status, headers and the whole body; or, when Django streams, the answer to take
    the parts from (in a pool thread)."""
    started: list[tuple[int, Headers]] = []

    def start_response(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> None:
        encoded = [(n.lower().encode("latin-1"), v.encode("latin-1")) for n, v in headers]
        started[:] = [(int(status.split(" ", 1)[0]), encoded)]

    result: Iterable[bytes] = django_application(environ, start_response)
    if getattr(result, "streaming", False):
        return *started[0], result
    try:
        body = b"".join(result)
    finally:
        _close(result)
    return *started[0], body


def _close(result: Iterable[bytes]) -> None:
    """Django's answers are closed after sending (its request_finished signal)."""
    close = getattr(result, "close", None)
    if close is not None:
        close()


async def _timed_out(send: Send) -> None:
    """408, and the connection is closed (the rest of the body never came)."""
    status, title = REASONS["timeout"]
    problem = {
        "type": TYPE_BASE + "timeout",
        "title": title,
        "status": status,
        "detail": "The request body did not arrive in time. Please send it again.",
    }
    start: HTTPResponseStartEvent = {
        "type": "http.response.start",
        "status": status,
        "headers": [(b"content-type", b"application/problem+json"), (b"connection", b"close")],
        "trailers": False,
    }
    await send(start)
    await send(
        {"type": "http.response.body", "body": json.dumps(problem).encode(), "more_body": False}
    )


async def _lifespan(receive: Receive, send: Send) -> None:
    """The worker's start and stop: the pool of threads that run Django."""
    pool: ThreadPoolExecutor | None = None
    while True:
        message = await receive()
        if message["type"] == "lifespan.startup":
            threads = int(os.environ.get(THREADS_VARIABLE, "8"))
            pool = ThreadPoolExecutor(threads, thread_name_prefix="request")
            asyncio.get_running_loop().set_default_executor(pool)
            await send({"type": "lifespan.startup.complete"})
        elif message["type"] == "lifespan.shutdown":
            if pool is not None:
                pool.shutdown(wait=True)
            await send({"type": "lifespan.shutdown.complete"})
            return
