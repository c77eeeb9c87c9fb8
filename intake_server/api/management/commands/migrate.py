from typing import Any

from django.db.migrations.autodetector import MigrationAutodetector

from intake_server import database
from intake_server.api.management.base import IntakeCommand


class Command(IntakeCommand):
    help = "Create or update the database tables (safe while other processes start)."
    needs_tables = False
    autodetector = MigrationAutodetector  # Django's checks compare it with makemigrations'

    def handle(self, *args: Any, **options: Any) -> None:
        database.migrate(verbosity=options["verbosity"])
        self.stdout.write("The database is up to date.")
