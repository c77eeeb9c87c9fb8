"""Signing out after the configured idle time, and saying so.

Django's session age counts every request, and the queue page refreshes itself every two
seconds, so an open queue would never expire. Here only requests a person makes count:
the refresh (``X-Console-Refresh``) does not renew the time, and neither does the page's
own question how much time is left (:func:`intake_server.console.sign_in.session_state`).

Signing out for idleness leaves two things in the new, anonymous session: the minutes
(the sign-in page says why the user is there) and whose session it was (a note sent
after the timeout is saved for that user once they sign in again: :mod:`.marks`).
Django's ``login`` keeps a session's data when it cycles its key, so both survive until
then.
"""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse
from django.utils import timezone

REFRESH_HEADER = "HTTP_X_CONSOLE_REFRESH"
_SEEN = "console_seen"
#: In the anonymous session after an idle sign-out: after how many minutes, and who.
IDLE_MINUTES = "console_idle_minutes"
IDLE_USER = "console_idle_user"


def remaining_seconds(request: HttpRequest) -> float:
    """Seconds until this signed-in session ends for idleness (0: it has ended)."""
    now = timezone.now().timestamp()
    seen = request.session.get(_SEEN, now)
    return max(0.0, seen + settings.CONSOLE_IDLE.total_seconds() - now)


class IdleTimeout:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.user.is_authenticated:
            if remaining_seconds(request) <= 0:
                _sign_out(request)
            elif REFRESH_HEADER not in request.META:
                request.session[_SEEN] = timezone.now().timestamp()
        return self.get_response(request)


def _sign_out(request: HttpRequest) -> None:
    name = request.user.get_username()
    logout(request)
    request.session[IDLE_MINUTES] = round(settings.CONSOLE_IDLE.total_seconds() / 60)
    request.session[IDLE_USER] = name
