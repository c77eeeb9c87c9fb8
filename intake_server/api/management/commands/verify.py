import json
from typing import Any

from intake_server.api import intake, ledger
from intake_server.api.management.base import CommandError, IntakeCommand
from intake_server.api.models import Confirmation


def _derived_mismatch(row: Confirmation) -> str | None:
    """Whether the columns support searches by still say what the body says."""
    try:
        expected = intake.derived_fields(json.loads(bytes(row.body)), row.token)
    except (ValueError, OverflowError, KeyError, TypeError, AttributeError):
        return "its body is no longer a confirmation"
    changed = [name for name, value in expected.items() if getattr(row, name) != value]
    return f"column(s) {', '.join(changed)} differ from the body it holds" if changed else None


class Command(IntakeCommand):
    help = "Recompute the ledger's hash chain; exit 1 naming the first damaged entry."

    def handle(self, *args: Any, **options: Any) -> None:
        result = ledger.verify(_derived_mismatch)
        if result.broken:
            raise CommandError(
                f"the ledger is damaged: {result.broken}. {result.checked} entries before it "
                "are intact. Restore the database from a backup and run verify again.",
                returncode=1,
            )
        since = f" after checkpoint {result.start_seq}" if result.start_seq else ""
        self.stdout.write(
            f"Ledger intact: {result.checked} entries checked{since}; head {result.head_seq} "
            f"sha256 {result.head_hash}"
        )
