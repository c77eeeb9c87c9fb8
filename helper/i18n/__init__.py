"""User-facing text, kept in data files: one folder per language.

Each language is a folder (``de/``, ``en/``) of TOML files, one per concern: a key's first
part names its file (``config.unknown_key`` is in ``config.toml``). A file is read the
first time one of its keys is asked for, so the window's first step reads only ``gui.toml``
and ``flow.toml``.

The folders are the helper's one list of languages (:data:`LANGUAGES`): the record's
schema, the notice file's sections, the command line's ``--lang``, the yes and no a user
may type and the Group Policy template all derive from it, so adding a language is adding
a folder (and the translations that only a person can write).

``t("config.unknown_key", "de", key=...)`` looks a message up and fills it in. A missing
message falls back to English, then to the key itself, so a forgotten translation never
crashes the program; ``tests/test_architecture.py`` keeps the catalogues complete.
"""

from __future__ import annotations

import locale
import os
import re
import sys
import tomllib
from functools import cache
from pathlib import Path
from typing import Any

FOLDER = Path(__file__).parent  # package data, also inside a PyInstaller build
#: The folders of messages, sorted; a folder is a language when it has ``gui.toml``, which
#: names the language in itself. One look into a small folder at import (some 50 µs).
LANGUAGES = tuple(sorted(path.parent.name for path in FOLDER.glob("*/gui.toml")))
#: English: the fallback for a missing message, and the language the code's own texts
#: (the settings' descriptions) are written in.
DEFAULT_LANGUAGE = "en"


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
    """Every message of one language (for checks that every language is complete)."""
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


def in_every_language(key: str) -> frozenset[str]:
    """The message ``key`` in every language, lower case: what a person may type to say
    it (``answers.yes``: ja, yes), whatever language the screen is in."""
    return frozenset(t(key, lang).lower() for lang in LANGUAGES)


def system_language() -> str:
    """The system's language (``de`` for ``de_DE.UTF-8``) when the helper speaks it, else
    English."""
    code = re.split(r"[^a-z]", _system_locale().lower(), maxsplit=1)[0]
    return code if code in LANGUAGES else DEFAULT_LANGUAGE


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
    """The language to use for ``ui.language`` (``auto`` or one of :data:`LANGUAGES`)."""
    return setting if setting in LANGUAGES else system_language()
