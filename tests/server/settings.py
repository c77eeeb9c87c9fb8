"""Django settings for the tests: the server's own, on SQLite or on PostgreSQL.

``INTELLEKTA_TEST_DATABASE=postgres`` runs the in-process tests on the PostgreSQL that
``INTELLEKTA_TEST_POSTGRES_URL`` names (``build_scripts/test.sh`` starts one); the default
is SQLite. pytest-django creates and drops its own test database either way.
"""

import os
import tempfile

os.environ["INTELLEKTA_INTAKE_DATA_DIR"] = tempfile.mkdtemp(prefix="intake-test-")
if os.environ.get("INTELLEKTA_TEST_DATABASE") == "postgres":
    os.environ["INTELLEKTA_INTAKE_DATABASE_URL"] = os.environ.get(
        "INTELLEKTA_TEST_POSTGRES_URL", "postgresql://intake:intake@127.0.0.1:54329/intake"
    )
else:
    os.environ.pop("INTELLEKTA_INTAKE_DATABASE_URL", None)

from intake_server.settings import *  # noqa: F403

RATELIMIT_ENABLE = True
