"""Regenerate the settings table in README.md from helper/config/settings.py."""

from __future__ import annotations

import re
from pathlib import Path

from helper.config.reference import markdown_table

README = Path(__file__).resolve().parents[1] / "README.md"
START, END = "<!-- settings:start -->", "<!-- settings:end -->"


def updated(text: str) -> str:
    pattern = re.compile(re.escape(START) + ".*?" + re.escape(END), re.S)
    return pattern.sub(lambda _: f"{START}\n{markdown_table()}{END}", text)


if __name__ == "__main__":
    README.write_text(updated(README.read_text("utf-8")), "utf-8")
