"""The server's languages: English, in which its texts are written, and every language
its ``locale/<code>/`` folder has a translation for.

Django's ``settings.LANGUAGES`` is built from this, so adding a language is adding its
translation; the configuration checks ``language`` against the same list before Django
starts (the helper's languages are likewise its ``helper/i18n/<code>/`` folders).
"""

from __future__ import annotations

from pathlib import Path

LOCALE = Path(__file__).with_name("locale")
#: The language of the source texts, which needs no translation file.
SOURCE = "en"


def codes() -> tuple[str, ...]:
    """The language codes, sorted: the source language and each translated one."""
    translated = {p.parent.parent.name for p in LOCALE.glob("*/LC_MESSAGES/django.po")}
    return tuple(sorted({SOURCE, *translated}))
