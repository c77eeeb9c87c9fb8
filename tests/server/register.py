"""The customer register in tests: every token belongs to a registered customer, so a
test registers its customers (as an administrator would) before it makes their tokens."""

from __future__ import annotations

from datetime import date
from io import StringIO

from django.core.management import call_command

from intake_server.customers.models import Customer


def register_customer(
    number: str,
    company: str,
    sector: str = Customer.OTHER,
    av_signed_on: date | None = None,
    av_document: str = "",
    notes: str = "",
) -> Customer:
    """The customer ``number`` in the register with these facts: added, or updated if the
    register has it already (however its number is written)."""
    customer = Customer.find(number) or Customer(number=number)
    customer.company, customer.sector, customer.notes = company, sector, notes
    customer.av_signed_on, customer.av_document = av_signed_on, av_document
    customer.save()
    return customer


def make_token(customer: str = "10472", company: str = "", sector: str = Customer.OTHER) -> str:
    """A new token for the customer ``customer`` (registered with ``company`` and
    ``sector`` first), as ``token create`` prints it."""
    register_customer(customer, company, sector)
    out = StringIO()
    call_command("token", "create", "--customer", customer, stdout=out, stderr=StringIO())
    return out.getvalue().strip()
