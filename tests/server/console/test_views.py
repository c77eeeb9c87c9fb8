"""The console's pages through Django's test client: what a browser test need not repeat."""

from __future__ import annotations

import csv
import io
from datetime import timedelta
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.utils import timezone

from intake_server.api import fields
from intake_server.api.models import Confirmation
from intake_server.console.models import AccessEntry
from tests.server.records import real_record
from tests.server.test_api import post

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("builtin_notices")]


@pytest.fixture
def staff(client: Client) -> Client:
    user = get_user_model().objects.create_user("ben", password="correct-horse-battery")
    client.force_login(user)
    return client


@pytest.fixture
def admin_client(client: Client) -> Client:
    user = get_user_model().objects.create_superuser("anna", password="correct-horse-battery")
    user.is_staff = True
    user.save()
    client.force_login(user)
    return client


def _config(settings: Any, **changes: Any) -> None:
    settings.CONFIG = type(settings.CONFIG)({**settings.CONFIG.values, **changes}, "")


def test_every_page_needs_sign_in(client: Client) -> None:
    post(client, real_record())
    receipt = Confirmation.objects.get().receipt_id
    for url in ("/", "/search?q=1", f"/r/{receipt}", f"/r/{receipt}/evidence.pdf", "/export"):
        answer = client.get(url)
        assert answer.status_code == 302 and answer["Location"].startswith("/sign-in"), url
    assert client.get("/queue/rows").status_code == 401


def test_security_headers_and_no_external_resources(staff: Client) -> None:
    answer = staff.get("/")
    policy = answer["Content-Security-Policy"]
    assert "script-src 'self'" in policy and "unsafe-inline" not in policy
    assert "frame-ancestors 'none'" in policy and answer["X-Frame-Options"] == "DENY"
    page = answer.content.decode()
    assert "http://" not in page and "https://" not in page  # nothing from elsewhere
    assert "<script>" not in page and " style=" not in page  # no inline script or style


def test_cookies_are_httponly_samesite_and_secure_behind_tls(client: Client, settings: Any) -> None:
    get_user_model().objects.create_user("ben", password="correct-horse-battery")
    settings.SESSION_COOKIE_SECURE = True  # what TLS (serve --certfile, or a proxy) sets
    answer = client.post("/sign-in", {"username": "ben", "password": "correct-horse-battery"})
    cookie = answer.cookies["sessionid"]
    assert cookie["httponly"] and cookie["samesite"] == "Lax" and cookie["secure"]


def test_sign_in_ends_after_the_idle_time_but_not_by_the_queues_refresh(
    staff: Client, settings: Any
) -> None:
    settings.CONSOLE_IDLE = timedelta(minutes=30)
    session = staff.session
    session["console_seen"] = (timezone.now() - timedelta(minutes=20)).timestamp()
    session.save()
    assert staff.get("/queue/rows", HTTP_X_CONSOLE_REFRESH="1").status_code == 200
    assert staff.session["console_seen"] < (timezone.now() - timedelta(minutes=19)).timestamp()
    session = staff.session
    session["console_seen"] = (timezone.now() - timedelta(minutes=31)).timestamp()
    session.save()
    assert staff.get("/queue/rows", HTTP_X_CONSOLE_REFRESH="1").status_code == 401
    assert staff.get("/")["Location"].startswith("/sign-in")


def test_the_queue_shows_the_last_24_hours_newest_first(staff: Client) -> None:
    for sid in ("111111111", "222222222"):
        post(staff, real_record(session_id=sid))
    Confirmation.objects.filter(session_id="111111111").update(
        received_at=timezone.now() - timedelta(hours=25)
    )
    post(staff, real_record(session_id="333333333"))
    page = staff.get("/").content.decode()
    assert "111 111 111" not in page
    assert page.index("333 333 333") < page.index("222 222 222")


def test_search_finds_a_company_by_part_of_its_name(staff: Client) -> None:
    post(staff, real_record(company="Praxis Dr. Müller"))
    page = staff.get("/search", {"q": "müller"}).content.decode()
    assert "Praxis Dr. Müller" in page


def test_the_connect_link_comes_only_from_the_setting(staff: Client, settings: Any) -> None:
    post(staff, real_record(session_id="1234567890"))
    receipt = Confirmation.objects.get().receipt_id
    assert "Connect" not in staff.get(f"/r/{receipt}", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    _config(settings, console_connect_url_template="https://connect.example/?id={session_id}")
    page = staff.get(f"/r/{receipt}", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert 'href="https://connect.example/?id=1234567890"' in page


def test_marks_refuse_what_is_not_a_mark(staff: Client) -> None:
    post(staff, real_record())
    receipt = Confirmation.objects.get().receipt_id
    assert staff.post(f"/r/{receipt}/mark", {"kind": "deleted"}).status_code == 400
    assert staff.post(f"/r/{receipt}/mark", {"kind": "note", "note": ""}).status_code == 400
    assert staff.post(f"/r/{receipt}/mark", {"kind": "started"}).status_code == 302


def test_the_export_is_for_admins_and_is_logged(staff: Client, admin_client: Client) -> None:
    post(admin_client, real_record(company="=HYPERLINK(1)"))
    today = timezone.now().date()
    form = {"since": str(today - timedelta(days=1)), "until": str(today + timedelta(days=1))}
    answer = admin_client.post("/export", form)
    assert answer.status_code == 200 and answer["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(b"".join(answer.streaming_content).decode())))
    company = list(fields.CSV_HEADER).index("company")
    assert rows[0] == list(fields.CSV_HEADER) and rows[1][company].startswith("'=HYPERLINK(1)")
    assert AccessEntry.objects.filter(action=AccessEntry.EXPORT, username="anna").exists()
    assert admin_client.post("/export", {"since": "soon"}).status_code == 400
