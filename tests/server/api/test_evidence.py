"""The evidence of one confirmation: the text, the Kantara consent receipt, the one-page
PDF, what re-checking finds when something was changed, and the refusals."""

from __future__ import annotations

import hashlib
import json
import shlex
import shutil
import subprocess
import sys
from io import BytesIO
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.core.management.base import CommandError
from django.db import connection
from django.test import Client
from pypdf import PdfReader

from helper import config as helper_config
from helper.apps import catalogue
from helper.apps.model import DetectedApp
from helper.consent.notice import load_notice
from helper.consent.record import build_record
from intake_server.api import evidence, ledger
from intake_server.api.models import Confirmation, NoticeText, Token
from intake_server.console.models import SessionMark
from intake_server.customers.models import Customer
from tests.conftest import REPO
from tests.server.conftest import intake_env, run, run_intake, shared_database_url
from tests.server.records import Built, real_record
from tests.server.register import make_token, register_customer
from tests.server.test_api import post

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
    customer, processor = document["piiControllers"]
    assert customer["piiController"] == "Steuerkanzlei Beispiel GmbH" and not customer["onBehalf"]
    assert processor["piiController"] == "intellekta GmbH" and processor["onBehalf"] is True
    assert document["policyUrl"] == settings.CONFIG["notice_terms_url"]
    [service] = document["services"]
    [purpose] = service["purposes"]
    assert service["service"] == "remote maintenance"
    assert purpose["purpose"] == "Remote-maintenance session with TeamViewer QuickSupport"
    assert purpose["consentType"] == "EXPLICIT" and purpose["primaryPurpose"] is True
    assert purpose["piiCategory"] == ["data possibly visible on screen during the session"]
    assert purpose["termination"] == "end of the session"
    assert purpose["thirdPartyDisclosure"] is False
    assert document["sensitive"] is False and document["spiCat"] == []  # Outlook: mail

    own = document["intellekta"]
    assert own["record"]["text"].encode() == built.payload
    assert own["customer"] == {
        "number": "10472",
        "company": "Steuerkanzlei Beispiel GmbH",
        "contact_name": "Erika Mustermann",
    }
    notice = own["notice"]
    assert notice["status"] == "verified" and notice["registered_at_receipt"] is True
    assert hashlib.sha256(notice["text"].encode()).hexdigest() == row.notice_sha256
    chain = own["ledger"]
    assert chain["proven"] and not chain["damaged"] and chain["problems"] == []
    assert chain["format"] == 2 and chain["entry_hash"] == chain["entry_hash_stored"]
    assert hashlib.sha256(ledger.entry_head(row) + built.payload).hexdigest() == chain["entry_hash"]
    by_submission = run("evidence", row.submission_id.upper(), "--json", "--lang", "en")[0]
    assert json.loads(by_submission)["consentReceiptID"] == row.receipt_id


def test_the_text_names_every_fact_in_the_chosen_language(client: Client) -> None:
    row = stored(client, real_record(number="10472"), token=make_token("10472"))
    german, _ = run("evidence", row.receipt_id)  # the server's language setting: de
    assert "Session-ID" in german and "1 234 567 890" in german
    assert "10472 (geprüft)" in german and "Europe/Berlin" in german
    assert bytes(row.body).decode() in german and "# Bevor die Fernwartung beginnt" in german
    assert "Einwilligung" not in german.split("\n", 1)[0]
    english, _ = run("evidence", row.receipt_id, "--lang", "en")
    assert "10472 (verified)" in english and "text verified" in english
    assert "printf '%s\\n' intellekta-ledger-entry/2" in english
    plain = stored(client, real_record(kept_open=(), session_id="987654321"))
    assert "10472 (as stated)" in run("evidence", plain.receipt_id, "--lang", "en")[0]


def test_a_text_the_server_does_not_know_is_called_unknown(client: Client, tmp_path: Path) -> None:
    row = stored(client, real_record(notice_file=an_unknown_notice(tmp_path)))
    document = evidence.evidence_json(row, "en")
    notice = document["intellekta"]["notice"]
    assert notice["status"] == "unknown" and notice["text"] is None
    assert notice["registered_at_receipt"] is False
    assert "does not hold this text" in run("evidence", row.receipt_id, "--lang", "en")[0]


