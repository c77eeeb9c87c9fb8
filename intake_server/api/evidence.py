"""The evidence of one confirmation, for the data-protection officer: the customer's
confirmation before remote maintenance, which intellekta holds as processor under an
AV-Vertrag (Art. 28 GDPR).

:func:`document` builds it once, from the one reading of the stored entry
(:func:`reading.read_one`), as titled sections of labelled lines; :func:`evidence_text`
prints them and :func:`evidence_pdf` sets them on one A4 page. :func:`evidence_json` is
a Kantara Initiative Consent Receipt v1.1 with our own evidence under ``intellekta``.
The ``evidence`` command and the console's downloads call these three.

Only what the ledger proves is stated as a fact. A damaged entry gets a DAMAGED section
right after the title, with every problem; its facts follow only as the reading gives
them (none when the body itself changed), marked "not proven" when the chain does not
confirm them, and without what a not-proven row adds to its body (the receipt time, the
token): those come from columns anyone with the database can change. No Kantara field is
filled from a not-proven entry.

Labels are translated with the rest of the server; the legal wording (title, what the
document is, the Kantara purpose) and the processor's details come from
``evidence.toml``, which the file the ``evidence_file`` setting names overrides key by
key (:func:`configured`), so that neither needs a code change nor is lost on upgrade.
"""

from __future__ import annotations

import hashlib
import logging
import shlex
import string
import tomllib
import uuid
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cache
from pathlib import Path
from typing import Any

from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext as _
from fpdf import FPDF
from fpdf.enums import Align, XPos, YPos

from helper.consent.text import printable
from intake_server import __version__, conf
from intake_server.api import fields, ledger, records
from intake_server.api.models import Confirmation
from intake_server.api.reading import Facts, Reading, read_one, summary

KANTARA_VERSION = "KI-CR-v1.1.0"
JURISDICTION = "DE"
#: Kantara v1.1's purpose category for a service the customer asked for.
PURPOSE_CATEGORY = "Contracted Service"
#: Kantara's ``spiCat`` when programs were kept open whose names were not sent.
UNKNOWN_CATEGORY = "unknown"
#: The placeholders the wording may use (``{processor}``; the helper's in collection_method).
PLACEHOLDERS = ("processor", "name", "version", "platform", "os_version")
FONT_DIR = Path("/usr/share/fonts/truetype/dejavu")
#: Sizes (pt) the notice text is tried in on the PDF, until the page holds it.
NOTICE_SIZES = (7.0, 6.5, 6.0, 5.5, 5.0, 4.5, 4.0)
_DEFAULTS = Path(__file__).with_name("evidence.toml")
# fpdf2's font subsetting logs every font table at INFO, which the server's log level shows.
logging.getLogger("fontTools").setLevel(logging.WARNING)


class EvidenceFileError(Exception):
    """The ``evidence_file`` cannot be used; one line per problem, each naming the file
    and, where it can, the line."""


@dataclass(frozen=True)
class Configured:
    """The evidence's settings: ``evidence.toml`` with the ``evidence_file`` over it."""

    processor: Mapping[str, str]  # name, contact, email, phone, url, data_protection_officer
    address: Mapping[str, str]  # street, postal_code, locality, country
    wording: Mapping[str, Mapping[str, str]]  # per language
    special: Mapping[str, tuple[str, ...]]  # catalogue category -> Art. 9 categories
    sectors: Mapping[str, tuple[str, ...]]  # the customer's sector -> such categories
    file: str  # the evidence_file, or ""

    def missing_contact(self) -> list[str]:
        """The processor's contact details still empty, by their key in the file."""
        empty = [key for key in ("contact", "email", "phone") if not self.processor[key]]
        return empty + [f"address.{k}" for k, v in self.address.items() if not v]


@cache
def _defaults() -> dict[str, Any]:
    return tomllib.loads(_DEFAULTS.read_text("utf-8"))


def configured(path: str | None = None) -> Configured:
    """The settings for ``path`` (default: the ``evidence_file`` setting), read anew each
    time so that a changed file counts at once. Raises :class:`EvidenceFileError`."""
    path = settings.CONFIG["evidence_file"] if path is None else path
    base = _defaults()
    own = _read_evidence_file(Path(path), base) if path else {}
    processor = {k: v for k, v in base["processor"].items() if k != "address"}
    processor.update({k: v for k, v in own.get("processor", {}).items() if k != "address"})
    address = {**base["processor"]["address"], **own.get("processor", {}).get("address", {})}
    wording = {
        lang: {**base[lang], **own.get("wording", {}).get(lang, {})}
        for lang in dict(settings.LANGUAGES)
    }
    special = {key: tuple(value) for key, value in base["special_categories"].items()}
    sectors = {key: tuple(value) for key, value in base["sector_categories"].items()}
    return Configured(processor, address, wording, special, sectors, path)


