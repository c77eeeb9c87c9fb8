"""Acceptance on Linux: the one-file program runs without the project's virtualenv.

Built once per session by PyInstaller (about half a minute on two cores), then run in
a clean environment from a temporary folder: ``--version``, ``scan --json``,
``config check``, and the window up to its first step under Xvfb.
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

# PyInstaller comes with the build extra (pip install -e .[build]); without it there is
# nothing to build, so these tests are skipped rather than failing to import.
pytest.importorskip("PyInstaller", reason="needs the build extra: pip install -e .[build]")
# python-xlib (a Linux-only dependency) finds the window on Xvfb. On Windows and macOS the
# workflow's Build and Smoke test steps run the real programs instead.
pytest.importorskip("Xlib", reason="the Linux acceptance of the build: needs python-xlib, Xvfb")

from PyInstaller.archive.readers import CArchiveReader  # type: ignore[import-untyped]
from Xlib import display

from benchmarks.gui_startup_bench import wait_for_window
from helper import __version__
from tests.build.conftest import Frozen, clean_env, run_frozen
from tests.conftest import Home

pytestmark = pytest.mark.slow

MAX_ONEFILE_BYTES = 20 * 1024 * 1024


def test_version(frozen: Frozen, home: Home, tmp_path: Path) -> None:
    result = run_frozen(frozen.onefile, "--version", home=home, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == f"intellekta-helper {__version__}"


def test_scan_json(frozen: Frozen, home: Home, tmp_path: Path) -> None:
    result = run_frozen(frozen.onefile, "scan", "--json", home=home, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert isinstance(report["applications"], list)
    assert isinstance(report["remote_support_running"], bool)


def test_config_check_valid_and_invalid(frozen: Frozen, home: Home, tmp_path: Path) -> None:
    result = run_frozen(frozen.onefile, "config", "check", home=home, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    machine = home.write_machine('[intake]\nurl = "http://example.com/"\n')
    result = run_frozen(frozen.onefile, "config", "check", home=home, cwd=tmp_path)
    assert result.returncode == 2
    assert str(machine) in result.stdout + result.stderr
    assert "Traceback" not in result.stdout + result.stderr


def test_window_reaches_first_step(frozen: Frozen, home: Home, tmp_path: Path) -> None:
    """The bundled Tcl/Tk, fonts and catalogues suffice to draw the first step."""
    x = display.Display()
    process = subprocess.Popen(
        [str(frozen.onefile)],
        env=clean_env(home),
        cwd=tmp_path,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert wait_for_window(x, "Vorbereitung der Fernwartung", timeout=60)
    finally:
        process.terminate()  # the test's own child
        _, stderr = process.communicate(timeout=30)
        x.close()
    assert "Traceback" not in stderr
    # Tk started beside the start-up work, from the library inside the bundle.
    log = (home.logs / "intellekta-helper.log").read_text("utf-8")
    assert "beside the start-up work" in log


def test_bundle_holds_data_and_no_test_tools(frozen: Frozen) -> None:
    archive = CArchiveReader(str(frozen.onefile))
    files = set(archive.toc)
    for data in (
        "helper/config/vendor.toml",
        "helper/consent/schema.json",
        "helper/i18n/de/gui.toml",
        "helper/i18n/en/gui.toml",
        "helper/apps/catalogue.toml",
        "helper/ui/tk/icon.png",
    ):
        assert data in files
    modules = set(archive.open_embedded_archive("PYZ.pyz").toc)
    assert {"helper.cli", "helper.commands.scan", "build_scripts.machine_config"} <= modules
    # imported inside functions only (helper/flow), which static analysis must still find
    assert {"helper.apps.detect", "helper.consent.record", "helper.consent.notice"} <= modules
    excluded = {"pytest", "_pytest", "hypothesis", "jsonschema", "unittest", "pydoc"}
    # intellekta's intake server and its stack never travel with the customer's program
    excluded |= {"intake_server", "django", "psycopg", "hypercorn", "fpdf", "prometheus_client"}
    assert not {m.split(".")[0] for m in modules} & excluded
    assert not any(name.startswith("intake_server") for name in files)


def test_onefile_size(frozen: Frozen) -> None:
    assert frozen.onefile.stat().st_size <= MAX_ONEFILE_BYTES
