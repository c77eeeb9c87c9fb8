import json
from typing import Any

from django.core.management.base import CommandParser

from helper.consent import format_session_id
from intake_server.api import evidence, records
from intake_server.api.management.base import CommandError, IntakeCommand
from intake_server.api.models import Confirmation

LIMIT = 50


class Command(IntakeCommand):
    help = "Find confirmations by Session ID (as read out), receipt id or customer number."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("text", nargs="+", help='e.g. "1 234 567 890", R-7K3M-Q9XD, 10472')
        parser.add_argument("--json", action="store_true", help="print a JSON list")

    def handle(self, *args: Any, **options: Any) -> None:
        text = " ".join(options["text"])
        rows = list(records.search(text).select_related("token")[:LIMIT])
        found = [records.summary(row) for row in rows]
        if options["json"]:
            self.stdout.write(json.dumps(found, ensure_ascii=False, indent=1))
        if not found:
            raise CommandError(f"no confirmation matches {text!r}.", returncode=1)
        if options["json"]:
            return
        for row, item in zip(rows, found, strict=True):
            text_mark = "text verified" if item["notice"]["verified"] else "UNKNOWN TEXT"
            apps = ", ".join(a["name"] for a in item["open_applications"])
            kept = f"KEPT OPEN: {apps}" if apps else "confidential programs closed"
            self.stdout.write(
                f"{item['receipt_id']}  {item['received_at']}  Session ID "
                f"{format_session_id(item['session_id'])}  {_customer(row)}  {item['authority']}  "
                f"{text_mark}  {kept}"
            )


def _customer(row: Confirmation) -> str:
    """Each fact with what the server checked: a token verifies the number, and a
    company only where the server knows it for that customer (evidence.company_claims)."""

    def marked(name: str, verified: bool) -> str:
        return f"{name} ({'verified' if verified else 'as stated'})"

    parts = [marked(name, ok) for name, ok in evidence.company_claims(row)]
    if row.customer_number:
        parts.append(marked(row.customer_number, row.customer_verified))
    return " · ".join(parts) or "customer not stated"
