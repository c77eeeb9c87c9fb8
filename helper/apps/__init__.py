"""Running applications that may show confidential data: what runs, and asking it to close.

Public API: :func:`scan` (see ``detect.py``) and the values in ``model.py``; the catalogue
behind the scan is ``catalogue.py`` with its data file ``catalogue.toml``. psutil's
exceptions never leave this package. ``scan`` is imported on first use (it loads psutil),
so the values can be imported cheaply.
"""

from typing import TYPE_CHECKING

from helper.apps.model import CloseResult, CloseStatus, DetectedApp, ProcessRef, ScanResult
from helper.lazy import lazy_exports

if TYPE_CHECKING:
    from helper.apps.detect import scan

__all__ = ["CloseResult", "CloseStatus", "DetectedApp", "ProcessRef", "ScanResult", "scan"]
__getattr__ = lazy_exports(__name__, {"scan": "detect"})
