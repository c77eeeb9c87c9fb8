"""Fixtures of the browser tests (the console, the customer register): one Chromium per
module, and the folder the screenshots go to. ``tests/server/conftest.py`` offers them."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser

from tests.server.console.browser import chromium


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with chromium() as launched:
        yield launched


@pytest.fixture
def shots(tmp_path: Path) -> Path:
    """``INTELLEKTA_CONSOLE_SHOTS`` (to look at them), else the test's temporary folder."""
    folder = Path(os.environ.get("INTELLEKTA_CONSOLE_SHOTS") or tmp_path)
    folder.mkdir(parents=True, exist_ok=True)
    return folder
