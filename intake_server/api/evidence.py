"""Everything that proves one confirmation, for the data-protection officer (GDPR Art. 7(1)).

:func:`examine` re-checks what the server can re-check (the body's SHA-256, the notice
text's SHA-256, the ledger entry's hash and its place in the chain); :func:`evidence_text`,
:func:`evidence_json` (a Kantara Initiative Consent Receipt v1.1, our own evidence beside
it under ``intellekta``) and :func:`evidence_pdf` (one A4 page) present the result, for
the ``evidence`` command and the console's downloads alike. The words are in
``evidence.toml`` (German and English), the controller's details in ``controller.toml``,
so that neither needs a code change.
"""

from __future__ import annotations

import hashlib
import json
import logging
import tomllib
import uuid
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cache
from pathlib import Path
from typing import Any

from django.conf import settings
from fpdf import FPDF
from fpdf.enums import Align, XPos, YPos

from helper.consent import format_session_id
from intake_server import __version__
from intake_server.api import ledger, notices, records
from intake_server.api.models import ChainHead, Confirmation, NoticeText

KANTARA_VERSION = "KI-CR-v1.1.0"
JURISDICTION = "DE"
#: Kantara v1.1's purpose category for a service the customer asked for.
PURPOSE_CATEGORY = "Contracted Service"
FONT_DIR = Path("/usr/share/fonts/truetype/dejavu")
#: Sizes (pt) the notice text is tried in on the PDF, until the page holds it.
NOTICE_SIZES = (7.5, 7.0, 6.5, 6.0, 5.5, 5.0, 4.5, 4.0)
_HERE = Path(__file__).parent
# fpdf2's font subsetting logs every font table at INFO, which the server's log level shows.
logging.getLogger("fontTools").setLevel(logging.WARNING)


@cache
def labels(lang: str) -> dict[str, str]:
    """The words for ``lang`` ("de" or "en") from ``evidence.toml``."""
    table: dict[str, str] = tomllib.loads((_HERE / "evidence.toml").read_text("utf-8"))[lang]
    return table


@cache
def controller() -> dict[str, Any]:
    """The Kantara ``piiControllers`` entry for intellekta, from ``controller.toml``."""
    return tomllib.loads((_HERE / "controller.toml").read_text("utf-8"))


def lookup(text: str) -> list[Confirmation] | None:
    """The confirmations ``text`` names: a receipt id as people type it, or a submission
    id (one per token, so it may name several). None if it can be neither."""
    receipt = records.receipt_id_of(text)
    if receipt:
        return list(Confirmation.objects.filter(receipt_id=receipt))
    try:
        submission = str(uuid.UUID(text.strip()))
    except ValueError:
        return None
    return list(Confirmation.objects.filter(submission_id=submission).order_by("seq"))


@dataclass(frozen=True)
class Evidence:
    """One confirmation and what re-checking it found."""

    row: Confirmation
    body_text: str  # the bytes received, as UTF-8 text
    body: Any  # those bytes decoded as JSON; None if they no longer are JSON
    body_ok: bool  # the bytes still have the SHA-256 stored with them
    notice: NoticeText | None
    notice_status: str  # "verified", "changed" (the stored text was altered) or "unknown"
    notice_text: str | None  # the text confirmed: only a stored text that is "verified"
    entry_ok: bool  # the entry hash recomputes from the entry
    chained: bool  # the next entry, or the chain head, refers to this entry's hash


def examine(row: Confirmation) -> Evidence:
    """Re-check ``row`` against its own bytes, the notice texts and the ledger. Its text
    is made printable on the way (:func:`records.readable`), the body's as parsed too."""
    body = bytes(records.readable(row).body)
    try:
        document = records.printable_json(json.loads(body))
    except (ValueError, RecursionError):
        document = None
    notice = notices.find(row.notice_id, row.notice_version, row.notice_sha256)
    if notice is None:
        status = "unknown"
    elif hashlib.sha256(notice.text.encode()).hexdigest() == row.notice_sha256:
        status = "verified"
    else:
        status = "changed"
    recomputed = ledger.entry_hash(row.prev_hash, row.receipt_id,
                                   ledger.rfc3339(row.received_at), body)  # fmt: skip
    return Evidence(
        row=row,
        body_text=body.decode("utf-8", "replace"),
        body=document,
        body_ok=hashlib.sha256(body).hexdigest() == row.body_sha256,
        notice=notice,
        notice_status=status,
        notice_text=notice.text if notice and status == "verified" else None,
        entry_ok=recomputed == row.entry_hash,
        chained=_chained(row),
    )


