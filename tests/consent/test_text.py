"""Only storable text: the rule in schema.json, the same for the helper and the server."""

from __future__ import annotations

import json
import sys
import unicodedata
from collections.abc import Iterator
from typing import Any

import jsonschema
import pytest
from hypothesis import given, strategies as st

from helper import __version__
from helper.consent.device import ClientInfo
from helper.consent.record import build_record, clean_text, schema
from helper.consent.text import UNSTORABLE, printable
from tests.consent.test_record import VALIDATOR, answers, app

ANY_CHARACTER = st.characters(min_codepoint=0, max_codepoint=sys.maxunicode)


def strings(node: Any, path: str = "$") -> Iterator[tuple[str, dict[str, Any]]]:
    """Every property of the schema that holds a string (not a fixed value)."""
    if isinstance(node, dict):
        if node.get("type") == "string" and path.startswith("$.properties"):
            yield path, node
        for key, child in node.items():
            yield from strings(child, f"{path}.{key}")


def test_the_rule_is_exactly_controls_and_surrogates() -> None:
    refused = {c for c in range(sys.maxunicode + 1) if UNSTORABLE.search(chr(c))}
    expected = {
        c for c in range(sys.maxunicode + 1) if unicodedata.category(chr(c)) in ("Cc", "Cs")
    }
    assert refused == expected
    assert {0x00, 0x09, 0x0A, 0x1B, 0x7F, 0x85, 0x9F, 0xD800, 0xDFFF} <= refused


def test_every_string_of_the_schema_follows_the_rule() -> None:
    found = list(strings(schema()))
    assert len(found) == 14  # every free or patterned string; enums and consts are fixed
    for path, node in found:
        assert node.get("$ref") == "#/$defs/text", path
    assert schema()["$defs"]["text"]["not"] == {"pattern": UNSTORABLE.pattern}


def _pointers(value: Any, prefix: str = "") -> Iterator[str]:
    if isinstance(value, dict):
        for key, item in value.items():
            yield from _pointers(item, f"{prefix}/{key}")
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _pointers(item, f"{prefix}/{index}")
    elif isinstance(value, str):
        yield prefix


RECORD = build_record(**answers()).to_dict()
FREE = [
    p
    for p in _pointers(RECORD)
    if p
    not in (
        "/language",
        "/confirmations/authority",
        "/confirmations/confidential_apps",
        "/client/name",
        "/client/platform",
    )
]


@pytest.mark.parametrize("pointer", FREE)
@pytest.mark.parametrize("bad", ["\ud800", "\udfff", "\x00", "\x1b", "\t", "\n", "\x7f", "\x85"])
def test_the_schema_refuses_unstorable_text_in_any_field(pointer: str, bad: str) -> None:
    data = json.loads(json.dumps(RECORD))
    *parents, last = pointer.strip("/").split("/")
    target: Any = data
    for part in parents:
        target = target[int(part)] if part.isdigit() else target[part]
    target[last] += bad  # also after a value that is otherwise valid, as a trailing "\n"
    errors = list(VALIDATOR.iter_errors(data))
    assert any(
        e.validator == "not" and "/" + "/".join(map(str, e.absolute_path)) == pointer
        for e in errors
    ), (pointer, [e.message for e in errors])


def test_an_astral_character_is_text_not_two_surrogates() -> None:
    data = json.loads(json.dumps(RECORD))
    data["customer"]["company"] = "Bäckerei \U0001f950 Kraus"
    VALIDATOR.validate(data)
    VALIDATOR.validate(json.loads(json.dumps(data, ensure_ascii=True)))


@given(st.text(ANY_CHARACTER))
def test_clean_text_always_follows_the_rule(text: str) -> None:
    assert not UNSTORABLE.search(clean_text(text))


@given(st.text(ANY_CHARACTER))
def test_printable_makes_any_text_storable_and_keeps_what_was_fine(text: str) -> None:
    shown = printable(text)
    assert len(shown) == len(text) and not UNSTORABLE.search(shown)
    shown.encode("utf-8")
    if not UNSTORABLE.search(text):
        assert shown is text


def test_printable_marks_each_character_it_replaces() -> None:
    assert printable("Out\ud800look\x1b[2J\x00") == "Out\ufffdlook\ufffd[2J\ufffd"


def test_the_helpers_records_follow_the_rule_even_from_hostile_input() -> None:
    record = build_record(
        **answers(
            contact_name="Erika\ud800\x1b[31m\tMustermann\x00",
            open_apps=[app("out\x00", "Out\udfffl\x85ook", "mail\n")],
            client=ClientInfo("intellekta-helper", __version__, "linux", "Linux\x1b[2J\ud800 6.1"),
        )
    )
    data = json.loads(record.to_json_bytes())
    VALIDATOR.validate(data)
    assert data["client"]["os_version"] == "Linux[2J 6.1"
    with pytest.raises(jsonschema.ValidationError):
        VALIDATOR.validate({**data, "session_id": "123456789\x00"})
