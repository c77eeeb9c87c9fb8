"""The API's views: plain functions, as in healthchecks.io's ``hc/api``."""

from __future__ import annotations

import json
import time

from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET

from intake_server.api import intake, ledger, metrics, openapi as openapi_document
from intake_server.api.problems import Refused, response


@csrf_exempt  # the helper is no browser; it proves nothing with cookies
def confirmations(request: HttpRequest) -> HttpResponse:
    started = time.perf_counter()
    body = b""
    try:
        if request.method != "POST":
            raise Refused("method", _("Only POST is accepted here."), headers={"Allow": "POST"})
        body = intake.read_body(request)
        with translation.override(intake.body_language(body) or translation.get_language()):
            try:
                received = intake.receive(request, body)
            except Refused as refused:
                metrics.REFUSED.labels(refused.reason).inc()
                return response(refused)
    except Refused as refused:
        metrics.REFUSED.labels(refused.reason).inc()
        return response(refused)
    finally:
        metrics.LATENCY.observe(time.perf_counter() - started)
    row = received.confirmation
    (metrics.RECEIVED if received.created else metrics.REPLAYED).inc()
    answer = {"receipt_id": row.receipt_id, "received_at": ledger.rfc3339(row.received_at)}
    return JsonResponse(answer, status=201 if received.created else 200)


@require_GET
def healthz(request: HttpRequest) -> HttpResponse:
    return JsonResponse({"status": "ok"})


@require_GET
def readyz(request: HttpRequest) -> HttpResponse:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except Exception as exc:  # any database failure means "not ready", never a 500
        return JsonResponse({"status": "database unavailable", "detail": type(exc).__name__},
                            status=503)  # fmt: skip
    return JsonResponse({"status": "ready"})


@require_GET
def metrics_view(request: HttpRequest) -> HttpResponse:
    text, content_type = metrics.exposition()
    return HttpResponse(text, content_type=content_type)


@require_GET
def openapi(request: HttpRequest) -> HttpResponse:
    return HttpResponse(json.dumps(openapi_document.document(), indent=1),
                        content_type="application/json")  # fmt: skip
