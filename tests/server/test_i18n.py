"""The intake server speaks German and English: every message has its German text."""

from __future__ import annotations

import ast
from pathlib import Path

import polib

SERVER = Path(__file__).resolve().parents[2] / "intake_server"
PO = SERVER / "locale" / "de" / "LC_MESSAGES" / "django.po"


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


def test_every_message_has_a_german_text() -> None:
    catalogue = {e.msgid: _translated(e) for e in polib.pofile(str(PO)) if not e.obsolete}
    missing = sorted(m for m in _messages_in_code() if not catalogue.get(m))
    assert missing == [], "add these to django.po (makemessages -l de), translate, compile"


def test_the_compiled_catalogue_is_current() -> None:
    source = {
        e.msgid: _translated(e) for e in polib.pofile(str(PO)) if _translated(e) and not e.obsolete
    }
    compiled = {
        e.msgid: _translated(e) for e in polib.mofile(str(PO.with_suffix(".mo"))) if e.msgid
    }
    assert compiled == source, "compile django.po into django.mo"
