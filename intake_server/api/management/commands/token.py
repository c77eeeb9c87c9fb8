import json
from typing import Any

from django.core.management.base import CommandParser
from django.utils import timezone

from intake_server.api.management.base import CommandError, IntakeCommand
from intake_server.api.models import Token
from intake_server.customers.management.commands.customer import registered
from intake_server.exitcodes import ExitCode


class Command(IntakeCommand):
    help = (
        "Customer tokens for the intake API: create (printed once), list, revoke. Each "
        "belongs to a customer of the register (intellekta-intake customer)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        actions = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
        create = actions.add_parser("create", help="Create a token; it is printed only once.")
        create.add_argument(
            "--customer",
            required=True,
            metavar="NUMBER",
            help="a customer of the register (see: customer list; new ones: customer add)",
        )
        listing = actions.add_parser("list", help="List tokens (never the tokens themselves).")
        listing.add_argument("--json", action="store_true")
        revoke = actions.add_parser("revoke", help="Revoke a token: it then always gets 401.")
        revoke.add_argument("id", type=int)

    def handle(self, *args: Any, **options: Any) -> None:
        getattr(self, f"_{options['action']}")(options)

    def _create(self, options: dict[str, Any]) -> None:
        customer = registered(options["customer"].strip())
        token, secret = Token.issue(customer)
        self.stdout.write(secret)
        self.stderr.write(
            f"Token {token.pk} for customer {customer.number} ({customer.company}, as the "
            "register has it). It is shown only now: give it to the customer's IT "
            "administrator for intake.token_file."
        )

    def _list(self, options: dict[str, Any]) -> None:
        tokens = [
            {
                "id": t.pk,
                "customer": t.customer_number,
                "company": t.company,
                "hint": t.hint + "…",
                "created_at": t.created_at.isoformat(timespec="seconds"),
                "revoked_at": t.revoked_at.isoformat(timespec="seconds") if t.revoked_at else None,
            }
            for t in Token.objects.select_related("customer").order_by("pk")
        ]
        if options["json"]:
            self.stdout.write(json.dumps(tokens, ensure_ascii=False, indent=1))
            return
        if not tokens:
            self.stdout.write(
                "No tokens yet. Create one: intellekta-intake token create --customer NUMBER"
            )
        for t in tokens:
            state = f"revoked {t['revoked_at']}" if t["revoked_at"] else "active"
            self.stdout.write(
                f"{t['id']:>5}  {t['customer']:<12} {t['hint']:<10} {state:<30} {t['company']}"
            )

    def _revoke(self, options: dict[str, Any]) -> None:
        token = Token.objects.filter(pk=options["id"]).first()
        if token is None:
            raise CommandError(
                f"there is no token {options['id']} (see: token list).",
                returncode=ExitCode.USAGE,
            )
        if token.revoked_at is None:
            token.revoked_at = timezone.now()
            token.save(update_fields=["revoked_at"])
        self.stdout.write(f"Token {token.pk} ({token.customer_number}) is revoked.")
