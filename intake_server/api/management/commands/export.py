import contextlib
import csv
import json
import re
from datetime import UTC, date, datetime, time
from typing import Any

from django.core.management.base import CommandParser
from django.utils import timezone

from intake_server.api import records
from intake_server.api.management.base import EXIT_USAGE, CommandError, IntakeCommand
from intake_server.api.models import Confirmation

CSV_FIELDS = (
    "receipt_id", "submission_id", "session_id", "received_at", "confirmed_at",
    "customer_number", "company", "contact_name", "customer_verified", "authority",
    "confidential_apps", "open_applications", "notice_id", "notice_version", "notice_sha256",
    "notice_verified", "client_platform", "client_version",
)  # fmt: skip
#: What makes a spreadsheet read a cell as a formula (OWASP's list): such a cell gets a
#: leading apostrophe, because company and contact names are typed by customers.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_CHUNK = 2000


def csv_row(item: dict[str, Any]) -> list[str]:
    """One :func:`records.summary` as the cells of :data:`CSV_FIELDS`, safe to open in a
    spreadsheet."""
    customer, notice, client = item["customer"], item["notice"], item["client"]
    apps = "; ".join(f"{a['name']} ({a['category']})" for a in item["open_applications"])
    cells = [
        item["receipt_id"], item["submission_id"], item["session_id"], item["received_at"],
        item["confirmed_at"], customer.get("number", ""), customer.get("company", ""),
        customer.get("contact_name", ""), item["customer_verified"], item["authority"],
        item["confidential_apps"], apps, notice["id"], notice["version"], notice["sha256"],
        notice["verified"], client.get("platform", ""), client.get("version", ""),
    ]  # fmt: skip
    return [_cell(value) for value in cells]


def _cell(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    text = str(value)
    return "'" + text if text.startswith(_FORMULA_START) else text


def _day(option: str, text: str) -> datetime:
    """Midnight UTC of ``text`` (YYYY-MM-DD), or a CommandError saying what is expected."""
    if _DATE.fullmatch(text):
        try:
            return datetime.combine(date.fromisoformat(text), time(), UTC)
        except ValueError:
            pass
    raise CommandError(f"{option} {text!r} is not a date: expected YYYY-MM-DD (UTC), "
                       "like 2026-01-31.", returncode=EXIT_USAGE)  # fmt: skip


class Command(IntakeCommand):
    help = "Confirmations received in [--since, --until), oldest first, as CSV or JSON Lines."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--since", required=True, metavar="DATE", help="first day, YYYY-MM-DD (UTC), included"
        )
        parser.add_argument(
            "--until", metavar="DATE", help="day to stop before, YYYY-MM-DD (UTC); default: now"
        )
        parser.add_argument("--format", choices=("csv", "jsonl"), default="csv",
                            help="csv (with a header row; the default) or jsonl")  # fmt: skip

    def handle(self, *args: Any, **options: Any) -> None:
        since = _day("--since", options["since"])
        until = timezone.now()
        if options["until"]:
            until = _day("--until", options["until"])
            if until <= since:
                raise CommandError(f"--until {options['until']} must be later than --since "
                                   f"{options['since']}.", returncode=EXIT_USAGE)  # fmt: skip
        rows = (Confirmation.objects.filter(received_at__gte=since, received_at__lt=until)
                .defer("body").order_by("received_at", "seq").iterator(_CHUNK))  # fmt: skip
        # A reader that stops early (| head) got what it wanted: no error, no traceback.
        with contextlib.suppress(BrokenPipeError):
            if options["format"] == "jsonl":
                for row in rows:
                    self.stdout.write(json.dumps(records.summary(row), ensure_ascii=False))
            else:
                writer = csv.writer(self.stdout)
                writer.writerow(CSV_FIELDS)
                for row in rows:
                    writer.writerow(csv_row(records.summary(row)))
            self.stdout.flush()
