"""The notice texts the server knows, so that it can mark a record "text verified".

Texts are read and hashed by the helper's own notice code (``helper.consent``), with the
links filled in as a helper with intellekta's settings fills them, so the hashes match.
"""

from __future__ import annotations

from django.conf import settings
from django.db import transaction

from helper.consent.notice import Notice, notices_in
from intake_server.api.models import Confirmation, NoticeText

BUILTIN = "built-in"


def _links() -> dict[str, str]:
    config = settings.CONFIG
    return {
        "notice.dpa_url": config["notice_dpa_url"],
        "notice.terms_url": config["notice_terms_url"],
    }


def register(path: str) -> list[tuple[Notice, bool, int]]:
    """Add every language of the notice file at ``path`` ("" for the helper's built-in
    text). Returns each notice, whether it was new, and how many confirmations stored
    before now count as "text verified" (a reading recomputes that from the texts; what
    a confirmation's entry says about the time it arrived stays). Raises
    NoticeFileError."""
    added = []
    with transaction.atomic():
        for notice in notices_in(path, _links()):
            _row, created = NoticeText.objects.get_or_create(
                notice_id=notice.id,
                version=notice.version,
                sha256=notice.sha256,
                defaults={
                    "language": notice.language,
                    "text": notice.text,
                    "source": path or BUILTIN,
                },
            )
            earlier = (
                0
                if not created
                else Confirmation.objects.filter(
                    notice_id=notice.id,
                    notice_version=notice.version,
                    notice_sha256=notice.sha256,
                    notice_verified=False,
                ).count()
            )
            added.append((notice, created, earlier))
    return added


def find(notice_id: str, version: str, sha256: str) -> NoticeText | None:
    return NoticeText.objects.filter(notice_id=notice_id, version=version, sha256=sha256).first()


#: Texts known to this process. Only hits are kept: a text is never removed once
#: registered, while a text registered by another process must count at once.
_KNOWN: set[tuple[str, str, str]] = set()


def is_known(notice_id: str, version: str, sha256: str) -> bool:
    """Whether the server knows this text; asks the database once per text and process."""
    key = (notice_id, version, sha256)
    if key not in _KNOWN and find(*key) is not None:
        _KNOWN.add(key)
    return key in _KNOWN
