import json
from typing import Any

from django.core.management.base import CommandParser
from django.db import DatabaseError

from intake_server.api import verification
from intake_server.api.management.base import CommandError, IntakeCommand
from intake_server.exitcodes import ExitCode


class Command(IntakeCommand):
    help = (
        "Recompute the ledger: every entry's hash, the chain's references and every column. "
        "Names every damaged, missing or inserted entry; exit 1 if there is one."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--json", action="store_true", help="print the report as JSON")
        parser.add_argument(
            "--new",
            action="store_true",
            help="only the entries added since the last verification (as serve does often)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        report = verification.verify(since_last=options["new"])
        self._record(report)
        if options["json"]:
            self.stdout.write(json.dumps(_as_json(report), indent=1, ensure_ascii=False))
        else:
            for finding in report.findings:
                self.stdout.write(str(finding))
        if report.findings:
            seqs = ", ".join(str(f.seq) for f in report.findings[:20])
            more = ", …" if len(report.findings) > 20 else ""
            entries = "entry" if report.damaged == 1 else "entries"
            raise CommandError(
                f"the ledger is damaged: {report.damaged} {entries} ({seqs}{more}) of "
                f"{report.checked} checked. Restore the database from a "
                "backup and run verify again; the evidence of a damaged entry says what "
                "differs.",
                returncode=ExitCode.FAILED,
            )
        if not options["json"]:
            self.stdout.write(_summary(report))

    def _record(self, report: verification.Report) -> None:
        """Keep the result; a database that cannot take it (a full disk) is said, but
        the report still follows: what the ledger holds matters more than the record."""
        try:
            verification.record(report)
        except DatabaseError as exc:
            self.stderr.write(
                f"intellekta-intake verify: the result could not be recorded "
                f"({str(exc).strip().splitlines()[0]}); the console, /readyz and /metrics "
                "still show the last one recorded."
            )


def _summary(report: verification.Report) -> str:
    since = ""
    if report.start_seq:
        since = " after checkpoint" if report.full else " added since the last verification"
        since += f" {report.start_seq}" if report.full else f" (after entry {report.start_seq})"
    return (
        f"Ledger intact: {report.checked} entries checked{since}; head {report.head_seq} "
        f"sha256 {report.head_hash}"
    )


def _as_json(report: verification.Report) -> dict[str, Any]:
    return {
        "intact": not report.findings,
        "full": report.full,
        "checked": report.checked,
        "start_seq": report.start_seq,
        "head": {"seq": report.head_seq, "sha256": report.head_hash},
        "damaged": report.damaged,
        "entries": [
            {
                "seq": f.seq,
                "last": f.last or f.seq,
                "receipt_id": f.receipt_id or None,
                "problems": list(f.problems),
            }
            for f in report.findings
        ],
    }
