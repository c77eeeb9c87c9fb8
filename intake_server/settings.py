"""Django settings, built from :mod:`intake_server.conf` (never edited per installation).

The CLI has already checked the configuration before Django starts, so :func:`conf.load`
cannot fail here for a command; a WSGI server started by hand gets the same message.
"""

from __future__ import annotations

import os
from datetime import timedelta
from pathlib import Path

import dj_database_url
from django.conf.locale import LANG_INFO

from intake_server import conf, languages, logs

#: The server's languages (its translations, :mod:`intake_server.languages`), each named in
#: itself: the console's language menu, Django's choice of a request's language, the
#: evidence and the ``language`` setting follow it.
LANGUAGES = [(code, LANG_INFO[code]["name_local"]) for code in languages.codes()]
CONFIG = conf.load()
DATA_DIR = CONFIG.data_dir
DATA_DIR.mkdir(parents=True, exist_ok=True)


def _database() -> dict[str, object]:
    if not CONFIG.is_postgres:
        path = str(CONFIG.sqlite_path)
        if not os.path.exists(path):  # SQLite gives its -wal and -shm files the same mode
            Path(path).parent.mkdir(parents=True, exist_ok=True)
            os.close(os.open(path, os.O_CREAT | os.O_WRONLY, 0o600))
        return {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": path,
            # One connection per server thread, kept: opening one (and its PRAGMAs) on
            # every request cost ~5 ms of CPU per request in benchmarks/intake_bench.py.
            "CONN_MAX_AGE": 300,
            "CONN_HEALTH_CHECKS": True,
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
    # The query's parameters become connection OPTIONS (sslmode=verify-full, ...).
    database = dj_database_url.parse(
        CONFIG["database_url"], conn_max_age=300, conn_health_checks=True
    )
    database["NAME"] = database["NAME"] or "intake"
    database["PASSWORD"] = database["PASSWORD"] or CONFIG.database_password()
    return dict(database)


SECRET_KEY = CONFIG.secret_key()
DEBUG = False
ALLOWED_HOSTS = CONFIG["allowed_hosts"]
DATABASES = {"default": _database()}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "axes",
    "intake_server.customers",
    "intake_server.api",
    "intake_server.console",
]
MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "axes.middleware.AxesMiddleware",
    "intake_server.console.middleware.IdleTimeout",
]
TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "intake_server.console.context.ledger_damage",  # the banner for admins
            ]
        },
    }
]
ROOT_URLCONF = "intake_server.urls"
WSGI_APPLICATION = "intake_server.wsgi.application"
APPEND_SLASH = False

LANGUAGE_CODE = CONFIG["language"]
LOCALE_PATHS = [Path(__file__).parent / "locale"]
USE_I18N = True
USE_TZ = True
TIME_ZONE = CONFIG["time_zone"]

# The intake API reads its body itself, bounded; this only guards Django's own parsers.
DATA_UPLOAD_MAX_MEMORY_SIZE = 65536

_RATE_CACHE = "ratelimit"
CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
    # Counted per server process (local memory supports atomic increments).
    _RATE_CACHE: {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
        "LOCATION": "ratelimit",
    },
}
RATELIMIT_USE_CACHE = _RATE_CACHE
RATELIMIT_ENABLE = True
# Local memory is shared by the threads of one process, which is what we document.
SILENCED_SYSTEM_CHECKS = ["django_ratelimit.E003", "django_ratelimit.W001"]

# -- the support console: sign-in, sessions, security headers --
#: Set by ``serve --certfile``; behind a proxy, the proxy speaks TLS.
TLS = CONFIG["behind_proxy"] or os.environ.get("INTELLEKTA_SERVE_TLS") == "1"
if CONFIG["behind_proxy"]:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    USE_X_FORWARDED_HOST = False

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",  # refuses, unchecked, while locked or waiting
    "intake_server.console.sign_in.NameBackend",  # names without regard to case or width
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# 5 wrong passwords lock a (user name, address) pair for 15 minutes; an account's failures
# from all addresses make further attempts wait (console.sign_in says how).
AXES_FAILURE_LIMIT = 5
AXES_COOLOFF_TIME = timedelta(minutes=15)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_HANDLER = "intake_server.console.sign_in.SignInHandler"
AXES_LOCKOUT_CALLABLE = "intake_server.console.sign_in.paused"
AXES_USERNAME_CALLABLE = "intake_server.console.sign_in.axes_username"
AXES_CLIENT_IP_CALLABLE = "intake_server.addresses.client_address"
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False  # a refused attempt checked nothing
AXES_RESET_ON_SUCCESS = True
AXES_VERBOSE = False  # console.sign_in logs sign-ins with user name and address
LOGIN_URL = "console:sign_in"
LOGIN_REDIRECT_URL = "console:queue"

# Sign-in expires after the idle time (console.middleware.IdleTimeout: the queue's own
# refreshing does not count as activity), and at the latest after a working day.
CONSOLE_IDLE = timedelta(minutes=CONFIG["console_idle_minutes"])
SESSION_COOKIE_AGE = 12 * 3600
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = TLS
CSRF_COOKIE_HTTPONLY = True
CSRF_COOKIE_SAMESITE = "Lax"
CSRF_FAILURE_VIEW = "intake_server.faults.csrf_failure"
SECURE_HSTS_SECONDS = 365 * 24 * 3600 if TLS else 0

STATIC_URL = "/static/"
# WhiteNoise serves the apps' static files straight from the package: nothing to collect.
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = False

# No external resources, no inline scripts or styles.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "connect-src": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
        "base-uri": ["'none'"],
        "object-src": ["'none'"],
    }
}

SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

LOGGING = logs.config(CONFIG["log_level"], CONFIG["log_format"])
