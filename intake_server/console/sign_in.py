"""Signing in to the console while someone guesses passwords.

django-axes counts wrong passwords per (user name, address) and locks that pair for
``AXES_COOLOFF_TIME`` after ``AXES_FAILURE_LIMIT`` of them: one address cannot guess
much, and a stranger's guesses lock out nobody at another address. Many addresses
together could still guess one account, so an account's failures from all addresses
within the cool-off count too: after twice ``AXES_FAILURE_LIMIT`` of them (so one address
alone never slows anybody else down), the next attempt waits :data:`FIRST_WAIT` after the
latest failure, and each further failure doubles that, up to the cool-off. An address
the account signed in from within :data:`KNOWN_FOR` (axes' AccessLog) does not wait, so a
stranger's guesses never keep the right person out at their own address.

The counts are axes' own records in the database, shared by every server process. A
waiting attempt is refused before any password is checked and answered at once with a
page that says when to try again (429 with Retry-After): no request thread sleeps, and a
refused attempt is no failure (``AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False``),
so it does not prolong the wait.

Failed and locked sign-ins are logged at WARNING with the user name and the client's
address (never the password): the operator's security log.
"""

from __future__ import annotations

import logging
import math
from datetime import datetime, timedelta
from typing import Any

from axes.handlers.database import AxesDatabaseHandler
from axes.models import AccessAttempt, AccessLog
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.views import LoginView
from django.db import DatabaseError
from django.db.models import Max, Sum
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.http import require_http_methods

from intake_server import faults
from intake_server.addresses import client_address
from intake_server.console import middleware, names

LOG = logging.getLogger(__name__)
FIRST_WAIT = timedelta(minutes=1)
KNOWN_FOR = timedelta(days=30)
#: How long before the idle sign-out the page warns (at most half the idle time).
WARN_BEFORE = timedelta(minutes=2)
_NONE = timedelta(0)
_MAX_DOUBLINGS = 16  # far beyond the cool-off; keeps the number small


class NameBackend(ModelBackend):
    """Django's password check, for the user name as :func:`names.normalise` stores it."""

    def authenticate(
        self,
        request: HttpRequest | None,
        username: str | None = None,
        password: str | None = None,
        **kwargs: Any,
    ) -> Any:
        if username is not None:
            username = names.normalise(username)
        return super().authenticate(request, username=username, password=password, **kwargs)


def axes_username(request: HttpRequest, credentials: dict[str, Any] | None = None) -> str:
    """The name axes counts under (``AXES_USERNAME_CALLABLE``): one person, one count."""
    typed = credentials.get("username") if credentials else request.POST.get("username")
    return names.normalise(str(typed or ""))[: names.MAX_LENGTH]


class SignInHandler(AxesDatabaseHandler):
    """axes' database handler (``AXES_HANDLER``), locked also while the account waits."""

    def is_locked(self, request: HttpRequest, credentials: dict[str, Any] | None = None) -> bool:
        locked = super().is_locked(request, credentials)
        return bool(locked) or _account_wait(request, credentials) > _NONE


def _failures(since: datetime, **match: str) -> tuple[int, datetime | None]:
    """How many failures axes holds for ``match`` since ``since``, and the latest one."""
    found = AccessAttempt.objects.filter(attempt_time__gte=since, **match).aggregate(
        count=Sum("failures_since_start"), last=Max("attempt_time")
    )
    return found["count"] or 0, found["last"]


def account_waits_until(name: str, now: datetime) -> datetime | None:
    """Until when attempts for ``name`` from addresses it has not signed in from wait,
    if they do at ``now``."""
    count, last = _failures(now - settings.AXES_COOLOFF_TIME, username=name)
    beyond = count - 2 * settings.AXES_FAILURE_LIMIT
    if last is None or beyond < 0:
        return None
    until = last + min(FIRST_WAIT * 2 ** min(beyond, _MAX_DOUBLINGS), settings.AXES_COOLOFF_TIME)
    return until if until > now else None


def locked_addresses(name: str, now: datetime) -> dict[str, datetime]:
    """The addresses ``name`` is locked for at ``now`` (5 failures from there), each with
    the end of its lock."""
    found = (
        AccessAttempt.objects.filter(
            username=name, attempt_time__gte=now - settings.AXES_COOLOFF_TIME
        )
        .values("ip_address")
        .annotate(count=Sum("failures_since_start"), last=Max("attempt_time"))
        .filter(count__gte=settings.AXES_FAILURE_LIMIT)
    )
    return {row["ip_address"]: row["last"] + settings.AXES_COOLOFF_TIME for row in found}


