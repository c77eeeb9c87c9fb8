"""The error pages (intake_server.faults): styled like the console and in its language;
the addresses programs use keep Django's plain answers; the 500 page needs no database."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, SuspiciousOperation
from django.db import connections
from django.test import Client, RequestFactory
from django.urls import path

from intake_server import faults, urls

pytestmark = pytest.mark.django_db


def _refuse(request: Any) -> Any:
    raise PermissionDenied


def _suspicious(request: Any) -> Any:
    raise SuspiciousOperation("odd")


def _broken(request: Any) -> Any:
    raise RuntimeError("a bug")


urlpatterns = [
    path("refused", _refuse),
    path("suspicious", _suspicious),
    path("broken", _broken),
    *urls.urlpatterns,
]
handler400 = urls.handler400
handler403 = urls.handler403
handler404 = urls.handler404
handler500 = urls.handler500


def test_an_unknown_address_is_a_console_page_in_german_with_the_way_back(client: Client) -> None:
    answer = client.get("/nowhere", HTTP_ACCEPT_LANGUAGE="de")
    page = answer.content.decode()
    assert answer.status_code == 404 and '<html lang="de">' in page
    assert "Seite nicht gefunden" in page and 'href="/">Zurück zum Eingang' in page
    assert "console.css" in page and "Not Found" not in page


def test_the_page_follows_the_language_chosen(client: Client) -> None:
    client.force_login(get_user_model().objects.create_user("ben"))
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    page = client.get("/r/R-NONE-NONE", HTTP_ACCEPT_LANGUAGE="de").content.decode()
    assert "Page not found" in page and "Back to the queue" in page and "ben" in page


@pytest.mark.parametrize("address", ["/api/v1/nothing", "/healthz/x", "/metrics/x"])
def test_programs_keep_the_plain_answer(client: Client, address: str) -> None:
    answer = client.get(address)
    assert answer.status_code == 404 and b"console.css" not in answer.content


@pytest.mark.urls(__name__)
def test_403_and_400_are_console_pages(client: Client) -> None:
    refused = client.get("/refused", HTTP_ACCEPT_LANGUAGE="de")
    assert refused.status_code == 403 and "Nicht erlaubt" in refused.content.decode()
    odd = client.get("/suspicious", HTTP_ACCEPT_LANGUAGE="en")
    assert odd.status_code == 400 and "The request was not understood" in odd.content.decode()


@pytest.mark.urls(__name__)
def test_the_500_page_speaks_german_and_needs_no_database(monkeypatch: Any) -> None:
    client = Client(raise_request_exception=False)
    answer = client.get("/broken", HTTP_ACCEPT_LANGUAGE="de")
    assert answer.status_code == 500 and "Etwas ist schiefgegangen" in answer.content.decode()
    request = RequestFactory().get("/broken")

    def no_database(*args: Any, **kwargs: Any) -> None:
        raise AssertionError("the 500 page touched the database")

    monkeypatch.setattr(connections["default"], "cursor", no_database)
    try:
        raise RuntimeError("a bug")
    except RuntimeError:
        page = faults.server_error(request)
    assert page.status_code == 500 and b"console.css" in page.content


def test_a_form_from_an_old_page_gets_the_consoles_403_in_german() -> None:
    """A form whose CSRF token no longer holds (a page kept open across a sign-in)."""
    client = Client(enforce_csrf_checks=True)
    answer = client.post("/sign-in", {"username": "anna"}, HTTP_ACCEPT_LANGUAGE="de")
    page = answer.content.decode()
    assert answer.status_code == 403 and "Nicht erlaubt" in page and "console.css" in page
