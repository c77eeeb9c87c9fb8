"""Fixtures for the command tests: ``outbox`` sends to the intake tests' loopback HTTPS
server, with no proxy from the outside, as the intake tests do."""

from __future__ import annotations

from tests.intake.conftest import _no_proxy_from_outside, data_dir
from tests.intake.server import intake_server, intake_tls

__all__ = ["_no_proxy_from_outside", "data_dir", "intake_server", "intake_tls"]
