"""Template filters of the console."""

from __future__ import annotations

from django import template
from django.utils.html import format_html_join
from django.utils.safestring import SafeString

from intake_server.console import present

register = template.Library()


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


register.filter("ago", present.ago)
