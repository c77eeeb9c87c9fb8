"""The console's pages through Django's test client: what a browser test need not repeat."""

from __future__ import annotations

import csv
import html
import io
import re
from datetime import UTC, date, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from intake_server.api import fields
from intake_server.api.models import Confirmation
from intake_server.console.listing import PAGE_SIZE
from intake_server.console.models import AccessEntry
from tests.server.records import real_record
from tests.server.register import make_token, register_customer
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


def test_a_row_found_by_its_contact_shows_the_contact(staff: Client) -> None:
    """Otherwise a hit by contact name shows no reason why it was found."""
    post(staff, real_record(contact_name="Jürgen Weiß"))
    page = staff.get("/search", {"q": "juergen weiss"}, HTTP_ACCEPT_LANGUAGE="de").content
    assert "Ansprechpartner: <bdi>Jürgen Weiß</bdi>" in page.decode()


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
    answer = admin_client.post("/export", {**form, "dialect": "rfc4180"})
    assert answer.status_code == 200 and answer["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(b"".join(answer.streaming_content).decode())))
    company = list(fields.CSV_HEADER).index("company")
    assert rows[0] == list(fields.CSV_HEADER) and rows[1][company].startswith("'=HYPERLINK(1)")
    assert AccessEntry.objects.filter(action=AccessEntry.EXPORT, username="anna").exists()
    assert admin_client.post("/export", {"since": "soon"}).status_code == 400


def _in_zone(settings: Any, zone: str) -> None:
    _config(settings, time_zone=zone)
    settings.TIME_ZONE = zone


def _rows_of(page: str) -> list[str]:
    return re.findall(r'<a class="session" href="/r/([^"]+)"', page)


@pytest.mark.parametrize(
    ("zone", "named"),
    [
        ("Europe/Berlin", "Zeiten in Europe/Berlin (MEZ)"),
        ("America/New_York", "Zeiten in America/New_York (EST)"),
    ],
)
def test_lists_and_the_detail_page_show_exact_times_in_the_zone_named_once(
    staff: Client, settings: Any, zone: str, named: str
) -> None:
    _in_zone(settings, zone)
    post(staff, real_record())
    stored = Confirmation.objects.get()
    local = stored.received_at.astimezone(ZoneInfo(zone))
    utc = stored.received_at.astimezone(UTC)
    for url in ("/", "/search?q=1234567890", f"/r/{stored.receipt_id}"):
        page = staff.get(url, HTTP_ACCEPT_LANGUAGE="de").content.decode()
        page = re.sub(r'<pre class="body">.*?</pre>', "", page, flags=re.S)  # as received
        assert f"{local:%d.%m.%Y, %H:%M:%S}" in page and page.count(named) == 1, url
        assert f"{utc:%H:%M:%S}" not in page.replace(f"{utc:%H:%M:%S} UTC", ""), url
    english = staff.get("/search?q=1234567890", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert f"{local:%Y-%m-%d %H:%M:%S}" in english


def test_the_queue_counts_all_and_pages_by_key_keeping_its_filters(staff: Client) -> None:
    for n in range(PAGE_SIZE + 5):
        post(staff, real_record(session_id=f"{200000000 + n}", kept_open=("Outlook",)))
    post(staff, real_record(session_id="999999999", kept_open=()))
    page = staff.get("/?kept_open=1", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "55 confirmations" in page and "showing 1–50" in page
    assert 'data-refresh-url="/queue/rows?when=24h&amp;kept_open=1"' in page
    older = re.search(r'href="([^"]+)" rel="next"', page)
    assert older and "kept_open=1" in older[1] and "older=" in older[1]
    second = staff.get(html.unescape(older[1]), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "showing 51–55" in second and "data-refresh-url" not in second
    assert 'rel="next"' not in second and 'rel="prev"' in second
    assert len(set(_rows_of(page)) | set(_rows_of(second))) == PAGE_SIZE + 5
    assert "999 999 999" not in page + second


def test_the_refresh_is_the_first_page_with_the_filters_and_its_count(staff: Client) -> None:
    post(staff, real_record(session_id="111111111", kept_open=()))
    post(staff, real_record(session_id="222222222", kept_open=("Outlook",)))
    rows = staff.get(
        "/queue/rows?kept_open=1&older=1_1", HTTP_X_CONSOLE_REFRESH="1", HTTP_ACCEPT_LANGUAGE="en"
    ).content.decode()
    assert "1 confirmation " in rows or "1 confirmation<" in rows
    assert "222 222 222" in rows and "111 111 111" not in rows
    assert 'href="/?' not in rows  # one page: no links


def test_search_takes_the_filters_with_the_text(staff: Client) -> None:
    post(staff, real_record(session_id="123456789", company="Praxis Dr. Müller", kept_open=()))
    post(staff, real_record(session_id="987654321", company="Praxis Dr. Müller"))
    page = staff.get("/search?q=Praxis&kept_open=1", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "987 654 321" in page and "123 456 789" not in page
    assert '<input type="hidden" name="q" value="Praxis">' in page


def test_one_session_id_from_several_customers_is_pointed_out(staff: Client) -> None:
    for number in ("10472", "20931", "31877"):
        post(staff, real_record(session_id="123456789", number=number, company=f"Firma {number}"))
    post(staff, real_record(session_id="123456789", number="10472"))  # the same customer again
    post(staff, real_record(session_id="555666777", number="10472"))
    page = staff.get("/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert page.count("Session ID <bdi>123 456 789</bdi> was sent by 3 customers") == 1
    assert page.count("from 3 customers") == 4
    first = Confirmation.objects.order_by("seq").first()
    assert first is not None
    detail = staff.get(f"/r/{first.receipt_id}", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "was also sent by 2 other customers in the last 7 days" in detail
    assert "Firma 20931" in detail and "Firma 31877" in detail


def test_each_row_and_the_detail_page_say_whether_an_av_vertrag_is_on_file(staff: Client) -> None:
    token = make_token("10472", "Steuerkanzlei Beispiel GmbH")
    register_customer("10472", "Steuerkanzlei Beispiel GmbH", av_signed_on=date(2024, 3, 1))
    register_customer("20931", "Praxis Dr. Müller")
    post(staff, real_record(session_id="111111111", number="10472"), token=token)
    post(staff, real_record(session_id="222222222", number="20931"))
    post(staff, real_record(session_id="333333333", number="40000"))
    page = staff.get("/", HTTP_ACCEPT_LANGUAGE="de").content.decode()
    assert "AV-Vertrag vom 01.03.2024</span>" in page  # the token's number: no remark
    assert '⚠ Kein AV-Vertrag hinterlegt <span class="hint">(laut angegebener Nummer)' in page
    assert "⚠ Kunde nicht im Register" in page
    receipt = Confirmation.objects.get(session_id="222222222").receipt_id
    detail = staff.get(f"/r/{receipt}", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "No AV-Vertrag on file" in detail and "The customer register's current entry" in detail


def test_the_queues_refresh_asks_the_database_as_often_for_a_full_page(staff: Client) -> None:
    """The page, its count, the reading and the register: not once per row."""

    def queries() -> int:
        with CaptureQueriesContext(connection) as done:
            answer = staff.get("/queue/rows?no_av=1", HTTP_X_CONSOLE_REFRESH="1")
        assert answer.status_code == 200
        return len(done.captured_queries)

    post(staff, real_record(session_id="100000000"))
    few = queries()
    for n in range(1, PAGE_SIZE + 3):
        post(staff, real_record(session_id=f"{100000000 + n}", number=f"K-{n}"))
    assert queries() == few
