"""What a customer sent cannot disguise itself on the console: every value from a record
is isolated (``<bdi>``), long values are shortened in lists and whole on the detail page,
only what was checked is "verified", a confirmation time far from the server's clock is
told, and the evidence downloads have a fixed, safe file name."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime, timedelta
from html.parser import HTMLParser
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from intake_server.api.models import Confirmation, Token
from tests.server import register
from tests.server.console.hostile import RLO, edited
from tests.server.records import Built, real_record
from tests.server.test_api import post

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("builtin_notices")]
LONG = "A" * 5000


@pytest.fixture
def staff(client: Client) -> Client:
    user = get_user_model().objects.create_user("ben", password="correct-horse-battery")
    client.force_login(user)
    return client


class _Texts(HTMLParser):
    """The text nodes of a page, each with whether a ``<bdi>`` holds it."""

    VOID = frozenset({"br", "input", "meta", "link", "img", "hr"})

    def __init__(self) -> None:
        super().__init__()
        self.open: list[str] = []
        self.texts: list[tuple[str, bool]] = []
        self.titles: list[str] = []  # title attributes

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.titles += [value or "" for name, value in attrs if name == "title"]
        if tag == "br":
            self.texts.append(("\n", False))
        if tag not in self.VOID:
            self.open.append(tag)

    def handle_endtag(self, tag: str) -> None:
        while tag in self.open and self.open.pop() != tag:
            pass

    def handle_data(self, data: str) -> None:
        if "title" not in self.open:  # the window title: text only, no markup possible
            self.texts.append((data, "bdi" in self.open))


def parsed(client: Client, url: str, language: str = "en") -> _Texts:
    answer = client.get(url, HTTP_ACCEPT_LANGUAGE=language)
    assert answer.status_code == 200, url
    texts = _Texts()
    texts.feed(answer.content.decode())
    return texts


def text_of(client: Client, url: str, language: str = "en") -> str:
    """The page's text as a person reads it, white space collapsed."""
    return re.sub(r"\s+", " ", "".join(text for text, _ in parsed(client, url, language).texts))


def stored(client: Client, built: Built, token: str = "") -> str:
    answer = post(client, built, token)
    assert answer.status_code == 201, answer.content
    return str(answer.json()["receipt_id"])


def make_token(company: str = "") -> tuple[str, int]:
    """A new token for customer 10472, and its id."""
    return register.make_token("10472", company), Token.objects.latest("pk").pk


def _hostile(document: dict[str, Any]) -> None:
    """Right-to-left overrides wherever a sender can put text (the helper itself strips
    them, so they are written into the body)."""
    document["customer"].update(company=RLO + "gnp.exe", contact_name=RLO + "Erika")
    document["open_applications"][0].update(name=RLO + "Outlook", category=RLO + "mail")
    document["client"].update(version="0.1.0" + RLO + "x", os_version=RLO + "Debian")
    document["notice"].update(id=RLO + "notice", version=RLO + "2026")


def test_every_value_from_a_record_is_isolated(staff: Client) -> None:
    built = edited(real_record(number="+4912345"), _hostile)
    receipt = stored(staff, built)
    for url in ("/", "/search?q=%2B4912345", f"/r/{receipt}"):
        texts = parsed(staff, url).texts
        assert any(RLO in text for text, _ in texts), url
        assert [text for text, isolated in texts if RLO in text and not isolated] == [], url
        assert ("+4912345", True) in texts and ("1 234 567 890", True) in texts, url
    page = staff.get(f"/r/{receipt}").content.decode()
    body = page[page.index('<pre class="body">') :]
    assert RLO not in body and "&quot;company&quot;: &quot;\\u202egnp.exe&quot;" in body


def test_long_values_are_shortened_in_lists_and_whole_on_the_detail_page(staff: Client) -> None:
    built = real_record(company=LONG, kept_open=(LONG,), session_id="1234567890")
    receipt = stored(staff, built)
    for url in ("/", "/search?q=1234567890"):
        page = parsed(staff, url)
        assert not [text for text, _ in page.texts if "A" * 81 in text], url
        assert any(text == "A" * 79 + "…" for text, _ in page.texts), url
        assert LONG in page.titles, url  # the company and the program, as the body has them
    texts = [text for text, _ in parsed(staff, f"/r/{receipt}").texts]
    assert LONG in texts


def test_without_a_token_nothing_is_verified(staff: Client) -> None:
    receipt = stored(staff, real_record(company="Stated GmbH"))
    assert "Stated GmbH as stated · 10472 as stated" in text_of(staff, "/")
    page = text_of(staff, f"/r/{receipt}")
    assert "Company Stated GmbH as stated Customer number 10472 as stated" in page


