"""Build the MSI from the one-folder build: WiX 3 on Windows, wixl (msitools) elsewhere.

``windows/intellekta-helper.wxs`` is the installer; this module adds what depends on the
build: a fragment listing every file of the one-folder build (one component per file,
with GUIDs derived from the file's path, so they stay stable across versions as
Windows Installer's component rules require), and the version.
"""

from __future__ import annotations

import hashlib
import logging
import os
import shutil
import subprocess
import sys
import uuid
import xml.etree.ElementTree as ET
from pathlib import Path

log = logging.getLogger(__name__)

WINDOWS = Path(__file__).resolve().parent / "windows"
WXS = WINDOWS / "intellekta-helper.wxs"
ICON = WINDOWS / "intellekta-helper.ico"
MAIN_EXE = "intellekta-helper.exe"
WIX_NS = "http://schemas.microsoft.com/wix/2006/wi"
#: Namespace for the component GUIDs: same relative path, same GUID, in every build.
GUID_NAMESPACE = uuid.UUID("5e7c3a52-2f0b-4d8e-9a51-6c1d0b7f4a11")
#: wixl ignores Property/@Secure; these must reach a managed (elevated) installation.
SECURE_PROPERTIES = (
    "INTAKE_URL",
    "CUSTOMER_NUMBER",
    "COMPANY",
    "LANGUAGE",
    "LOCK",
    "REMOVE_CONFIG",
)


class MsiError(Exception):
    """The MSI could not be built; the message says which tool failed and why."""


def _id(prefix: str, relative: str) -> str:
    return prefix + hashlib.sha1(relative.encode("utf-8")).hexdigest()[:20]


def payload_fragment(
    folder: Path, main_exe: str = MAIN_EXE, relative_to: Path | None = None
) -> str:
    """A WiX fragment installing every file below ``folder`` into INSTALLDIR.

    The main program's file gets the Id ``MainExe`` (shortcuts and custom actions use it).
    Sources are absolute, or relative to ``relative_to`` (wixl only accepts relative
    paths, resolved from the folder of the .wxs file that names them).
    """
    wix = ET.Element("Wix", xmlns=WIX_NS)
    fragment = ET.SubElement(wix, "Fragment")
    root_ref = ET.SubElement(fragment, "DirectoryRef", Id="INSTALLDIR")
    group = ET.SubElement(ET.SubElement(wix, "Fragment"), "ComponentGroup", Id="Payload")
    directories: dict[Path, ET.Element] = {Path("."): root_ref}
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        relative = path.relative_to(folder)
        parent = relative.parent
        for depth in range(1, len(parent.parts) + 1):
            sub = Path(*parent.parts[:depth])
            if sub not in directories:
                directories[sub] = ET.SubElement(
                    directories[sub.parent], "Directory", Id=_id("d", sub.as_posix()), Name=sub.name
                )
        key = relative.as_posix()
        guid = str(uuid.uuid5(GUID_NAMESPACE, key)).upper()
        component = ET.SubElement(
            directories[parent], "Component", Id=_id("c", key), Guid=guid, Win64="yes"
        )
        file_id = "MainExe" if key == main_exe else _id("f", key)
        source = os.path.relpath(path, relative_to) if relative_to else str(path)
        ET.SubElement(component, "File", Id=file_id, Name=path.name, Source=source, KeyPath="yes")
        ET.SubElement(group, "ComponentRef", Id=component.get("Id", ""))
    if "MainExe" not in {f.get("Id") for f in wix.iter("File")}:
        raise MsiError(f"{folder} has no {main_exe}: build the one-folder program first")
    ET.indent(wix)
    return '<?xml version="1.0" encoding="utf-8"?>\n' + ET.tostring(wix, encoding="unicode")


def _run(command: list[str]) -> None:
    log.info("running %s", " ".join(command))
    result = subprocess.run(command, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        raise MsiError(f"{Path(command[0]).name} failed:\n{result.stdout}{result.stderr}")


def _tool(name: str) -> str:
    found = shutil.which(name)
    if found:
        return found
    wix = os.environ.get("WIX")  # the WiX 3 installer sets WIX to its folder
    if wix and (Path(wix) / "bin" / f"{name}.exe").exists():
        return str(Path(wix) / "bin" / f"{name}.exe")
    hint = "apt-get install wixl" if name == "wixl" else "install the WiX Toolset 3.14"
    raise MsiError(f"{name} not found: {hint}")


def build_msi(
    payload: Path, output: Path, version: str, work: Path, main_exe: str = MAIN_EXE
) -> Path:
    """Build ``output`` from the one-folder build in ``payload``; ``work`` holds temporaries."""
    work.mkdir(parents=True, exist_ok=True)
    fragment = work / "payload.wxs"
    if sys.platform == "win32" and not shutil.which("wixl"):
        fragment.write_text(payload_fragment(payload.resolve(), main_exe), "utf-8")
        candle, light = _tool("candle"), _tool("light")
        defines = [f"-dVersion={version}", f"-dIconFile={ICON}"]
        _run(
            [
                candle,
                "-nologo",
                "-arch",
                "x64",
                *defines,
                "-out",
                f"{work}{os.sep}",
                str(WXS),
                str(fragment),
            ]
        )
        # ICE38/ICE43/ICE57/ICE91 assume one install scope; a dual-purpose package has two.
        ices = [f"-sice:{ice}" for ice in ("ICE38", "ICE43", "ICE57", "ICE91")]
        _run(
            [
                light,
                "-nologo",
                *ices,
                "-out",
                str(output),
                str(work / "intellekta-helper.wixobj"),
                str(work / "payload.wixobj"),
            ]
        )
        return output
    fragment.write_text(payload_fragment(payload.resolve(), main_exe, fragment.parent), "utf-8")
    defines = ["-D", f"Version={version}", "-D", f"IconFile={ICON.name}"]
    _run([_tool("wixl"), "-a", "x64", *defines, "-o", str(output), str(WXS), str(fragment)])
    _secure_properties(output)
    return output


def _secure_properties(msi: Path) -> None:
    """What WiX does for Property/@Secure="yes" and wixl does not: list them as secure."""
    exported = subprocess.run(
        [_tool("msiinfo"), "export", str(msi), "Property"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    current = next(
        (
            line.split("\t", 1)[1]
            for line in exported.splitlines()
            if line.startswith("SecureCustomProperties\t")
        ),
        "",
    )
    names = [n for n in current.split(";") if n] + list(SECURE_PROPERTIES)
    value = ";".join(dict.fromkeys(names))
    query = f"UPDATE `Property` SET `Value` = '{value}' WHERE `Property` = 'SecureCustomProperties'"
    _run([_tool("msibuild"), str(msi), "-q", query])
