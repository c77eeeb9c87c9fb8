"""The Group Policy template: current with the settings, and readable by the loader."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import pytest

from build_scripts import admx
from helper.config._windows_policy import read_policy
from helper.config.raw import POLICY_KEY
from helper.config.settings import BY_KEY, Kind
from helper.config.values import from_text
from tests.config.fake_winreg import REG_DWORD, REG_EXPAND_SZ, REG_MULTI_SZ, REG_SZ, FakeWinreg

NS = {"p": admx.NS}
SAMPLE_TEXT = {
    Kind.URL: "https://policy.example/intake",
    Kind.REGEX: r"\d{9}",
    Kind.STR: "Policy GmbH",
    Kind.PATH: r"%ProgramData%\x.txt",
    Kind.DIR: r"%ProgramData%\x",
}


def test_committed_files_are_current() -> None:
    """If this fails, run: python build_scripts/admx.py (and commit the result)."""
    assert admx.stale() == []


def _registry_value(policy: ET.Element) -> tuple[int, Any]:
    """What Group Policy writes for this policy when an administrator enables it."""
    if policy.find("p:enabledValue", NS) is not None:
        return REG_DWORD, 1
    element = next(iter(policy.find("p:elements", NS) or []))
    tag = element.tag.split("}")[1]
    section = policy.get("key", "").rsplit("\\", 1)[1]
    setting = BY_KEY[f"{section}.{element.get('valueName')}"]
    if tag == "decimal":
        return REG_DWORD, max(30, int(element.get("minValue", "0")))
    if tag == "enum":
        return REG_SZ, element.findall("p:item/p:value/p:string", NS)[-1].text
    if tag == "multiText":
        return REG_MULTI_SZ, ["first", "second"]
    kind = REG_EXPAND_SZ if element.get("expandable") == "true" else REG_SZ
    return kind, SAMPLE_TEXT[setting.kind]


def test_every_policy_reaches_the_loader_with_the_right_type() -> None:
    root = ET.fromstring(admx.render()[Path("intellekta-helper.admx")])
    tree: dict[str, Any] = {}
    for policy in root.iterfind("p:policies/p:policy", NS):
        assert policy.get("key", "").startswith(POLICY_KEY + "\\")
        section = policy.get("key", "").rsplit("\\", 1)[1]
        elements = policy.find("p:elements", NS)
        name = policy.get("valueName") or next(iter(elements or [])).get("valueName", "")
        tree.setdefault(section, {})[name] = _registry_value(policy)
    raw, unknown = read_policy(FakeWinreg({POLICY_KEY: tree}))
    assert unknown == []
    assert set(raw) == {s.key for s in admx.policy_settings()}
    for key, (text, _line, _is_text) in raw.items():
        from_text(BY_KEY[key], text)  # raises ValueProblem on a type the loader rejects
    assert from_text(BY_KEY["privacy.send_open_apps"], raw["privacy.send_open_apps"][0]) is True
    assert from_text(BY_KEY["apps.keep_open"], raw["apps.keep_open"][0]) == ["first", "second"]


@pytest.mark.parametrize("language", list(admx.LANGUAGES))
def test_every_string_and_presentation_is_defined(language: str) -> None:
    files = admx.render()
    policies = files[Path("intellekta-helper.admx")]
    resources = ET.fromstring(files[Path(language) / "intellekta-helper.adml"])
    strings = {s.get("id") for s in resources.iterfind(".//p:string", NS)}
    presentations = {p.get("id") for p in resources.iterfind(".//p:presentation", NS)}
    for reference in ET.fromstring(policies).iter():
        for value in reference.attrib.values():
            if value.startswith("$(string."):
                assert value[9:-1] in strings
            if value.startswith("$(presentation."):
                assert value[15:-1] in presentations


def test_table_settings_are_file_only() -> None:
    assert "apps.extra" not in {s.key for s in admx.policy_settings()}
