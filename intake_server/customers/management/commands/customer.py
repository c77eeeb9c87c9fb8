"""``intellekta-intake customer``: the customer register from the command line. Every
customer is checked by the same form as in the console and the CSV import."""

import json
from pathlib import Path
from typing import Any

from django.core.management.base import CommandParser

from intake_server.api.management.base import CommandError, IntakeCommand
from intake_server.customers.forms import CustomerForm
from intake_server.customers.importing import Refused, import_customers
from intake_server.customers.models import Customer
from intake_server.exitcodes import ExitCode

#: The options that set a fact (``--av-signed-on`` sets ``av_signed_on``), with their help.
OPTIONS = {
    "company": "the company's name",
    "sector": "health, legal, tax, finance or other (default: other)",
    "av_signed_on": "the day the AV-Vertrag was signed: YYYY-MM-DD or DD.MM.YYYY",
    "av_document": "where the signed AV-Vertrag is kept, e.g. its number in the DMS",
    "notes": "anything support should know",
}


def _option(fact: str) -> str:
    return "NUMBER" if fact == "number" else "--" + fact.replace("_", "-")


class Command(IntakeCommand):
    help = (
        "The customer register: add, edit, list, import a CSV file. Tokens are made for "
        "its customers (token create --customer NUMBER)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        actions = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
        add = actions.add_parser("add", help="Add a customer.")
        edit = actions.add_parser(
            "edit", help="Change a customer: only the options given; an empty value clears."
        )
        for action, required in ((add, {"company"}), (edit, set())):
            action.add_argument("number", metavar="NUMBER", help="the customer number")
            for fact, text in OPTIONS.items():
                action.add_argument(
                    _option(fact), dest=fact, metavar="TEXT", help=text, required=fact in required
                )
        listing = actions.add_parser("list", help="List the customers.")
        listing.add_argument("--json", action="store_true", help="as JSON")
        listing.add_argument(
            "--without-av", action="store_true", help="only those without an AV-Vertrag on file"
        )
        importing = actions.add_parser(
            "import",
            help="Add and update customers from a CSV file (all or nothing); "
            "header: " + ";".join(Customer.FACTS),
        )
        importing.add_argument("file", metavar="FILE.csv")
        importing.add_argument(
            "--dry-run", action="store_true", help="only check the file; write nothing"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        getattr(self, f"_{options['action']}")(options)

    def _add(self, options: dict[str, Any]) -> None:
        data = {fact: options.get(fact) or "" for fact in Customer.FACTS}
        data["sector"] = options["sector"] or Customer.OTHER
        customer = self._saved(CustomerForm(data), "added")
        self.stdout.write(f"Added customer {customer.number} ({customer.company}).")
        self._tell_av(customer)

    def _edit(self, options: dict[str, Any]) -> None:
        customer = registered(options["number"])
        data = {k: "" if v is None else v for k, v in customer.facts().items()}
        data.update({fact: options[fact] for fact in OPTIONS if options[fact] is not None})
        form = CustomerForm(data, instance=customer)
        if not form.has_changed():
            self.stdout.write(f"Customer {customer.number} is unchanged.")
            return
        customer = self._saved(form, "changed")
        changed = ", ".join(_option(name) for name in form.changed_data)
        self.stdout.write(f"Changed customer {customer.number} ({customer.company}): {changed}.")
        self._tell_av(customer)

    def _saved(self, form: CustomerForm, done: str) -> Customer:
        """The form's customer, saved; else a usage error naming each option's problem."""
        if form.is_valid():
            return form.save()
        lines = [f"  {_option(fact)}: {' '.join(errors)}" for fact, errors in form.errors.items()]
        if form.has_error("number", "unique"):
            lines.append("  To change that customer: intellekta-intake customer edit NUMBER …")
        raise CommandError(
            f"the customer was not {done}:\n" + "\n".join(lines), returncode=ExitCode.USAGE
        )

    def _tell_av(self, customer: Customer) -> None:
        if customer.has_av:
            self.stdout.write(f"AV-Vertrag signed on {customer.av_signed_on:%Y-%m-%d}.")
        else:
            self.stdout.write(
                "No AV-Vertrag on file: once it is signed, run: intellekta-intake customer "
                f"edit {customer.number} --av-signed-on YYYY-MM-DD"
            )

    def _list(self, options: dict[str, Any]) -> None:
        customers = Customer.objects.order_by("number")
        if options["without_av"]:
            customers = customers.filter(av_signed_on__isnull=True)
        if options["json"]:
            listed = [customer.as_dict() for customer in customers]
            self.stdout.write(json.dumps(listed, ensure_ascii=False, indent=1))
            return
        if not Customer.objects.exists():
            self.stdout.write(
                "No customers yet. Add one: intellekta-intake customer add NUMBER --company "
                "NAME, or import a CSV file: intellekta-intake customer import FILE.csv"
            )
        for customer in customers:
            av = f"AV {customer.av_signed_on:%Y-%m-%d}" if customer.has_av else "no AV-Vertrag"
            self.stdout.write(
                f"{customer.number:<12} {customer.sector:<8} {av:<14} {customer.company}"
            )

    def _import(self, options: dict[str, Any]) -> None:
        path = Path(options["file"])
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise CommandError(
                f"cannot read {path}: {exc.strerror or exc}. Give the path of a CSV file.",
                returncode=ExitCode.USAGE,
            ) from None
        try:
            counts = import_customers(data, dry_run=options["dry_run"])
        except Refused as refused:
            for problem in refused.problems:
                self.stderr.write(f"{path}: {problem}")
            raise CommandError(
                f"{path} was not imported ({len(refused.problems)} problem(s), above); "
                "nothing was written. Correct the lines named, then import it again.",
                returncode=ExitCode.USAGE,
            ) from None
        if options["dry_run"]:
            self.stdout.write(
                f"Checked {path}: it would add {counts.added}, update {counts.updated} and "
                f"leave {counts.unchanged} unchanged. Nothing was written (--dry-run)."
            )
        else:
            self.stdout.write(
                f"Imported {path}: {counts.added} added, {counts.updated} updated, "
                f"{counts.unchanged} unchanged."
            )


def registered(number: str) -> Customer:
    """The register's customer ``number``, however written; else a usage error saying
    how to add it (``token create`` refuses an unknown number by this too)."""
    customer = Customer.find(number)
    if customer is None:
        raise CommandError(
            f"there is no customer {number!r} in the register (see: customer list). Add the "
            "customer first: intellekta-intake customer add NUMBER --company NAME",
            returncode=ExitCode.USAGE,
        )
    return customer
