"""Signing out after the configured idle time.

Django's session age counts every request, and the queue page refreshes itself every two
seconds, so an open queue would never expire. Here only requests a person makes count:
the refresh (``X-Console-Refresh``) does not renew the time.
"""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse
from django.utils import timezone

REFRESH_HEADER = "HTTP_X_CONSOLE_REFRESH"
_SEEN = "console_seen"


class IdleTimeout:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.user.is_authenticated:
            now = timezone.now().timestamp()
            seen = request.session.get(_SEEN, now)
            if now - seen > settings.CONSOLE_IDLE.total_seconds():
                logout(request)
            elif REFRESH_HEADER not in request.META:
                request.session[_SEEN] = now
        return self.get_response(request)
