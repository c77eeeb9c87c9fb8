"""``folding``: one rule for how names and customer numbers compare when people search."""

from __future__ import annotations

import pytest
from hypothesis import given, strategies as st

from intake_server.folding import NAME_SEPARATOR, fold, names, number_key


@pytest.mark.parametrize(
    ("spellings", "folded"),
    [
        (("Müller", "Muller", "Mueller", "MÜLLER", "MUELLER", "müller"), "muller"),
        (("Größe", "Groesse", "Grosse", "GRÖSSE", "GROẞE"), "grosse"),
        (("Schröder", "Schroeder", "Schroder"), "schroder"),
        (("Bäckerei", "Baeckerei", "Backerei"), "backerei"),
        (("Çelik", "Celik"), "celik"),
        (("ﬁrma", "Firma", "ＦＩＲＭＡ"), "firma"),
    ],
)
def test_spellings_of_one_name_fold_alike(spellings: tuple[str, ...], folded: str) -> None:
    assert {fold(text) for text in spellings} == {folded}


def test_spaces_fold_to_one_and_invisible_characters_go() -> None:
    assert fold("  Zahnarzt\u00a0 Dr.\tWeiß ") == "zahnarzt dr. weiss"
    assert fold("Mül\u00adler\u200b GmbH") == "muller gmbh"  # a soft hyphen, a zero-width space


def test_a_typed_part_of_a_name_is_a_part_of_the_folded_name() -> None:
    for part in ("Mül", "Mue", "ller", "Müller G", "ueller"):
        assert fold(part) in fold("Müller GmbH"), part
    assert fold("eller") not in fold("Mueller")  # a part from the e of "ue" on: the limit


@pytest.mark.parametrize("written", ["k-1", "K-1", "K1", "k 1", "K.1", "ｋ－１", " K_1 "])
def test_customer_numbers_ignore_case_and_separators(written: str) -> None:
    assert number_key(written) == "K1"


def test_names_are_kept_apart_each_once() -> None:
    joined = names("Müller GmbH", "Mueller GmbH", "", "Erika Mustermann")
    assert joined.split(NAME_SEPARATOR) == ["muller gmbh", "erika mustermann"]
    assert fold("gmbh erika") not in joined  # no match across two names
    assert names("", "  ") == ""


@given(st.text())
def test_no_folded_text_holds_the_separator(text: str) -> None:
    assert NAME_SEPARATOR not in fold(text)
