"""The README's settings table, generated from the one declaration in ``settings.py``.

``python -m helper.config.reference`` prints it; ``tests/config/test_reference.py`` fails
when the README's copy is out of date, so the documentation cannot drift from the code.
"""

from __future__ import annotations

import json
import tomllib

from helper.config.loader import VENDOR_FILE
from helper.config.settings import SETTINGS, Kind


def _default(value: object) -> str:
    if value in ("", []):
        return "(empty)"
    return "`" + json.dumps(value).replace("|", "\\|") + "`"


def markdown_table() -> str:
    rows = [
        "| Setting | Type | Default | Environment variable | Description |",
        "| --- | --- | --- | --- | --- |",
    ]
    vendor = tomllib.loads(VENDOR_FILE.read_text("utf-8"))
    for s in SETTINGS:
        default = _default(vendor.get(s.section, {}).get(s.name, s.default))
        kind = f"one of {', '.join(s.choices)}" if s.kind is Kind.CHOICE else s.kind.value
        env = f"`{s.env_var}`" if s.is_scalar else "(file only)"
        rows.append(f"| `{s.key}` | {kind} | {default} | {env} | {s.description} |")
    return "\n".join(rows) + "\n"


if __name__ == "__main__":
    print(markdown_table(), end="")
