"""Generate the Group Policy template (ADMX, one ADML per language) from the settings.

Every scalar setting in ``helper/config/settings.py`` becomes one machine policy that
writes ``HKLM\\Software\\Policies\\intellekta\\Helper\\<section>`` / ``<name>``, exactly
what ``helper/config/_windows_policy.py`` reads. The list is never copied by hand:
``python build_scripts/admx.py`` rewrites ``build_scripts/windows/policy/`` and
``--check`` (and ``tests/build/test_admx.py``) fails when the committed files are stale.

Each language of the helper (``helper/i18n``) has its texts in ``windows/policy_<lang>.toml``,
which also names the Windows language (``de-DE``) whose folder its ADML goes in.
"""

from __future__ import annotations

import argparse
import sys
import tomllib
import xml.etree.ElementTree as ET
from functools import cache
from pathlib import Path
from typing import Any

from helper.config.raw import POLICY_KEY
from helper.config.settings import SETTINGS, Kind, Setting
from helper.i18n import DEFAULT_LANGUAGE, LANGUAGES as HELPER_LANGUAGES

WINDOWS = Path(__file__).resolve().parent / "windows"
OUT = WINDOWS / "policy"
NS = "http://schemas.microsoft.com/GroupPolicy/2006/07/PolicyDefinitions"
PREFIX, NAMESPACE = "intellekta", "intellekta.Policies.Helper"
ROOT_CATEGORY, SUPPORTED = "intellekta_Helper", "SUPPORTED_intellekta_Helper"
TEXT_KINDS = (Kind.STR, Kind.URL, Kind.PATH, Kind.DIR, Kind.REGEX)
#: REG_DWORD holds whole numbers: timeouts are set in whole seconds through policy.
MAX_DWORD = 86_400


@cache
def _policy_file(lang: str) -> dict[str, Any]:
    """``policy_<lang>.toml`` as written; a language without one stops the build."""
    path = WINDOWS / f"policy_{lang}.toml"
    if not path.is_file():
        raise SystemExit(f"{path.name} is missing: every language of helper/i18n needs one")
    with path.open("rb") as handle:
        return tomllib.load(handle)


#: Each ADML's Windows language (``de-DE``, the folder Group Policy reads) and the helper
#: language whose texts it holds.
LANGUAGES = {_policy_file(lang)["windows_language"]: lang for lang in HELPER_LANGUAGES}


def policy_id(setting: Setting) -> str:
    return setting.key.replace(".", "_")


def registry_type(setting: Setting) -> str:
    """The value type the policy writes, as shown to administrators."""
    if setting.kind in (Kind.BOOL, Kind.INT, Kind.FLOAT):
        return "REG_DWORD"
    if setting.kind is Kind.STR_LIST:
        return "REG_MULTI_SZ"
    if setting.kind in (Kind.PATH, Kind.DIR):
        return "REG_EXPAND_SZ"
    return "REG_SZ"


def policy_settings() -> list[Setting]:
    """Settings a policy can carry: the scalars (tables such as apps.extra are file-only)."""
    return [s for s in SETTINGS if s.is_scalar]


def _sub(parent: ET.Element, tag: str, **attrs: str) -> ET.Element:
    return ET.SubElement(parent, tag, {k.rstrip("_"): v for k, v in attrs.items()})


def _elements(policy: ET.Element, s: Setting) -> None:
    pid = policy_id(s)
    if s.kind is Kind.BOOL:  # the policy's own Enabled / Disabled state is the value
        policy.set("valueName", s.name)
        _sub(_sub(policy, "enabledValue"), "decimal", value="1")
        _sub(_sub(policy, "disabledValue"), "decimal", value="0")
        return
    policy.set("presentation", f"$(presentation.{pid})")
    elements = _sub(policy, "elements")
    if s.kind in (Kind.INT, Kind.FLOAT):
        minimum = str(int(s.minimum or 0))
        _sub(
            elements,
            "decimal",
            id=pid,
            valueName=s.name,
            minValue=minimum,
            maxValue=str(MAX_DWORD),
            required="true",
        )
    elif s.kind is Kind.CHOICE:
        enum = _sub(elements, "enum", id=pid, valueName=s.name, required="true")
        for choice in s.choices:
            item = _sub(enum, "item", displayName=f"$(string.{pid}_{choice})")
            ET.SubElement(_sub(item, "value"), "string").text = choice
    elif s.kind is Kind.STR_LIST:
        _sub(elements, "multiText", id=pid, valueName=s.name)
    else:
        attrs = {"expandable": "true"} if registry_type(s) == "REG_EXPAND_SZ" else {}
        _sub(elements, "text", id=pid, valueName=s.name, required="true", **attrs)


