"""Every fact of ../shared/mission.md ("The facts the notice must convey") is in both
default texts. One test per fact and language, so a missing fact names itself."""

from __future__ import annotations

import pytest

from helper import config
from helper.consent.notice import load_notice

DPA, TERMS = "<notice.dpa_url>", "<notice.terms_url>"

#: fact id -> language -> phrases that must all appear in the text (case-insensitive).
FACTS: dict[str, dict[str, list[str]]] = {
    "partner_tool_session_id": {
        "de": [
            "intellekta GmbH",
            "TeamViewer QuickSupport",
            "nennen Sie uns die Session-ID",
            "eigene Systemvoraussetzungen und Hinweise",
        ],
        "en": [
            "intellekta GmbH",
            "TeamViewer QuickSupport",
            "you tell us the Session ID",
            "own system requirements and notes",
        ],
    },
    "see_control_and_show": {
        "de": [
            "Bildschirm sehen",
            "Computer mit Maus und Tastatur steuern",
            "auf seinem eigenen Bildschirm zeigen",
        ],
        "en": ["see your screen", "control your computer", "show you things on their own screen"],
    },
    "customer_responsible_for_changes": {
        "de": [
            "Fernwartung anfordern und annehmen",
            "übernehmen Sie die Verantwortung",
            "vorhandenen Software und Systemumgebung",
        ],
        "en": [
            "requesting and accepting",
            "you take responsibility",
            "existing software and system environment",
        ],
    },
    "not_owner_ask_it_admin": {
        "de": [
            "Gehört der Computer nicht Ihnen",
            "vorher die Erlaubnis der zuständigen IT-Administration",
        ],
        "en": ["computer not yours", "permission from the responsible IT administrator first"],
    },
    "no_system_or_security_changes_without_permission": {
        "de": [
            "Einstellungen Ihres Betriebssystems",
            "Sicherheitseinstellungen",
            "ausdrücklich erlaubt",
        ],
        "en": ["settings of your operating system", "security settings", "explicit permission"],
    },
    "follow_and_stop_any_time": {
        "de": ["jeden Schritt mitverfolgen", "jede Aktion und die ganze Sitzung jederzeit beenden"],
        "en": ["follow every step", "stop any action, and the whole session, at any time"],
    },
    "close_confidential_applications": {
        "de": [
            "Wir empfehlen Ihnen, vor der Sitzung alle Programme zu schließen",
            "persönliche oder vertrauliche Informationen",
        ],
        "en": [
            "We recommend that you close every program",
            "personal or confidential information",
            "before the session",
        ],
    },
    "personal_data_and_dpa": {
        "de": [
            "zumindest theoretisch nicht ausschließen",
            "personenbezogene Daten",
            "Manche Wartungsarbeiten erfordern das sogar",
            "DSGVO",
            "AV-Vertrag",
            "Art. 28 DSGVO",
            "zum Wartungsvertrag oder zum Auftrag",
            "leere Vorlage als PDF",
            DPA,
        ],
        "en": [
            "cannot be ruled out, at least in theory",
            "personal data",
            "Some maintenance work even requires it",
            "GDPR",
            "AV-Vertrag",
            "Art. 28 GDPR",
            "maintenance contract or the order",
            "blank template as a PDF",
            DPA,
        ],
    },
    "no_liability_and_terms": {
        "de": [
            "haften nicht für Störungen oder Datenverluste",
            "nicht verursacht haben",
            "zur selben Zeit wie die Fernwartung",
            "Allgemeinen Geschäftsbedingungen (AGB)",
            TERMS,
        ],
        "en": [
            "not liable for faults or data loss",
            "did not cause",
            "at the same time as the remote support",
            "general terms and conditions (AGB)",
            TERMS,
        ],
    },
    "no_guarantee_of_success": {
        "de": ["nicht garantieren, dass die Fernwartung Ihr Problem löst"],
        "en": ["cannot guarantee that the remote support will solve your problem"],
    },
}


@pytest.mark.parametrize("lang", ["de", "en"])
@pytest.mark.parametrize("fact", sorted(FACTS))
def test_default_notice_conveys_fact(fact: str, lang: str) -> None:
    cfg = config.load()
    text = load_notice(cfg, lang).text.casefold()
    links = {DPA: cfg["notice.dpa_url"], TERMS: cfg["notice.terms_url"]}
    missing = [p for p in FACTS[fact][lang] if links.get(p, p).casefold() not in text]
    assert not missing, f"fact {fact!r} not conveyed in {lang}: {missing}"


@pytest.mark.parametrize("lang", ["de", "en"])
def test_default_notice_has_short_paragraphs_under_headings(lang: str) -> None:
    blocks = load_notice(config.load(), lang).text.split("\n\n")
    assert blocks[0].startswith("# ")
    assert sum(b.startswith("# ") for b in blocks) >= 6
    assert max(len(b) for b in blocks) < 700
    assert "{" not in "".join(blocks), "a placeholder was left unfilled"


def test_german_text_is_formal() -> None:
    words = set(load_notice(config.load(), "de").text.replace(",", " ").split())
    assert not words & {"du", "Du", "dich", "dir", "dein", "deine", "deinen"}
