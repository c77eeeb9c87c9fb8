"""How to name this program in advice, so a command we suggest works when typed."""

from __future__ import annotations

import os
import sys


def invoked_as() -> str:
    """The helper's command as this process was started: a checkout's
    ``python -m helper``, ``.venv/bin/intellekta-helper`` or just ``intellekta-helper``."""
    program = sys.argv[0] if sys.argv and sys.argv[0] else "intellekta-helper"
    if os.path.basename(program) == "__main__.py":
        return f"{os.path.basename(sys.executable) or 'python3'} -m helper"
    return program