def test_a_changed_body_or_notice_text_is_pointed_out(client: Client) -> None:
    row = stored(client, real_record())
    NoticeText.objects.filter(sha256=row.notice_sha256).update(text="Ein anderer Text")
    changed = bytes(row.body).replace(b"Erika", b"Erich")
    Confirmation.objects.filter(pk=row.pk).update(body=changed)
    document = evidence.evidence_json(Confirmation.objects.get(pk=row.pk), "en")
    own = document["intellekta"]
    assert own["facts"] is None and own["record"] is None and own["ledger"]["damaged"]
    assert document["consentTimestamp"] is None and document["sensitive"] is None
    assert [c["onBehalf"] for c in document["piiControllers"]] == [True]
    text = evidence.evidence_text(Confirmation.objects.get(pk=row.pk), "en")
    assert "DAMAGED" in text and "Erich" not in text and "Ein anderer Text" not in text


@pytest.mark.parametrize(("lang", "label"), [("de", "Beleg"), ("en", "Receipt")])
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
    [
        ("R-0000-0000", 1, "no confirmation"),
        # A fixed id: under -n 2 every worker must collect the same test ids.
        ("6f1c0b2e-8d4a-4e7b-9c3f-2a5d7e9b1c40", 1, "no confirmation"),
        ("banana", 2, "neither a receipt id"),
    ],
)
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


# -- damage: each column, flag and the body changed behind the server's back -------------


def sql(statement: str, *params: object) -> None:
    with connection.cursor() as cursor:
        cursor.execute(statement, list(params))


def forge_session_id(row: Confirmation) -> str:
    sql("UPDATE api_confirmation SET session_id = %s WHERE seq = %s", "333444556", row.seq)
    return "333 444 556"


def forge_received_at(row: Confirmation) -> str:
    later = row.received_at.replace(year=2031)
    Confirmation.objects.filter(seq=row.seq).update(received_at=later)
    return "2031-"


def forge_confirmed_at(row: Confirmation) -> str:
    Confirmation.objects.filter(seq=row.seq).update(
        confirmed_at=row.confirmed_at.replace(year=2031)
    )
    return "2031-"


def forge_body(row: Confirmation) -> str:
    sql(
        "UPDATE api_confirmation SET body = %s WHERE seq = %s",
        bytes(row.body).replace(b"Erika", b"Erich"),
        row.seq,
    )
    return "Erich"


def forge_token(row: Confirmation) -> str:
    make_token("99999")
    token = Token.objects.get(customer_number="99999")
    sql(
        "UPDATE api_confirmation SET customer_verified = %s, token_id = %s WHERE seq = %s",
        True,
        token.pk,
        row.seq,
    )
    return "10472 (verified)"


def forge_body_sha256(row: Confirmation) -> str:
    sql("UPDATE api_confirmation SET body_sha256 = %s WHERE seq = %s", "ab" * 32, row.seq)
    return "ab" * 32


FORGERIES = [
    forge_session_id,
    forge_received_at,
    forge_confirmed_at,
    forge_body,
    forge_token,
    forge_body_sha256,
]


def fact_lines(text: str) -> str:
    """Everything of the text evidence but the DAMAGED section (the problems)."""
    sections = text.split("\n\n")
    return "\n\n".join(s for s in sections if "DAMAGED" not in s and "BESCHÄDIGT" not in s)


@pytest.mark.parametrize("forge", FORGERIES, ids=lambda f: f.__name__)
@pytest.mark.parametrize(("lang", "damaged"), [("de", "BESCHÄDIGT"), ("en", "DAMAGED")])
def test_a_damaged_entry_is_loud_and_no_forged_value_is_a_fact(
    client: Client, forge: Any, lang: str, damaged: str
) -> None:
    row = stored(client, real_record(session_id="333444555", number="10472"))
    forged = forge(row)
    with pytest.raises(CommandError) as caught:
        run("evidence", row.receipt_id, "--lang", lang)
    assert caught.value.returncode == 1
    assert f"ledger entry {row.seq} (receipt {row.receipt_id}) is DAMAGED" in str(caught.value)
    row = Confirmation.objects.get(pk=row.pk)
    text = evidence.evidence_text(row, lang)
    alarm = text.split("\n")[3]
    assert alarm == f"*** {damaged} ***", text
    assert forged not in fact_lines(text), fact_lines(text)
    document = evidence.evidence_json(row, lang)
    assert (
        document["intellekta"]["ledger"]["damaged"] and document["intellekta"]["ledger"]["problems"]
    )
    if not document["intellekta"]["ledger"]["proven"]:
        assert document["consentTimestamp"] is None and document["piiPrincipalId"] is None
    assert forged not in json.dumps(document["intellekta"].get("facts") or {})
    _pages, pdf = pdf_text(evidence.evidence_pdf(row, lang))
    assert damaged in pdf


