import json
from typing import Any

from django.core.management.base import CommandParser

from helper.consent.notice import NoticeFileError
from intake_server.api import notices
from intake_server.api.management.base import CommandError, IntakeCommand
from intake_server.api.models import NoticeText
from intake_server.exitcodes import ExitCode


class Command(IntakeCommand):
    help = "The notice texts the server recognises: add an administrator's file, or list them."

    def add_arguments(self, parser: CommandParser) -> None:
        actions = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
        add = actions.add_parser(
            "add", help="Register a notice file (the helper's notice.file format)."
        )
        add.add_argument("file")
        listing = actions.add_parser("list", help="List the known texts.")
        listing.add_argument("--json", action="store_true")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "add":
            try:
                added = notices.register(options["file"])
            except NoticeFileError as exc:
                raise CommandError(exc.text("en"), returncode=ExitCode.USAGE) from None
            for notice, created, earlier in added:
                state = "added" if created else "known already"
                if earlier:
                    state += f"; {earlier} confirmation(s) received before are now text verified"
                self.stdout.write(
                    f"{notice.id} {notice.version} ({notice.language}) sha256 "
                    f"{notice.sha256}: {state}"
                )
            return
        rows = [
            {
                "id": n.notice_id,
                "version": n.version,
                "language": n.language,
                "sha256": n.sha256,
                "source": n.source,
                "added_at": n.added_at.isoformat(timespec="seconds"),
            }
            for n in NoticeText.objects.order_by("notice_id", "version", "language")
        ]
        if options["json"]:
            self.stdout.write(json.dumps(rows, ensure_ascii=False, indent=1))
            return
        for n in rows:
            self.stdout.write(
                f"{n['id']} {n['version']} ({n['language']}) {n['sha256']}  {n['source']}"
            )
