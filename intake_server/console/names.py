"""User names as people read them: ``Anna``, ``ANNA`` and full-width ``ａｎｎａ`` are ``anna``.

One rule for every place a name is stored, typed or counted (``user add``, sign-in,
django-axes' failure counts), so one person is one account and one count.
"""

from __future__ import annotations

import unicodedata

#: Django's ``User.username`` holds at most this many characters.
MAX_LENGTH = 150


def normalise(name: str) -> str:
    """NFKC, case-folded, NFKC again (folding can undo it), without outer white space."""
    folded = unicodedata.normalize("NFKC", name).casefold()
    return unicodedata.normalize("NFKC", folded).strip()
