"""The register's customer: one customer however its number is written, its company
searchable folded, its facts listed one way."""

from __future__ import annotations

from datetime import date

import pytest

from intake_server.customers.models import Customer
from tests.server.register import register_customer

pytestmark = pytest.mark.django_db


def test_the_number_and_company_are_kept_as_compared() -> None:
    customer = register_customer("k-1", "Zahnarztpraxis Müller", Customer.HEALTH)
    assert (customer.key, customer.search_name) == ("K1", "zahnarztpraxis muller")
    assert Customer.find("K 1") == customer and Customer.find("") is None
    assert Customer.by_key(["K1", "k-1", "nobody", ""]) == {"K1": customer}


def test_matching_finds_by_the_start_of_the_number_or_a_folded_company() -> None:
    first = register_customer("K-100", "Apotheke Größe", Customer.HEALTH)
    second = register_customer("L-7", "Steuerbüro Mueller", Customer.TAX)
    assert list(Customer.matching("k1")) == [first]
    assert list(Customer.matching("grosse")) == [first]
    assert list(Customer.matching("Müller")) == [second]
    assert set(Customer.matching(" ")) == {first, second}
    assert not Customer.matching("nothing like it").exists()


def test_the_facts_and_their_json_form() -> None:
    customer = register_customer("10472", "Kanzlei", Customer.LEGAL, date(2025, 3, 31), "DMS-1")
    assert customer.has_av and customer.facts()["av_signed_on"] == date(2025, 3, 31)
    assert customer.as_dict() == {
        "number": "10472",
        "company": "Kanzlei",
        "sector": "legal",
        "av_signed_on": "2025-03-31",
        "av_document": "DMS-1",
        "notes": "",
        "has_av": True,
    }
    assert register_customer("10473", "Ohne AV").as_dict()["av_signed_on"] is None
