"""The evidence of one confirmation: the text, the Kantara consent receipt, the one-page
PDF, what re-checking finds when something was changed, and the refusals."""

from __future__ import annotations

import hashlib
import json
import uuid
from io import BytesIO
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.core.management.base import CommandError
from django.db import connection
from django.test import Client
from pypdf import PdfReader

from intake_server.api import evidence
from intake_server.api.models import Confirmation, NoticeText
from tests.server.conftest import intake_env, run_intake
from tests.server.records import Built, real_record
from tests.server.test_api import make_token, post
from tests.server.test_commands import run

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("builtin_notices")]


def stored(client: Client, built: Built, token: str = "") -> Confirmation:
    answer = post(client, built, token=token)
    assert answer.status_code == 201, answer.content
    return Confirmation.objects.get(receipt_id=answer.json()["receipt_id"])


def pdf_text(data: bytes) -> tuple[int, str]:
    reader = PdfReader(BytesIO(data))
    return len(reader.pages), "\n".join(page.extract_text() for page in reader.pages)


def an_unknown_notice(tmp_path: Path, text: str = "Unser eigener Text {dpa_url}") -> str:
    notice = tmp_path / "notice.toml"
    notice.write_text(f'id = "acme"\nversion = "7"\n[de]\ntext = """{text}"""\n', "utf-8")
    return str(notice)


def test_json_evidence_is_a_kantara_receipt_that_verifies_notice_and_ledger(
    client: Client,
) -> None:
    built = real_record()
    row = stored(client, built)
    typed = row.receipt_id.lower().replace("-", " ")
    document: dict[str, Any] = json.loads(run("evidence", typed, "--json", "--lang", "en")[0])
    assert document["version"] == "KI-CR-v1.1.0" and document["jurisdiction"] == "DE"
    assert document["consentReceiptID"] == row.receipt_id and document["language"] == "de"
    assert document["consentTimestamp"] == int(row.confirmed_at.timestamp())
    assert "intellekta-helper" in document["collectionMethod"] and "publicKey" not in document
    assert document["piiPrincipalId"] == "10472 / Erika Mustermann"
    assert document["piiControllers"][0]["piiController"] == "intellekta GmbH"
    assert document["policyUrl"] == settings.CONFIG["notice_terms_url"]
    [service] = document["services"]
    [purpose] = service["purposes"]
    assert service["service"] == "remote support"
    assert purpose["purpose"] == "Remote-support session with TeamViewer QuickSupport"
    assert purpose["consentType"] == "EXPLICIT" and purpose["primaryPurpose"] is True
    assert purpose["piiCategory"] == ["data possibly visible on screen during the session"]
    assert purpose["termination"] == "end of the session"
    assert purpose["thirdPartyDisclosure"] is False
    assert document["sensitive"] is False and document["spiCat"] == []

    own = document["intellekta"]
    assert own["record"]["as_received"] == json.loads(built.payload)
    assert own["record"]["text"].encode() == built.payload and own["record"]["sha256_verified"]
    assert own["customer"] == {"number": "10472", "company": "Steuerkanzlei Beispiel GmbH",
                               "contact_name": "Erika Mustermann", "token_id": None}  # fmt: skip
    notice = own["notice"]
    assert notice["status"] == "verified" and notice["verified_at_receipt"] is True
    assert hashlib.sha256(notice["text"].encode()).hexdigest() == row.notice_sha256
    chain = own["ledger"]
    assert chain["entry_hash_verified"] and chain["chained"] and chain["seq"] == row.seq
    by_hand = f"{chain['prev_hash']}\n{row.receipt_id}\n{own['received_at']}\n".encode()
    assert hashlib.sha256(by_hand + built.payload).hexdigest() == chain["entry_hash"]
    by_submission = run("evidence", row.submission_id.upper(), "--json", "--lang", "en")[0]
    assert json.loads(by_submission)["consentReceiptID"] == row.receipt_id


def test_the_text_names_every_fact_in_the_chosen_language(client: Client) -> None:
    row = stored(client, real_record(number="10472"), token=make_token("10472"))
    german, _ = run("evidence", row.receipt_id)  # the server's language setting: de
    assert "Session-ID" in german and "1 234 567 890" in german
    assert f"geprüft durch Token {row.token_id}" in german and "Text geprüft" in german
    assert "bewusst geöffnet gelassen: Microsoft Outlook (mail)" in german
    assert bytes(row.body).decode() in german and "# Bevor die Fernwartung beginnt" in german
    english, _ = run("evidence", row.receipt_id, "--lang", "en")
    assert "verified by token" in english and "text verified" in english
    assert f"printf '%s\\n%s\\n%s\\n' {row.prev_hash} {row.receipt_id}" in english
    plain = stored(client, real_record(kept_open=(), session_id="987654321"))
    assert "as stated, unverified" in run("evidence", plain.receipt_id, "--lang", "en")[0]


def test_a_text_the_server_does_not_know_is_called_unknown(client: Client, tmp_path: Path) -> None:
    row = stored(client, real_record(notice_file=an_unknown_notice(tmp_path)))
    document = evidence.evidence_json(row, "en")
    notice = document["intellekta"]["notice"]
    assert notice["status"] == "unknown" and notice["text"] is None
    assert notice["verified_at_receipt"] is False
    assert "unknown to the server" in run("evidence", row.receipt_id, "--lang", "en")[0]
    _pages, text = pdf_text(evidence.evidence_pdf(row, "de"))
    assert "Der Server kennt diesen Text nicht" in text


