"""Package attributes imported on first use, so that importing a package stays cheap.

The window draws its first step before psutil, hashlib or the catalogue are needed; a
package that re-exports them eagerly would load them all up front. ``exports`` maps each
public name to the submodule that defines it; a package keeps its ``TYPE_CHECKING``
imports so that type checkers still see every name (PEP 562).
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping
from typing import Any


def lazy_exports(package: str, exports: Mapping[str, str]) -> Callable[[str], Any]:
    """A module ``__getattr__`` that imports ``package.<submodule>`` for each name."""

    def __getattr__(name: str) -> Any:
        submodule = exports.get(name)
        if submodule is None:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        return getattr(importlib.import_module(f"{package}.{submodule}"), name)

    return __getattr__
