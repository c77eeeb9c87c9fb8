"""The Session ID the customer reads off TeamViewer QuickSupport, typed or pasted.

Customers type what they see ("123 456 789"), paste it with non-breaking spaces from a
chat, or type full-width digits with a Japanese input method. :func:`parse_session_id`
turns all of that into one normal form and checks it against ``session_id.pattern``;
whatever the input, it returns a string or raises :class:`SessionIdError`, nothing else.

The normal form, which the pattern is matched against in full:

* Unicode NFKC (full-width digits become ASCII digits), every digit ASCII, lower case;
* no spaces of any kind, no invisible or control characters, no punctuation at
  either end;
* no dashes or dots between digits ("123-456-789" becomes "123456789");
* a service-queue code written as "s" and eight digits becomes "s12-345-678".

Pure functions, thread-safe.
"""

from __future__ import annotations

import re
import unicodedata

from helper.config.settings import BY_KEY
from helper.i18n import t

#: The default of ``session_id.pattern``; only for it can the error message show examples.
DEFAULT_PATTERN: str = BY_KEY["session_id.pattern"].default
#: Longer input is no ID; the cap also keeps an administrator's pattern fast.
MAX_INPUT_CHARS = 64

_DASHES = "-\u2010\u2011\u2012\u2013\u2014\u2015\u2212\ufe58\ufe63\uff0d"
_SEPARATOR_BETWEEN_DIGITS = re.compile(rf"(?<=\d)[{_DASHES}.·]+(?=\d)")
_S_CODE = re.compile(r"s[-.]?(\d{2})(\d{3})(\d{3})")
_DIGIT_GROUPS = re.compile(r"\d{1,3}(?=(?:\d{3})+$)")
#: Unicode categories of what customer text never keeps: control characters (Cc),
#: invisible format characters (Cf) and lone surrogates (Cs). Also clean_text's.
DROPPED_CATEGORIES = ("Cc", "Cf", "Cs")


class SessionIdError(ValueError):
    """What the customer typed is not a Session ID; ``text(lang)`` says how to fix it.

    ``message_id`` is a key of the i18n catalogue; ``str()`` gives the English text.
    """

    def __init__(self, message_id: str) -> None:
        super().__init__(message_id)
        self.message_id = message_id

    def text(self, lang: str) -> str:
        return t(self.message_id, lang)

    def __str__(self) -> str:
        return self.text("en")


def normalise_session_id(text: str) -> str:
    """The normal form described above, without checking it against any pattern."""
    text = unicodedata.normalize("NFKC", text).lower()
    # NFKC leaves other scripts' digits (e.g. Arabic-Indic) alone; the wire wants ASCII.
    text = "".join(str(unicodedata.decimal(c)) if c.isdecimal() else c for c in text)
    text = "".join(
        c for c in text if not c.isspace() and unicodedata.category(c) not in DROPPED_CATEGORIES
    )
    # Dropping a space can bring a combining mark next to a letter ("C¸" is "C", space,
    # cedilla after NFKC): compose again, so that normalising twice changes nothing.
    text = unicodedata.normalize("NFKC", text)
    start, end = 0, len(text)
    while start < end and not text[start].isalnum():
        start += 1
    while end > start and not text[end - 1].isalnum():
        end -= 1
    text = _SEPARATOR_BETWEEN_DIGITS.sub("", text[start:end])
    code = _S_CODE.fullmatch(text)
    return f"s{code[1]}-{code[2]}-{code[3]}" if code else text


def parse_session_id(text: str, pattern: str = DEFAULT_PATTERN) -> str:
    """The normalised Session ID, or :class:`SessionIdError` saying what a valid one is.

    ``pattern`` is ``session_id.pattern``, already checked by the configuration.
    """
    if len(text) > MAX_INPUT_CHARS:
        raise SessionIdError(_invalid(pattern))
    candidate = normalise_session_id(text)
    if not candidate:
        raise SessionIdError("consent.session_id.empty")
    # NFKC can lengthen text (one ligature becomes many letters), so check again.
    if len(candidate) > MAX_INPUT_CHARS or re.fullmatch(pattern, candidate) is None:
        raise SessionIdError(_invalid(pattern))
    return candidate


def _invalid(pattern: str) -> str:
    if pattern == DEFAULT_PATTERN:
        return "consent.session_id.invalid"
    return "consent.session_id.invalid_custom"


def format_session_id(session_id: str) -> str:
    """The ID grouped for reading out on the phone: "123 456 789", "1 234 567 890".

    Only all-digit IDs are grouped (in threes from the right); others are returned as is.
    """
    if not session_id.isascii() or not session_id.isdigit():
        return session_id
    return _DIGIT_GROUPS.sub(r"\g<0> ", session_id)