def test_an_intact_entry_exits_0_on_the_command_line(client: Client, tmp_path: Path) -> None:
    row = stored(client, real_record())
    env = intake_env(tmp_path / "data", shared_database_url())
    intact = run_intake("evidence", row.receipt_id, env=env)
    assert intact.returncode == 0 and intact.stderr == "", intact.stderr
    sql("UPDATE api_confirmation SET session_id = %s WHERE seq = %s", "999999999", row.seq)
    damaged = run_intake("evidence", row.receipt_id, "--lang", "en", env=env)
    assert damaged.returncode == 1 and "*** DAMAGED ***" in damaged.stdout
    [line] = damaged.stderr.strip().splitlines()
    assert line.startswith(f"intellekta-intake evidence: ledger entry {row.seq}")


@pytest.mark.skipif(shutil.which("jq") is None, reason="jq is not installed")
def test_the_recompute_lines_reproduce_the_entry_hash(client: Client, tmp_path: Path) -> None:
    company = 'O\'Brien "&" $(Söhne) `x` \\ GmbH'
    token = make_token("10472", company)
    row = stored(client, real_record(company='Quote\'s "Test" $HOME'), token=token)
    env = intake_env(tmp_path / "data", shared_database_url())
    lines = evidence.recompute_commands(Confirmation.objects.get(pk=row.pk))
    script = (
        f'intellekta-intake() {{ {shlex.quote(sys.executable)} -m intake_server "$@"; }}\n'
        f"cd {shlex.quote(str(tmp_path))}\n" + "\n".join(lines)
    )
    done = subprocess.run(
        ["bash", "-e", "-c", script],
        env=env,
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.split()[0] == row.entry_hash


def test_sensitive_is_derived_from_the_categories_kept_open(client: Client) -> None:
    apps = (
        DetectedApp("a", "Praxissoftware", "practice", (), 0),
        DetectedApp("b", "Lohn", "hr", (), 0),
    )
    row = stored(client, record_with(apps))
    document = evidence.evidence_json(row, "en")
    assert document["sensitive"] is True
    assert document["spiCat"] == ["health data", "religious beliefs"]
    assert document["intellekta"]["special_categories"][0]["category"] == "practice"
    mail = stored(client, real_record(session_id="987654321"))
    assert evidence.evidence_json(mail, "en")["sensitive"] is False
    closed = stored(client, real_record(session_id="987654322", kept_open=()))
    assert evidence.evidence_json(closed, "en")["spiCat"] == []


def test_the_special_categories_name_catalogue_categories_and_sectors() -> None:
    table = evidence.configured("").special
    assert set(table) <= set(catalogue.builtin().categories) and table["practice"]
    assert set(evidence.configured("").sectors) == set(Customer.SECTORS)


def test_the_customers_sector_at_receipt_makes_it_sensitive(client: Client) -> None:
    """A practice's confirmation is sensitive even with every program closed: the sector
    comes from the register when it arrived and is hashed with the entry, so changing the
    register later changes nothing."""
    practice = make_token("10472", "Zahnarztpraxis", sector=Customer.HEALTH)
    closed = stored(client, real_record(number="10472", kept_open=()), token=practice)
    register_customer("10472", "Zahnarztpraxis", Customer.OTHER)
    document = evidence.evidence_json(closed, "en")
    assert document["sensitive"] is True and document["spiCat"] == ["health data"]
    assert document["intellekta"]["sector_categories"] == {
        "sector": "health",
        "source": "the customer register at receipt, hashed with the entry",
        "spiCat": ["health data"],
    }
    apps = (DetectedApp("b", "Lohn", "hr", (), 0),)
    firm = make_token("20000", "Kanzlei", sector=Customer.LEGAL)
    kept = stored(client, record_with(apps), token=firm)
    assert evidence.evidence_json(kept, "en")["spiCat"] == [
        "criminal convictions and offences (Art. 10 GDPR)",
        "health data",
        "religious beliefs",
    ]
    tax = make_token("30000", "Steuerbüro", sector=Customer.TAX)
    plain = stored(client, real_record(number="30000", session_id="987654321"), token=tax)
    assert evidence.evidence_json(plain, "en")["sensitive"] is False  # Outlook: mail
    anonymous = evidence.evidence_json(stored(client, real_record(session_id="555666777")), "en")
    assert anonymous["intellekta"]["sector_categories"]["sector"] is None


def record_with(apps: tuple[DetectedApp, ...]) -> Built:
    cfg = helper_config.load(cli=[], env={}, policy_reader=False)
    record = build_record(
        session_id="444555666",
        notice=load_notice(cfg, "de"),
        notice_accepted=True,
        authority="owner",
        confidential_apps="kept_open",
        open_apps=list(apps),
        contact_name="",
        config=cfg,
    )
    return Built(record.to_json_bytes(), record.submission_id, record.session_id)


def test_the_marks_are_stated_outside_the_ledger(client: Client) -> None:
    row = stored(client, real_record())
    SessionMark.objects.create(confirmation=row, kind="note", username="anna", note="Outlook zu")
    text = evidence.evidence_text(row, "en")
    assert "NOT covered by the ledger" in text and "Note (anna): Outlook zu" in text
    [mark] = evidence.evidence_json(row, "en")["intellekta"]["marks"]
    assert mark["by"] == "anna" and mark["covered_by_ledger"] is False and "UTC" in mark["when"]


# -- the evidence_file -------------------------------------------------------------------


def test_the_example_evidence_file_parses_and_fills_the_processor(
    client: Client, settings: Any
) -> None:
    example = str(REPO / "docs" / "evidence.example.toml")
    cfg = evidence.configured(example)
    assert cfg.missing_contact() == [] and cfg.processor["email"]
    settings.CONFIG = type(settings.CONFIG)(
        {**settings.CONFIG.values, "evidence_file": example}, ""
    )
    row = stored(client, real_record())
    processor = evidence.evidence_json(row, "de")["piiControllers"][-1]
    assert processor["email"] == cfg.processor["email"] and processor["onBehalf"] is True
    assert cfg.processor["phone"] in evidence.evidence_text(row, "de")


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("[processor]\nname = 5\n", "line 2: [processor] name: expected text"),
        ('[processor]\nnmae = "x"\n', "line 2: [processor] nmae: unknown key"),
        ('[wording.de]\ntitle = "{kunde}"\n', "line 2: [wording.de] title: unknown placeholder"),
        ("[processor\n", "not valid TOML"),
    ],
)
def test_check_stops_on_a_broken_evidence_file(tmp_path: Path, text: str, says: str) -> None:
    path = tmp_path / "evidence.toml"
    path.write_text(text, "utf-8")
    env = intake_env(
        tmp_path / "data", f"sqlite:///{tmp_path / 'db.sqlite3'}", evidence_file=str(path)
    )
    result = run_intake("check", env=env)
    assert result.returncode == 2 and str(path) in result.stderr and says in result.stderr
    assert "Traceback" not in result.stderr


def test_check_warns_while_the_processor_has_no_contact(tmp_path: Path) -> None:
    env = intake_env(tmp_path / "data", f"sqlite:///{tmp_path / 'db.sqlite3'}")
    assert run_intake("migrate", env=env).returncode == 0
    unset = run_intake("check", env=env)
    assert unset.returncode == 0 and "Warning: evidence_file is not set" in unset.stdout
    partial = tmp_path / "evidence.toml"
    partial.write_text('[processor]\nemail = "dsb@example.org"\n', "utf-8")
    half = run_intake("check", env={**env, "INTELLEKTA_INTAKE_EVIDENCE_FILE": str(partial)})
    assert half.returncode == 0 and "empty for the processor: contact, phone" in half.stdout
    full = str(REPO / "docs" / "evidence.example.toml")
    done = run_intake("check", env={**env, "INTELLEKTA_INTAKE_EVIDENCE_FILE": full})
    assert done.returncode == 0 and "Warning" not in done.stdout
