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
client's language. The number of threads is the ``serve --threads`` option.
"""

from __future__ import annotations

import asyncio
import json
import os
from concurrent.futures import ThreadPoolExecutor

from hypercorn.middleware import AsyncioWSGIMiddleware
from hypercorn.typing import (
    ASGIReceiveCallable as Receive,
    ASGIReceiveEvent,
    ASGISendCallable as Send,
    HTTPResponseStartEvent,
    HTTPScope,
    Scope,
)

from intake_server.wsgi import application as django_application

# isort: split
# Django is set up now (by the import above): the models may be imported.
from django.conf import settings

from intake_server.api.intake import MAX_BODY_BYTES
from intake_server.api.problems import TYPE_BASE
from intake_server.serve import THREADS_VARIABLE


class _Stalled(Exception):
    """The client sent no part of its body for ``read_timeout_s``."""


class Application:
    """The ASGI application hypercorn serves (see the module's docstring)."""

    def __init__(self) -> None:
        self._django = AsyncioWSGIMiddleware(django_application, MAX_BODY_BYTES + 1)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            await _lifespan(receive, send)
        elif scope["type"] != "http":
            return  # no WebSockets here; hypercorn closes the connection
        else:
            body = _BoundedBody(scope, receive, settings.CONFIG["read_timeout_s"])
            try:
                await self._django(scope, body.receive, send)
            except _Stalled:
                await _timed_out(send)


class _BoundedBody:
    """``receive`` for one request: at most ``MAX_BODY_BYTES + 1`` bytes, each part
    within the read timeout."""

    def __init__(self, scope: HTTPScope, receive: Receive, timeout: float) -> None:
        self._receive = receive
        self._timeout = timeout
        self._left = MAX_BODY_BYTES + 1
        self._done = _declared_length(scope) > MAX_BODY_BYTES  # not read: the view says 413

    async def receive(self) -> ASGIReceiveEvent:
        if self._done:
            return {"type": "http.request", "body": b"", "more_body": False}
        try:
            message = await asyncio.wait_for(self._receive(), self._timeout)
        except TimeoutError:
            raise _Stalled from None
        if message["type"] != "http.request":
            return message  # http.disconnect
        part = message.get("body", b"")[: self._left]
        self._left -= len(part)
        self._done = not message.get("more_body", False) or self._left == 0
        return {"type": "http.request", "body": part, "more_body": not self._done}


def _declared_length(scope: HTTPScope) -> int:
    for name, value in scope.get("headers", ()):
        if name.lower() == b"content-length":
            return int(value) if value.isdigit() else 0  # hypercorn refuses a bad one
    return 0


async def _timed_out(send: Send) -> None:
    """408, and the connection is closed (the rest of the body never came)."""
    problem = {
        "type": TYPE_BASE + "timeout",
        "title": "Request timeout",
        "status": 408,
        "detail": "The request body did not arrive in time. Please send it again.",
    }
    start: HTTPResponseStartEvent = {
        "type": "http.response.start",
        "status": 408,
        "headers": [(b"content-type", b"application/problem+json"), (b"connection", b"close")],
        "trailers": False,
    }
    await send(start)
    await send({"type": "http.response.body", "body": json.dumps(problem).encode(),
                "more_body": False})  # fmt: skip


async def _lifespan(receive: Receive, send: Send) -> None:
    """The worker's start and stop: the thread pool that runs Django is made here, on
    hypercorn's loop (``AsyncioWSGIMiddleware`` runs requests in the loop's default pool)."""
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


application = Application()
