"""Search that finds: each confirmation's ``number_key`` and ``search_names``
(``intake.search_keys``), filled for the entries stored before, and their indexes.

The keys are computed as every reading checks them: from the body and, in entry format
2, the token the server's facts name (in format 1, the row's token), so an entry that
was intact stays intact. An entry no reading takes facts from (its body is no longer a
confirmation) gets them from its columns, so that search still finds it, marked
damaged. Rows are read and written in batches: 100,000 of them take about half a
minute (most of it SQLite copying the table for each changed column) and little memory.

Indexes: a b-tree on ``number_key``; for the search by part of a name, on PostgreSQL a
pg_trgm GIN index on ``search_names`` (which replaces 0002's on the company: nothing
searches the company column any more, so it loses its b-tree too), on SQLite an index
on ``(received_at, seq, search_names)`` that the search scans newest first instead of
the table with its bodies. Where pg_trgm cannot be created, the search still works by a
scan, and the log says so.

Also: the customers that 0004 registered get their ``search_name``, which its model of
the register did not compute.
"""

import json
import logging
from types import SimpleNamespace

from django.db import migrations, models, transaction

from helper.consent.text import printable
from intake_server.api.intake import search_keys
from intake_server.api.records import printable_json
from intake_server.folding import fold

log = logging.getLogger(__name__)
BATCH = 2000
TABLE = "api_confirmation"
NAMES_TRIGRAM = "api_confirmation_search_names_trgm"
NAMES_NEWEST = "api_confirmation_newest_names"
COMPANY_TRIGRAM = "api_confirmation_company_trgm"  # migration 0002's


def fill(apps, schema_editor):
    rows = (
        apps.get_model("api", "Confirmation")
        .objects.select_related("token__customer")
        .only(
            *("version", "body", "server_facts", "customer_number", "company", "contact_name"),
            *("token__customer_number", "token__customer__company"),
        )
        .order_by("pk")
    )
    update = f"UPDATE {TABLE} SET number_key = %s, search_names = %s WHERE id = %s"
    last = 0
    with schema_editor.connection.cursor() as cursor:
        while batch := list(rows.filter(pk__gt=last)[:BATCH]):
            cursor.executemany(update, [(*_keys(row), row.pk) for row in batch])
            last = batch[-1].pk


def _keys(row):
    """``(number_key, search_names)`` as the reading expects them (``reading.read``)."""
    try:
        keys = search_keys(printable_json(json.loads(bytes(row.body))), _token(row))
    except (ValueError, KeyError, TypeError, AttributeError, RecursionError):
        customer = {
            "number": row.customer_number,
            "company": row.company,
            "contact_name": row.contact_name,
        }
        keys = search_keys({"customer": customer}, None)
    return keys["number_key"], keys["search_names"]


def _token(row):
    """The token that vouched, as the reading takes it (``reading._server_facts``)."""
    if row.version == 1:
        if row.token is None:
            return None
        return SimpleNamespace(
            customer_number=row.token.customer_number, company=row.token.customer.company
        )
    token = json.loads(row.server_facts)["token"]
    if token is None:
        return None
    return SimpleNamespace(
        customer_number=printable(token["customer_number"]), company=printable(token["company"])
    )


def name_customers(apps, schema_editor):
    Customer = apps.get_model("customers", "Customer")
    for customer in Customer.objects.filter(search_name="").exclude(company=""):
        customer.search_name = fold(customer.company)[:200]
        customer.save(update_fields=["search_name"])


def index(apps, schema_editor):
    if schema_editor.connection.vendor == "sqlite":
        schema_editor.execute(
            f"CREATE INDEX {NAMES_NEWEST} ON {TABLE} (received_at, seq, search_names)"
        )
    elif schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP INDEX IF EXISTS {COMPANY_TRIGRAM}")
        _trigram_index(schema_editor, NAMES_TRIGRAM, "search_names")


def unindex(apps, schema_editor):
    schema_editor.execute(f"DROP INDEX IF EXISTS {NAMES_NEWEST}")
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP INDEX IF EXISTS {NAMES_TRIGRAM}")
        _trigram_index(schema_editor, COMPANY_TRIGRAM, "UPPER(company::text)")


def _trigram_index(schema_editor, name, expression):
    try:
        with transaction.atomic(using=schema_editor.connection.alias):
            schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
            schema_editor.execute(
                f"CREATE INDEX IF NOT EXISTS {name} ON {TABLE} "
                f"USING gin (({expression}) gin_trgm_ops)"
            )
    except Exception as exc:  # any refusal leaves a slower search, no failure
        log.warning("No trigram index for the search by name (%s); searches scan instead", exc)


class Migration(migrations.Migration):
    dependencies = [
        ("api", "0004_token_customer"),
        ("customers", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="confirmation",
            name="number_key",
            field=models.CharField(blank=True, db_index=True, default="", max_length=64),
        ),
        migrations.AddField(
            model_name="confirmation",
            name="search_names",
            field=models.TextField(blank=True, default=""),
        ),
        migrations.RunPython(fill, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="confirmation",
            name="company",
            field=models.CharField(blank=True, max_length=300),
        ),
        migrations.RunPython(index, unindex),
        migrations.RunPython(name_customers, migrations.RunPython.noop),
    ]
