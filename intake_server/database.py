"""Setting up the database once, even when several server processes start together."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

import filelock
from django.conf import settings
from django.core.management import call_command
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

#: A fixed key for PostgreSQL's advisory lock ("intk" in ASCII).
_ADVISORY_KEY = 0x696E746B


@contextlib.contextmanager
def setup_lock() -> Iterator[None]:
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_lock(%s)", [_ADVISORY_KEY])
            try:
                yield
            finally:
                cursor.execute("SELECT pg_advisory_unlock(%s)", [_ADVISORY_KEY])
    else:
        with filelock.FileLock(str(settings.DATA_DIR / "migrate.lock")):
            yield


def pending_migrations() -> int:
    executor = MigrationExecutor(connection)
    return len(executor.migration_plan(executor.loader.graph.leaf_nodes()))


def migrate(verbosity: int = 1) -> None:
    """Apply the migrations (once, under the lock) and register the built-in notices."""
    call_command("migrate", interactive=False, verbosity=verbosity)