def test_a_token_verifies_the_number_but_not_a_company_it_does_not_name(staff: Client) -> None:
    token, _pk = make_token()
    receipt = stored(staff, real_record(company="Stated GmbH"), token)
    assert "Stated GmbH as stated · 10472 verified" in text_of(staff, "/")
    page = text_of(staff, f"/r/{receipt}")
    assert "Company Stated GmbH as stated Customer number 10472 verified" in page


def test_a_company_the_token_names_is_verified_and_another_one_stated_beside_it(
    staff: Client,
) -> None:
    token, _pk = make_token("Kanzlei Echt GmbH")
    receipt = stored(staff, real_record(company="Fake AG", session_id="111111111"), token)
    stored(staff, real_record(company="", session_id="222222222"), token)
    queue = text_of(staff, "/")
    assert "Kanzlei Echt GmbH verified · Fake AG as stated · 10472 verified" in queue
    assert (
        "222 222 222 Kanzlei Echt GmbH verified · 10472 verified" in queue
    )  # none stated: the token's
    page = text_of(staff, f"/r/{receipt}")
    assert "Company Kanzlei Echt GmbH verified Fake AG as stated Customer number 10472" in page


def _confirmed(delta: timedelta) -> Built:
    moment = (datetime.now(UTC) + delta).isoformat(timespec="seconds")
    return edited(real_record(), lambda document: document.update(confirmed_at=moment))


@pytest.mark.parametrize(
    ("delta", "language", "detail", "mark"),
    [
        (
            -timedelta(days=3),
            "en",
            "Confirmed 3 days before it arrived (the customer's clock, or a confirmation sent "
            "later)",
            "confirmed 3 days before arrival",
        ),
        (
            -timedelta(days=3),
            "de",
            "3 Tage vor dem Eingang bestätigt (die Uhr des Kunden-Computers geht falsch, oder die "
            "Bestätigung wurde später gesendet)",
            "3 Tage vor Eingang bestätigt",
        ),
        (
            timedelta(hours=2, minutes=1),
            "en",
            "Confirmed 2 hours after it arrived (the customer's clock is ahead)",
            "confirmed 2 hours after arrival",
        ),
    ],
)
def test_a_confirmation_time_far_from_the_servers_clock_is_told(
    staff: Client, delta: timedelta, language: str, detail: str, mark: str
) -> None:
    receipt = stored(staff, _confirmed(delta))
    assert detail in text_of(staff, f"/r/{receipt}", language)
    assert mark in text_of(staff, "/", language)


def test_a_confirmation_time_within_the_hour_is_not_remarked(staff: Client) -> None:
    receipt = stored(staff, _confirmed(-timedelta(minutes=50)))
    assert "arrived" not in text_of(staff, f"/r/{receipt}")
    assert "arrival" not in text_of(staff, "/")


@pytest.mark.parametrize(
    "tail",
    [
        "evidence.exe",
        "evidence.html",
        "evidence.JSON",
        "evidence.json%22%3Bfilename%3Devil.html",
        "evidence.json/x",
        "evidence.",
    ],
)
def test_evidence_exists_only_as_json_and_pdf(staff: Client, tail: str) -> None:
    receipt = stored(staff, real_record())
    assert staff.get(f"/r/{receipt}/{tail}").status_code == 404


def test_the_evidence_file_name_is_fixed(staff: Client) -> None:
    receipt = stored(staff, real_record())
    for kind, media in (("json", "application/json"), ("pdf", "application/pdf")):
        answer = staff.get(f"/r/{receipt}/evidence.{kind}")
        assert answer.status_code == 200 and answer["Content-Type"] == media
        assert answer["Content-Disposition"] == f'attachment; filename="evidence-{receipt}.{kind}"'
    document = json.loads(staff.get(f"/r/{receipt}/evidence.json").content)
    assert document["consentReceiptID"] == receipt


def test_a_receipt_id_changed_in_the_database_never_names_the_download(staff: Client) -> None:
    """Someone with the database file writes a receipt id that would rename the file."""
    receipt = stored(staff, real_record())
    Confirmation.objects.filter(receipt_id=receipt).update(receipt_id='R-1"x.html;a')
    answer = staff.get('/r/R-1"x.html;a/evidence.json')
    assert answer.status_code == 200
    assert answer["Content-Disposition"] == 'attachment; filename="evidence.json"'


def test_a_body_changed_into_no_json_is_still_shown(staff: Client) -> None:
    """Changed behind the server's back (the ledger's verify names it): the page shows
    the text it now holds instead of failing."""
    receipt = stored(staff, real_record())
    Confirmation.objects.filter(receipt_id=receipt).update(body=b"{changed \xff\x00")
    page = staff.get(f"/r/{receipt}")
    assert page.status_code == 200 and "{changed \ufffd" in page.content.decode()
