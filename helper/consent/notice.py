"""The notice the customer confirms, and its identity: id, version, language, SHA-256.

GDPR Art. 7(1) asks us to show what a person agreed to, so every confirmation names the
exact text shown. The hash covers the text after the links are filled in and the line
endings are normalised to LF (and outer blank lines removed), so the same text hashes
the same on Windows and Linux.

The built-in text is ``notices/default.toml``. An administrator replaces it with
``notice.file``, a UTF-8 TOML file in the same format::

    id = "acme-remote-support"        # names the text in every confirmation
    version = "2026-11"               # change it whenever the wording changes

    [de]
    text = '''
    # Überschrift
    Ein Absatz ...
    '''

    [en]
    file = "notice.en.txt"            # or: the text in its own UTF-8 file, relative path

A section is named after a language of the helper (a folder of ``helper/i18n``), and
those names are the only sections a file may have. At least one is needed, each with
exactly one of ``text`` or ``file``; a customer whose language is missing sees the file's
first language in alphabetical order (never the built-in text). In the text, a line
starting with ``# `` is a heading, paragraphs are separated by a blank line, and
``{dpa_url}`` and ``{terms_url}`` are replaced by the settings ``notice.dpa_url`` and
``notice.terms_url``. Problems are reported as :class:`NoticeFileError`; ``config check``
reports them too, through ``checks.py``.
"""

from __future__ import annotations

import hashlib
import logging
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from helper.config.syntax import locate
from helper.i18n import LANGUAGES, resolve_language, t

if TYPE_CHECKING:
    from helper.config import Config

log = logging.getLogger(__name__)

MAX_LABEL_CHARS = 100
_TOP_KEYS = ("id", "version", *LANGUAGES)
_LANGUAGE_KEYS = ("text", "file")
_LINKS = {"{dpa_url}": "notice.dpa_url", "{terms_url}": "notice.terms_url"}
#: The settings whose values replace the placeholders in a notice text.
LINK_SETTINGS = tuple(_LINKS.values())


def normalise_text(text: str) -> str:
    """LF line endings and no blank lines or spaces around the text: what is shown."""
    return text.replace("\r\n", "\n").replace("\r", "\n").strip()


def is_label(value: object) -> bool:
    """Whether ``value`` can be a notice id or version: short printable text."""
    return isinstance(value, str) and 0 < len(value) <= MAX_LABEL_CHARS and value.isprintable()


@dataclass(frozen=True)
class Notice:
    """One notice text as shown to the customer; ``text`` is normalised on creation."""

    id: str
    version: str
    language: str
    text: str

    def __post_init__(self) -> None:
        object.__setattr__(self, "text", normalise_text(self.text))
        if not (is_label(self.id) and is_label(self.version)):
            raise ValueError("a notice id and version are 1 to 100 printable characters")
        if self.language not in LANGUAGES or not self.text:
            raise ValueError(f"a notice has a language ({', '.join(LANGUAGES)}) and a text")

    @property
    def sha256(self) -> str:
        """Hex SHA-256 of the UTF-8 text: what the consent record says was confirmed."""
        return hashlib.sha256(self.text.encode("utf-8")).hexdigest()


class NoticeFileError(Exception):
    """The administrator's notice file cannot be used; ``text(lang)`` says why and how
    to fix it, ``str()`` in English for the log.

    It carries a message id of ``consent.toml`` and its parameters, so that
    ``config check`` reports it in the user's language (see ``checks.py``).
    """

    def __init__(self, message_id: str, **params: str) -> None:
        super().__init__(message_id)
        self.message_id = message_id
        self.params = params

    def text(self, lang: str) -> str:
        return t(self.message_id, lang, **self.params)

    def __str__(self) -> str:
        return self.text("en")


@dataclass(frozen=True)
class _NoticeFile:
    """A parsed notice file: id, version and the raw text of each language it has."""

    id: str
    version: str
    texts: dict[str, str]


def load_notice(config: Config, lang: str) -> Notice:
    """The notice to show in ``lang`` (a language or ``auto``), links filled in.

    Reads ``notice.file`` on every call (it is small), so a corrected file is picked up.
    Raises :class:`NoticeFileError` when that file cannot be used; the built-in text is
    never shown instead, because the administrator chose a different text on purpose.
    """
    path = str(config["notice.file"])
    source = _source(path)
    wanted = resolve_language(lang)
    language = wanted if wanted in source.texts else next(iter(source.texts))
    if language != wanted:
        log.info("Notice file %s has no %s text; showing %s", path, wanted, language)
    links = {key: str(config[key]) for key in LINK_SETTINGS}
    notice = _fill(source, language, links)
    log.info(
        "Notice %s version %s (%s), sha256 %s, from %s",
        notice.id,
        notice.version,
        language,
        notice.sha256,
        path or "built-in text",
    )
    return notice


