"""Structural check of the MSI: built by wixl from the Linux one-folder build as a
stand-in payload, then read back with msiinfo. Windows Installer itself (per-user and
per-machine installs, the custom action, shortcuts) can only be tried on Windows."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from build_scripts import msi
from helper import __version__
from tests.build.conftest import Frozen

needs_msitools = pytest.mark.skipif(
    not (shutil.which("wixl") and shutil.which("msiinfo")),
    reason="needs wixl and msiinfo (apt-get install wixl msitools)",
)


def msiinfo(*args: str) -> str:
    return subprocess.run(["msiinfo", *args], capture_output=True, text=True, check=True).stdout


def table(package: Path, name: str) -> list[list[str]]:
    """The rows of one table (after the three header lines of ``msiinfo export``)."""
    return [line.split("\t") for line in msiinfo("export", str(package), name).splitlines()[3:]]


@pytest.fixture(scope="module")
def package(frozen: Frozen) -> Path:
    output = frozen.work / "structural" / "intellekta-helper.msi"
    return msi.build_msi(
        frozen.onedir, output, __version__, output.parent / "work", main_exe="intellekta-helper"
    )


@pytest.mark.slow
@needs_msitools
class TestMsiStructure:
    def test_tables(self, package: Path) -> None:
        tables = set(msiinfo("tables", str(package)).split())
        expected = {
            "File",
            "Component",
            "Directory",
            "Shortcut",
            "CustomAction",
            "Icon",
            "InstallExecuteSequence",
            "Property",
            "Registry",
            "Upgrade",
        }
        assert expected <= tables

    def test_dual_purpose_properties(self, package: Path) -> None:
        properties = dict((row[0], row[1]) for row in table(package, "Property"))
        assert properties["ALLUSERS"] == "2"
        assert properties["MSIINSTALLPERUSER"] == "1"
        assert properties["ProductVersion"] == __version__
        assert properties["Manufacturer"] == "intellekta GmbH"
        secure = properties["SecureCustomProperties"].split(";")
        assert set(msi.SECURE_PROPERTIES) <= set(secure)
        # Word count bit 3 (value 8): installing needs no elevation (per-user by default).
        suminfo = msiinfo("suminfo", str(package))
        source = next(line for line in suminfo.splitlines() if line.startswith("Source:"))
        assert int(source.split()[1]) & 8

    def test_every_payload_file_is_installed(self, package: Path, frozen: Frozen) -> None:
        payload = sorted(p.name for p in frozen.onedir.rglob("*") if p.is_file())
        installed = sorted(row[2].split("|")[-1] for row in table(package, "File"))
        assert installed == payload
        directories = {row[0]: row for row in table(package, "Directory")}
        assert directories["INSTALLDIR"][1:] == ["VendorFolder", "helper"]
        assert directories["VendorFolder"][1:] == ["ProgramFiles64Folder", "intellekta"]

    def test_shortcuts_in_start_menu_and_on_desktop(self, package: Path) -> None:
        rows = {row[0]: row for row in table(package, "Shortcut")}
        assert rows["StartMenuShortcut"][1] == "ProgramMenuFolder"
        assert rows["DesktopShortcut"][1] == "DesktopFolder"
        assert all(r[4] == "[INSTALLDIR]intellekta-helper.exe" for r in rows.values())

    def test_machine_config_custom_actions(self, package: Path) -> None:
        actions = {row[0]: row for row in table(package, "CustomAction")}
        write, remove = actions["WriteMachineConfig"], actions["RemoveMachineConfig"]
        # 18 exe from an installed file + 1024 deferred + 2048 not impersonated (+64 ignore)
        assert (int(write[1]), int(remove[1])) == (18 + 1024 + 2048, 18 + 1024 + 2048 + 64)
        assert write[2] == remove[2] == "MainExe"
        target = r'"[CommonAppDataFolder]intellekta\helper\config.toml"'
        assert write[3].startswith(f"--msi-machine-config write {target}")
        for prop in ("INTAKE_URL", "CUSTOMER_NUMBER", "COMPANY", "LANGUAGE", "LOCK"):
            assert f"[{prop}]" in write[3]
        sequence = {row[0]: row for row in table(package, "InstallExecuteSequence")}
        seq = {name: int(row[2]) for name, row in sequence.items()}
        assert seq["InstallFiles"] < seq["WriteMachineConfig"] < seq["InstallFinalize"]
        assert seq["InstallInitialize"] < seq["RemoveMachineConfig"] < seq["RemoveFiles"]
        assert "ALLUSERS=1" in sequence["WriteMachineConfig"][1]
        assert "REMOVE_CONFIG=1" in sequence["RemoveMachineConfig"][1]


@needs_msitools
def test_payload_fragment_ids_are_stable(tmp_path: Path) -> None:
    (tmp_path / "_internal" / "sub").mkdir(parents=True)
    (tmp_path / "intellekta-helper.exe").write_bytes(b"MZ")
    (tmp_path / "_internal" / "sub" / "data.toml").write_text("x = 1\n")
    first = msi.payload_fragment(tmp_path)
    assert first == msi.payload_fragment(tmp_path)
    assert 'Id="MainExe"' in first
    assert 'Name="sub"' in first


def test_payload_without_program_is_refused(tmp_path: Path) -> None:
    (tmp_path / "other.txt").write_text("x")
    with pytest.raises(msi.MsiError, match=r"intellekta-helper\.exe"):
        msi.payload_fragment(tmp_path)
