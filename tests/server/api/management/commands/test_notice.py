"""``notice``: an administrator's notice texts, registered once, make the confirmations
that use them text verified."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from django.core.management.base import CommandError
from django.test import Client

from intake_server.api import reading
from intake_server.api.models import Confirmation
from tests.server.conftest import run
from tests.server.records import real_record
from tests.server.test_api import post

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("builtin_notices")]


def test_an_administrators_notice_text_makes_records_verified(
    client: Client, tmp_path: Path
) -> None:
    notice = tmp_path / "notice.toml"
    notice.write_text('id = "acme"\nversion = "7"\n[de]\ntext = "Unser Text {dpa_url}"\n', "utf-8")
    unknown = real_record(notice_file=str(notice), number="1")
    assert post(client, unknown).status_code == 201
    assert reading.read_one(Confirmation.objects.get()).notice_status == "unknown"
    out, _ = run("notice", "add", str(notice))
    assert "acme 7 (de)" in out and "added" in out
    # The confirmation that came before its text was registered now counts as verified,
    # and its entry still says, as it did, that the text was not registered on arrival.
    assert "1 confirmation(s) received before are now text verified" in out
    before = reading.read_one(Confirmation.objects.get())
    assert before.notice_status == "verified" and not before.damaged
    assert before.facts is not None and before.facts.notice_registered is False
    assert post(client, real_record(notice_file=str(notice), number="2")).status_code == 201
    after = reading.read_one(Confirmation.objects.get(customer_number="2"))
    assert after.notice_status == "verified" and not after.damaged
    assert after.facts is not None and after.facts.notice_registered is True
    listed = json.loads(run("notice", "list", "--json")[0])
    assert {n["id"] for n in listed} == {"acme", "intellekta-remote-support"}


def test_adding_a_known_text_again_changes_nothing(client: Client, tmp_path: Path) -> None:
    notice = tmp_path / "notice.toml"
    notice.write_text('id = "acme"\nversion = "7"\n[de]\ntext = "Unser Text {dpa_url}"\n', "utf-8")
    assert post(client, real_record(notice_file=str(notice), number="1")).status_code == 201
    run("notice", "add", str(notice))
    again = run("notice", "add", str(notice))[0]
    assert "known already" in again
    assert "now text verified" not in again, "they were verified by the first add already"


def test_a_broken_notice_file_is_explained(tmp_path: Path) -> None:
    broken = tmp_path / "broken.toml"
    broken.write_text('id = "x"\n[de]\n', "utf-8")
    with pytest.raises(CommandError) as refused:
        run("notice", "add", str(broken))
    assert refused.value.returncode == 2 and str(broken) in str(refused.value)
