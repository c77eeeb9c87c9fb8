import json
import os
import tempfile
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import CommandParser
from django.utils import translation

from intake_server.api import evidence
from intake_server.api.management.base import CommandError, IntakeCommand
from intake_server.api.models import Confirmation
from intake_server.api.reading import read_one
from intake_server.exitcodes import ExitCode


def write_atomically(path: Path, data: bytes) -> None:
    """Replace ``path`` in one step: a reader never sees half a file. Raises OSError."""
    fd, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


class Command(IntakeCommand):
    help = (
        "The evidence of one confirmation before remote maintenance: as text, as a Kantara "
        "consent receipt in JSON, or as a one-page PDF. Exit 1 when its ledger entry is "
        "damaged (the document says what differs)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("id", help="a receipt id (R-7K3M-Q9XD) or a submission id (UUID)")
        output = parser.add_mutually_exclusive_group()
        output.add_argument(
            "--json",
            action="store_true",
            help="print a Kantara Consent Receipt v1.1 with our evidence",
        )
        output.add_argument("--pdf", metavar="FILE", help="write a one-page A4 PDF to FILE")
        parser.add_argument(
            "--lang",
            choices=dict(settings.LANGUAGES),
            help="language of the labels; default: the language setting",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        row = self._one(options["id"])
        lang = options["lang"] or settings.CONFIG["language"]
        try:
            self._write(row, lang, options)
        except evidence.EvidenceFileError as exc:
            raise CommandError(
                f"the evidence_file cannot be used:\n{exc}", returncode=ExitCode.USAGE
            ) from None
        with translation.override("en"):
            reading = read_one(row)
            if reading.damaged:
                problems = "; ".join(map(str, reading.problems))
                raise CommandError(
                    f"ledger entry {row.seq} (receipt {row.receipt_id}) is DAMAGED: {problems}",
                    returncode=ExitCode.FAILED,
                )

    def _write(self, row: Confirmation, lang: str, options: dict[str, Any]) -> None:
        """The document, as the options ask: printed, or written to the PDF file."""
        if options["json"]:
            document = evidence.evidence_json(row, lang)
            self.stdout.write(json.dumps(document, ensure_ascii=False, indent=1))
        elif options["pdf"]:
            path = Path(options["pdf"]).absolute()
            try:
                write_atomically(path, evidence.evidence_pdf(row, lang))
            except OSError as exc:
                raise CommandError(
                    f"cannot write {path}: {exc.strerror or exc}. Choose a writable file.",
                    returncode=ExitCode.USAGE,
                ) from None
            self.stdout.write(f"Wrote {path}")
        else:
            self.stdout.write(evidence.evidence_text(row, lang))

    def _one(self, text: str) -> Confirmation:
        found = evidence.lookup(text)
        if found is None:
            raise CommandError(
                f"{text!r} is neither a receipt id (like R-7K3M-Q9XD) nor a "
                "submission id (a UUID).",
                returncode=ExitCode.USAGE,
            )
        if not found:
            raise CommandError(
                f"no confirmation has the receipt or submission id {text!r}.",
                returncode=ExitCode.FAILED,
            )
        if len(found) > 1:
            receipts = ", ".join(row.receipt_id for row in found)
            raise CommandError(
                f"submission id {text} names {len(found)} confirmations (from "
                f"different tokens): {receipts}. Give the receipt id.",
                returncode=ExitCode.USAGE,
            )
        return found[0]
