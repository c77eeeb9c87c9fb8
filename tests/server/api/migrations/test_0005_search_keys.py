"""Migration 0005: entries stored before it get the search keys every reading expects,
so that an intact ledger stays intact, and search finds them."""

from __future__ import annotations

import json
import uuid

import pytest
from django.core.management import call_command
from django.db import connection
from django.test import Client

from intake_server.api import reading, records
from intake_server.api.models import Confirmation, Token
from intake_server.customers.models import Customer
from intake_server.folding import names, number_key
from tests.server.api.test_intake_text import store_as_before
from tests.server.api.test_verification import format_1_entries
from tests.server.records import real_record
from tests.server.register import make_token
from tests.server.test_api import post

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("builtin_notices")]


def fill_before(client: Client) -> int:
    """Entries of every kind a database holds before 0005; the pk of one whose body is no
    longer a confirmation."""
    make_token("K-1", "Praxis Dr. Übel")
    format_1_entries(2, token=Token.objects.get())  # vouched, in the old entry format
    secret = make_token("K-1", "Praxis Dr. Übel")
    assert post(client, real_record(number="K-1", company="PDÜ"), secret).status_code == 201
    assert post(client, real_record(company="Müller GmbH", number="k 2")).status_code == 201
    document = json.loads(real_record().payload)
    document["submission_id"] = str(uuid.uuid4())
    document["customer"]["company"] = "Kanzlei\x1b[2J\t\nGröße"  # before text was checked
    if connection.vendor == "sqlite":  # PostgreSQL never took it
        document["customer"]["contact_name"] = "Erika\x00"
    store_as_before(document)
    broken = post(client, real_record(company="Kaputt AG", number="K-3"))
    assert broken.status_code == 201
    row = Confirmation.objects.get(receipt_id=broken.json()["receipt_id"])
    Confirmation.objects.filter(pk=row.pk).update(body=b"no confirmation")
    return row.pk


def test_entries_stored_before_get_the_keys_their_reading_expects(client: Client) -> None:
    broken = fill_before(client)
    keys = dict(Confirmation.objects.values_list("pk", "search_names"))
    Customer.objects.update(search_name="")  # as migration 0004 registered customers

    call_command("migrate", "api", "0004", verbosity=0)
    call_command("migrate", "api", "0005", verbosity=0)

    rows = list(Confirmation.objects.select_related("token").order_by("seq"))
    damaged = [item for item in reading.read_all(rows) if item.damaged]
    assert [item.row.pk for item in damaged] == [broken], [i.problems for i in damaged]
    assert dict(Confirmation.objects.exclude(pk=broken).values_list("pk", "search_names")) == {
        pk: value for pk, value in keys.items() if pk != broken
    }
    columns = Confirmation.objects.get(pk=broken)
    assert columns.search_names == names(columns.company, columns.contact_name)
    assert columns.number_key == number_key(columns.customer_number) == "K3"
    assert Customer.objects.get(number="K-1").search_name == "praxis dr. ubel"
    found = {text: len(records.search(text)) for text in SEARCHED}
    assert found == SEARCHED


#: What finds how many of the entries :func:`fill_before` stores, once migrated.
SEARCHED = {"Dr. Uebel": 3, "K1": 3, "Mueller": 1, "k2": 1, "Groesse": 1, "kaputt": 1}


def test_names_are_searched_by_an_index_and_the_company_by_none() -> None:
    with connection.cursor() as cursor:
        indexes = connection.introspection.get_constraints(cursor, "api_confirmation")
    by_name = {
        "sqlite": "api_confirmation_newest_names",
        "postgresql": "api_confirmation_search_names_trgm",
    }
    assert by_name[connection.vendor] in indexes
    assert "api_confirmation_company_trgm" not in indexes
    indexed = [i["columns"] for i in indexes.values() if i["index"] and not i["unique"]]
    assert ["number_key"] in indexed and ["company"] not in indexed
