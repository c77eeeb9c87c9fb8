"""The one validation of a customer: what the admin, the console, the command and the
import accept and refuse, with messages that say what to do."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from django.utils import timezone, translation

from intake_server.customers.forms import CustomerForm
from intake_server.customers.models import Customer
from tests.server.register import register_customer

pytestmark = pytest.mark.django_db


def form(**changes: str) -> CustomerForm:
    data: dict[str, Any] = {
        "number": "K-1",
        "company": "Praxis Dr. Weiß",
        "sector": "health",
        "av_signed_on": "",
        "av_document": "",
        "notes": "",
    }
    return CustomerForm({**data, **changes})


def errors(**changes: str) -> dict[str, list[str]]:
    with translation.override("en"):
        checked = form(**changes)
        checked.is_valid()
        return {field: [str(e) for e in errs] for field, errs in checked.errors.items()}


@pytest.mark.parametrize("written", ["2025-03-31", "31.03.2025"])
def test_a_date_is_taken_in_iso_or_german_form(written: str) -> None:
    checked = form(av_signed_on=written, sector="Health")
    assert checked.is_valid(), checked.errors
    customer = checked.save()
    assert customer.av_signed_on == date(2025, 3, 31) and customer.sector == "health"


def test_each_wrong_value_is_named_with_what_to_do() -> None:
    tomorrow = (timezone.localdate() + timedelta(days=1)).isoformat()
    assert errors(number="") == {"number": ["Give the customer number (1 to 64 characters)."]}
    assert "at least one letter or digit" in errors(number="--")["number"][0]
    assert "At most 64 characters (this has 65)" in errors(number="1" * 65)["number"][0]
    assert errors(company=" ") == {"company": ["Give the company's name."]}
    assert errors(sector="dental") == {
        "sector": ["dental is no sector: give health, legal, tax, finance or other."]
    }
    assert "YYYY-MM-DD or DD.MM.YYYY" in errors(av_signed_on="31/03/2025")["av_signed_on"][0]
    assert "is in the future" in errors(av_signed_on=tomorrow)["av_signed_on"][0]


def test_a_number_written_otherwise_is_the_same_customer() -> None:
    existing = register_customer("K1", "Erste GmbH")
    assert errors(number="k-1") == {
        "number": ["Customer K1 is already in the register (Erste GmbH)."]
    }
    changed = CustomerForm(form(number="k 1").data, instance=existing)
    assert changed.is_valid(), changed.errors  # the customer itself may be written so
    assert changed.save().key == "K1" and Customer.objects.count() == 1


def test_the_messages_are_german_in_the_german_console() -> None:
    with translation.override("de"):
        checked = form(company="", av_signed_on="gestern")
        assert not checked.is_valid()
        assert checked.errors["company"] == ["Geben Sie den Namen der Firma an."]
        assert "JJJJ-MM-TT" in str(checked.errors["av_signed_on"][0])