def test_a_changed_body_or_notice_text_is_pointed_out(client: Client) -> None:
    row = stored(client, real_record())
    NoticeText.objects.filter(sha256=row.notice_sha256).update(text="Ein anderer Text")
    changed = bytes(row.body).replace(b"Erika", b"Erich")
    Confirmation.objects.filter(pk=row.pk).update(body=changed)
    own = evidence.evidence_json(Confirmation.objects.get(pk=row.pk), "en")["intellekta"]
    assert own["notice"]["status"] == "changed" and own["notice"]["text"] is None
    assert own["record"]["sha256_verified"] is False
    assert own["ledger"]["entry_hash_verified"] is False
    text = evidence.evidence_text(Confirmation.objects.get(pk=row.pk), "en")
    assert "WARNING: the stored text was changed" in text
    assert "does NOT follow from the entry" in text and "Ein anderer Text" not in text


@pytest.mark.parametrize(("lang", "label"), [("de", "Beleg-Nr."), ("en", "Receipt id")])
def test_the_pdf_is_one_page_with_the_grouped_session_id(
    client: Client, tmp_path: Path, lang: str, label: str
) -> None:
    row = stored(client, real_record(company="Müller & Söhne – Zoë Łódź ✓"))
    folder = tmp_path / "out"
    folder.mkdir()
    target = folder / "evidence.pdf"
    out, _ = run("evidence", row.receipt_id, "--pdf", str(target), "--lang", lang)
    assert out.strip() == f"Wrote {target}"
    pages, text = pdf_text(target.read_bytes())
    assert pages == 1
    assert "1 234 567 890" in text and row.receipt_id in text and label in text
    assert "Müller & Söhne – Zoë Łódź ✓" in text and row.entry_hash in text
    assert [p.name for p in folder.iterdir()] == ["evidence.pdf"]  # no temporary file left


def test_a_long_notice_text_is_set_smaller_to_stay_on_one_page(
    client: Client, tmp_path: Path
) -> None:
    paragraph = "Dieser Absatz steht für einen langen Hinweistext eines Administrators. " * 12
    long_text = "\n\n".join(f"# Abschnitt {n}\n\n{paragraph}" for n in range(8))
    path = an_unknown_notice(tmp_path, long_text)
    row = stored(client, real_record(notice_file=path))
    run("notice", "add", path)
    pages, text = pdf_text(evidence.evidence_pdf(row, "de"))
    assert pages == 1 and "Abschnitt 7" in text


def test_without_dejavu_the_pdf_uses_helvetica(
    client: Client, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setattr(evidence, "FONT_DIR", tmp_path)
    row = stored(client, real_record(company="Zoë Łódź GmbH"))
    pages, text = pdf_text(evidence.evidence_pdf(row, "en"))
    assert pages == 1 and row.receipt_id in text and "1 234 567 890" in text
    assert "Zoë ?ód? GmbH" in text  # Latin-1 only: the rest is replaced


@pytest.mark.parametrize(
    ("typed", "returncode", "says"),
    [("R-0000-0000", 1, "no confirmation"), (str(uuid.uuid4()), 1, "no confirmation"),
     ("banana", 2, "neither a receipt id")],
)  # fmt: skip
def test_an_unknown_id_is_refused(typed: str, returncode: int, says: str) -> None:
    with pytest.raises(CommandError) as refused:
        run("evidence", typed)
    assert refused.value.returncode == returncode and says in str(refused.value)


def test_a_pdf_that_cannot_be_written_names_the_path(client: Client, tmp_path: Path) -> None:
    row = stored(client, real_record())
    folder = tmp_path / "out"
    (folder / "a folder").mkdir(parents=True)
    for target in (folder / "missing" / "evidence.pdf", folder / "a folder"):
        with pytest.raises(CommandError) as refused:
            run("evidence", row.receipt_id, "--pdf", str(target))
        assert refused.value.returncode == 2 and str(target) in str(refused.value)
    assert [p.name for p in folder.iterdir()] == ["a folder"]  # no temporary file left


def shared_database_url() -> str:
    """The URL of the database these tests use, for a command run as its own process."""
    db = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{db['NAME']}"
    return f"postgresql://{db['USER']}:{db['PASSWORD']}@{db['HOST']}:{db['PORT']}/{db['NAME']}"


def test_the_command_line_refuses_an_unwritable_pdf_without_a_traceback(
    client: Client, tmp_path: Path
) -> None:
    row = stored(client, real_record())
    env = intake_env(tmp_path / "data", shared_database_url())
    bad = tmp_path / "no such folder" / "evidence.pdf"
    refused = run_intake("evidence", row.receipt_id, "--pdf", str(bad), env=env)
    assert refused.returncode == 2, refused.stderr
    assert str(bad) in refused.stderr and "Traceback" not in refused.stderr
    good = tmp_path / "evidence.pdf"
    written = run_intake("evidence", row.receipt_id, "--pdf", str(good), env=env)
    assert written.returncode == 0 and written.stdout.strip() == f"Wrote {good}"
    assert written.stderr == "" and good.read_bytes().startswith(b"%PDF")
