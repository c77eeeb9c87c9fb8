"""What is wrong with the consent settings, for ``config check`` and the start-up.

The configuration checks only that ``notice.file`` names an existing file; whether it is
a usable notice is for this package to say. The notice module (and hashlib) is imported
only when a file is set, so a start with the built-in text does not load it.
"""

from __future__ import annotations

from helper.config import Config, Problem

NOTICE_FILE = "notice.file"


def problems(config: Config) -> list[Problem]:
    """Why the administrator's notice file cannot be used (German and English), or none."""
    path = config[NOTICE_FILE]
    if not path:
        return []
    from helper.consent.notice import NoticeFileError, check_notice_file

    try:
        check_notice_file(path)
    except NoticeFileError as exc:
        entry = config.entries[NOTICE_FILE]
        return [Problem(entry.source, exc.message_id, NOTICE_FILE, entry.line, exc.params)]
    return []