def _chained(row: Confirmation) -> bool:
    after = (Confirmation.objects.filter(seq__gt=row.seq).order_by("seq")
             .values_list("seq", "prev_hash").first())  # fmt: skip
    if after is None:
        head = ChainHead.objects.filter(pk=1).values_list("entry_hash", flat=True).first()
        return bool(head == row.entry_hash)
    return bool(tuple(after) == (row.seq + 1, row.entry_hash))


def recompute_commands(row: Confirmation) -> list[str]:
    """Shell lines that recompute the entry hash with standard tools (see ``ledger.py``)."""
    return [
        f"intellekta-intake evidence {row.receipt_id} --json | "
        "jq -j .intellekta.record.text > body.json",
        f"{{ printf '%s\\n%s\\n%s\\n' {row.prev_hash} {row.receipt_id} "
        f"{ledger.rfc3339(row.received_at)}; cat body.json; }} | sha256sum",
    ]


def verified_company(row: Confirmation) -> str:
    """The company the server knows for the token's customer (``token create
    --company``), or "". A token checks the customer number; a company only this way."""
    return row.token.company if row.token is not None else ""


def company_claims(row: Confirmation) -> list[tuple[str, bool]]:
    """The company as (name, verified): the one the server knows for the customer, then
    the one the record states if it differs (that one stays "as stated")."""
    known = verified_company(row)
    claims = [(known, True)] if known else []
    if row.company and row.company != known:
        claims.append((row.company, False))
    return claims


def _checked(row: Confirmation, words: dict[str, str]) -> str:
    """What the token checked, fact by fact (the number, a company the server knows)."""
    if not row.customer_verified:
        return words["unverified"]
    by_token = words["verified_by_token"].format(token=row.token_id)
    claims = [(row.customer_number, True), *company_claims(row)]
    return "; ".join(f"{name}: {by_token if ok else words['unverified']}" for name, ok in claims)


def _customer(row: Confirmation, words: dict[str, str]) -> str:
    parts = [row.customer_number, row.company, row.contact_name]
    return ", ".join(part for part in parts if part) or words["not_stated"]


def _apps(ev: Evidence, words: dict[str, str]) -> str:
    row = ev.row
    if row.confidential_apps != "kept_open":
        return words.get(row.confidential_apps, row.confidential_apps)
    names = "; ".join(f"{a['name']} ({a['category']})" for a in row.open_applications)
    return words["kept_open"].format(apps=names) if names else words["kept_open_unnamed"]


def facts(ev: Evidence, words: dict[str, str]) -> list[tuple[str, str]]:
    """What was confirmed, by whom and when, as (label, value) lines."""
    row = ev.row
    client = row.client
    checked = _checked(row, words)
    digest = words["hash_ok" if ev.body_ok else "hash_bad"].format(hash=row.body_sha256)
    return [
        (words["receipt_id"], row.receipt_id),
        (words["session_id"], format_session_id(row.session_id)),
        (words["customer"], _customer(row, words)),
        (words["customer_check"], checked),
        (words["confirmed_at"],
         words["confirmed_at_note"].format(time=ledger.rfc3339(row.confirmed_at))),
        (words["received_at"], ledger.rfc3339(row.received_at)),
        (words["authority"], words.get(row.authority, row.authority)),
        (words["confidential_apps"], _apps(ev, words)),
        (words["notice"], words["notice_line"].format(
            id=row.notice_id, version=row.notice_version, language=row.language)),
        (words["notice_sha256"], row.notice_sha256),
        (words["notice_check"], words[f"notice_{ev.notice_status}"]),
        (words["submission_id"], row.submission_id),
        (words["record_sha256"], digest),
        (words["client"], f"{client.get('name', '')} {client.get('version', '')}, "
                          f"{client.get('platform', '')}, {client.get('os_version', '')}"),
    ]  # fmt: skip


