"""The README documents every setting exactly as declared (regenerate with
``python build_scripts/update_readme.py``)."""

from __future__ import annotations

from build_scripts.update_readme import README, updated
from helper.config import SETTINGS


def test_readme_settings_table_is_current() -> None:
    text = README.read_text("utf-8")
    assert updated(text) == text, "run: python build_scripts/update_readme.py"
    for setting in SETTINGS:
        assert f"| `{setting.key}` |" in text
