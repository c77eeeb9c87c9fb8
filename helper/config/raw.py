"""What one source hands the loader, shared by ``loader`` and ``_windows_policy``.

Its own module so that the loader can import the policy reader without the reader
importing the loader back.
"""

from __future__ import annotations

from typing import Any

#: Where Windows Group Policy keeps the helper's settings, below ``HKEY_LOCAL_MACHINE``.
POLICY_KEY = r"SOFTWARE\Policies\intellekta\Helper"
#: The raw values one source offers: key -> (value, line or None, is_text).
Raw = dict[str, tuple[Any, int | None, bool]]
