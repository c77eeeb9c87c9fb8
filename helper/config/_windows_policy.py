"""Windows Group Policy values under ``HKLM\\SOFTWARE\\Policies\\intellekta\\Helper``.

One subkey per section, one value per setting (``REG_SZ``, ``REG_EXPAND_SZ``,
``REG_DWORD``; ``REG_MULTI_SZ`` for lists). Every value is handed on as text and
converted like an environment variable, so the registry needs no rules of its own.
Policy wins over every other layer and locks the key (see ``loader``).
"""

from __future__ import annotations

import itertools
import logging
from typing import Any

from helper.config.raw import POLICY_KEY, Raw
from helper.config.settings import BY_KEY

log = logging.getLogger(__name__)


def _enum(function: Any, handle: Any) -> list[Any]:
    items = []
    for index in itertools.count():
        try:
            items.append(function(handle, index))
        except OSError:  # ERROR_NO_MORE_ITEMS ends every enumeration
            return items
    return items


def read_policy(winreg: Any = None) -> tuple[Raw, list[str]]:
    """The policy values and the names of unknown ones. Missing key: no policy.

    ``winreg`` is the standard module; tests pass ``FakeWinreg`` with the same few names.
    """
    if winreg is None:
        import winreg
    raw: Raw = {}
    unknown: list[str] = []
    access = winreg.KEY_READ | winreg.KEY_WOW64_64KEY
    try:
        root = winreg.OpenKey(winreg.HKEY_LOCAL_MACHINE, POLICY_KEY, 0, access)
    except OSError:
        return raw, unknown
    with root:
        for section in _enum(winreg.EnumKey, root):
            try:
                handle = winreg.OpenKey(root, section, 0, access)
            except OSError as exc:
                log.warning("Cannot read policy section %s: %s", section, exc)
                continue
            with handle:
                for name, data, kind in _enum(winreg.EnumValue, handle):
                    key = f"{section}.{name}".lower()
                    if key not in BY_KEY or not BY_KEY[key].is_scalar:
                        unknown.append(key)
                    elif kind == winreg.REG_MULTI_SZ:
                        raw[key] = ("\n".join(data), None, True)
                    elif kind in (winreg.REG_SZ, winreg.REG_EXPAND_SZ, winreg.REG_DWORD):
                        raw[key] = (str(data), None, True)
                    else:
                        unknown.append(key)
    return raw, unknown
