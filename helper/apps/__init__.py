"""Running applications that may show confidential data: what runs, and asking it to close.

Public API: :func:`scan` (see ``detect.py``), the values in ``model.py`` and
:func:`problems`, what is wrong with the apps settings (``checks.py``); the catalogue
behind the scan is ``catalogue.py`` with its data file ``catalogue.toml``. psutil's
exceptions never leave this package. ``scan`` and ``problems`` are imported on first use
(psutil, the catalogue), so the values can be imported cheaply.
"""

from typing import TYPE_CHECKING

from helper.apps.model import (
    CloseResult as CloseResult,
    CloseStatus as CloseStatus,
    DetectedApp as DetectedApp,
    ProcessRef as ProcessRef,
    ScanResult as ScanResult,
)
from helper.lazy import lazy_exports

if TYPE_CHECKING:
    from helper.apps.checks import problems as problems
    from helper.apps.detect import scan as scan

#: The names imported on first use, and the submodule that defines each.
_EXPORTS = {"problems": "checks", "scan": "detect"}
__all__ = ["CloseResult", "CloseStatus", "DetectedApp", "ProcessRef", "ScanResult", *_EXPORTS]
__getattr__ = lazy_exports(__name__, _EXPORTS)
