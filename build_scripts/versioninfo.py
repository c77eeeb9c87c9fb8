"""The Windows version resource (File > Properties > Details) of each executable.

Generated from ``helper.__version__`` so the resource can never disagree with
``--version``. A complete resource (company, product, description, original file name)
is one of the things that make antivirus heuristics treat a program as ordinary
software rather than as an anonymous dropper. PyInstaller reads this text format with
``PyInstaller.utils.win32.versioninfo.load_version_info_from_text_file``.
"""

from __future__ import annotations

import re

COMPANY = "intellekta GmbH"
PRODUCT = "intellekta-helper"
#: German (0x0407) text in Unicode (1200): the customers are German-speaking.
LANG_ID, CODEPAGE = 0x0407, 1200


def version_tuple(version: str) -> tuple[int, int, int, int]:
    """``"1.2.3"`` or ``"1.2.3rc1"`` -> ``(1, 2, 3, 0)``: Windows wants four numbers."""
    numbers = [int(n) for n in re.findall(r"\d+", version.split("+")[0])[:4]]
    padded = [*numbers, 0, 0, 0, 0][:4]
    return padded[0], padded[1], padded[2], padded[3]


def render(exe_name: str, description: str, version: str, year: int) -> str:
    """The version file for ``exe_name`` (without ``.exe``)."""
    numbers = version_tuple(version)
    strings = {
        "CompanyName": COMPANY,
        "FileDescription": description,
        "FileVersion": version,
        "InternalName": exe_name,
        "LegalCopyright": f"© {year} {COMPANY}",
        "OriginalFilename": f"{exe_name}.exe",
        "ProductName": PRODUCT,
        "ProductVersion": version,
    }
    table = ",\n".join(f"          StringStruct({k!r}, {v!r})" for k, v in strings.items())
    return f"""VSVersionInfo(
  ffi=FixedFileInfo(
    filevers={numbers!r},
    prodvers={numbers!r},
    mask=0x3f,
    flags=0x0,
    OS=0x40004,
    fileType=0x1,
    subtype=0x0,
    date=(0, 0)
  ),
  kids=[
    StringFileInfo([
      StringTable(
        '{LANG_ID:04X}{CODEPAGE:04X}',
        [
{table}
        ])
    ]),
    VarFileInfo([VarStruct('Translation', [{LANG_ID:#06x}, {CODEPAGE}])])
  ]
)
"""
