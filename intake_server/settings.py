"""Django settings, built from :mod:`intake_server.conf` (never edited per installation).

The CLI has already checked the configuration before Django starts, so :func:`conf.load`
cannot fail here for a command; a WSGI server started by hand gets the same message.
"""

from __future__ import annotations

import os
from pathlib import Path
from urllib.parse import unquote, urlsplit

from intake_server import conf

CONFIG = conf.load()
DATA_DIR = CONFIG.data_dir
DATA_DIR.mkdir(parents=True, exist_ok=True)


def _database() -> dict[str, object]:
    url = CONFIG["database_url"]
    if not CONFIG.is_postgres:
        path = unquote(urlsplit(url).path) if url else str(DATA_DIR / "intake.sqlite3")
        if not os.path.exists(path):  # SQLite gives its -wal and -shm files the same mode
            Path(path).parent.mkdir(parents=True, exist_ok=True)
            os.close(os.open(path, os.O_CREAT | os.O_WRONLY, 0o600))
        return {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": path,
            "OPTIONS": {
                # Writers queue for the lock at BEGIN instead of failing mid-transaction.
                "transaction_mode": "IMMEDIATE",
                "timeout": 30,
                # WAL lets the console read while confirmations arrive; FULL makes each
                # commit durable before the helper is told "stored".
                "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL;",
            },
            "TEST": {"NAME": str(DATA_DIR / "test-intake.sqlite3")},
        }
    parts = urlsplit(url)
    return {
        "ENGINE": "django.db.backends.postgresql",
        "NAME": unquote(parts.path.lstrip("/")) or "intake",
        "USER": unquote(parts.username or ""),
        "PASSWORD": unquote(parts.password or "") or CONFIG.database_password(),
        "HOST": parts.hostname or "",
        "PORT": str(parts.port or ""),
        "CONN_MAX_AGE": 300,
        "CONN_HEALTH_CHECKS": True,
        "OPTIONS": dict(p.split("=", 1) for p in parts.query.split("&") if "=" in p),
    }


SECRET_KEY = CONFIG.secret_key()
DEBUG = False
ALLOWED_HOSTS = CONFIG["allowed_hosts"]
DATABASES = {"default": _database()}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

INSTALLED_APPS = [
    "django.contrib.contenttypes",
    "django.contrib.auth",
    "intake_server.api",
]
MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
]
ROOT_URLCONF = "intake_server.urls"
WSGI_APPLICATION = "intake_server.wsgi.application"
APPEND_SLASH = False

LANGUAGE_CODE = CONFIG["language"]
LANGUAGES = [("de", "Deutsch"), ("en", "English")]
LOCALE_PATHS = [Path(__file__).parent / "locale"]
USE_I18N = True
USE_TZ = True
TIME_ZONE = "UTC"

# The intake API reads its body itself, bounded; this only guards Django's own parsers.
DATA_UPLOAD_MAX_MEMORY_SIZE = 65536

_RATE_CACHE = "ratelimit"
CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
    # Counted per server process (local memory supports atomic increments).
    _RATE_CACHE: {"BACKEND": "django.core.cache.backends.locmem.LocMemCache",
                  "LOCATION": "ratelimit"},
}  # fmt: skip
RATELIMIT_USE_CACHE = _RATE_CACHE
RATELIMIT_ENABLE = True
# Local memory is shared by the threads of one process, which is what we document.
SILENCED_SYSTEM_CHECKS = ["django_ratelimit.E003", "django_ratelimit.W001"]

if CONFIG["behind_proxy"]:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    USE_X_FORWARDED_HOST = False

SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
    "handlers": {"stderr": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["stderr"], "level": CONFIG["log_level"].upper()},
    "loggers": {
        "django.request": {"level": "ERROR"},
        # A request for another host name is a scan, not our error: no traceback.
        "django.security.DisallowedHost": {"level": "CRITICAL"},
    },
}
