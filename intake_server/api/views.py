"""The API's views: plain functions, as in healthchecks.io's ``hc/api``."""

from __future__ import annotations

import json
import logging
import time

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET

from intake_server import faults
from intake_server.api import (
    intake,
    ledger,
    metrics,
    metrics_access,
    openapi as openapi_document,
    verification,
)
from intake_server.api.problems import REASONS, Refused, response

log = logging.getLogger("intake_server.api")


@csrf_exempt  # the helper is no browser; it proves nothing with cookies
def confirmations(request: HttpRequest) -> HttpResponse:
    """Store one confirmation. Logs one line per request for the operator: never a
    name, company or Session ID, only what the server made of it (:func:`_logged`)."""
    started = time.perf_counter()
    try:
        if request.method != "POST":
            raise Refused("method", _("Only POST is accepted here."), headers={"Allow": "POST"})
        body = intake.read_body(request)
        with translation.override(intake.body_language(body) or translation.get_language()):
            try:
                received = intake.receive(request, body)
            except Exception as exc:  # a fault of the database is no error of the request
                if faults.is_fault(exc):
                    raise faults.refusal() from exc
                raise
    except Refused as refused:
        metrics.REFUSED.labels(refused.reason).inc()
        _logged(refused, started)
        return response(refused)
    finally:
        metrics.LATENCY.observe(time.perf_counter() - started)
    row = received.confirmation
    (metrics.RECEIVED if received.created else metrics.REPLAYED).inc()
    _logged(received, started)
    answer = {"receipt_id": row.receipt_id, "received_at": ledger.rfc3339(row.received_at)}
    return JsonResponse(answer, status=201 if received.created else 200)


def _logged(outcome: intake.Received | Refused, started: float) -> None:
    """The request's one log line, its parts also as fields (``extra``) for JSON logs."""
    ms = round((time.perf_counter() - started) * 1000)
    if isinstance(outcome, intake.Received):
        row, kind = outcome.confirmation, "new" if outcome.created else "replayed"
        log.info(
            "Confirmation accepted: receipt %s, %s, token %s, %d ms",
            row.receipt_id,
            kind,
            row.token_id or "none",
            ms,
            extra={
                "receipt_id": row.receipt_id,
                "outcome": kind,
                "token_id": row.token_id,
                "duration_ms": ms,
            },
        )
        return
    status = REASONS[outcome.reason][0]
    pointer = _one_line(outcome.errors[0]["pointer"] or "/") if outcome.errors else None
    fields = {"reason": outcome.reason, "status": status, "pointer": pointer, "duration_ms": ms}
    if outcome.reason == "unavailable":  # a fault: what the database said, for the operator
        cause = str(outcome.__cause__ or "").strip().partition("\n")[0]
        log.warning(
            "Confirmation refused: %s (%d), %d ms: %s",
            outcome.reason,
            status,
            ms,
            _one_line(cause),
            extra=fields,
        )
    else:
        where = f" at {pointer}" if pointer else ""
        log.info(
            "Confirmation refused: %s (%d)%s, %d ms",
            outcome.reason,
            status,
            where,
            ms,
            extra=fields,
        )


def _one_line(text: str) -> str:
    """``text`` on one line of ASCII, shortened: a client's JSON keys could hold anything."""
    return text.encode("unicode_escape").decode("ascii")[:200]


@require_GET
def healthz(request: HttpRequest) -> HttpResponse:
    return JsonResponse({"status": "ok"})


@require_GET
def readyz(request: HttpRequest) -> HttpResponse:
    """Ready while the database answers. ``ledger`` says what the last verification
    found, for information only: a damaged ledger must not take the server out of a load
    balancer, since confirmations must still be received. ``damaged`` is null before the
    first verification; times are RFC 3339 in UTC, or null."""
    try:
        state = verification.state(first=0)  # reading it proves the database answers
    except Exception as exc:  # any database failure means "not ready", never a 500
        return JsonResponse(
            {"status": "database unavailable", "detail": type(exc).__name__}, status=503
        )
    return JsonResponse(
        {
            "status": "ready",
            "ledger": {
                "damaged": state.damaged if state.checked_at else None,
                "checked_at": ledger.rfc3339(state.checked_at) if state.checked_at else None,
                "full_at": ledger.rfc3339(state.full_at) if state.full_at else None,
            },
        }
    )


@require_GET
def metrics_view(request: HttpRequest) -> HttpResponse:
    if not metrics_access.allowed(request):
        return HttpResponse(
            _(
                "/metrics answers only on this machine, or to the bearer token "
                "in metrics_token_file."
            ),
            status=403,
            content_type="text/plain; charset=utf-8",
        )
    text, content_type = metrics.exposition()
    return HttpResponse(text, content_type=content_type)


@require_GET
def openapi(request: HttpRequest) -> HttpResponse:
    return HttpResponse(
        json.dumps(openapi_document.document(), indent=1), content_type="application/json"
    )