def notices_in(path: str, links: Mapping[str, str]) -> list[Notice]:
    """Every language of the notice file at ``path`` ("" for the built-in text), with
    the links of ``links`` (keys of :data:`LINK_SETTINGS`) filled in.

    For the intake server, which must know each text a helper may show and its hash.
    Raises :class:`NoticeFileError` like :func:`load_notice`.
    """
    source = _source(path)
    return [_fill(source, language, links) for language in source.texts]


def _source(path: str) -> _NoticeFile:
    return _read_file(Path(path)) if path else _builtin()


def _fill(source: _NoticeFile, language: str, links: Mapping[str, str]) -> Notice:
    """The text as shown: each link placeholder replaced by its URL (or a note)."""
    text = source.texts[language]
    for placeholder, key in _LINKS.items():
        url = links.get(key, "") or t("consent.notice.link_missing", language)
        text = text.replace(placeholder, url)
    return Notice(source.id, source.version, language, text)


def check_notice_file(path: str) -> None:
    """For ``config check`` (see ``checks.py``): raises :class:`NoticeFileError` unless
    ``path`` (when set) is a usable notice file."""
    if path:
        _read_file(Path(path))


@cache
def _builtin() -> _NoticeFile:
    return _read_file(Path(__file__).parent / "notices" / "default.toml")


def _read_file(path: Path) -> _NoticeFile:
    return _parse(_read_text(path), str(path), path.parent)


def _read_text(path: Path) -> str:
    try:
        return path.read_bytes().decode("utf-8-sig")
    except OSError as exc:
        raise NoticeFileError(
            "consent.notice_file.unreadable",
            path=str(path),
            reason=exc.strerror or type(exc).__name__,
        ) from None
    except UnicodeDecodeError:
        raise NoticeFileError("consent.notice_file.not_utf8", path=str(path)) from None


def _parse(content: str, name: str, base_dir: Path) -> _NoticeFile:
    try:
        doc = tomllib.loads(content)
    except tomllib.TOMLDecodeError as exc:
        where = locate(content, exc)
        raise NoticeFileError(
            "consent.notice_file.syntax",
            path=name,
            line=str(where.line),
            detail=where.reason,
            excerpt=where.excerpt,
        ) from None
    _reject_unknown(doc, _TOP_KEYS, name, "")
    ident, version = _label(doc, "id", name), _label(doc, "version", name)
    texts = {
        lang: _language_text(doc[lang], lang, name, base_dir) for lang in LANGUAGES if lang in doc
    }
    if not texts:
        sections = ", ".join(f"[{lang}]" for lang in LANGUAGES)
        raise NoticeFileError("consent.notice_file.no_language", path=name, sections=sections)
    return _NoticeFile(ident, version, texts)


def _reject_unknown(
    table: dict[str, Any], allowed: tuple[str, ...], name: str, prefix: str
) -> None:
    for key in table:
        if key not in allowed:
            raise NoticeFileError(
                "consent.notice_file.unknown_key",
                path=name,
                entry=prefix + key,
                allowed=", ".join(prefix + a for a in allowed),
            )


def _label(doc: dict[str, Any], key: str, name: str) -> str:
    value = doc.get(key)
    text = value.strip() if isinstance(value, str) else ""
    if not is_label(text):
        raise NoticeFileError(
            "consent.notice_file.bad_label", path=name, entry=key, maximum=str(MAX_LABEL_CHARS)
        )
    return text


def _language_text(table: Any, lang: str, name: str, base_dir: Path) -> str:
    if not isinstance(table, dict) or len(table) != 1:
        raise NoticeFileError("consent.notice_file.text_or_file", path=name, lang=lang)
    _reject_unknown(table, _LANGUAGE_KEYS, name, f"{lang}.")
    ((key, value),) = table.items()
    if not isinstance(value, str):
        raise NoticeFileError("consent.notice_file.text_or_file", path=name, lang=lang)
    if key == "file":
        value = _read_text(base_dir / value)
    if not normalise_text(value):
        raise NoticeFileError("consent.notice_file.empty_text", path=name, lang=lang)
    return value
