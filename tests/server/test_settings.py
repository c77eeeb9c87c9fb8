"""Django's settings built from the configuration (intake_server/settings.py): a
PostgreSQL ``database_url`` read by dj-database-url, its password from the URL, else the
environment, else ``database_password_file``."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import REPO
from tests.server.conftest import intake_env

SHOW = "import json; from intake_server import settings; print(json.dumps(settings.DATABASES))"


def database_with(tmp_path: Path, database_url: str, **env: str) -> dict[str, Any]:
    """Django's database as a new process reads it: settings are made once per process."""
    result = subprocess.run(
        [sys.executable, "-c", SHOW],
        env={**intake_env(tmp_path / "data", database_url), **env},
        cwd=REPO,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    return dict(json.loads(result.stdout)["default"])


def test_a_postgresql_url_becomes_djangos_database(tmp_path: Path) -> None:
    url = "postgresql://intake@db.example:5433/ledger?sslmode=verify-full"
    db = database_with(tmp_path, url)
    assert db["ENGINE"] == "django.db.backends.postgresql"
    assert (db["USER"], db["HOST"], str(db["PORT"]), db["NAME"]) == (
        "intake",
        "db.example",
        "5433",
        "ledger",
    )
    assert db["OPTIONS"] == {"sslmode": "verify-full"}
    assert (db["CONN_MAX_AGE"], db["CONN_HEALTH_CHECKS"], db["PASSWORD"]) == (300, True, "")


@pytest.mark.parametrize("where", ["url", "environment", "file"])
def test_the_password_comes_from_the_url_else_the_environment_else_the_file(
    tmp_path: Path, where: str
) -> None:
    secret = tmp_path / "password"
    secret.write_text("from file\n", "utf-8")
    env = {"INTELLEKTA_INTAKE_DATABASE_PASSWORD_FILE": str(secret)}
    if where != "file":
        env["INTELLEKTA_INTAKE_DATABASE_PASSWORD"] = "from environment"
    url = "postgresql://intake@db.example/"
    if where == "url":
        url = "postgresql://intake:from%20url@db.example/"
    db = database_with(tmp_path, url, **env)
    assert db["PASSWORD"] == {"url": "from url", "environment": "from environment"}.get(
        where, "from file"
    )
    assert db["NAME"] == "intake", "a URL without a database name uses intake"


def test_djangos_languages_are_the_translations_and_english() -> None:
    """Adding a language is adding its translation: settings.LANGUAGES follows the
    locale folder, each language named in itself."""
    from django.conf import settings

    assert settings.LANGUAGES == [("de", "Deutsch"), ("en", "English")]
