"""Fixtures for the intake tests: the loopback HTTPS server, configurations, no proxies."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from helper import config
from tests.intake.server import IntakeServer, intake_server, intake_tls

__all__ = ["intake_server", "intake_tls"]

_PROXY_VARIABLES = ("http_proxy", "https_proxy", "all_proxy", "no_proxy")

Configure = Callable[..., config.Config]


@pytest.fixture(autouse=True)
def _no_proxy_from_outside(monkeypatch: pytest.MonkeyPatch) -> None:
    """A proxy set on the test machine must not carry loopback traffic (or the tests)."""
    for name in _PROXY_VARIABLES:
        monkeypatch.delenv(name, raising=False)
        monkeypatch.delenv(name.upper(), raising=False)


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    return tmp_path / "data"


@pytest.fixture
def configure(intake_server: IntakeServer, data_dir: Path) -> Configure:
    """``configure({"key": "value"}, env={...})``: a valid Config aimed at the server."""

    def make(
        overrides: dict[str, str] | None = None, env: dict[str, str] | None = None
    ) -> config.Config:
        pairs = [
            *intake_server.settings(),
            ("intake.timeout_s", "5"),
            ("intake.send_window_s", "10"),
            ("paths.data_dir", str(data_dir)),
            *(overrides or {}).items(),
        ]
        cfg = config.load(cli=pairs, env=env or {})
        assert cfg.valid, cfg.report()
        return cfg

    return make
