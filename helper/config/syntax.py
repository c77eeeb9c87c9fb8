"""Reading a TOML file an administrator wrote, and pointing into it: where a key is, and
where the file is broken (the line, the parser's reason and the line itself with a caret
under the column). ``tomllib`` gives neither position, so both are found here, for the
helper's configuration files and the intake server's alike."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path
from typing import Any, NamedTuple

_POSITION = re.compile(r"\s*\(at (?:line (\d+), column (\d+)|end of document)\)$")


class SyntaxProblem(NamedTuple):
    line: int  # 1-based
    reason: str  # the parser's words, without the position
    excerpt: str  # the line, indented, and a caret under the column


class FileProblem(Exception):
    """Why a file cannot be used: a message id of the ``config`` catalogue (``unreadable``,
    ``not_utf8``, ``syntax``), its parameters and, for a syntax error, the line."""

    def __init__(self, message_id: str, params: dict[str, str], line: int | None = None):
        super().__init__(message_id)
        self.message_id = message_id
        self.params = params
        self.line = line


def read_document(path: Path) -> tuple[str, dict[str, Any]]:
    """The file's text and TOML document. Raises :class:`FileProblem`."""
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except OSError as exc:
        raise FileProblem("config.unreadable", {"reason": exc.strerror or str(exc)}) from None
    except UnicodeDecodeError:
        raise FileProblem("config.not_utf8", {}) from None
    try:
        return text, tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        where = locate(text, exc)
        params = {"detail": where.reason, "excerpt": where.excerpt}
        raise FileProblem("config.syntax", params, where.line) from None


def line_of(text: str, section: str | None, name: str) -> int | None:
    """Best-effort line of ``name = ...`` (in ``[section]``; before any section when
    None), for messages about a value."""
    in_section = section is None
    for number, line in enumerate(text.splitlines(), start=1):
        stripped = line.strip()
        if stripped.startswith("["):
            header = stripped.strip("[] \t").split("#")[0].strip().strip("[]")
            in_section = section is not None and header.strip('"') == section
            continue
        if in_section and re.match(rf"[\"']?{re.escape(name)}[\"']?\s*=", stripped):
            return number
    return None


def locate(text: str, exc: tomllib.TOMLDecodeError) -> SyntaxProblem:
    """Read the position out of the message (Python 3.11's TOMLDecodeError has no
    attributes for it); "end of document" points just after the last character."""
    message = str(exc)
    match = _POSITION.search(message)
    lines = text.splitlines() or [""]
    if match and match.group(1):
        line, column = int(match.group(1)), int(match.group(2))
    else:
        line, column = len(lines), len(lines[-1]) + 1
    shown = lines[line - 1] if 0 < line <= len(lines) else ""
    # Keep tabs under tabs, so the caret lines up however the terminal expands them.
    pad = "".join("\t" if c == "\t" else " " for c in shown[: column - 1])
    reason = _POSITION.sub("", message) if match else message
    return SyntaxProblem(line, reason, f"    {shown}\n    {pad}^")
