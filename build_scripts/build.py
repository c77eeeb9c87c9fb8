"""Build intellekta-helper with PyInstaller, on Windows, macOS and Linux alike.

    python build_scripts/build.py [--onefile] [--onedir] [--debug] [--all] [--msi] [--clean]

Without a target option it builds all three (see ``intellekta-helper.spec``):
``dist/intellekta-helper/`` (windowed one-folder, for the installer; ``.app`` on macOS),
``dist/intellekta-helper-portable[.exe]`` (windowed one-file download) and
``dist/intellekta-helper-debug[.exe]`` (console one-file, for support cases).
``--msi`` then packs the one-folder build into ``dist/intellekta-helper-X.Y.Z.msi``
(WiX 3 on Windows, wixl elsewhere). Windows programs and the MSI are signed when a
certificate is configured (``sign.py``), otherwise the build warns that it is unsigned.

PYTHONHASHSEED and SOURCE_DATE_EPOCH are fixed so that the same sources give the same
files; SOURCE_DATE_EPOCH is the last commit's time unless already set.
"""

from __future__ import annotations

import argparse
import logging
import os
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path

if __package__ in (None, ""):  # run as a script: make ``build_scripts`` importable
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from build_scripts import msi, sign
from helper import __version__

log = logging.getLogger(__name__)

ROOT = Path(__file__).resolve().parents[1]
SPEC = Path(__file__).with_name("intellekta-helper.spec")
TARGETS = ("onedir", "onefile", "debug")
#: 1980-01-01, the earliest time a ZIP archive can hold, when git cannot tell.
FALLBACK_EPOCH = "315532800"
ONEFILE_NAME, DEBUG_NAME, APP_NAME = (
    "intellekta-helper-portable",
    "intellekta-helper-debug",
    "intellekta-helper",
)


def _exe(name: str) -> str:
    return name + (".exe" if sys.platform == "win32" else "")


def output_path(target: str, dist: Path) -> Path:
    """Where PyInstaller puts ``target``."""
    if target == "onedir":
        return dist / (f"{APP_NAME}.app" if sys.platform == "darwin" else APP_NAME)
    return dist / _exe(ONEFILE_NAME if target == "onefile" else DEBUG_NAME)


def source_date_epoch() -> str:
    """SOURCE_DATE_EPOCH if set, else the last commit's time (read-only git), else 1980."""
    if os.environ.get("SOURCE_DATE_EPOCH"):
        return os.environ["SOURCE_DATE_EPOCH"]
    try:
        result = subprocess.run(
            ["git", "-C", str(ROOT), "log", "-1", "--format=%ct"],
            capture_output=True,
            text=True,
            check=True,
        )
        return result.stdout.strip() or FALLBACK_EPOCH
    except (OSError, subprocess.CalledProcessError):
        return FALLBACK_EPOCH


def build_environment() -> dict[str, str]:
    return {**os.environ, "PYTHONHASHSEED": "0", "SOURCE_DATE_EPOCH": source_date_epoch()}


def icon() -> Path | None:
    """The program icon: the committed .ico on Windows; on macOS PyInstaller converts the
    PNG when Pillow is installed; Linux executables carry no icon."""
    if sys.platform == "win32":
        return msi.ICON
    if sys.platform == "darwin":
        try:
            import PIL  # noqa: F401 - only to know whether PyInstaller can convert

            return ROOT / "helper" / "ui" / "tk" / "icon.png"
        except ImportError:
            log.warning("Pillow is not installed: the macOS app gets no icon")
    return None


def run_pyinstaller(targets: Sequence[str], dist: Path, work: Path, clean: bool) -> None:
    command = [
        sys.executable,
        "-m",
        "PyInstaller",
        "--noconfirm",
        "--log-level",
        "WARN",
        "--distpath",
        str(dist),
        "--workpath",
        str(work),
    ]
    if clean:
        command.append("--clean")
    command += [str(SPEC), "--", "--targets", ",".join(targets)]
    path = icon()
    if path is not None:
        command += ["--icon", str(path)]
    log.info("running %s", " ".join(command))
    subprocess.run(command, env=build_environment(), cwd=ROOT, check=True)


def windows_files(outputs: dict[str, Path]) -> list[Path]:
    """The programs that Authenticode signing applies to (Windows builds only)."""
    if sys.platform != "win32":
        return []
    files = [outputs[t] for t in ("onefile", "debug") if t in outputs]
    if "onedir" in outputs:
        files.append(outputs["onedir"] / _exe(APP_NAME))
    return files


def build(
    targets: Sequence[str] = TARGETS,
    dist: Path = ROOT / "dist",
    work: Path = ROOT / "build" / "pyinstaller",
    make_msi: bool = False,
    clean: bool = False,
) -> dict[str, Path]:
    """Build ``targets`` (and the MSI); returns target name -> output path."""
    if make_msi and "onedir" not in targets:
        targets = [*targets, "onedir"]
    run_pyinstaller(targets, dist, work, clean)
    outputs = {t: output_path(t, dist) for t in targets}
    missing = [str(p) for p in outputs.values() if not p.exists()]
    if missing:
        raise SystemExit(f"PyInstaller did not produce {', '.join(missing)}")
    signed = windows_files(outputs)
    if signed:
        sign.sign_or_warn(signed)
    if make_msi:
        package = dist / f"intellekta-helper-{__version__}.msi"
        main_exe = _exe(APP_NAME)
        outputs["msi"] = msi.build_msi(
            outputs["onedir"], package, __version__, work / "msi", main_exe
        )
        sign.sign_or_warn([package])
    return outputs


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Build intellekta-helper with PyInstaller.")
    for target in TARGETS:
        parser.add_argument(f"--{target}", action="append_const", dest="targets", const=target)
    parser.add_argument("--all", action="store_true", help="every target (the default)")
    parser.add_argument("--msi", action="store_true", help="also build the MSI")
    parser.add_argument("--clean", action="store_true", help="discard PyInstaller's cache")
    parser.add_argument("--dist", type=Path, default=ROOT / "dist")
    parser.add_argument("--work", type=Path, default=ROOT / "build" / "pyinstaller")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(message)s")
    targets = list(TARGETS) if args.all or not args.targets else args.targets
    try:
        outputs = build(targets, args.dist, args.work, args.msi, args.clean)
    except (msi.MsiError, sign.SignError, subprocess.CalledProcessError) as exc:
        print(f"build failed: {exc}", file=sys.stderr)
        return 1
    for target, path in outputs.items():
        size = path.stat().st_size if path.is_file() else 0
        print(f"{target:8} {path}" + (f"  ({size / 1e6:.1f} MB)" if size else ""))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
