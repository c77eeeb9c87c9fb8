import json
from typing import Any

from django.core.management.base import CommandParser

from intake_server.api import fields, reading, records
from intake_server.api.management.base import CommandError, IntakeCommand
from intake_server.exitcodes import ExitCode

LIMIT = 50
#: The fields a line shows, in this order (the rest: ``--json`` or ``evidence``).
LINE_FIELDS = (
    "receipt_id",
    "received_at",
    "session_id",
    "company",
    "customer_number",
    "confidential_programs",
    "notice_check",
)


class Command(IntakeCommand):
    help = (
        "Find confirmations, newest first, by Session ID (as read out), receipt id, "
        "customer number (case and separators ignored: k-1 = K1) or part of a name: the "
        "company (as stated, as the token's customer, or as the register has it) or the "
        "contact, with case, accents and umlauts folded (Müller = Muller = Mueller); "
        "each as the ledger proves it."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "text", nargs="+", help='e.g. "1 234 567 890", R-7K3M-Q9XD, 10472, Müller'
        )
        parser.add_argument("--json", action="store_true", help="print a JSON list")

    def handle(self, *args: Any, **options: Any) -> None:
        text = " ".join(options["text"])
        found = reading.read_all(
            list(records.search(text).select_related("token__customer")[:LIMIT])
        )
        if options["json"]:
            summaries = [reading.summary(item) for item in found]
            self.stdout.write(json.dumps(summaries, ensure_ascii=False, indent=1))
        if not found:
            raise CommandError(f"no confirmation matches {text!r}.", returncode=ExitCode.FAILED)
        if not options["json"]:
            for item in found:
                self.stdout.write(_line(item))


def _line(item: reading.Reading) -> str:
    """One confirmation on one line: the damage first, then the facts the ledger gives."""
    by_key = {field.key: fields.plain(parts) for field, parts in fields.shown(item)}
    facts = "  ".join(by_key[key] for key in LINE_FIELDS if by_key.get(key))
    if not item.damaged:
        return facts
    state = "DAMAGED" if item.proven else "DAMAGED, NOT PROVEN by the ledger"
    return f"{state} ({'; '.join(map(str, item.problems))})  {facts or item.row.receipt_id}"
