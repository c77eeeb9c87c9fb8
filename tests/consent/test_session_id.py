"""Session IDs as customers type and paste them: normalised, checked, explained."""

from __future__ import annotations

import re

import pytest
from hypothesis import example, given, strategies as st

from helper.consent.session_id import (
    DEFAULT_PATTERN,
    MAX_INPUT_CHARS,
    SessionIdError,
    format_session_id,
    normalise_session_id,
    parse_session_id,
)

VALID = [
    ("123456789", "123456789"),
    ("123 456 789", "123456789"),
    ("1 234 567 890", "1234567890"),
    ("  123 456 789\n", "123456789"),
    ("123-456-789", "123456789"),
    ("123.456.789", "123456789"),
    ("123\u00a0456\u00a0789", "123456789"),  # non-breaking spaces, pasted from a chat
    ("123\u2009456\u202f789", "123456789"),  # thin and narrow no-break spaces
    ("\u200b123 456 789\ufeff", "123456789"),  # invisible characters
    ("１２３ ４５６ ７８９", "123456789"),  # full-width digits
    ("１２３\u3000４５６\u3000７８９０", "1234567890"),  # ideographic spaces
    ("123\u2013456\u2011789", "123456789"),  # en dash, non-breaking hyphen
    ("\u0661\u0662\u0663\u0664\u0665\u0666\u0667\u0668\u0669", "123456789"),  # Arabic-Indic digits
    ('"123 456 789".', "123456789"),  # quoted, with a full stop
    ("s12-345-678", "s12-345-678"),
    ("S12-345-678", "s12-345-678"),
    ("s12345678", "s12-345-678"),
    ("s 12 345 678", "s12-345-678"),
    ("s-12-345-678", "s12-345-678"),
    ("ｓ１２－３４５－６７８", "s12-345-678"),
    ("s1-2345-678", "s12-345-678"),  # the same digits, grouped differently
]

INVALID = [
    ("", "consent.session_id.empty"),
    ("   \u00a0\t", "consent.session_id.empty"),
    ("---", "consent.session_id.empty"),
    ("12345678", "consent.session_id.invalid"),  # 8 digits
    ("12345678901", "consent.session_id.invalid"),  # 11 digits
    ("123 456 78a", "consent.session_id.invalid"),
    ("123--456", "consent.session_id.invalid"),
    ("123_456_789", "consent.session_id.invalid"),
    ("t12-345-678", "consent.session_id.invalid"),
    ("s12-345-67", "consent.session_id.invalid"),
    ("123456789 123456789", "consent.session_id.invalid"),
    ("my ID is 123456789", "consent.session_id.invalid"),
    ("1" * (MAX_INPUT_CHARS + 1), "consent.session_id.invalid"),
]


@pytest.mark.parametrize(("typed", "expected"), VALID)
def test_valid(typed: str, expected: str) -> None:
    assert parse_session_id(typed) == expected


@pytest.mark.parametrize(("typed", "message_id"), INVALID)
def test_invalid(typed: str, message_id: str) -> None:
    with pytest.raises(SessionIdError) as caught:
        parse_session_id(typed)
    assert caught.value.message_id == message_id


@pytest.mark.parametrize("lang", ["de", "en"])
def test_messages_say_what_a_valid_id_looks_like_and_where_to_find_it(lang: str) -> None:
    where = {"de": "„Ihre ID“", "en": "“Your ID”"}[lang]
    for typed in ("", "12345"):
        with pytest.raises(SessionIdError) as caught:
            parse_session_id(typed)
        assert "TeamViewer QuickSupport" in caught.value.text(lang) and where in caught.value.text(
            lang
        )
    invalid = caught.value.text(lang)
    nbsp = "\u00a0"  # the groups stay on one line
    assert f"123{nbsp}456{nbsp}789" in invalid and f"1{nbsp}234{nbsp}567{nbsp}890" in invalid
    assert "s12-345-678" in invalid
    assert isinstance(caught.value, ValueError) and "Your ID" in str(caught.value)


def test_a_custom_pattern_gives_no_misleading_examples() -> None:
    pattern = r"[a-z]{2}\d{6}"
    assert parse_session_id(" AB 123-456 ", pattern) == "ab123456"
    with pytest.raises(SessionIdError) as caught:
        parse_session_id("123456789", pattern)
    assert caught.value.message_id == "consent.session_id.invalid_custom"
    assert "123 456 789" not in caught.value.text("de")


@pytest.mark.parametrize(
    ("sid", "shown"),
    [
        ("123456789", "123 456 789"),
        ("1234567890", "1 234 567 890"),
        ("s12-345-678", "s12-345-678"),
        ("12", "12"),
        ("ab123456", "ab123456"),
    ],
)
def test_format_for_the_phone(sid: str, shown: str) -> None:
    assert format_session_id(sid) == shown


PATTERNS = [DEFAULT_PATTERN, r"\d{9,10}", r"[a-z]{2}\d{6}", r".+"]


@given(st.text(), st.sampled_from(PATTERNS))
@example("\ud800", DEFAULT_PATTERN)  # a lone surrogate, as Tk may hand over on Windows
@example("ﷺ" * 10, r".+")  # one character NFKC-expands to 18
def test_any_text_gives_a_match_or_session_id_error(text: str, pattern: str) -> None:
    try:
        parsed = parse_session_id(text, pattern)
    except SessionIdError as exc:
        assert exc.message_id.startswith("consent.session_id.")
        return
    assert re.fullmatch(pattern, parsed) and len(parsed) <= MAX_INPUT_CHARS
    assert parse_session_id(parsed, pattern) == parsed, "normalising twice changes nothing"


ID_LIKE = st.text(
    st.characters(categories=["Nd", "Zs", "Pd", "Cf"]) | st.sampled_from("sS.·"), max_size=30
)


@given(ID_LIKE)
def test_what_passes_the_default_pattern_is_ascii(text: str) -> None:
    try:
        parsed = parse_session_id(text)
    except SessionIdError:
        return
    assert parsed.isascii() and re.fullmatch(r"[0-9]{9,10}|s[0-9]{2}-[0-9]{3}-[0-9]{3}", parsed)


SPACES = st.sampled_from(["", " ", "  ", "\u00a0", "\u2009", "\u202f", "-", ".", "\u2013", "\t"])


@given(st.from_regex(r"[0-9]{9,10}", fullmatch=True), st.data())
def test_a_valid_id_survives_any_separators_and_width(digits: str, data: st.DataObject) -> None:
    wide = data.draw(st.booleans())
    typed = ""
    for index, digit in enumerate(digits):
        typed += chr(ord(digit) + 0xFEE0) if wide else digit
        if index < len(digits) - 1:
            typed += data.draw(SPACES)
    typed = (
        data.draw(st.sampled_from(["", " ", "\u200b"]))
        + typed
        + data.draw(st.sampled_from(["", " ", "."]))
    )
    assert parse_session_id(typed) == digits
    assert format_session_id(digits).replace(" ", "") == digits


def test_a_mark_freed_by_a_dropped_space_is_composed_at_once() -> None:
    """Found by hypothesis: NFKC makes "¸" a space and a combining cedilla."""
    once = normalise_session_id("C\u00b80")
    assert once == "\u00e70" and normalise_session_id(once) == once
