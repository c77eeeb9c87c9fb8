"""Running applications that may show confidential data: what runs, and asking it to close.

Public API: :func:`scan` (see ``detect.py``), the values in ``model.py`` and
:func:`problems`, what is wrong with the apps settings (``checks.py``); the catalogue
behind the scan is ``catalogue.py`` with its data file ``catalogue.toml``. psutil's
exceptions never leave this package. ``scan`` and ``problems`` are imported on first use
(psutil, the catalogue), so the values can be imported cheaply.
"""

from typing import TYPE_CHECKING

from helper.apps.model import CloseResult, CloseStatus, DetectedApp, ProcessRef, ScanResult
from helper.lazy import lazy_exports

if TYPE_CHECKING:
    from helper.apps.checks import problems
    from helper.apps.detect import scan

__all__ = [
    "CloseResult",
    "CloseStatus",
    "DetectedApp",
    "ProcessRef",
    "ScanResult",
    "problems",
    "scan",
]
__getattr__ = lazy_exports(__name__, {"problems": "checks", "scan": "detect"})