def _account_wait(request: HttpRequest, credentials: dict[str, Any] | None) -> timedelta:
    name, now = axes_username(request, credentials), request.axes_attempt_time
    until = account_waits_until(name, now)
    if until is None:
        return _NONE
    known = AccessLog.objects.filter(
        username=name, ip_address=request.axes_ip_address, attempt_time__gte=now - KNOWN_FOR
    )
    return _NONE if known.exists() else until - now


def wait(request: HttpRequest, credentials: dict[str, Any] | None) -> timedelta:
    """How long until this user name may be tried again from this address."""
    name, now = axes_username(request, credentials), request.axes_attempt_time
    count, last = _failures(
        now - settings.AXES_COOLOFF_TIME, username=name, ip_address=request.axes_ip_address
    )
    pair = _NONE
    if last is not None and count >= settings.AXES_FAILURE_LIMIT:
        pair = last + settings.AXES_COOLOFF_TIME - now
    return max(pair, _account_wait(request, credentials))


def _seconds(delta: timedelta) -> int:
    return max(1, math.ceil(delta.total_seconds()))


def paused(
    request: HttpRequest,
    response: HttpResponse | None = None,
    credentials: dict[str, Any] | None = None,
) -> HttpResponse:
    """The answer to a locked or waiting attempt (``AXES_LOCKOUT_CALLABLE``): when to try
    again, in words and in Retry-After."""
    seconds = _seconds(wait(request, credentials))
    context = {"minutes": math.ceil(seconds / 60)}
    answer = render(request, "console/locked.html", context, status=429)
    answer["Retry-After"] = str(seconds)
    return answer


def log_failure(
    sender: Any, credentials: dict[str, Any], request: HttpRequest | None = None, **kwargs: Any
) -> None:
    """``user_login_failed``, after axes counted it; a refused attempt was not checked and
    is logged by :func:`log_locked` instead."""
    failures = getattr(request, "axes_failures_since_start", None)
    if request is None or failures is None:
        return
    LOG.warning(
        "Sign-in failed: user %r from %s: wrong user name or password (%d of %d from this address)",
        axes_username(request, credentials),
        request.axes_ip_address,
        failures,
        settings.AXES_FAILURE_LIMIT,
    )


def log_locked(
    sender: Any, request: HttpRequest, username: str, ip_address: str, **kwargs: Any
) -> None:
    """axes' ``user_locked_out``: a lock begins, or an attempt is refused while it lasts."""
    seconds = _seconds(wait(request, request.axes_credentials))
    LOG.warning(
        "Sign-in locked: user %r from %s may try again in %d s", username, ip_address, seconds
    )


def log_success(sender: Any, request: HttpRequest, user: Any, **kwargs: Any) -> None:
    """``user_logged_in``: logged; why the last session ended no longer matters."""
    LOG.info("Signed in: user %r from %s", user.get_username(), client_address(request))
    request.session.pop(middleware.IDLE_MINUTES, None)
    request.session.pop(middleware.IDLE_USER, None)


#: The command that creates the first account, as the sign-in page and ``serve`` say it.
FIRST_ACCOUNT = "intellekta-intake user add NAME --admin"


class SignInView(LoginView):
    """Django's sign-in (which returns to ``next`` only on this host, as
    ``url_has_allowed_host_and_scheme`` allows), saying why after an idle sign-out, and
    how to create the first account while there is none (which reveals nothing once
    accounts exist)."""

    template_name = "console/sign_in.html"
    redirect_authenticated_user = True

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["idle_minutes"] = self.request.session.get(middleware.IDLE_MINUTES)
        if _no_account_yet():
            context["first_account"] = FIRST_ACCOUNT
        return context


def _no_account_yet() -> bool:
    """Whether no account exists; False while the database cannot say (a fault): the form
    is still shown, and signing in meets the fault and says so."""
    try:
        return not get_user_model().objects.exists()
    except DatabaseError as exc:
        if faults.is_fault(exc):
            return False
        raise


@require_http_methods(["GET", "POST"])
def session_state(request: HttpRequest) -> JsonResponse:
    """The seconds the sign-in has left, for the page's warning before the idle timeout:
    asked by GET with ``X-Console-Refresh`` (which is no activity), renewed by a POST
    ("Stay signed in", which is). 401 once signed out."""
    if not request.user.is_authenticated:
        return JsonResponse({"remaining_s": 0}, status=401)
    warn = min(WARN_BEFORE, settings.CONSOLE_IDLE / 2).total_seconds()
    remaining = middleware.remaining_seconds(request)
    return JsonResponse({"remaining_s": math.floor(remaining), "warn_s": math.floor(warn)})
