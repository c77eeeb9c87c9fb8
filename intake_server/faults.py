"""Faults of the database, told apart from errors of a request, and answered as faults;
and the pages for errors (400, 403, 404, 500) in the console's style and language.

A fault is the database's, not the request's: the disk is full, the database is locked
past its timeout, or it cannot be reached. Nothing is wrong with what the client sent, so
the answer is ``503`` with ``Retry-After`` (the helper keeps the confirmation and sends it
again later): ``application/problem+json`` under ``/api/``, a page in plain words
elsewhere. Anything else that goes wrong stays what it is, an error of the server.

Told apart by the driver's own error code, not by the exception's class alone: SQLite
reports a full disk and a missing table alike as ``OperationalError``, and psycopg a
value too large for an index as one too.
"""

from __future__ import annotations

import sqlite3
import sys
from collections.abc import Callable

from django.core.exceptions import PermissionDenied
from django.db import DatabaseError, InterfaceError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils.translation import gettext as _, gettext_lazy
from django.views import csrf, defaults

from intake_server.api import problems

#: Seconds a client is asked to wait before it tries again.
RETRY_AFTER_S = 30

#: SQLite's primary result codes that say the database cannot be used now.
_SQLITE_FAULTS = frozenset(
    {
        sqlite3.SQLITE_BUSY,  # locked past the busy timeout
        sqlite3.SQLITE_LOCKED,
        sqlite3.SQLITE_FULL,  # "database or disk is full"
        sqlite3.SQLITE_IOERR,
        sqlite3.SQLITE_READONLY,
        sqlite3.SQLITE_CANTOPEN,
        sqlite3.SQLITE_NOMEM,
        sqlite3.SQLITE_PERM,
        sqlite3.SQLITE_PROTOCOL,
        sqlite3.SQLITE_CORRUPT,
        sqlite3.SQLITE_NOTADB,
    }
)
#: SQLSTATE classes of PostgreSQL's OperationalError that a record can cause:
#: 54, "program limit exceeded" (e.g. a value too large for an index).
_POSTGRES_RECORD_CLASSES = ("54",)
#: Addresses that answer programs (the helper, monitoring): their errors stay Django's
#: plain answers, never a console page.
MACHINE_PATHS = ("/api/", "/healthz", "/readyz", "/metrics", "/static/")
#: Each error page's heading and sentence.
_ERRORS = {
    400: (
        gettext_lazy("The request was not understood"),
        gettext_lazy("The browser sent something the console cannot read. Please try again."),
    ),
    403: (
        gettext_lazy("Not allowed"),
        gettext_lazy(
            "This was refused. If you came here from a form, reload the page it is on and "
            "send it again."
        ),
    ),
    404: (
        gettext_lazy("Page not found"),
        gettext_lazy(
            "There is no page at this address. A confirmation older than the retention "
            "period has been deleted."
        ),
    ),
}


def is_fault(exc: BaseException) -> bool:
    """Whether ``exc`` (as Django raises it) is the database's fault, not the request's.

    Faults: SQLite's busy, full, I/O, read-only and similar codes; PostgreSQL's
    connection failures, shutdowns, full disks, lock and statement timeouts (psycopg's
    ``OperationalError`` except class 54); a connection that was closed under us."""
    if isinstance(exc, InterfaceError):
        return True
    if not isinstance(exc, DatabaseError):
        return False
    cause = exc.__cause__
    if isinstance(cause, sqlite3.Error):
        return getattr(cause, "sqlite_errorcode", -1) & 0xFF in _SQLITE_FAULTS
    try:
        import psycopg
    except ImportError:  # SQLite only
        return False
    if isinstance(cause, psycopg.InterfaceError):
        return True
    if isinstance(cause, psycopg.OperationalError):
        return not (cause.sqlstate or "").startswith(_POSTGRES_RECORD_CLASSES)
    return False


def refusal() -> problems.Refused:
    """The API's answer to a fault, in the active language."""
    return problems.Refused(
        "unavailable",
        _(
            "The server cannot store confirmations at the moment. Nothing is wrong with "
            "yours: please send it again in a few minutes."
        ),
        headers={"Retry-After": str(RETRY_AFTER_S)},
    )


def answer(request: HttpRequest) -> HttpResponse:
    """503 for a fault: problem+json for the API, a page for people elsewhere. Touches
    no database (no session, no user): the database is what failed."""
    if request.path.startswith("/api/"):
        return problems.response(refusal())
    page = render_to_string("console/unavailable.html")
    response = HttpResponse(page, status=503)
    response["Retry-After"] = str(RETRY_AFTER_S)
    return response


def server_error(request: HttpRequest) -> HttpResponse:
    """Django's ``handler500``: a fault gets :func:`answer`, anything else a page that
    says so, in the request's language, without the database (no session, no user): it
    may be what failed.

    Here, and not in a middleware's ``process_exception``, because that one sees only
    what a view raises, and a fault is just as often met by a middleware: the session
    is saved after the view, the console's idle check reads the signed-in user first."""
    exc = sys.exc_info()[1]
    if exc is not None and is_fault(exc):
        return answer(request)
    if _for_machines(request):
        return defaults.server_error(request)
    return HttpResponse(render_to_string("console/server_error.html"), status=500)


def bad_request(request: HttpRequest, exception: Exception) -> HttpResponse:
    """Django's ``handler400``."""
    return _error(request, exception, 400, defaults.bad_request)


def permission_denied(request: HttpRequest, exception: Exception) -> HttpResponse:
    """Django's ``handler403``."""
    return _error(request, exception, 403, defaults.permission_denied)


def page_not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    """Django's ``handler404``."""
    return _error(request, exception, 404, defaults.page_not_found)


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """Django's ``CSRF_FAILURE_VIEW``: a form sent from a page too old (or from elsewhere)
    gets the console's 403, which says to reload the page and send it again."""
    return _error(request, PermissionDenied(reason), 403, _plain_csrf_failure)


def _plain_csrf_failure(request: HttpRequest, exception: Exception) -> HttpResponse:
    return csrf.csrf_failure(request, str(exception))


def _for_machines(request: HttpRequest) -> bool:
    return request.path.startswith(MACHINE_PATHS)


def _error(
    request: HttpRequest, exception: Exception, status: int, plain: Callable[..., HttpResponse]
) -> HttpResponse:
    """The console's page for ``status``; Django's ``plain`` one for programs."""
    if _for_machines(request):
        return plain(request, exception)
    heading, sentence = _ERRORS[status]
    context = {"heading": heading, "sentence": sentence}
    return render(request, "console/error.html", context, status=status)
