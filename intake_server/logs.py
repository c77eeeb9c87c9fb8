"""The server's log: one line format for the application, Django and hypercorn.

Everything goes to stderr (systemd's journal, or the container's log), as text or, with
``log_format = "json"``, as one JSON object per line for a log collector. A request for a
host name that is not in ``allowed_hosts`` is one WARNING line naming the host, not
Django's ERROR with a traceback: it is someone's scan, not our fault, but an operator
who forgot a name in ``allowed_hosts`` must see it.
"""

from __future__ import annotations

import logging
from typing import Any

from pythonjsonlogger.core import RESERVED_ATTRS

TEXT_FORMAT = "%(asctime)s [%(process)d] %(levelname)s %(name)s: %(message)s"
_JSON_FIELDS = "%(process)d %(levelname)s %(name)s %(message)s"
#: What Django passes along with a record and no log line should carry.
_NOT_LOGGED = ["request", "status_code"]


class DisallowedHost(logging.Filter):
    """Django's "Invalid HTTP_HOST header" as a WARNING with the host, no traceback."""

    def filter(self, record: logging.LogRecord) -> bool:
        request = getattr(record, "request", None)
        host = request.META.get("HTTP_HOST", "") if request is not None else ""
        record.levelno, record.levelname = logging.WARNING, "WARNING"
        record.msg, record.args = "Refused a request for host %r: not in allowed_hosts.", (host,)
        record.exc_info = record.exc_text = None
        return True


def config(level: str, form: str) -> dict[str, Any]:
    """The ``LOGGING`` setting for ``log_level`` and ``log_format``."""
    formatter: dict[str, Any] = {"format": TEXT_FORMAT}
    if form == "json":
        formatter = {
            "()": "pythonjsonlogger.json.JsonFormatter",
            "fmt": _JSON_FIELDS,
            "reserved_attrs": [*RESERVED_ATTRS, *_NOT_LOGGED],
            "rename_fields": {"levelname": "level", "name": "logger"},
            "timestamp": "time",  # ISO 8601 in UTC, with milliseconds
        }
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "filters": {"disallowed_host": {"()": DisallowedHost}},
        "formatters": {"line": formatter},
        "handlers": {"stderr": {"class": "logging.StreamHandler", "formatter": "line"}},
        "root": {"handlers": ["stderr"], "level": level.upper()},
        "loggers": {
            "django.request": {"level": "ERROR"},
            # axes masks user name and address; console.sign_in logs both instead.
            "axes": {"level": "ERROR"},
            "django.security.DisallowedHost": {"filters": ["disallowed_host"]},
        },
    }
