"""The access log page (console.access): what each user did, in the console's language."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from intake_server.console.models import AccessEntry

pytestmark = pytest.mark.django_db


@pytest.fixture
def anna(client: Client) -> Client:
    client.force_login(get_user_model().objects.create_user("anna", is_staff=True))
    return client


def test_the_log_names_each_action_and_filters_by_user_and_receipt(anna: Client) -> None:
    for action in (AccessEntry.VIEW, AccessEntry.STARTED, AccessEntry.FINISHED, AccessEntry.NOTE):
        AccessEntry.log("ben", action, "R-AAAA-AAAA")
    AccessEntry.log("carl", AccessEntry.VIEW, "R-BBBB-BBBB")
    page = anna.get("/access-log?user=ben", HTTP_ACCEPT_LANGUAGE="de").content.decode()
    for said in (
        "Bestätigung geöffnet",
        "Sitzung begonnen",
        "Sitzung beendet",
        "Notiz gespeichert",
    ):
        assert said in page, said
    assert "R-BBBB-BBBB" not in page
    page = anna.get("/access-log?receipt=R-BBBB-BBBB", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "carl" in page and "Note saved" not in page
