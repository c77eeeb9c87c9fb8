"""A confirmation changed in the database behind the server's back is DAMAGED, in red, on
every console page that shows it, and no changed value is shown as a fact; administrators
see what the last verification found on every page.

Each test changes a stored row with SQL, as anyone with the database file could, on
SQLite and (``INTELLEKTA_TEST_DATABASE=postgres``) on PostgreSQL.
"""

from __future__ import annotations

import json
import re
from datetime import timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from intake_server.api import verification
from intake_server.api.models import Confirmation
from tests.server.console.test_display import make_token, stored, text_of
from tests.server.records import real_record

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("builtin_notices")]
REAL, FORGED = "333444555", "333444556"
ROW = re.compile(r'<tr class="damaged[^"]*">.*?</tr>', re.S)
BADGE = {
    "en": '<span class="badge damaged">DAMAGED</span>',
    "de": '<span class="badge damaged">BESCHÄDIGT</span>',
}
BANNER = '<p class="banner damaged" role="alert">'


def _user(client: Client, name: str, staff: bool = False) -> Client:
    user = get_user_model().objects.create_user(name, password="correct-horse-battery")
    user.is_staff = staff
    user.save()
    client.force_login(user)
    return client


@pytest.fixture
def support(client: Client) -> Client:
    return _user(client, "ben")


@pytest.fixture
def admin() -> Client:
    return _user(Client(), "anna", staff=True)


def _change(receipt: str, assignments: str, *params: Any) -> None:
    """``UPDATE ... SET assignments`` on the stored row, past the ORM and the ledger."""
    table = Confirmation._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {table} SET {assignments} WHERE receipt_id = %s", [*params, receipt]
        )


def _page(client: Client, url: str, language: str = "en") -> str:
    answer = client.get(url, HTTP_ACCEPT_LANGUAGE=language)
    assert answer.status_code == 200, url
    return str(answer.content.decode())


def _facts_card(page: str) -> str:
    """The "The confirmation" card: what the detail page shows as facts."""
    start = page.index('<dl class="facts">')
    return page[start : page.index("</dl>", start)]


def _damaged_rows(page: str) -> list[str]:
    return ROW.findall(page)


def _listed_as_damaged(client: Client, url: str, language: str = "en") -> str:
    """The one damaged row ``url`` lists, with the contract's badge; the row's markup."""
    rows = _damaged_rows(_page(client, url, language))
    assert len(rows) == 1, url
    assert BADGE[language] in rows[0], url
    return rows[0]


def test_a_changed_session_id_column_is_damaged_and_the_entry_gives_the_real_one(
    support: Client,
) -> None:
    receipt = stored(support, real_record(session_id=REAL))
    stored(support, real_record(session_id="111222333"))  # an intact neighbour
    _change(receipt, "session_id = %s", FORGED)
    verification.record(verification.verify())
    for language in ("en", "de"):
        row = _listed_as_damaged(support, "/", language)
        assert "333 444 555" in row and "333 444 556" not in row
    assert "111 222 333" in _page(support, "/")  # the intact one is listed, not damaged
    found = _listed_as_damaged(support, "/search?q=333+444+555")  # found by the body's ID
    assert receipt in found and "333 444 556" not in found
    page = _page(support, f"/r/{receipt}")
    assert BANNER + "<strong>DAMAGED</strong>" in page
    assert "the column session_id says 333444556, the entry says 333444555" in page
    facts = _facts_card(page)
    assert "333 444 555" in facts and "333 444 556" not in facts
    assert 'data-copy="333444555"' in page  # the button copies the real one
    german = text_of(support, f"/r/{receipt}", "de")
    assert "BESCHÄDIGT Der gespeicherte Datensatz" in german


def test_a_changed_body_shows_no_fact_at_all(support: Client) -> None:
    receipt = stored(support, real_record(session_id=REAL, company="Echt GmbH"))
    document = json.loads(Confirmation.objects.get().body)
    document["session_id"], document["customer"]["company"] = FORGED, "Fälschung AG"
    _change(receipt, "body = %s", json.dumps(document).encode())
    for url in ("/", f"/search?q={receipt}"):
        row = _listed_as_damaged(support, url)
        assert receipt in row and "Fälschung" not in row and "333 444" not in row
    page = _page(support, f"/r/{receipt}")
    banner = page[page.index(BANNER) : page.index("</p>", page.index(BANNER))]
    assert "No fact of it can be shown" in banner and "its body was changed" in banner
    facts = _facts_card(page)
    assert receipt in facts and "Fälschung" not in facts and "333 444" not in facts
    assert "The notice the customer confirmed" not in page
    assert "The ledger does not prove that this is what arrived." in page  # "As received"


def test_a_token_set_on_an_anonymous_record_verifies_nothing(support: Client) -> None:
    _token, pk = make_token("Kanzlei Echt GmbH")
    receipt = stored(support, real_record(company="Stated GmbH", number="10472"))
    _change(receipt, "customer_verified = %s, notice_verified = %s, token_id = %s", True, True, pk)
    row = _listed_as_damaged(support, "/")
    assert "Stated GmbH" in row and "Kanzlei Echt" not in row and "verified" not in row
    page = _page(support, f"/r/{receipt}")
    assert BANNER in page and "the column token_id says" in page
    facts = _facts_card(page)
    assert "Kanzlei Echt" not in facts
    assert re.search(r"10472</bdi> <span class=\"badge\">as stated</span>", facts)


