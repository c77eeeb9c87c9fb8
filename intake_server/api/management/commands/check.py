from typing import Any

from django.conf import settings
from django.core import checks
from django.db import connection

from intake_server import database
from intake_server.api import metrics_access
from intake_server.api.management.base import CommandError, IntakeCommand


class Command(IntakeCommand):
    help = "Check the configuration, Django's own checks and the database; exit 2 if wrong."
    needs_tables = False

    def handle(self, *args: Any, **options: Any) -> None:
        config = settings.CONFIG
        self.stdout.write(f"Configuration: {config.file or 'defaults and environment'}: OK")
        errors = [m for m in checks.run_checks() if m.level >= checks.ERROR]
        if errors:
            raise CommandError("\n".join(str(m) for m in errors), returncode=2)
        problem = metrics_access.token_file_problem()
        if problem:
            raise CommandError(problem, returncode=2)
        db = settings.DATABASES["default"]
        where = db["NAME"] if connection.vendor == "sqlite" else f"{db['HOST']}/{db['NAME']}"
        connection.ensure_connection()
        pending = database.pending_migrations()
        state = "up to date" if not pending else f"{pending} migration(s) to apply (migrate)"
        self.stdout.write(f"Database: {connection.vendor} {where}: reachable, {state}")
        self.stdout.write(f"Data folder: {config.data_dir}")
        if config["allowed_hosts"] == ["localhost", "127.0.0.1", "[::1]"]:
            self.stdout.write(
                "Note: allowed_hosts names only this machine; set it to the "
                "server's public name before helpers connect from outside."
            )
