"""The README's "What is sent" stays true to the code: its example is valid, every field
explained."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import jsonschema

from helper import config
from helper.consent.notice import load_notice
from helper.consent.record import schema
from tests.conftest import REPO

_README = (REPO / "README.md").read_text("utf-8")
DOC = _README[_README.index("## What is sent") : _README.index("## Applications the helper")]


def block(language: str) -> str:
    match = re.search(rf"```{language}\n(.*?)```", DOC, re.DOTALL)
    assert match, f"no {language} example"
    return match.group(1)


def test_the_example_is_a_valid_record() -> None:
    jsonschema.Draft202012Validator(schema()).validate(json.loads(block("json")))


def test_every_field_of_the_schema_is_explained() -> None:
    def leaves(node: dict[str, Any], prefix: str = "") -> list[str]:
        found = []
        for key, sub in node.get("properties", {}).items():
            if "properties" in sub:
                found += leaves(sub, f"{prefix}{key}.")
            else:
                found.append(prefix + key)
        return found

    table = DOC.split("### The fields", 1)[1]
    for field in leaves(schema()):
        assert f"`{field}`" in table, field


def test_the_documented_notice_file_works(tmp_path: Path) -> None:
    (tmp_path / "notice.toml").write_text(block("toml"), "utf-8")
    (tmp_path / "notice.en.txt").write_text("# Before we start\n\nPlease read.\n", "utf-8")
    cfg = config.load(cli=[("notice.file", str(tmp_path / "notice.toml"))])
    assert cfg.valid, cfg.report("en")
    german, english = load_notice(cfg, "de"), load_notice(cfg, "en")
    assert (german.id, german.version) == ("acme-remote-support", "2026-11")
    assert german.text.endswith(f"AV-Vertrags: {cfg['notice.dpa_url']}")
    assert english.text == "# Before we start\n\nPlease read."