def test_a_changed_receipt_time_is_not_shown_and_the_rest_is_not_proven(support: Client) -> None:
    receipt = stored(support, real_record(session_id=REAL))
    forged = (timezone.now() - timedelta(hours=3)).replace(microsecond=0)
    _change(receipt, "received_at = %s", forged)
    row = _listed_as_damaged(support, "/")
    assert "333 444 555" in row and "not proven" in row and "3 hours" not in row
    page = _page(support, f"/r/{receipt}")
    assert BANNER in page and "The facts below are what the stored record says" in page
    assert '<section class="card unproven">' in page and "its content was changed" in page
    facts = _facts_card(page)
    forged_text = f"{forged.astimezone(ZoneInfo('Europe/Berlin')):%Y-%m-%d %H:%M:%S}"
    assert forged_text not in facts and f"{forged:%H:%M:%S} UTC" not in facts
    assert "Received at</dt>\n  <dd>not proven</dd>" in facts
    assert "The customer closed every confidential program" not in page  # not asserted


def test_an_intact_record_shows_no_damage_and_its_times_in_the_configured_zone(
    support: Client,
) -> None:
    receipt = stored(support, real_record())
    assert "DAMAGED" not in _page(support, "/") and "DAMAGED" not in _page(support, f"/r/{receipt}")
    facts = _facts_card(_page(support, f"/r/{receipt}"))
    received = Confirmation.objects.get().received_at
    berlin = received.astimezone(ZoneInfo("Europe/Berlin"))
    # Around midnight the two days differ, and the UTC time then carries its own date.
    utc = (
        f"{received:%H:%M:%S}"
        if berlin.date() == received.date()
        else f"{received:%Y-%m-%d %H:%M:%S}"
    )
    assert f"{berlin:%Y-%m-%d %H:%M:%S} Europe/Berlin ({utc} UTC)" in facts
    assert '<span class="badge ok">proven</span>' in _page(support, f"/r/{receipt}")


def test_administrators_see_the_damage_on_every_page_and_support_does_not(
    support: Client, admin: Client
) -> None:
    receipts = [stored(support, real_record(session_id=f"12345678{i}")) for i in range(9)]
    for receipt in receipts[:6]:
        _change(receipt, "company = %s", "Changed GmbH")
    Confirmation.objects.filter(receipt_id=receipts[7]).delete()  # 8 missing, 7 unconfirmed
    verification.record(verification.verify())
    pages = ("/", "/search?q=1", f"/r/{receipts[8]}", "/access-log", "/export")
    for url in pages:
        page = _page(admin, url)
        assert '<div id="ledger-damage" class="banner damaged" role="alert">' in page, url
    banner = text_of(admin, "/")
    assert "The ledger verification found 8 damaged entries." in banner
    for receipt in receipts[:5]:
        assert f'<a href="/r/{receipt}">{receipt}</a>' in _page(admin, "/")
    assert receipts[5] not in _page(admin, "/access-log")  # five named, then "…"
    assert "Last checked: " in banner and "Europe/Berlin" in banner
    assert "intellekta-intake verify" in banner and "backup" in banner
    german = text_of(admin, "/", "de")
    assert "Die Prüfung des Journals hat 8 beschädigte Einträge gefunden." in german
    for url in pages[:3]:
        assert "ledger-damage" not in _page(support, url), url


def test_the_banner_names_a_missing_entry_by_its_place(admin: Client) -> None:
    receipts = [stored(admin, real_record(session_id=f"12345678{i}")) for i in range(3)]
    Confirmation.objects.filter(receipt_id=receipts[1]).delete()
    verification.record(verification.verify())
    banner = text_of(admin, "/")  # entry 1 too: nothing after it confirms its hash
    assert "The ledger verification found 2 damaged entries. " in banner
    assert f'<a href="/r/{receipts[0]}">{receipts[0]}</a> (entry 1)</li><li>entry 2</li>' in _page(
        admin, "/"
    )


def test_no_banner_without_damage(admin: Client) -> None:
    stored(admin, real_record())
    verification.record(verification.verify())
    assert "ledger-damage" not in _page(admin, "/")


def test_the_queue_reads_every_row_in_a_fixed_number_of_queries(
    support: Client, admin: Client
) -> None:
    """One query for the rows and three for reading them, however many; the banner adds
    one for administrators only, and none to the rows fetched every two seconds."""
    stored(support, real_record(session_id="111111111"))
    counts = []
    for more in ("222222222", "333333333", "444444444"):
        with CaptureQueriesContext(connection) as queries:
            _page(support, "/queue/rows")
        counts.append(len(queries))
        stored(support, real_record(session_id=more))
    assert len(set(counts)) == 1, counts
    with CaptureQueriesContext(connection) as staff_queries:
        _page(admin, "/queue/rows")
    assert len(staff_queries) == counts[0]
    pages = []
    for client in (support, admin):
        with CaptureQueriesContext(connection) as queries:
            _page(client, "/")
        pages.append(len(queries))
    assert pages[1] == pages[0] + 1, pages