def _read_evidence_file(path: Path, base: dict[str, Any]) -> dict[str, Any]:
    try:
        own, text = conf.read_toml(path, "the evidence_file")
    except conf.ConfigError as exc:
        raise EvidenceFileError(str(exc)) from None
    allowed = {
        "processor": base["processor"],
        "processor.address": base["processor"]["address"],
        **{f"wording.{lang}": base[lang] for lang in dict(settings.LANGUAGES)},
    }
    found = {"processor": own.get("processor"), "wording": own.get("wording")}
    wordings = "|".join(dict(settings.LANGUAGES))
    problems = [
        f"unknown table or key {key!r} (expected [processor] or [wording.{wordings}])"
        for key in own
        if key not in found
    ]
    for section, keys in allowed.items():
        table: Any = own
        for part in section.split("."):
            table = table.get(part, {}) if isinstance(table, dict) else None
        problems += _table_problems(section, table, keys, text.splitlines())
    if problems:
        raise EvidenceFileError("\n".join(f"{path}: {problem}" for problem in problems))
    return own


def _table_problems(
    section: str, table: Any, allowed: Mapping[str, Any], lines: list[str]
) -> list[str]:
    """What is wrong in one table of the evidence_file, each with its line."""
    if not isinstance(table, dict):
        return [f"[{section}] must be a table"]
    problems = []
    for key, value in table.items():
        where = f"line {conf.line_of(lines, key, section)}: [{section}] {key}"
        if key not in allowed:
            if not (section == "processor" and key == "address"):
                problems.append(f"{where}: unknown key; expected one of {', '.join(allowed)}")
        elif isinstance(allowed[key], str) and not isinstance(value, str):
            problems.append(f"{where}: expected text in quotes")
        elif isinstance(value, str) and (bad := _placeholder_problem(value)):
            problems.append(f"{where}: {bad}")
    return problems


def _placeholder_problem(text: str) -> str:
    """Why ``text`` cannot be filled in, or ""."""
    try:
        names = {name for _lit, name, _spec, _conv in string.Formatter().parse(text) if name}
    except ValueError as exc:
        return f"a brace that is not a placeholder ({exc}); write {{{{ and }}}} for a brace"
    unknown = names - set(PLACEHOLDERS)
    if unknown:
        return f"unknown placeholder {{{sorted(unknown)[0]}}}; known: {', '.join(PLACEHOLDERS)}"
    return ""


def _fill(text: str, **values: str) -> str:
    return text.format_map({name: values.get(name, "") for name in PLACEHOLDERS})


def lookup(text: str) -> list[Confirmation] | None:
    """The confirmations ``text`` names: a receipt id as people type it, or a submission
    id (one per token, so it may name several). None if it can be neither."""
    receipt = records.receipt_id_of(text)
    rows = Confirmation.objects.select_related("token__customer")
    if receipt:
        return list(rows.filter(receipt_id=receipt))
    try:
        submission = str(uuid.UUID(text.strip()))
    except ValueError:
        return None
    return list(rows.filter(submission_id=submission).order_by("seq"))


def special_categories(facts: Facts, cfg: Configured) -> list[str]:
    """Kantara's ``spiCat``: those the customer's sector brings (``cfg.sectors``; the
    sector the entry was hashed with, from the register at receipt), then the Art. 9
    categories the applications kept open may show (``cfg.special``: catalogue category
    to those categories); ``unknown`` when programs were kept open without their names.
    Empty: none of them."""
    found = list(sector_categories(facts, cfg))
    if facts.confidential_apps == "kept_open" and not facts.open_applications:
        found.append(UNKNOWN_CATEGORY)
    elif facts.confidential_apps == "kept_open":
        found += (n for app in facts.open_applications for n in cfg.special.get(app.category, ()))
    return list(dict.fromkeys(found))


def sector_categories(facts: Facts, cfg: Configured) -> tuple[str, ...]:
    """The categories the sector of the token's customer brings, as the entry covers it."""
    return cfg.sectors.get(facts.token.sector, ()) if facts.token else ()


# -- the document: titled sections, the same for the text and the PDF -------------------


