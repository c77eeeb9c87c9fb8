import logging
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.core.management.base import CommandParser
from django.db import transaction
from django.utils import timezone

from intake_server.api import ledger
from intake_server.api.management.base import IntakeCommand
from intake_server.api.models import Checkpoint, Confirmation

log = logging.getLogger("intake_server.purge")


class Command(IntakeCommand):
    help = (
        "Delete confirmations older than retention_days; the rest of the ledger stays verifiable."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--dry-run", action="store_true", help="only count")

    def handle(self, *args: Any, **options: Any) -> None:
        days = settings.CONFIG["retention_days"]
        cutoff = timezone.now() - timedelta(days=days)
        with transaction.atomic():
            ledger.locked_head()  # no appends meanwhile
            # Only a prefix of the chain is purged, so what stays still links up.
            first_kept = (
                Confirmation.objects.filter(received_at__gte=cutoff)
                .order_by("seq")
                .values_list("seq", flat=True)
                .first()
            )
            old = Confirmation.objects.all()
            if first_kept is not None:
                old = old.filter(seq__lt=first_kept)
            count = old.count()
            if options["dry_run"] or not count:
                verb = "would delete" if options["dry_run"] else "deleted"
                self.stdout.write(f"Purge: {verb} {count} confirmation(s) older than {days} days.")
                return
            last = old.order_by("-seq").values("seq", "entry_hash").first()
            assert last is not None
            Checkpoint.objects.create(seq=last["seq"], entry_hash=last["entry_hash"], purged=count)
            old.delete()
        log.info("Purged %d confirmation(s) older than %d days", count, days)
        self.stdout.write(f"Purge: deleted {count} confirmation(s) older than {days} days.")
