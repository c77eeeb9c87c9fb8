"""On PostgreSQL, a trigram index for the console's search by part of a company name.

SQLite needs none: its search scans the small company index. Where the pg_trgm
extension cannot be created (a role without the right), the search still works, by a
sequential scan, and the log says so.
"""

import logging

from django.db import migrations, transaction

log = logging.getLogger(__name__)
INDEX = "api_confirmation_company_trgm"


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    try:
        with transaction.atomic(using=schema_editor.connection.alias):
            schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
            schema_editor.execute(
                f"CREATE INDEX IF NOT EXISTS {INDEX} ON api_confirmation "
                "USING gin ((UPPER(company::text)) gin_trgm_ops)"
            )
    except Exception as exc:  # noqa: BLE001 - any refusal leaves a slower search, no failure
        log.warning("No trigram index for the company search (%s); searches scan instead", exc)


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP INDEX IF EXISTS {INDEX}")


class Migration(migrations.Migration):
    dependencies = [("api", "0001_initial")]
    operations = [migrations.RunPython(create, drop)]