@dataclass(frozen=True)
class Section:
    heading: str
    text: tuple[str, ...] = ()  # paragraphs
    pairs: tuple[tuple[str, str], ...] = ()  # label, value
    code: tuple[str, ...] = ()  # lines to type or compare exactly (fixed-width)
    alarm: bool = False  # the damage: first, in red


@dataclass(frozen=True)
class Document:
    title: str
    receipt_id: str
    about: str  # what the document is, and for whom (the wording's ``about``)
    sections: tuple[Section, ...]
    record: str | None  # the body as received; None when it is not to be shown
    notice: str | None  # the notice text confirmed; None when the server cannot show it
    notice_missing: str  # why it is missing


def document(row: Confirmation, lang: str) -> Document:
    """Everything the evidence states about ``row``, in ``lang``."""
    cfg = configured()
    with translation.override(lang):
        return _document(read_one(row), cfg, lang)


def _document(reading: Reading, cfg: Configured, lang: str) -> Document:
    """The document (call in ``translation.override(lang)``)."""
    words = cfg.wording[lang]
    about = _fill(words["about"], processor=cfg.processor["name"])
    created = _("Created %(time)s by intellekta-intake %(version)s.") % {
        "time": fields.when(datetime.now(UTC)),
        "version": __version__,
    }
    sections = (
        *_damage(reading),
        Section("", text=(about, created)),
        Section(_("Controller and processor"), pairs=tuple(_parties(reading, cfg))),
        _facts_section(reading),
        Section(_("Ledger entry"), pairs=tuple(_ledger_lines(reading))),
        _recompute_section(reading),
        _marks_section(reading.row),
    )
    return Document(
        title=_fill(words["title"], processor=cfg.processor["name"]),
        receipt_id=reading.row.receipt_id,
        about=about,
        sections=sections,
        record=reading.body_text if reading.facts is not None else None,
        notice=reading.notice_text,
        notice_missing=_notice_missing(reading),
    )


def _damage(reading: Reading) -> list[Section]:
    if not reading.damaged:
        return []
    lines = [_("This ledger entry does not verify. What does not hold:")]
    lines += [f"– {problem}" for problem in reading.problems]
    if reading.facts is None:
        lines.append(_("No fact is shown: what the ledger covers was changed or cannot be read."))
    elif not reading.proven:
        lines.append(
            _("The facts below are what the stored record says; the ledger does NOT prove them.")
        )
    else:
        lines.append(
            _(
                "The ledger still proves the facts below; what was changed is only "
                "what the server copied from them."
            )
        )
    return [Section(_("DAMAGED"), text=tuple(lines), alarm=True)]


def _facts(reading: Reading) -> dict[str, tuple[str, str]]:
    """Each field (:data:`fields.FIELDS`) as the reading gives it, by key: ``(label,
    value)``, each value marked when not proven; none without facts."""
    if reading.facts is None:
        return {}
    mark = "" if reading.proven else f" [{_('not proven')}]"
    return {
        field.key: (str(field.label), fields.plain(parts) + mark)
        for field, parts in fields.shown(reading)
        if parts
    }


def _facts_section(reading: Reading) -> Section:
    heading = _("The confirmation")
    if reading.facts is None:
        return Section(heading, text=(_("Not shown: the entry is damaged (above)."),))
    if not reading.proven:
        heading += f" ({_('NOT proven by the ledger')})"
    return Section(heading, pairs=tuple(_facts(reading).values()))


def _parties(reading: Reading, cfg: Configured) -> list[tuple[str, str]]:
    """The customer as controller (as the facts name it), intellekta as processor."""
    facts = _facts(reading)
    customer = "; ".join(facts[key][1] for key in ("company", "customer_number") if key in facts)
    if reading.facts is None:
        customer = _("not shown: the entry is damaged")
    processor, address = cfg.processor, cfg.address
    place = " ".join(part for part in (address["postal_code"], address["locality"]) if part)
    lines = [
        (_("Controller"), customer or _("the customer (not named in the confirmation)")),
        (_("Processor"), processor["name"]),
        (_("Contact"), processor["contact"]),
        (
            _("Address"),
            ", ".join(p for p in (address["street"], place, address["country"]) if p)
            if address["street"] or place
            else "",
        ),
        (_("E-mail"), processor["email"]),
        (_("Phone"), processor["phone"]),
        (_("Web"), processor["url"]),
        (_("Data-protection officer"), processor["data_protection_officer"]),
    ]
    return [(label, value) for label, value in lines if value]


