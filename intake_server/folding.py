"""How text is compared when people search: one rule for the console, ``find`` and the
stored search keys, so what is typed finds what was stored.

Company and contact names fold case, accents and the German spellings of umlauts and
ß: ``Müller``, ``MULLER`` and ``Mueller`` all become ``muller``, ``Größe``, ``Groesse``
and ``Grosse`` all ``grosse``. A stored name and a typed one are folded alike, so the
replacement of ``ae``/``oe``/``ue`` (which also turns "Bauer" into "baur") can only ever
find more, never less. Customer numbers ignore case and every separator: ``k-1``,
``K 1`` and ``K1`` are the same number.
"""

from __future__ import annotations

import re
import unicodedata

_SPELLED = re.compile(r"(?<=[aou])e")
_NOT_ALNUM = re.compile(r"[\W_]+")
_SPACES = re.compile(r"\s+")


def fold(text: str) -> str:
    """``text`` as names are compared: lower case, without accents, umlauts written
    out or not, ß as ss, runs of spaces as one."""
    text = text.casefold()  # ß -> ss, and any case rule Unicode has
    text = "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))
    return _SPACES.sub(" ", _SPELLED.sub("", text)).strip()


def number_key(text: str) -> str:
    """A customer number as compared: letters and digits only, upper case."""
    return _NOT_ALNUM.sub("", unicodedata.normalize("NFKC", text)).upper()
