"""User-facing text in German and English, kept in data files.

Each language is a folder (``de/``, ``en/``) of TOML files, one per concern (``core.toml``,
``apps.toml``, ...); their tables are merged into one flat catalogue of dotted keys.

``t("config.unknown_key", "de", key=...)`` looks a message up and fills it in. A missing
message falls back to English, then to the key itself, so a forgotten translation never
crashes the program; ``tests/test_i18n.py`` keeps both catalogues complete.
"""

from __future__ import annotations

import ctypes
import locale
import os
import sys
import tomllib
from functools import cache
from importlib import resources
from typing import Any

LANGUAGES = ("de", "en")
DEFAULT_LANGUAGE = "en"


@cache
def catalogue(lang: str) -> dict[str, str]:
    """The flat ``{"section.name": text}`` catalogue of one language."""
    flat: dict[str, str] = {}

    def walk(prefix: str, node: dict[str, Any]) -> None:
        for key, value in node.items():
            if isinstance(value, dict):
                walk(f"{prefix}{key}.", value)
            else:
                flat[prefix + key] = str(value)

    folder = resources.files(__name__).joinpath(lang)
    for item in sorted(folder.iterdir(), key=lambda i: i.name):
        if item.name.endswith(".toml"):
            walk("", tomllib.loads(item.read_text("utf-8")))
    return flat


def t(key: str, lang: str, /, **params: object) -> str:
    """The message ``key`` in ``lang``, with ``{name}`` placeholders filled from params."""
    text = catalogue(lang if lang in LANGUAGES else DEFAULT_LANGUAGE).get(key)
    if text is None:
        text = catalogue(DEFAULT_LANGUAGE).get(key, key)
    try:
        return text.format(**params)
    except (KeyError, IndexError, ValueError):
        return text


def system_language() -> str:
    """``de`` when the user's system speaks German, else ``en``."""
    return "de" if _system_locale().lower().startswith("de") else "en"


def _system_locale() -> str:
    if sys.platform == "win32":
        try:
            lcid = ctypes.windll.kernel32.GetUserDefaultUILanguage()  # type: ignore[attr-defined]
            return str(locale.windows_locale.get(lcid, ""))
        except (AttributeError, OSError):
            return ""
    for var in ("LC_ALL", "LC_MESSAGES", "LANG", "LANGUAGE"):
        value = os.environ.get(var, "")
        if value and value not in ("C", "POSIX", "C.UTF-8"):
            return value
    if sys.platform == "darwin":
        return _macos_locale()
    return ""


def _macos_locale() -> str:
    # GUI apps on macOS are started without LANG; the user's preferred language is a default.
    import subprocess

    try:
        out = subprocess.run(
            ["defaults", "read", "-g", "AppleLanguages"],
            capture_output=True,
            text=True,
            timeout=2,
            check=False,
        ).stdout
    except (OSError, subprocess.SubprocessError):
        return ""
    return out.replace("(", "").replace('"', "").strip().split(",")[0].strip()


def resolve_language(setting: str) -> str:
    """The language to use for ``ui.language`` (``auto``, ``de`` or ``en``)."""
    return setting if setting in LANGUAGES else system_language()