def _ledger_lines(reading: Reading) -> list[tuple[str, str]]:
    """The entry: its format, place and hashes, whether it recomputes and whether the
    chain refers to it; for a proven entry also the exact texts its hash covers."""
    row = reading.row
    recomputed = ledger.entry_hash(row)
    lines = [
        (_("Entry format"), str(row.version)),
        (_("Entry no."), str(row.seq)),
        (_("Previous hash"), row.prev_hash),
        (_("Entry hash (recomputed)"), recomputed),
        (
            _("Stored entry hash"),
            _("the same")
            if recomputed == row.entry_hash
            else _("DIFFERS: %(hash)s") % {"hash": row.entry_hash},
        ),
        (
            _("Chain"),
            _("the next entry (or the chain head) refers to this hash: the entry is proven")
            if reading.proven
            else _("NOTHING in the chain refers to this hash: the entry is not proven"),
        ),
    ]
    facts = reading.facts
    if reading.proven and facts is not None:
        lines += [
            (_("Received at (as hashed)"), ledger.rfc3339(row.received_at)),
            (_("Confirmed at (as sent)"), facts.confirmed_at_text),
            (_("SHA-256 of the record"), hashlib.sha256(bytes(row.body)).hexdigest()),
        ]
        if row.version != 1:
            lines.append((_("Server facts (as hashed)"), row.server_facts))
    return lines


def recompute_commands(row: Confirmation) -> list[str]:
    """Shell lines that recompute ``row``'s entry hash with jq, printf and sha256sum: the
    body from the ``--json`` output, then the lines before it (:func:`ledger.entry_head`),
    each quoted for the shell whatever a company name holds."""
    head = ledger.entry_head(row).decode().split("\n")[:-1]
    receipt = shlex.quote(row.receipt_id)
    return [
        f"intellekta-intake evidence {receipt} --json | jq -j .intellekta.record.text > body.json",
        f"{{ printf '%s\\n' {' '.join(map(shlex.quote, head))}; cat body.json; }} | sha256sum",
    ]


def _recompute_section(reading: Reading) -> Section:
    heading = _("Recompute by hand")
    if not reading.proven or reading.facts is None:
        return Section(
            heading,
            text=(_("Not for a damaged entry: intellekta-intake verify names what differs."),),
        )
    how = _(
        "SHA-256 over the lines the hash covers before the body, each ending in a "
        "newline, then the bytes received. The result is the entry hash above:"
    )
    return Section(heading, text=(how,), code=tuple(recompute_commands(reading.row)))


def _marks(row: Confirmation) -> list[dict[str, str]]:
    """The support console's marks and notes: its own table, outside the ledger."""
    return [
        {
            "at": ledger.rfc3339(mark.at),
            "when": fields.when(mark.at),
            "kind": mark.kind,
            "what": str(mark.get_kind_display()),
            "by": printable(mark.username),
            "note": printable(mark.note),
        }
        for mark in row.marks.all()
    ]


def _marks_section(row: Confirmation) -> Section:
    said = _("Recorded by the support console; NOT covered by the ledger.")
    lines = [
        f"{m['when']}: {m['what']} ({m['by']})" + (f": {m['note']}" if m["note"] else "")
        for m in _marks(row)
    ]
    return Section(_("Session marks and notes"), text=(said, *(lines or [_("none")])))


def _notice_missing(reading: Reading) -> str:
    if reading.notice_status == "changed":
        return _(
            "WARNING: the text the server holds was changed; it no longer has the "
            "SHA-256 confirmed, so it is not shown."
        )
    return _("The server does not hold this text; only its SHA-256 is on record.")


# -- text ---------------------------------------------------------------------------------


def evidence_text(row: Confirmation, lang: str) -> str:
    """The document as plain text, with the record as received and the notice text."""
    doc = document(row, lang)
    lines = [doc.title, doc.receipt_id]
    for section in doc.sections:
        lines.append("")
        if section.heading:
            heading = f"*** {section.heading} ***" if section.alarm else section.heading
            lines += [heading, "=" * len(heading)]
        lines += section.text
        lines += _aligned(section.pairs)
        lines += [f"  {line}" for line in section.code]
    with translation.override(lang):
        if doc.record is not None:
            lines += ["", _("The record exactly as received"), doc.record]
        lines += ["", _("The notice text confirmed"), doc.notice or doc.notice_missing]
    return "\n".join(lines)


def _aligned(pairs: Iterable[tuple[str, str]]) -> list[str]:
    pairs = list(pairs)
    width = max((len(label) for label, _value in pairs), default=0)
    return [f"{label:<{width}}  {value}" for label, value in pairs]


