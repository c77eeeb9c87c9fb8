"""How text is compared when people search: one rule for the console, ``find`` and the
stored search keys, so what is typed finds what was stored.

Company and contact names fold case, accents and the German spellings of umlauts and
ß: ``Müller``, ``MULLER`` and ``Mueller`` all become ``muller``, ``Größe``, ``Groesse``
and ``Grosse`` all ``grosse``. A stored name and a typed one are folded alike, so the
replacement of ``ae``/``oe``/``ue`` (which also turns "Bauer" into "baur") finds more,
and less only for a part typed from such an e on: "eller" is not in "muller". Customer
numbers ignore case and every separator: ``k-1``,
``K 1`` and ``K1`` are the same number.

A row is searched by several names at once (:func:`names`): they are kept in one text,
separated by U+2028 LINE SEPARATOR, a space that a folded text never holds (it makes
every space " "), so a search cannot match across two of them. (Not a line feed: that is
a control character, which readers of stored text replace.)
"""

from __future__ import annotations

import re
import unicodedata

_SPELLED = re.compile(r"(?<=[aou])e")
_NOT_ALNUM = re.compile(r"[\W_]+")
_SPACES = re.compile(r"\s+")
#: Between the names :func:`names` joins: :func:`fold` turns every space into " ".
NAME_SEPARATOR = "\u2028"


def fold(text: str) -> str:
    """``text`` as names are compared: lower case, without accents, umlauts written
    out or not, ß as ss, runs of spaces as one, without invisible characters (a soft
    hyphen or a zero-width space that came with a pasted name)."""
    text = text.casefold()  # ß -> ss, and any case rule Unicode has
    text = "".join(
        c
        for c in unicodedata.normalize("NFKD", text)
        if not unicodedata.combining(c) and unicodedata.category(c) != "Cf"
    )
    return _SPACES.sub(" ", _SPELLED.sub("", text)).strip()


def number_key(text: str) -> str:
    """A customer number as compared: letters and digits only, upper case."""
    return _NOT_ALNUM.sub("", unicodedata.normalize("NFKC", text)).upper()


def names(*texts: str) -> str:
    """The names a row is searched by (a company, a contact), each folded, each once,
    separated by :data:`NAME_SEPARATOR`; empty ones left out."""
    folded = dict.fromkeys(name for text in texts if (name := fold(text)))
    return NAME_SEPARATOR.join(folded)
