"""The intake server speaks the languages of ``settings.LANGUAGES``: every message has its
text in each, and everything that lists languages reads that one list."""

from __future__ import annotations

import ast
from pathlib import Path

import polib
import pytest
from django.conf import settings
from django.test import Client

SERVER = Path(__file__).resolve().parents[2] / "intake_server"
#: The language the messages are written in (their msgid): it needs no catalogue.
SOURCE_LANGUAGE = "en"
TRANSLATED = [code for code in dict(settings.LANGUAGES) if code != SOURCE_LANGUAGE]


def _po(lang: str) -> Path:
    return SERVER / "locale" / lang / "LC_MESSAGES" / "django.po"


def _messages_in_code() -> set[str]:
    found: set[str] = set()
    for path in SERVER.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text("utf-8"))):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Name)
                and node.func.id in ("_", "gettext", "gettext_lazy", "pgettext")
                and node.args
                and isinstance(node.args[-1], ast.Constant)
            ):
                found.add(str(node.args[-1].value))
    for path in SERVER.rglob("*.html"):
        found.update(_template_messages(path.read_text("utf-8")))
    return found


def _template_messages(text: str) -> set[str]:
    import re

    quoted = re.findall(r"""{%\s*translate\s+(?:"([^"]+)"|'([^']+)')""", text)
    blocks = re.findall(r"{%\s*blocktranslate[^%]*%}(.*?){%\s*endblocktranslate", text, re.S)
    names = re.compile(r"{{\s*(\w+)\s*}}")
    singular = (re.split(r"{%\s*plural\s*%}", block)[0] for block in blocks)
    return {a or b for a, b in quoted} | {names.sub(r"%(\1)s", b) for b in singular}


def _translated(entry: polib.POEntry | polib.MOEntry) -> str:
    """The German text; a plural entry's first form stands for all of them."""
    return entry.msgstr or (entry.msgstr_plural or {}).get(0, "")


@pytest.mark.parametrize("lang", TRANSLATED)
def test_every_message_has_a_translation(lang: str) -> None:
    catalogue = {e.msgid: _translated(e) for e in polib.pofile(str(_po(lang))) if not e.obsolete}
    missing = sorted(m for m in _messages_in_code() if not catalogue.get(m))
    assert missing == [], f"add these to django.po (makemessages -l {lang}), translate, compile"


@pytest.mark.parametrize("lang", TRANSLATED)
def test_the_compiled_catalogue_is_current(lang: str) -> None:
    po = _po(lang)
    source = {
        e.msgid: _translated(e) for e in polib.pofile(str(po)) if _translated(e) and not e.obsolete
    }
    compiled = {
        e.msgid: _translated(e) for e in polib.mofile(str(po.with_suffix(".mo"))) if e.msgid
    }
    assert compiled == source, "compile django.po into django.mo"


@pytest.mark.django_db
def test_the_language_switch_offers_every_language() -> None:
    page = Client().get("/sign-in", HTTP_ACCEPT_LANGUAGE=TRANSLATED[0]).content.decode()
    for code in dict(settings.LANGUAGES):
        selected = " selected" if code == TRANSLATED[0] else ""
        assert f'<option value="{code}"{selected}>' in page


def test_the_evidence_has_a_wording_for_every_language() -> None:
    from intake_server.api import evidence

    wording = evidence.configured("").wording
    assert list(wording) == list(dict(settings.LANGUAGES))
    assert len({frozenset(words) for words in wording.values()}) == 1, "the same keys"


def test_a_record_chooses_the_answers_language_when_the_server_speaks_it() -> None:
    """The record's languages are the helper's (the schema's enum); the answer can only
    be in one the server speaks."""
    from helper.consent.record import schema
    from intake_server.api.intake import body_language

    for lang in schema()["properties"]["language"]["enum"]:
        spoken = lang if lang in dict(settings.LANGUAGES) else None
        assert body_language(b'{"language" : "%b"}' % lang.encode()) == spoken
    assert body_language(b'{"language": "xx"}') is None