# -- the Kantara consent receipt ----------------------------------------------------------


def evidence_json(row: Confirmation, lang: str) -> dict[str, Any]:
    """A Kantara Consent Receipt v1.1 (texts in ``lang``) with our evidence under
    ``intellekta``. No field is taken from the record, and the customer is not among
    ``piiControllers``, unless the ledger proves the entry: those are null then."""
    cfg = configured()
    with translation.override(lang):
        reading = read_one(row)
        doc = _document(reading, cfg, lang)
        own = summary(reading)
    words = cfg.wording[lang]
    facts = reading.facts if reading.proven else None
    purpose = {
        "purpose": words["purpose"],
        "purposeCategory": [PURPOSE_CATEGORY],
        "consentType": "EXPLICIT",
        "piiCategory": [words["pii_category"]],
        "primaryPurpose": True,
        "termination": words["termination"],
        "thirdPartyDisclosure": False,
    }
    spi = special_categories(facts, cfg) if facts else None
    return {
        "version": KANTARA_VERSION,
        "jurisdiction": JURISDICTION,
        "consentTimestamp": int(facts.confirmed_at.timestamp()) if facts else None,
        "collectionMethod": _fill(words["collection_method"], **facts.client) if facts else None,
        "consentReceiptID": row.receipt_id,
        "language": facts.language if facts else None,
        "piiPrincipalId": _principal(facts) if facts else None,
        "piiControllers": [*([_controller(facts)] if facts else []), _processor(cfg)],
        "policyUrl": settings.CONFIG["notice_terms_url"],
        "services": [{"service": words["service"], "purposes": [purpose]}],
        "sensitive": bool(spi) if spi is not None else None,
        "spiCat": spi or [],
        "intellekta": _own_evidence(own, reading, doc, cfg),
    }


def _own_evidence(
    own: dict[str, Any], reading: Reading, doc: Document, cfg: Configured
) -> dict[str, Any]:
    """The summary (:func:`reading.summary`) with what Kantara has no field for: the
    document's wording, the ledger entry and its recompute lines, the record, the notice
    text, the session marks and how ``sensitive`` was derived."""
    row, facts = reading.row, reading.facts
    own["ledger"].update(
        format=row.version,
        prev_hash=row.prev_hash,
        entry_hash=ledger.entry_hash(row),
        entry_hash_stored=row.entry_hash,
    )
    own["document"] = {
        "title": doc.title,
        "about": doc.about,
        "generator": f"intellekta-intake {__version__}",
    }
    own["processor"] = {"data_protection_officer": cfg.processor["data_protection_officer"]}
    own["marks"] = [{**mark, "covered_by_ledger": False} for mark in _marks(row)]
    own["record"] = None
    if facts is None:
        return own
    if reading.proven:
        own["ledger"].update(
            received_at=ledger.rfc3339(row.received_at),
            server_facts=row.server_facts if row.version != 1 else None,
            recompute=recompute_commands(row),
        )
    own["record"] = {"text": doc.record, "sha256": hashlib.sha256(bytes(row.body)).hexdigest()}
    own["notice"]["text"] = doc.notice
    own["special_categories"] = [
        {
            "application": app.name,
            "category": app.category,
            "spiCat": list(cfg.special.get(app.category, ())),
        }
        for app in facts.open_applications
    ]
    own["sector_categories"] = {
        "sector": facts.token.sector if facts.token else None,
        "source": "the customer register at receipt, hashed with the entry",
        "spiCat": list(sector_categories(facts, cfg)),
    }
    return own


def _principal(facts: Facts) -> str:
    parts = (facts.customer_number, facts.contact_name)
    return " / ".join(part for part in parts if part) or facts.stated_company


def _controller(facts: Facts) -> dict[str, Any]:
    """The customer, the controller, as far as the confirmation names them."""
    companies = facts.companies()
    return {
        "piiController": companies[0][0] if companies else facts.customer_number or None,
        "onBehalf": False,
        "contact": facts.contact_name or None,
        "address": None,
        "email": None,
        "phone": None,
    }


def _processor(cfg: Configured) -> dict[str, Any]:
    """intellekta, processing on the customer's behalf (Kantara's ``onBehalf``)."""
    p, a = cfg.processor, cfg.address
    return {
        "piiController": p["name"],
        "onBehalf": True,
        "contact": p["contact"] or None,
        "address": {
            "streetAddress": a["street"],
            "postalCode": a["postal_code"],
            "addressLocality": a["locality"],
            "addressCountry": a["country"],
        },
        "email": p["email"] or None,
        "phone": p["phone"] or None,
        "piiControllerUrl": p["url"] or None,
    }


