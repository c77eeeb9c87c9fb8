"""Where a TOML file is broken: the line number, the parser's reason and the line itself
with a caret under the column, for every message about a file an administrator wrote."""

from __future__ import annotations

import re
import tomllib
from typing import NamedTuple

_POSITION = re.compile(r"\s*\(at (?:line (\d+), column (\d+)|end of document)\)$")


class SyntaxProblem(NamedTuple):
    line: int  # 1-based
    reason: str  # the parser's words, without the position
    excerpt: str  # the line, indented, and a caret under the column


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
