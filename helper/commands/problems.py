"""Every configuration problem in one list: the configuration's own and its users'.

``helper.config`` checks each value's type and shape; what ``apps.extra`` and
``notice.file`` mean is checked by ``helper.apps`` and ``helper.consent``, which sit above
it. :func:`add_owned_problems` joins them once, right after loading (``cli.prepare``), so
``config check``, the refusal of other commands and the window all see the same list.
"""

from __future__ import annotations

from helper.config import Config


def add_owned_problems(config: Config) -> None:
    """Add to ``config`` the problems of the packages that own some of its settings."""
    from helper.apps.checks import problems as apps_problems
    from helper.consent.checks import problems as consent_problems

    config.add_problems([*apps_problems(config), *consent_problems(config)])
