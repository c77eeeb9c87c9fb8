"""The flow tests use the real process spawner and the real loopback HTTPS server."""

from tests.apps.conftest import spawn
from tests.intake.server import intake_server, intake_tls

__all__ = ["intake_server", "intake_tls", "spawn"]