# -- PDF ----------------------------------------------------------------------------------


def evidence_pdf(row: Confirmation, lang: str) -> bytes:
    """One A4 page: the document and the notice text, the latter in the largest of
    :data:`NOTICE_SIZES` that fits (more pages only if none does)."""
    doc = document(row, lang)
    with translation.override(lang):
        heading = _("The notice text confirmed")
    for size in NOTICE_SIZES:
        sheet = _Sheet()
        _draw(sheet, doc, heading, size)
        if sheet.pdf.page_no() == 1:
            break
    return bytes(sheet.pdf.output())


RED = (178, 0, 0)


class _Sheet:
    """An A4 document in DejaVu Sans, or in the core Helvetica (Latin-1 only) when the
    DejaVu fonts are not installed."""

    LABEL_WIDTH = 56.0

    def __init__(self) -> None:
        self.pdf = FPDF(format="A4")
        self.pdf.set_margins(14, 11, 14)
        self.pdf.set_auto_page_break(auto=True, margin=11)
        faces = {"": "DejaVuSans.ttf", "B": "DejaVuSans-Bold.ttf", "M": "DejaVuSansMono.ttf"}
        self.clean: Callable[[str], str]
        if all((FONT_DIR / name).is_file() for name in faces.values()):
            self.pdf.add_font("DejaVu", "", FONT_DIR / faces[""])
            self.pdf.add_font("DejaVu", "B", FONT_DIR / faces["B"])
            self.pdf.add_font("DejaVuMono", "", FONT_DIR / faces["M"])
            self.family, self.mono, self.clean = "DejaVu", "DejaVuMono", str
        else:
            self.family, self.mono = "Helvetica", "Courier"
            self.clean = lambda text: text.encode("latin-1", "replace").decode("latin-1")
        self.pdf.add_page()

    def text(
        self, text: str, size: float, style: str = "", after: float = 0.0, mono: bool = False
    ) -> None:
        self.pdf.set_font(self.mono if mono else self.family, style, size)
        self.pdf.multi_cell(
            0, size * 0.42, self.clean(text), align=Align.L, new_x=XPos.LMARGIN, new_y=YPos.NEXT
        )
        self.pdf.ln(after)

    def fact(self, label: str, value: str, size: float) -> None:
        """The label in a column of its own (wrapped there if long), the value beside it."""
        pdf, top, page = self.pdf, self.pdf.get_y(), self.pdf.page_no()
        pdf.set_font(self.family, "B", size)
        pdf.multi_cell(
            self.LABEL_WIDTH - 2,
            size * 0.42,
            self.clean(label),
            align=Align.L,
            new_x=XPos.LMARGIN,
            new_y=YPos.NEXT,
        )
        label_bottom = pdf.get_y()
        pdf.set_xy(pdf.l_margin + self.LABEL_WIDTH, top)
        pdf.set_font(self.family, "", size)
        pdf.multi_cell(
            0, size * 0.42, self.clean(value), align=Align.L, new_x=XPos.LMARGIN, new_y=YPos.NEXT
        )
        if pdf.page_no() == page:
            pdf.set_y(max(label_bottom, pdf.get_y()))


def _draw(sheet: _Sheet, doc: Document, notice_heading: str, size: float) -> None:
    pdf = sheet.pdf
    pdf.set_title(f"{doc.title}: {doc.receipt_id}")
    sheet.text(f"{doc.title}: {doc.receipt_id}", 12, "B", after=1)
    for section in doc.sections:
        if section.alarm:
            pdf.set_text_color(*RED)
        if section.heading:
            sheet.text(section.heading, 12 if section.alarm else 9, "B", after=0.3)
        for paragraph in section.text:
            sheet.text(paragraph, 7)
        for label, value in section.pairs:
            sheet.fact(label, value, 7.2)
        for line in section.code:
            sheet.text(line, 5.8, mono=True)
        pdf.set_text_color(0, 0, 0)
        pdf.ln(1.2)
    sheet.text(notice_heading, 9, "B", after=0.3)
    if doc.notice is None:
        sheet.text(doc.notice_missing, size)
        return
    for line in doc.notice.splitlines():
        if not line.strip():
            pdf.ln(size * 0.2)
        elif line.startswith("# "):
            sheet.text(line[2:], size, "B")
        else:
            sheet.text(line, size)
