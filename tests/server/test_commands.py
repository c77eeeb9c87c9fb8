"""The maintenance commands: tokens, notice texts, find, purge (with its checkpoint)."""

from __future__ import annotations

import json
from datetime import timedelta
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client

from intake_server.api import ledger, reading
from intake_server.api.models import Checkpoint, Confirmation, Token
from tests.server.conftest import intake_env, run_intake
from tests.server.records import real_record
from tests.server.test_api import post

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("builtin_notices")]


def run(*args: str) -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    call_command(*args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_a_token_is_shown_once_and_only_its_hash_is_kept() -> None:
    out, err = run("token", "create", "--customer", "10472", "--company", "Kanzlei")
    secret = out.strip()
    assert secret.startswith("itk_") and "shown only now" in err
    stored = Token.objects.get()
    assert secret not in {stored.digest, stored.hint} and stored.hint == secret[:8]
    listing, _ = run("token", "list", "--json")
    assert secret not in listing
    assert json.loads(listing)[0]["customer"] == "10472"
    with pytest.raises(CommandError) as refused:
        run("token", "revoke", "999")
    assert refused.value.returncode == 2
    run("token", "revoke", str(stored.pk))
    assert "revoked" in run("token", "list")[0]


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


def test_purge_keeps_the_rest_of_the_ledger_verifiable(
    client: Client, settings: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    real_now = ledger.now
    monkeypatch.setattr(ledger, "now", lambda: real_now() - timedelta(days=40))
    for number in range(3):
        post(client, real_record(number=f"old{number}"))
    monkeypatch.setattr(ledger, "now", real_now)
    for number in range(2):
        post(client, real_record(number=f"new{number}"))
    settings.CONFIG = type(settings.CONFIG)({**settings.CONFIG.values, "retention_days": 30}, "")
    assert "would delete 3" in run("purge", "--dry-run")[0]
    assert Confirmation.objects.count() == 5
    assert "deleted 3" in run("purge")[0]
    assert sorted(Confirmation.objects.values_list("seq", flat=True)) == [4, 5]
    assert Checkpoint.objects.get().seq == 3
    out, _ = run("verify")
    assert "2 entries checked after checkpoint 3" in out
    post(client, real_record(number="newest"))
    assert "3 entries checked" in run("verify")[0]
    assert "deleted 0" in run("purge")[0]


def test_the_command_line_explains_itself(tmp_path: Path) -> None:
    env = intake_env(tmp_path / "data", f"sqlite:///{tmp_path / 'db.sqlite3'}")
    bare = run_intake(env=env)
    assert bare.returncode == 2 and "commands:" in bare.stderr
    unknown = run_intake("frobnicate", env=env)
    assert unknown.returncode == 2 and "unknown command 'frobnicate'" in unknown.stderr
    unmigrated = run_intake("find", "123456789", env=env)
    assert unmigrated.returncode == 3 and "intellekta-intake migrate" in unmigrated.stderr
    missing = run_intake("--config", str(tmp_path / "nope.toml"), "check", env=env)
    assert missing.returncode == 2 and "nope.toml" in missing.stderr
    offline = run_intake(
        "check",
        env={**env, "INTELLEKTA_INTAKE_DATABASE_URL": "postgresql://nobody@127.0.0.1:9/none"},
    )
    assert offline.returncode == 3 and "database_url" in offline.stderr
    for result in (bare, unknown, unmigrated, missing, offline):
        assert "Traceback" not in result.stderr
    assert run_intake("migrate", env=env).returncode == 0
    assert run_intake("verify", env=env).stdout.startswith("Ledger intact: 0 entries")


def test_find_says_verified_only_of_what_the_token_checked(client: Client) -> None:
    secret, _ = run("token", "create", "--customer", "10472", "--company", "Known AG")
    built = real_record(session_id="123456789", company="Stated GmbH", number="10472")
    assert post(client, built, secret.strip()).status_code == 201
    assert post(client, real_record(session_id="123456789", company="Anon KG")).status_code == 201
    lines = run("find", "123 456 789")[0].splitlines()  # the command line speaks English
    assert "  Anon KG (as stated)  10472 (as stated)  " in lines[0]
    assert "  Known AG (verified); Stated GmbH (as stated)  10472 (verified)  " in lines[1]
