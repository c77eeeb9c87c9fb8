from typing import Any

from django.conf import settings
from django.core import checks
from django.db import connection

from intake_server import database
from intake_server.api import evidence, metrics_access
from intake_server.api.management.base import CommandError, IntakeCommand
from intake_server.exitcodes import ExitCode


class Command(IntakeCommand):
    help = "Check the configuration, Django's own checks and the database; exit 2 if wrong."
    needs_tables = False

    def handle(self, *args: Any, **options: Any) -> None:
        config = settings.CONFIG
        self.stdout.write(f"Configuration: {config.file or 'defaults and environment'}: OK")
        errors = [m for m in checks.run_checks() if m.level >= checks.ERROR]
        if errors:
            raise CommandError("\n".join(str(m) for m in errors), returncode=ExitCode.USAGE)
        problem = metrics_access.token_file_problem()
        if problem:
            raise CommandError(problem, returncode=ExitCode.USAGE)
        try:
            processor = evidence.configured()
        except evidence.EvidenceFileError as exc:
            raise CommandError(
                f"the evidence_file cannot be used:\n{exc}", returncode=ExitCode.USAGE
            ) from None
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
        self._warn_about(processor)

    def _warn_about(self, processor: evidence.Configured) -> None:
        """The evidence names intellekta as processor: say while it cannot be reached."""
        example = "docs/evidence.example.toml"
        if not processor.file:
            self.stdout.write(
                "Warning: evidence_file is not set, so the evidence names the processor "
                f"without contact details. Fill in a copy of {example} outside the "
                "installation and set evidence_file to it."
            )
        elif missing := processor.missing_contact():
            self.stdout.write(
                f"Warning: {processor.file}: empty for the processor: {', '.join(missing)}. "
                "The evidence names the processor without them."
            )
