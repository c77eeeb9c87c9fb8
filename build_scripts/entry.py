"""Entry script of the frozen programs (PyInstaller runs this instead of ``python -m helper``).

In a windowed build on Windows (and for apps started from Finder on macOS) there is no
console, so ``sys.stdout`` and ``sys.stderr`` are None. Any library that writes to them
(``print``, ``warnings``, a ``StreamHandler``, ``faulthandler``) would then fail with
AttributeError before the window appears. Pointing them at ``os.devnull`` first, before
anything from ``helper`` is imported, makes every such write a harmless no-op; the log
file still records everything.

The one addition to ``python -m helper``: the installer's custom action runs
``intellekta-helper.exe --msi-machine-config ...`` to write the machine-wide
configuration file (see ``machine_config.py``).
"""

from __future__ import annotations

import os
import sys
from typing import TextIO


def _null_stream() -> TextIO:
    return open(os.devnull, "w", encoding="utf-8")  # lives as long as the process


def fix_missing_streams() -> None:
    """Replace missing standard streams; keep real ones untouched."""
    if sys.stdout is None:
        sys.stdout = _null_stream()
    if sys.stderr is None:
        sys.stderr = _null_stream()


def main() -> int:
    fix_missing_streams()
    if sys.argv[1:2] == ["--msi-machine-config"]:  # only the MSI's custom action uses this
        from build_scripts import machine_config

        return machine_config.main(sys.argv[2:])
    from helper.cli import main as cli_main

    return cli_main()


if __name__ == "__main__":
    raise SystemExit(main())
