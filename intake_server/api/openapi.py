"""The OpenAPI 3.1 document of the intake API; the request body is the helper's schema.json."""

from __future__ import annotations

from functools import cache
from typing import Any

from helper.consent.record import schema
from intake_server import __version__
from intake_server.api.problems import REASONS

_GROUP = "[0-9A-HJKMNP-TV-Z]{4}"  # four characters of Crockford's base32
_PROBLEM = {"$ref": "#/components/schemas/Problem"}


def _problem(description: str) -> dict[str, Any]:
    return {
        "description": description,
        "content": {"application/problem+json": {"schema": _PROBLEM}},
    }


@cache
def document() -> dict[str, Any]:
    confirmation = {k: v for k, v in schema().items() if k != "$schema"}
    statuses: dict[int, list[str]] = {}
    for reason, (status, title) in REASONS.items():
        statuses.setdefault(status, []).append(f"`{reason}`: {title}")
    refusals = {str(s): _problem("; ".join(t)) for s, t in sorted(statuses.items())}
    receipt = {
        "type": "object",
        "required": ["receipt_id", "received_at"],
        "properties": {
            "receipt_id": {"type": "string", "pattern": f"^R-{_GROUP}-{_GROUP}$"},
            "received_at": {"type": "string", "format": "date-time"},
        },
    }
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "intellekta intake API",
            "version": __version__,
            "description": "Receives the confirmations that intellekta-helper sends.",
        },
        "paths": {
            "/api/v1/remote-support/confirmations": {
                "post": {
                    "operationId": "postConfirmation",
                    "summary": "Store one confirmation, exactly once per Idempotency-Key",
                    "security": [{}, {"bearer": []}],
                    "parameters": [
                        {
                            "name": "Idempotency-Key",
                            "in": "header",
                            "required": True,
                            "description": "The record's submission_id, quoted.",
                            "schema": {"type": "string", "maxLength": 257},
                        }
                    ],
                    "requestBody": {
                        "required": True,
                        "content": {
                            "application/json": {
                                "schema": {"$ref": "#/components/schemas/Confirmation"}
                            }
                        },
                    },
                    "responses": {
                        "201": {
                            "description": "Stored",
                            "content": {
                                "application/json": {
                                    "schema": {"$ref": "#/components/schemas/Receipt"}
                                }
                            },
                        },
                        "200": {
                            "description": "Stored before: the original answer",
                            "content": {
                                "application/json": {
                                    "schema": {"$ref": "#/components/schemas/Receipt"}
                                }
                            },
                        },
                        **refusals,
                    },
                }
            },
            "/healthz": {
                "get": {"operationId": "healthz", "responses": {"200": {"description": "Alive"}}}
            },
            "/readyz": {
                "get": {
                    "operationId": "readyz",
                    "responses": {
                        "200": {"description": "The database answers"},
                        "503": {"description": "The database does not answer"},
                    },
                }
            },
            "/metrics": {
                "get": {
                    "operationId": "metrics",
                    "responses": {"200": {"description": "Prometheus text format"}},
                }
            },
        },
        "components": {
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
            "schemas": {
                "Confirmation": confirmation,
                "Receipt": receipt,
                "Problem": {
                    "type": "object",
                    "properties": {
                        "type": {"type": "string"},
                        "title": {"type": "string"},
                        "status": {"type": "integer"},
                        "detail": {"type": "string"},
                        "errors": {
                            "type": "array",
                            "items": {
                                "type": "object",
                                "properties": {
                                    "pointer": {"type": "string"},
                                    "detail": {"type": "string"},
                                },
                            },
                        },
                    },
                },
            },
        },
    }
