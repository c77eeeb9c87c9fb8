"""Layered configuration for administrators and users.

Public API: :func:`load` returns a :class:`Config`; ``config["section.key"]`` reads a
value; ``config.problems`` lists what is wrong (loading never raises for bad input).
The settings themselves are declared in ``settings.py``.

This is the bottom layer: it checks each value's type and shape and imports nothing
from the packages above it. They check what a value means with their own
``problems(config)``, which the command line adds (see ``helper.commands.problems``).
"""

from helper.config.loader import load
from helper.config.model import Config, Entry, Ignored, Problem, Source
from helper.config.settings import BY_KEY, SETTINGS, Kind, Setting

__all__ = [
    "BY_KEY",
    "SETTINGS",
    "Config",
    "Entry",
    "Ignored",
    "Kind",
    "Problem",
    "Setting",
    "Source",
    "load",
]
