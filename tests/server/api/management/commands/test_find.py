"""``find``: a confirmation found by what people read out, verified only where a token
checked it."""

from __future__ import annotations

import json

import pytest
from django.core.management.base import CommandError
from django.test import Client

from intake_server.api.models import Confirmation
from tests.server.conftest import run
from tests.server.records import real_record
from tests.server.register import make_token
from tests.server.test_api import post

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("builtin_notices")]


def test_find_takes_what_people_read_out(client: Client) -> None:
    post(client, real_record(session_id="1234567890", number="10472"))
    receipt = Confirmation.objects.get().receipt_id
    for text in ("1 234 567 890", "1234-567-890", receipt.lower().replace("-", " "), "10472"):
        found = json.loads(run("find", text, "--json")[0])
        assert [f["receipt_id"] for f in found] == [receipt], text
    assert found[0]["notice"]["status"] == "verified"
    assert found[0]["open_applications"][0]["name"] == "Microsoft Outlook"
    with pytest.raises(CommandError) as none:
        run("find", "999 999 999")
    assert none.value.returncode == 1


def test_find_says_verified_only_of_what_the_token_checked(client: Client) -> None:
    secret = make_token("10472", "Known AG")
    built = real_record(session_id="123456789", company="Stated GmbH", number="10472")
    assert post(client, built, secret).status_code == 201
    assert post(client, real_record(session_id="123456789", company="Anon KG")).status_code == 201
    lines = run("find", "123 456 789")[0].splitlines()  # the command line speaks English
    assert "  Anon KG (as stated)  10472 (as stated)  " in lines[0]
    assert "  Known AG (verified); Stated GmbH (as stated)  10472 (verified)  " in lines[1]


def test_find_takes_a_name_however_spelled(client: Client) -> None:
    post(client, real_record(session_id="123456789", company="Müller GmbH", number="K-1"))
    post(client, real_record(session_id="234567891", company="Kanzlei", contact_name="Jörg Müller"))
    post(client, real_record(session_id="345678912", company="Schmidt AG"))
    for text in ("Müller", "Mueller", "MULLER"):
        found = json.loads(run("find", text, "--json")[0])
        assert [f["session_id"] for f in found] == ["234567891", "123456789"], text
    assert len(json.loads(run("find", "k1", "--json")[0])) == 1
