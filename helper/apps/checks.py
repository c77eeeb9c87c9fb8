"""What is wrong with the apps settings, for ``config check`` and the start-up.

The configuration checks only that ``apps.extra`` is a list of tables; whether they are
valid rules is for this package to say. The catalogue is imported only when there are
extra rules, so a start without them does not load it.
"""

from __future__ import annotations

from helper.config import Config, Problem


def problems(config: Config) -> list[Problem]:
    """The first problem of ``apps.extra`` (German and English), or none."""
    if not config["apps.extra"]:
        return []
    from helper.apps.catalogue import EXTRA, extra_rules

    error = extra_rules(config).error
    if error is None:
        return []
    entry = config.entries[EXTRA]
    return [Problem(entry.source, error.message_id, EXTRA, entry.line, error.params)]
