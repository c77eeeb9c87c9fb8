"""Template filters of the console."""

from __future__ import annotations

import json
import unicodedata

from django import template
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString

from intake_server.api import fields
from intake_server.console import present

register = template.Library()
#: Unicode categories of characters that are invisible or change how the text around them
#: looks: controls, format characters (the bidirectional overrides among them), line and
#: paragraph separators, and surrogates (which no page can encode).
_INVISIBLE = frozenset({"Cc", "Cf", "Zl", "Zp", "Cs"})


@register.filter
def isolated(text: object) -> SafeString:
    """Text from a record in a ``<bdi>``: whatever it holds (a right-to-left override, say)
    never reorders what stands around it."""
    return format_html("<bdi>{}</bdi>", text)


@register.filter
def shortened(text: object) -> SafeString:
    """:func:`isolated`, cut to :data:`present.LIST_CHARS` with an ellipsis for a list;
    the whole value in the title (the detail page shows it in full)."""
    full = str(text)
    if len(full) <= present.LIST_CHARS:
        return isolated(full)
    return format_html('<bdi title="{}">{}…</bdi>', full, full[: present.LIST_CHARS - 1])


@register.filter
def invisible_shown(body: str) -> str:
    """JSON text with its invisible characters written as JSON escapes (``\\u202e``):
    the same document, but support sees the characters instead of their effect. Line
    breaks and indentation (outside the strings) stay as they are."""
    return "".join(
        json.dumps(c)[1:-1] if c != "\n" and unicodedata.category(c) in _INVISIBLE else c
        for c in body
    )


@register.filter
def notice_html(text: str) -> SafeString:
    """The notice as the helper shows it: ``# `` lines are headings, blank lines part
    paragraphs. Every piece is escaped."""
    blocks = []
    for block in text.split("\n\n"):
        block = block.strip()
        if block.startswith("# "):
            blocks.append(("h3", block[2:]))
        elif block:
            blocks.append(("p", block))
    return format_html_join("\n", "<{0}>{1}</{0}>", blocks)


register.filter("when", fields.when)
register.filter("exact", fields.exact)
#: Not Django's ``date:'c'``, which fails on a time of the year 9999 east of UTC.
register.filter("machine_time", fields.machine)
