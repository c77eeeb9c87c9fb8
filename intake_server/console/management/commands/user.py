import getpass
import sys
from datetime import datetime
from typing import Any

from axes.utils import reset as axes_reset
from django.contrib.auth import get_user_model, password_validation
from django.core.exceptions import ValidationError
from django.core.management.base import CommandParser
from django.utils import timezone

from intake_server.api.management.base import CommandError, IntakeCommand
from intake_server.console import names, sign_in
from intake_server.exitcodes import ExitCode


def _read_password() -> str:
    """From a prompt (twice) on a terminal, else one line of stdin: never an argument."""
    if sys.stdin.isatty():
        first = getpass.getpass("Password: ")
        if getpass.getpass("Password again: ") != first:
            raise CommandError(
                "the two passwords differ; nothing was changed.", returncode=ExitCode.USAGE
            )
        return first
    return sys.stdin.readline().rstrip("\r\n")


def _when(moment: datetime) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M %Z")


def _locks(name: str, now: datetime) -> list[str]:
    """What ``user list`` says of the account's locks (console.sign_in): the addresses
    locked after 5 wrong passwords, and the wait of every other address after many."""
    said = [
        f"; locked from {address} until {_when(until)}"
        for address, until in sorted(sign_in.locked_addresses(name, now).items())
    ]
    waits = sign_in.account_waits_until(name, now)
    if waits is not None:
        said.append(f"; other addresses wait until {_when(waits)}")
    return said


class Command(IntakeCommand):
    help = "Console accounts: add one (password from a prompt or stdin), list, unlock."

    def add_arguments(self, parser: CommandParser) -> None:
        actions = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
        add = actions.add_parser("add", help="Add an account, or set a new password.")
        add.add_argument("name", help="stored in small letters: Anna, ANNA and ａｎｎａ are anna")
        add.add_argument("--admin", action="store_true", help="may administer and see logs")
        actions.add_parser(
            "list", help="List the accounts: role, last sign-in, locks and until when."
        )
        unlock = actions.add_parser(
            "unlock", help="Allow signing in again after failures (from every address)."
        )
        unlock.add_argument("name")

    def handle(self, *args: Any, **options: Any) -> None:
        getattr(self, f"_{options['action']}")(options)

    def _add(self, options: dict[str, Any]) -> None:
        model = get_user_model()
        name = names.normalise(options["name"])
        if not name or len(name) > names.MAX_LENGTH:
            raise CommandError("a user name has 1 to 150 characters.", returncode=ExitCode.USAGE)
        same = [u for u in model.objects.all() if names.normalise(u.username) == name]
        user = next((u for u in same if u.username == name), None)
        if user is None and same:  # stored before names were normalised (migration 0002)
            raise CommandError(
                f"{name} is the same user name as the account {same[0].username} (case and "
                "width do not count). Rename or remove that account in the administration "
                "first.",
                returncode=ExitCode.USAGE,
            )
        user = user or model(username=name)
        password = _read_password()
        try:
            password_validation.validate_password(password, user)
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages), returncode=ExitCode.USAGE) from None
        user.set_password(password)
        if options["admin"]:
            user.is_staff = user.is_superuser = True
        created = user.pk is None
        user.save()
        role = "administrator" if user.is_staff else "support staff"
        verb = "added" if created else "updated (new password)"
        self.stdout.write(f"Account {name} ({role}) {verb}.")

    def _list(self, options: dict[str, Any]) -> None:
        """One line per account: its role, its last sign-in and what keeps it from signing
        in now; times in the configured zone."""
        now = timezone.now()
        accounts = get_user_model().objects.order_by("username")
        if not accounts.exists():
            first = sign_in.FIRST_ACCOUNT
            self.stdout.write(f"No accounts yet. Create the first administrator: {first}")
        for user in accounts:
            role = "administrator" if user.is_staff else "support staff"
            last = _when(user.last_login) if user.last_login else "never"
            line = f"{user.username:<24} {role:<14} last sign-in {last}"
            self.stdout.write("".join([line, *_locks(user.username, now)]))

    def _unlock(self, options: dict[str, Any]) -> None:
        name = names.normalise(options["name"])
        count = axes_reset(username=name)
        self.stdout.write(f"{name}: {count} lock(s) removed.")
