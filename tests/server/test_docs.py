"""The intake server's documentation stays true to the code: the settings table in
docs/intake-server.md is ``conf.render_reference()``, every command is described in the
README's intake-server section and in the guide, and so is every refusal reason."""

from __future__ import annotations

import re

import pytest

from intake_server import conf
from intake_server.api.problems import REASONS
from intake_server.cli import COMMANDS
from tests.conftest import REPO

GUIDE = REPO / "docs" / "intake-server.md"
README = REPO / "README.md"
BEGIN, END = "<!-- settings:begin -->", "<!-- settings:end -->"
SECTION = "## The intake server (intellekta's side)"


def guide() -> str:
    return GUIDE.read_text("utf-8")


def readme_section() -> str:
    text = README.read_text("utf-8")
    assert SECTION in text, f"README.md has no section {SECTION!r}"
    after = text.split(SECTION, 1)[1]
    return after.split("\n## ", 1)[0]


def test_the_settings_table_is_the_generated_one() -> None:
    text = guide()
    assert text.count(BEGIN) == 1 and text.count(END) == 1, "one pair of settings markers"
    table = text.split(BEGIN, 1)[1].split(END, 1)[0]
    assert table.strip() == conf.render_reference(), (
        "paste the output of: python -c "
        '"from intake_server import conf; print(conf.render_reference())"'
    )


@pytest.mark.parametrize("command", sorted(COMMANDS))
def test_every_command_is_documented(command: str) -> None:
    shown = re.compile(rf"intellekta-intake (--config \S+ )?{re.escape(command)}\b")
    assert shown.search(readme_section()), f"README's intake-server section lacks {command}"
    assert shown.search(guide()), f"docs/intake-server.md lacks {command}"


@pytest.mark.parametrize("reason", sorted(REASONS))
def test_every_refusal_reason_is_in_the_guide(reason: str) -> None:
    status, title = REASONS[reason]
    assert f"| `{reason}` | {status} | {title} |" in guide()
