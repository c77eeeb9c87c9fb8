"""Running applications that may show confidential data: what runs, and asking it to close.

Public API: :func:`scan` (see ``scan.py``) and the values in ``model.py``; the catalogue
behind the scan is ``catalogue.py`` with its data file ``catalogue.toml``. psutil's
exceptions never leave this package.
"""

from helper.apps.model import CloseResult, CloseStatus, DetectedApp, ProcessRef, ScanResult
from helper.apps.scan import scan

__all__ = ["CloseResult", "CloseStatus", "DetectedApp", "ProcessRef", "ScanResult", "scan"]
