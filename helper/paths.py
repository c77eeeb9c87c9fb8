"""Where the helper's files live on each platform, through platformdirs only.

Windows uses ``intellekta\\helper`` below ProgramData / AppData (the layout administrators
expect from a vendor); macOS and Linux use ``intellekta-helper``. Every lookup goes
through :func:`_dirs`, so the whole mapping is in one place.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import platformdirs


def _dirs(multipath: bool = False) -> platformdirs.PlatformDirsABC:
    if sys.platform == "win32":
        return platformdirs.PlatformDirs("helper", "intellekta", multipath=multipath)
    return platformdirs.PlatformDirs("intellekta-helper", False, multipath=multipath)


def machine_config_dirs() -> list[Path]:
    """Machine-wide config folders, most important first (``XDG_CONFIG_DIRS`` on Linux)."""
    return [Path(p) for p in _dirs(multipath=True).site_config_dir.split(os.pathsep) if p]


def user_config_dir() -> Path:
    return Path(_dirs().user_config_dir)


def user_log_dir() -> Path:
    return Path(_dirs().user_log_dir)


def user_data_dir() -> Path:
    return Path(_dirs().user_data_dir)


CONFIG_FILE_NAME = "config.toml"
LOG_FILE_NAME = "intellekta-helper.log"
