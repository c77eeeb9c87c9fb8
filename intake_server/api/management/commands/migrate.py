from typing import Any

from django.core.management.commands.migrate import Command as DjangoMigrate

from intake_server import database
from intake_server.api import notices
from intake_server.api.management.base import IntakeCommand


class Command(IntakeCommand, DjangoMigrate):
    """Django's migrate (same options, so the test runner can use it), serialised across
    processes, and the helper's built-in notice texts registered afterwards."""

    help = "Create or update the database tables (safe while other processes start)."
    needs_tables = False

    def handle(self, *args: Any, **options: Any) -> None:
        with database.setup_lock():
            super().handle(*args, **options)
            notices.register("")
