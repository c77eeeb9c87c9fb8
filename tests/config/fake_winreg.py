"""FakeWinreg: the thinnest stand-in for Windows' ``winreg`` module, which Linux lacks.

It offers only the names ``helper.config._windows_policy`` uses, over a nested dict:
``{"SOFTWARE\\Policies\\intellekta\\Helper": {"intake": {"url": (REG_SZ, "https://...")}}}``.
"""

from __future__ import annotations

from typing import Any

HKEY_LOCAL_MACHINE = "HKLM"
KEY_READ = 0x20019
KEY_WOW64_64KEY = 0x0100
REG_SZ, REG_EXPAND_SZ, REG_BINARY, REG_DWORD, REG_MULTI_SZ = 1, 2, 3, 4, 7


class _Handle:
    def __init__(self, node: dict[str, Any]) -> None:
        self.node = node

    def __enter__(self) -> _Handle:
        return self

    def __exit__(self, *exc: object) -> None:
        return None


class FakeWinreg:
    """Behaves like ``winreg`` for OpenKey / EnumKey / EnumValue on a fixed tree."""

    HKEY_LOCAL_MACHINE = HKEY_LOCAL_MACHINE
    KEY_READ = KEY_READ
    KEY_WOW64_64KEY = KEY_WOW64_64KEY
    REG_SZ, REG_EXPAND_SZ, REG_BINARY = REG_SZ, REG_EXPAND_SZ, REG_BINARY
    REG_DWORD, REG_MULTI_SZ = REG_DWORD, REG_MULTI_SZ

    def __init__(self, tree: dict[str, Any]) -> None:
        self.tree = tree
        self.access: list[int] = []

    def OpenKey(self, parent: Any, sub: str, reserved: int = 0, access: int = KEY_READ) -> _Handle:
        self.access.append(access)
        node = self.tree if parent == HKEY_LOCAL_MACHINE else parent.node
        if sub not in node or not isinstance(node[sub], dict):
            raise FileNotFoundError(2, "The system cannot find the file specified")
        return _Handle(node[sub])

    def EnumKey(self, handle: _Handle, index: int) -> str:
        keys = [k for k, v in handle.node.items() if isinstance(v, dict)]
        if index >= len(keys):
            raise OSError(259, "No more data is available")
        return keys[index]

    def EnumValue(self, handle: _Handle, index: int) -> tuple[str, Any, int]:
        values = [(k, v) for k, v in handle.node.items() if isinstance(v, tuple)]
        if index >= len(values):
            raise OSError(259, "No more data is available")
        name, (kind, data) = values[index]
        return name, data, kind
