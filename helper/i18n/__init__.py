"""User-facing text in German and English, kept in data files.

Each language is a folder (``de/``, ``en/``) of TOML files, one per concern: a key's first
part names its file (``config.unknown_key`` is in ``config.toml``). A file is read the
first time one of its keys is asked for, so the window's first step reads only ``gui.toml``
and ``flow.toml``.

``t("config.unknown_key", "de", key=...)`` looks a message up and fills it in. A missing
message falls back to English, then to the key itself, so a forgotten translation never
crashes the program; ``tests/test_architecture.py`` keeps both catalogues complete.
"""

from __future__ import annotations

import locale
import os
import sys
import tomllib
from functools import cache
from pathlib import Path
from typing import Any

LANGUAGES = ("de", "en")
DEFAULT_LANGUAGE = "en"
FOLDER = Path(__file__).parent  # package data, also inside a PyInstaller build


@cache
def texts(lang: str, concern: str) -> dict[str, str]:
    """The flat ``{"concern.name": text}`` messages of one file; empty if there is none."""
    flat: dict[str, str] = {}

    def walk(prefix: str, node: dict[str, Any]) -> None:
        for key, value in node.items():
            if isinstance(value, dict):
                walk(f"{prefix}{key}.", value)
            else:
                flat[prefix + key] = str(value)

    if lang in LANGUAGES and concern.isidentifier():
        path = FOLDER / lang / f"{concern}.toml"
        if path.is_file():
            walk("", tomllib.loads(path.read_text("utf-8")))
    return flat


def catalogue(lang: str) -> dict[str, str]:
    """Every message of one language (for checks that both languages are complete)."""
    flat: dict[str, str] = {}
    for path in sorted((FOLDER / lang).glob("*.toml")):
        flat.update(texts(lang, path.stem))
    return flat


def t(key: str, lang: str, /, **params: object) -> str:
    """The message ``key`` in ``lang``, with ``{name}`` placeholders filled from params."""
    concern = key.partition(".")[0]
    text = texts(lang if lang in LANGUAGES else DEFAULT_LANGUAGE, concern).get(key)
    if text is None:
        text = texts(DEFAULT_LANGUAGE, concern).get(key, key)
    try:
        return text.format(**params)
    except (KeyError, IndexError, ValueError):
        return text


def system_language() -> str:
    """``de`` when the user's system speaks German, else ``en``."""
    return "de" if _system_locale().lower().startswith("de") else "en"


def _system_locale() -> str:
    if sys.platform == "win32":
        import ctypes

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


@cache
def _macos_locale() -> str:
    """Read once per process: it runs a subprocess, and the preference rarely changes."""
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
