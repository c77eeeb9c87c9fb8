"""Which text a confirmation may carry: the rule the helper and the intake server share.

Every string of a confirmation must be text that any later reader can encode, print and
store (UTF-8 files and terminals, SQLite, PostgreSQL). So no string holds

* a lone surrogate (Unicode category Cs): ``json.loads`` makes one of ``"\\ud800"``, and
  no UTF-8 encoder, SQLite or PostgreSQL takes it;
* a control character (Cc: C0, DEL and C1): PostgreSQL refuses NUL, terminals obey ESC
  and CSI. Tab and line breaks are controls too: no field of a confirmation has more
  than one line, and :func:`~helper.consent.record.clean_text` makes them spaces.

The rule is written once, in ``schema.json`` (``$defs/text``, a ``not`` ``pattern`` that
every string property refers to), so every JSON Schema validator applies it; this
module reads it from there. Thread-safe (constants and a pure function).
"""

from __future__ import annotations

import re

from helper.consent.record import schema

#: Matches a character no string of a confirmation may hold (``schema.json``'s rule).
UNSTORABLE: re.Pattern[str] = re.compile(schema()["$defs"]["text"]["not"]["pattern"])
REPLACEMENT = "\ufffd"


def printable(text: str) -> str:
    """``text`` with each character :data:`UNSTORABLE` matches replaced by U+FFFD, the
    same length. For readers of text stored
    before the rule was enforced, which can neither refuse nor delete it."""
    return UNSTORABLE.sub(REPLACEMENT, text)