def ledger_facts(ev: Evidence, words: dict[str, str]) -> list[tuple[str, str]]:
    """The ledger entry, whether it recomputes and whether the chain refers to it."""
    row = ev.row
    return [
        (words["seq"], str(row.seq)),
        (words["prev_hash"], row.prev_hash),
        (words["entry_hash"], row.entry_hash),
        (words["entry_check"], words["entry_ok" if ev.entry_ok else "entry_bad"]),
        (words["chain"], words["chained_ok" if ev.chained else "chained_bad"]),
    ]


def evidence_text(row: Confirmation, lang: str) -> str:
    """A plain-text summary with every fact, the record as received and the notice text."""
    ev, words = examine(row), labels(lang)
    lines = [f"{words['title']}: {row.receipt_id}", ""]
    lines += _aligned(facts(ev, words))
    lines += ["", words["ledger"]]
    lines += _aligned(ledger_facts(ev, words))
    lines += [f"{words['recompute']}: {words['recompute_how']}"]
    lines += [f"  {command}" for command in recompute_commands(row)]
    lines += ["", words["record"], ev.body_text, "", words["notice_text"]]
    lines.append(ev.notice_text or _no_notice_text(ev, words))
    return "\n".join(lines)


def _no_notice_text(ev: Evidence, words: dict[str, str]) -> str:
    return words["notice_changed" if ev.notice_status == "changed" else "notice_text_missing"]


def _aligned(pairs: list[tuple[str, str]]) -> list[str]:
    width = max(len(label) for label, _value in pairs)
    return [f"{label:<{width}}  {value}" for label, value in pairs]


def evidence_json(row: Confirmation, lang: str) -> dict[str, Any]:
    """A Kantara Initiative Consent Receipt v1.1 (texts in ``lang``), with our own
    evidence under ``intellekta``: the record as received, notice and ledger checks."""
    ev, words = examine(row), labels(lang)
    client = row.client
    principal = " / ".join(part for part in (row.customer_number, row.contact_name) if part)
    purpose = {
        "purpose": words["purpose"],
        "purposeCategory": [PURPOSE_CATEGORY],
        "consentType": "EXPLICIT",
        "piiCategory": [words["pii_category"]],
        "primaryPurpose": True,
        "termination": words["termination"],
        "thirdPartyDisclosure": False,
    }
    own = records.summary(row)
    own["customer"]["token_id"] = row.token_id
    # What the token checked: the number, and the company the server knows, if any.
    own["verified"] = {"customer_number": row.customer_verified,
                       "company": verified_company(row) or None}  # fmt: skip
    own["record"] = {"as_received": ev.body, "text": ev.body_text,
                     "sha256": row.body_sha256, "sha256_verified": ev.body_ok}  # fmt: skip
    own["notice"].update(
        verified_at_receipt=own["notice"].pop("verified"),
        status=ev.notice_status,
        language=ev.notice.language if ev.notice else None,
        text=ev.notice_text,
    )
    own["ledger"] = {
        "seq": row.seq, "prev_hash": row.prev_hash, "entry_hash": row.entry_hash,
        "entry_hash_verified": ev.entry_ok, "chained": ev.chained,
        "formula": 'SHA-256(prev_hash + "\\n" + receipt_id + "\\n" + received_at + "\\n" '
                   "+ body), over UTF-8, body the exact bytes received",
        "recompute": recompute_commands(row),
    }  # fmt: skip
    return {
        "version": KANTARA_VERSION,
        "jurisdiction": JURISDICTION,
        "consentTimestamp": int(row.confirmed_at.timestamp()),
        "collectionMethod": words["collection_method"].format_map(defaultdict(str, client)),
        "consentReceiptID": row.receipt_id,
        "language": row.language,
        "piiPrincipalId": principal or row.company,
        "piiControllers": [controller()],
        "policyUrl": settings.CONFIG["notice_terms_url"],
        "services": [{"service": words["service"], "purposes": [purpose]}],
        "sensitive": False,
        "spiCat": [],
        "intellekta": own,
    }