def admx() -> ET.Element:
    root = ET.Element("policyDefinitions", revision="1.0", schemaVersion="1.0", xmlns=NS)
    _sub(_sub(root, "policyNamespaces"), "target", prefix=PREFIX, namespace=NAMESPACE)
    _sub(root, "resources", minRequiredRevision="1.0")
    definitions = _sub(_sub(root, "supportedOn"), "definitions")
    _sub(definitions, "definition", name=SUPPORTED, displayName=f"$(string.{SUPPORTED})")
    categories = _sub(root, "categories")
    _sub(categories, "category", name=ROOT_CATEGORY, displayName=f"$(string.{ROOT_CATEGORY})")
    sections = list(dict.fromkeys(s.section for s in policy_settings()))
    for section in sections:
        name = f"{ROOT_CATEGORY}_{section}"
        category = _sub(categories, "category", name=name, displayName=f"$(string.{name})")
        _sub(category, "parentCategory", ref=ROOT_CATEGORY)
    policies = _sub(root, "policies")
    for s in policy_settings():
        pid = policy_id(s)
        policy = _sub(
            policies,
            "policy",
            name=pid,
            class_="Machine",
            displayName=f"$(string.{pid})",
            explainText=f"$(string.{pid}_Help)",
            key=rf"{POLICY_KEY}\{s.section}",
        )
        _sub(policy, "parentCategory", ref=f"{ROOT_CATEGORY}_{s.section}")
        _sub(policy, "supportedOn", ref=SUPPORTED)
        _elements(policy, s)
    return root


def _texts(language: str) -> dict[str, dict[str, str]]:
    lang = LANGUAGES[language]
    texts = {k: v for k, v in _policy_file(lang).items() if isinstance(v, dict)}
    if lang == DEFAULT_LANGUAGE:  # the settings' own descriptions are the English texts
        texts["text"] = {s.key: s.description for s in SETTINGS}
    missing = [s.key for s in SETTINGS if s.key not in texts.get("text", {})]
    if missing:
        raise SystemExit(f"policy_{lang}.toml: no text for {', '.join(missing)}")
    return texts


def adml(language: str) -> ET.Element:
    texts = _texts(language)
    ui = texts["ui"]
    root = ET.Element("policyDefinitionResources", revision="1.0", schemaVersion="1.0", xmlns=NS)
    ET.SubElement(root, "displayName").text = ui["root"]
    ET.SubElement(root, "description").text = ui["root"]
    resources = _sub(root, "resources")
    strings = _sub(resources, "stringTable")
    presentations = _sub(resources, "presentationTable")

    def string(sid: str, text: str) -> None:
        ET.SubElement(strings, "string", id=sid).text = text

    string(ROOT_CATEGORY, ui["root"])
    string(SUPPORTED, ui["supported"])
    for section in dict.fromkeys(s.section for s in policy_settings()):
        string(f"{ROOT_CATEGORY}_{section}", texts["section"][section])
    for s in policy_settings():
        pid, text = policy_id(s), texts["text"][s.key]
        string(pid, f"{s.key}: {text.rstrip('.')}")
        where = rf"HKLM\{POLICY_KEY}\{s.section} : {s.name} ({registry_type(s)})"
        extra = f"\n\n{ui['enabled']}\n{ui['disabled']}" if s.kind is Kind.BOOL else ""
        string(f"{pid}_Help", f"{text}{extra}\n\n{where}\n\n{ui['explain_suffix']}")
        for choice in s.choices:
            string(f"{pid}_{choice}", choice)
        if s.kind is Kind.BOOL:
            continue
        presentation = _sub(presentations, "presentation", id=pid)
        if s.kind in (Kind.INT, Kind.FLOAT):
            default = str(int(s.default))
            _sub(presentation, "decimalTextBox", refId=pid, defaultValue=default).text = s.key
        elif s.kind is Kind.CHOICE:
            _sub(presentation, "dropdownList", refId=pid, noSort="true").text = s.key
        elif s.kind is Kind.STR_LIST:
            _sub(presentation, "multiTextBox", refId=pid).text = s.key
        else:
            ET.SubElement(_sub(presentation, "textBox", refId=pid), "label").text = s.key
    return root


def _serialise(element: ET.Element) -> str:
    ET.indent(element, space="  ")
    body = ET.tostring(element, encoding="unicode")
    return f'<?xml version="1.0" encoding="utf-8"?>\n{body}\n'


def render() -> dict[Path, str]:
    """Every generated file (relative to ``OUT``) and its content."""
    files = {Path("intellekta-helper.admx"): _serialise(admx())}
    for language in LANGUAGES:
        files[Path(language) / "intellekta-helper.adml"] = _serialise(adml(language))
    return files


def stale() -> list[Path]:
    """Committed files that differ from what the settings would generate."""
    found = []
    for relative, text in render().items():
        path = OUT / relative
        if not path.exists() or path.read_text("utf-8") != text:
            found.append(path)
    return found


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--check", action="store_true", help="only report stale files")
    args = parser.parse_args(argv)
    if args.check:
        for path in stale():
            print(f"stale: {path} (run: python build_scripts/admx.py)", file=sys.stderr)
        return 1 if stale() else 0
    for relative, text in render().items():
        (OUT / relative).parent.mkdir(parents=True, exist_ok=True)
        (OUT / relative).write_text(text, "utf-8")
        print(f"wrote {OUT / relative}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
