"""Marks and notes (console.marks): a note sent after the idle sign-out is not lost."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.utils import timezone

from intake_server.api.models import Confirmation
from intake_server.console.models import AccessEntry, SessionMark
from tests.server.records import real_record
from tests.server.test_api import post

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("builtin_notices")]
PASSWORD = "correct-horse-battery"


@pytest.fixture
def receipt(client: Client) -> str:
    post(client, real_record())
    return str(Confirmation.objects.get().receipt_id)


@pytest.fixture
def ben(client: Client, settings: Any) -> Client:
    settings.CONSOLE_IDLE = timedelta(minutes=30)
    for name in ("ben", "carl"):
        get_user_model().objects.create_user(name, password=PASSWORD)
    assert client.post("/sign-in", {"username": "ben", "password": PASSWORD}).status_code == 302
    return client


def signed_out_while_typing(client: Client, receipt: str, note: str) -> Any:
    """The idle time passes while a note is typed; then "Save note"."""
    session = client.session
    session["console_seen"] = (timezone.now() - timedelta(minutes=31)).timestamp()
    session.save()
    return client.post(f"/r/{receipt}/mark", {"kind": "note", "note": note})


def test_a_note_sent_after_the_timeout_is_saved_when_its_writer_signs_in_again(
    ben: Client, receipt: str
) -> None:
    sent = signed_out_while_typing(ben, receipt, "Drucker neu installiert")
    assert sent.status_code == 302 and sent["Location"] == f"/sign-in?next=/r/{receipt}"
    assert not SessionMark.objects.exists()
    page = ben.get(sent["Location"], HTTP_ACCEPT_LANGUAGE="de").content.decode()
    assert "Sie wurden nach 30 Minuten ohne Aktivität abgemeldet." in page
    assert "sobald Sie sich wieder anmelden" in page
    back = ben.post(sent["Location"], {"username": "ben", "password": PASSWORD})
    assert back["Location"] == f"/r/{receipt}"
    mark = SessionMark.objects.get()
    assert (mark.kind, mark.note, mark.username) == ("note", "Drucker neu installiert", "ben")
    detail = ben.get(back["Location"], HTTP_ACCEPT_LANGUAGE="de").content.decode()
    assert "Ihre Notiz, die nach Ihrer Abmeldung ankam, wurde gespeichert." in detail
    assert "note-saved" in detail  # console.js forgets its copy
    assert AccessEntry.objects.filter(action=AccessEntry.NOTE, receipt_id=receipt).count() == 1


def test_someone_else_signing_in_gets_the_note_offered_not_saved(ben: Client, receipt: str) -> None:
    sent = signed_out_while_typing(ben, receipt, "Notiz von Ben")
    back = ben.post(sent["Location"], {"username": "carl", "password": PASSWORD})
    assert back["Location"] == f"/r/{receipt}" and not SessionMark.objects.exists()
    detail = ben.get(back["Location"], HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert ">Notiz von Ben</textarea>" in detail
    assert "Restored from before the sign-out: not saved yet." in detail
    ben.post(f"/r/{receipt}/mark", {"kind": "note", "note": "Notiz von Carl"})
    assert SessionMark.objects.get().username == "carl"
    assert ">Notiz von Ben</textarea>" not in ben.get(f"/r/{receipt}").content.decode()


def test_the_mark_address_opened_leads_to_the_record_not_to_405(ben: Client, receipt: str) -> None:
    assert ben.get(f"/r/{receipt}/mark")["Location"] == f"/r/{receipt}"
    ben.post("/sign-out")
    answer = ben.post(f"/sign-in?next=/r/{receipt}/mark", {"username": "ben", "password": PASSWORD})
    assert ben.get(answer["Location"], follow=True).redirect_chain[-1][0] == f"/r/{receipt}"


def test_an_anonymous_mark_is_not_kept_and_reveals_nothing(receipt: str) -> None:
    answer = Client().post("/r/R-NONE-NONE/mark", {"kind": "started"})
    assert answer.status_code == 302 and answer["Location"] == "/sign-in?next=/r/R-NONE-NONE"


def test_each_mark_and_note_is_logged_and_one_visit_is_one_opening(
    ben: Client, receipt: str
) -> None:
    ben.get(f"/r/{receipt}")
    for kind in ("started", "finished"):
        ben.post(f"/r/{receipt}/mark", {"kind": kind}, follow=True)
    ben.post(f"/r/{receipt}/mark", {"kind": "note", "note": "done"}, follow=True)
    actions = list(AccessEntry.objects.order_by("at", "pk").values_list("action", flat=True))
    assert actions == ["view", "session_started", "session_finished", "note_saved"]
    log = ben.get("/access-log")
    assert log.status_code == 403  # ben is no administrator