def evidence_pdf(row: Confirmation, lang: str) -> bytes:
    """One A4 page: the facts, the ledger entry and the full notice text, the latter in
    the largest of :data:`NOTICE_SIZES` that fits (more pages only if none does)."""
    ev, words = examine(row), labels(lang)
    created = ledger.rfc3339(datetime.now(UTC))
    for size in NOTICE_SIZES:
        sheet = _Sheet()
        _draw(sheet, ev, words, created, size)
        if sheet.pdf.page_no() == 1:
            break
    return bytes(sheet.pdf.output())


class _Sheet:
    """An A4 document in DejaVu Sans, or in the core Helvetica (Latin-1 only) when the
    DejaVu fonts are not installed."""

    LABEL_WIDTH = 46.0

    def __init__(self) -> None:
        self.pdf = FPDF(format="A4")
        self.pdf.set_margins(14, 12, 14)
        self.pdf.set_auto_page_break(auto=True, margin=12)
        regular, bold = FONT_DIR / "DejaVuSans.ttf", FONT_DIR / "DejaVuSans-Bold.ttf"
        self.clean: Callable[[str], str]
        if regular.is_file() and bold.is_file():
            self.pdf.add_font("DejaVu", "", regular)
            self.pdf.add_font("DejaVu", "B", bold)
            self.family, self.clean = "DejaVu", str
        else:
            self.family = "Helvetica"
            self.clean = lambda text: text.encode("latin-1", "replace").decode("latin-1")
        self.pdf.add_page()

    def text(self, text: str, size: float, style: str = "", after: float = 0.0) -> None:
        self.pdf.set_font(self.family, style, size)
        self.pdf.multi_cell(0, size * 0.45, self.clean(text), align=Align.L,
                            new_x=XPos.LMARGIN, new_y=YPos.NEXT)  # fmt: skip
        self.pdf.ln(after)

    def fact(self, label: str, value: str, size: float) -> None:
        self.pdf.set_font(self.family, "B", size)
        self.pdf.cell(self.LABEL_WIDTH, size * 0.45, self.clean(label))
        self.pdf.set_font(self.family, "", size)
        self.pdf.multi_cell(0, size * 0.45, self.clean(value), align=Align.L,
                            new_x=XPos.LMARGIN, new_y=YPos.NEXT)  # fmt: skip


def _draw(sheet: _Sheet, ev: Evidence, words: dict[str, str], created: str, size: float) -> None:
    sheet.pdf.set_title(f"{words['title']}: {ev.row.receipt_id}")
    sheet.text(words["title"], 14, "B", after=1)
    sheet.text(words["basis"].format(created=created, version=__version__), 7.5, after=2)
    for label, value in facts(ev, words):
        sheet.fact(label, value, 8.5)
    sheet.pdf.ln(2)
    sheet.text(words["ledger"], 10, "B", after=0.5)
    for label, value in ledger_facts(ev, words):
        sheet.fact(label, value, 8)
    sheet.fact(words["recompute"], words["recompute_how"], 7)
    for command in recompute_commands(ev.row):
        sheet.fact("", command, 6.5)
    sheet.pdf.ln(2)
    sheet.text(words["notice_text"], 10, "B", after=0.5)
    if ev.notice_text is None:
        sheet.text(_no_notice_text(ev, words), size)
        return
    for line in ev.notice_text.splitlines():
        if not line.strip():
            sheet.pdf.ln(size * 0.2)
        elif line.startswith("# "):
            sheet.text(line[2:], size, "B")
        else:
            sheet.text(line, size)
