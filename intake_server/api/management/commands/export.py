import contextlib
import re
from datetime import UTC, date, datetime, time
from typing import Any

from django.core.management.base import CommandParser
from django.utils import timezone

from intake_server.api import export
from intake_server.api.management.base import CommandError, IntakeCommand
from intake_server.exitcodes import ExitCode

_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def _day(option: str, text: str) -> datetime:
    """Midnight UTC of ``text`` (YYYY-MM-DD), or a CommandError saying what is expected."""
    if _DATE.fullmatch(text):
        try:
            return datetime.combine(date.fromisoformat(text), time(), UTC)
        except ValueError:
            pass
    raise CommandError(
        f"{option} {text!r} is not a date: expected YYYY-MM-DD (UTC), like 2026-01-31.",
        returncode=ExitCode.USAGE,
    )


class Command(IntakeCommand):
    help = "Confirmations received in [--since, --until), oldest first, as CSV or JSON Lines."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--since", required=True, metavar="DATE", help="first day, YYYY-MM-DD (UTC), included"
        )
        parser.add_argument(
            "--until", metavar="DATE", help="day to stop before, YYYY-MM-DD (UTC); default: now"
        )
        parser.add_argument(
            "--format",
            choices=("csv", "jsonl"),
            default="csv",
            help="csv (with a header row; the default) or jsonl",
        )
        parser.add_argument(
            "--dialect",
            choices=tuple(export.DIALECTS),
            default="rfc4180",
            help="for csv: rfc4180 (commas, UTF-8; the default) or excel-de (semicolons, "
            "UTF-8 with a byte order mark, as Excel in German opens it)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        since = _day("--since", options["since"])
        until = timezone.now()
        if options["until"]:
            until = _day("--until", options["until"])
            if until <= since:
                raise CommandError(
                    f"--until {options['until']} must be later than --since {options['since']}.",
                    returncode=ExitCode.USAGE,
                )
        found = export.between(since, until)
        # A reader that stops early (| head) got what it wanted: no error, no traceback.
        with contextlib.suppress(BrokenPipeError):
            if options["format"] == "jsonl":
                export.jsonl_lines(found, self.stdout)
            else:
                export.csv_lines(found, self.stdout, options["dialect"])
            self.stdout.flush()
