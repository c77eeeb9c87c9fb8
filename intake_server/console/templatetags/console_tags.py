"""Template filters of the console."""

from __future__ import annotations

from datetime import datetime

from django import template
from django.utils import timezone
from django.utils.html import format_html_join
from django.utils.safestring import SafeString
from django.utils.timesince import timesince
from django.utils.translation import gettext as _

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


@register.filter
def ago(moment: datetime) -> str:
    """ "just now" under a minute, else Django's "3 minutes ago"."""
    if (timezone.now() - moment).total_seconds() < 60:
        return _("just now")
    return _("%(time)s ago") % {"time": timesince(moment)}
