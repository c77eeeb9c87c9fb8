"""What every ``intellekta-intake`` command shares: plain error messages and exit codes."""

from __future__ import annotations

import sys
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.db import DatabaseError, connections
from django.utils import translation

from intake_server.exitcodes import ExitCode


class IntakeCommand(BaseCommand):
    """A command whose failures are one sentence, never a traceback.

    Raise :class:`CommandError` with ``returncode``; a database that cannot be reached or
    has no tables yet is explained with exit 3.
    """

    #: False for commands that set up the database themselves (serve, migrate).
    needs_tables = True
    requires_system_checks: list[str] = []  # the CLI has checked the configuration

    def run_from_argv(self, argv: list[str]) -> None:
        """Django's, without the exception's class name in front of the message."""
        parser = self.create_parser(argv[0], argv[1])
        options = vars(parser.parse_args(argv[2:]))
        args = options.pop("args", ())
        try:
            self.execute(*args, **options)
        except CommandError as exc:
            self.stderr.write(f"intellekta-intake {argv[1]}: {exc}")
            sys.exit(exc.returncode)
        finally:
            connections.close_all()

    def execute(self, *args: Any, **options: Any) -> Any:
        try:
            if self.needs_tables:
                from intake_server.database import pending_migrations

                if pending_migrations():
                    raise CommandError(
                        "the database is not set up yet. Run: intellekta-intake migrate",
                        returncode=ExitCode.DATABASE,
                    )
            with translation.override("en"):  # the command line speaks English
                return super().execute(*args, **options)
        except DatabaseError as exc:
            raise CommandError(
                f"the database cannot be used: {str(exc).strip().splitlines()[0]}. "
                "Check database_url and that the database server runs.",
                returncode=ExitCode.DATABASE,
            ) from exc

    def create_parser(self, prog_name: str, subcommand: str, **kwargs: Any) -> Any:
        parser = super().create_parser(prog_name, subcommand, **kwargs)
        parser.called_from_command_line = True  # usage errors exit 2 with a message
        for action in list(parser._actions):
            if action.dest in (
                "settings",
                "pythonpath",
                "traceback",
                "no_color",
                "force_color",
                "skip_checks",
            ):
                action.help = "==SUPPRESS=="
        return parser


__all__ = ["CommandError", "IntakeCommand"]
