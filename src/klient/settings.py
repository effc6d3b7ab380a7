"""One settings module, read from the environment (KLIENT_*).

SQLite under $KLIENT_HOME by default; PostgreSQL when KLIENT_DATABASE_URL is set.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, unquote, urlparse

from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent
KLIENT_HOME = Path(os.environ.get("KLIENT_HOME", ".klient")).resolve()
KLIENT_HOME.mkdir(parents=True, exist_ok=True)


def _env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _secret_key() -> str:
    """Use KLIENT_SECRET_KEY, else a key generated once and kept under KLIENT_HOME."""
    if key := os.environ.get("KLIENT_SECRET_KEY"):
        return key
    path = KLIENT_HOME / "secret_key"
    if not path.exists():
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as handle:
            handle.write(secrets.token_urlsafe(50))
    return path.read_text().strip()


def database_from_url(url: str | None) -> dict[str, Any]:
    """Translate KLIENT_DATABASE_URL into Django's DATABASES entry."""
    if not url:
        return {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": str(KLIENT_HOME / "klient.sqlite3"),
            "OPTIONS": {
                # IMMEDIATE: concurrent writers queue on the lock instead of failing later
                # with "database is locked"; WAL + synchronous=FULL: durable on power loss.
                "transaction_mode": "IMMEDIATE",
                "timeout": 30,
                "init_command": (
                    "PRAGMA journal_mode=WAL;"
                    "PRAGMA synchronous=FULL;"
                    "PRAGMA foreign_keys=ON;"
                    "PRAGMA cache_size=-65536;"
                    "PRAGMA busy_timeout=30000;"
                ),
            },
            # Keep each worker's connection: opening one (pragmas, reading the schema)
            # costs ~4 ms, several times a whole client-360 request.
            "CONN_MAX_AGE": 600,
            "TEST": {"NAME": os.environ.get("KLIENT_TEST_SQLITE_NAME") or None},
        }
    parsed = urlparse(url)
    if parsed.scheme in {"sqlite", "sqlite3"}:
        config = database_from_url(None)
        config["NAME"] = unquote(parsed.path) if parsed.path else config["NAME"]
        return config
    if parsed.scheme not in {"postgres", "postgresql"}:
        raise ValueError(f"KLIENT_DATABASE_URL: unsupported scheme {parsed.scheme!r}")
    options: dict[str, Any] = {key: values[-1] for key, values in parse_qs(parsed.query).items()}
    # Server-side prepared statements for the hot reads run through klient.core.prepared
    # (token lookup, client card): planning costs PostgreSQL ~0.3 ms a query there, the
    # query itself ~0.05 ms. Django's own queries bind client-side and are never prepared.
    # `?prepare_threshold=none` turns them off (e.g. behind PgBouncer < 1.21 in
    # transaction mode).
    threshold = str(options.pop("prepare_threshold", "5")).lower()
    options["prepare_threshold"] = None if threshold in ("none", "off") else int(threshold)
    return {
        "ENGINE": "django.db.backends.postgresql",
        "NAME": unquote(parsed.path.lstrip("/")) or "klient",
        "USER": unquote(parsed.username or ""),
        "PASSWORD": unquote(parsed.password or ""),
        "HOST": parsed.hostname or "",
        "PORT": str(parsed.port or ""),
        "OPTIONS": options,
        "CONN_MAX_AGE": 60,
        "CONN_HEALTH_CHECKS": True,
    }


SECRET_KEY = _secret_key()
DEBUG = _env_bool("KLIENT_DEBUG")
ALLOWED_HOSTS = [
    host.strip()
    for host in os.environ.get("KLIENT_ALLOWED_HOSTS", "127.0.0.1,localhost,testserver").split(",")
    if host.strip()
]

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_htmx",
    "huey.contrib.djhuey",
    # Listed so the API docs page renders with django-ninja's bundled Swagger UI
    # (served from /static/ninja/) instead of its CDN template: no CDN on a closed network.
    "ninja",
    "klient.core",
    "klient.calendars",
    "klient.money",
    "klient.contacts",
    "klient.activities",
    "klient.notifications",
    "klient.attachments",
    "klient.importexport",
    "klient.webhooks",
    "klient.sales",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "klient.core.middleware.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "klient.core.middleware.UserLanguageMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
]

ROOT_URLCONF = "klient.urls"
WSGI_APPLICATION = "klient.wsgi.application"
AUTH_USER_MODEL = "core.User"
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home:index"
LOGOUT_REDIRECT_URL = "login"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "klient.core.context_processors.navigation",
                "klient.notifications.context_processors.unread_notifications",
            ],
        },
    }
]

DATABASES = {"default": database_from_url(os.environ.get("KLIENT_DATABASE_URL"))}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

LANGUAGE_CODE = os.environ.get("KLIENT_LANGUAGE", "en")
LANGUAGES = [("en", _("English")), ("ru", _("Russian")), ("bg", _("Bulgarian"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
# Our date and time formats per language (klient/formats/): Django's bg has none for dates
# with times, and each kind of value gets one format on every page.
FORMAT_MODULE_PATH = ["klient.formats"]
USE_I18N = True
USE_TZ = True
TIME_ZONE = os.environ.get("KLIENT_TIME_ZONE", "Europe/Moscow")
LANGUAGE_COOKIE_NAME = "klient_language"

STATIC_URL = "/static/"
STATIC_ROOT = KLIENT_HOME / "static"
STATIC_ROOT.mkdir(exist_ok=True)  # whitenoise warns on every request without it
STATICFILES_DIRS: list[Path] = [BASE_DIR / "static"]
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG

# Files people upload (attachments on any record) and files the product makes (quote PDFs,
# export files): under $KLIENT_HOME/files unless KLIENT_FILES_DIR says otherwise. Never
# served as static: every download goes through a permission-checked view. `klient backup`
# copies this folder beside the database.
KLIENT_FILES_DIR = Path(os.environ.get("KLIENT_FILES_DIR", KLIENT_HOME / "files")).resolve()
# Attachments on records (klient.attachments): the largest file, and how many one record
# may hold (0: no limit).
KLIENT_ATTACHMENT_MAX_BYTES = int(os.environ.get("KLIENT_ATTACHMENT_MAX_BYTES", 25 * 1024 * 1024))
KLIENT_ATTACHMENT_MAX_PER_RECORD = int(os.environ.get("KLIENT_ATTACHMENT_MAX_PER_RECORD", 200))

# Requests above this are refused with a typed 413 before any work is done.
DATA_UPLOAD_MAX_MEMORY_SIZE = int(os.environ.get("KLIENT_MAX_BODY_BYTES", 2 * 1024 * 1024))
KLIENT_IMPORT_MAX_BYTES = int(os.environ.get("KLIENT_IMPORT_MAX_BYTES", 512 * 1024 * 1024))
# Rows per import transaction (each commits its checkpoint); seconds after which a silent
# import worker on another host is presumed dead and its import is taken over.
KLIENT_IMPORT_BATCH_ROWS = int(os.environ.get("KLIENT_IMPORT_BATCH_ROWS", 20_000))
# Uploads left at the column-mapping step this long have their file deleted (hourly).
KLIENT_IMPORT_ABANDONED_HOURS = int(os.environ.get("KLIENT_IMPORT_ABANDONED_HOURS", 24))
KLIENT_IMPORT_LEASE_SECONDS = int(os.environ.get("KLIENT_IMPORT_LEASE_SECONDS", 120))
# Imports with at least this many rows left parse in a second process (a second core).
KLIENT_IMPORT_PARSE_PROCESS_ROWS = int(os.environ.get("KLIENT_IMPORT_PARSE_PROCESS_ROWS", 20_000))
# How many such processes (CSV only). Each validates a row in about half the time the
# writer needs to store it, so two keep the writer busy; more would only add memory.
KLIENT_IMPORT_PARSE_PROCESSES = int(
    os.environ.get("KLIENT_IMPORT_PARSE_PROCESSES", min(2, os.cpu_count() or 1))
)
# Exports of more rows than this are written by a worker, with a progress page and a
# download link, instead of streamed within the request (which a proxy may cut off);
# their files are deleted this many hours after they were written.
KLIENT_EXPORT_INLINE_ROWS = int(os.environ.get("KLIENT_EXPORT_INLINE_ROWS", 5000))
KLIENT_EXPORT_KEEP_HOURS = int(os.environ.get("KLIENT_EXPORT_KEEP_HOURS", 24))

SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = False
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True

# HTTPS deployments (README, "Behind a TLS proxy"). One switch for a site served only
# over HTTPS: cookies travel only over TLS, browsers are told to use HTTPS (HSTS), and
# plain-HTTP requests are redirected, unless the proxy already does it (KLIENT_SSL_REDIRECT=0).
KLIENT_HTTPS = _env_bool("KLIENT_HTTPS")
SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = LANGUAGE_COOKIE_SECURE = KLIENT_HTTPS
SECURE_SSL_REDIRECT = KLIENT_HTTPS and _env_bool("KLIENT_SSL_REDIRECT", True)
SECURE_HSTS_SECONDS = int(os.environ.get("KLIENT_HSTS_SECONDS", 31_536_000)) if KLIENT_HTTPS else 0
# Both bind every subdomain of the site's domain too: the operator's call, off by default.
SECURE_HSTS_INCLUDE_SUBDOMAINS = _env_bool("KLIENT_HSTS_INCLUDE_SUBDOMAINS")
SECURE_HSTS_PRELOAD = _env_bool("KLIENT_HSTS_PRELOAD")
# The header the TLS proxy sets to "https" (e.g. X-Forwarded-Proto). Only for a proxy that
# always sets or strips it: otherwise a client could send it and pass for HTTPS.
if _ssl_header := os.environ.get("KLIENT_PROXY_SSL_HEADER", "").strip():
    SECURE_PROXY_SSL_HEADER = ("HTTP_" + _ssl_header.upper().replace("-", "_"), "https")
# Addresses or networks of the reverse proxies in front of Klient. Only a request coming
# from one of them has its client address read from X-Forwarded-For (login throttling).
KLIENT_TRUSTED_PROXY = [
    item.strip() for item in os.environ.get("KLIENT_TRUSTED_PROXY", "").split(",") if item.strip()
]
CSRF_TRUSTED_ORIGINS = [
    item.strip()
    for item in os.environ.get("KLIENT_CSRF_TRUSTED_ORIGINS", "").split(",")
    if item.strip()
]

# Failed sign-ins lock the account after KLIENT_LOGIN_FAILURE_LIMIT, and the client
# address after KLIENT_LOGIN_ADDRESS_FAILURE_LIMIT (higher: an office shares one address),
# each counted over KLIENT_LOGIN_COOLOFF_MINUTES and locked for as long. Requests with an
# invalid API token lock their address after KLIENT_TOKEN_FAILURE_LIMIT. docs/adr/0007.
KLIENT_LOGIN_FAILURE_LIMIT = int(os.environ.get("KLIENT_LOGIN_FAILURE_LIMIT", 5))
KLIENT_LOGIN_ADDRESS_FAILURE_LIMIT = int(os.environ.get("KLIENT_LOGIN_ADDRESS_FAILURE_LIMIT", 20))
KLIENT_TOKEN_FAILURE_LIMIT = int(os.environ.get("KLIENT_TOKEN_FAILURE_LIMIT", 20))
KLIENT_LOGIN_COOLOFF_MINUTES = int(os.environ.get("KLIENT_LOGIN_COOLOFF_MINUTES", 15))
# Public links (docs/public-links.md): opens of one link per minute; look-ups finding no
# link from one address, counted like failed sign-ins; days each open is kept.
KLIENT_PUBLIC_LINK_OPENS_PER_MINUTE = int(os.environ.get("KLIENT_PUBLIC_LINK_OPENS_PER_MINUTE", 30))
KLIENT_PUBLIC_LINK_ADDRESS_FAILURE_LIMIT = int(
    os.environ.get("KLIENT_PUBLIC_LINK_ADDRESS_FAILURE_LIMIT", 20)
)
KLIENT_PUBLIC_LINK_USE_KEEP_DAYS = int(os.environ.get("KLIENT_PUBLIC_LINK_USE_KEEP_DAYS", 90))

PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    "django.contrib.auth.hashers.ScryptPasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]

REDIS_URL = os.environ.get("KLIENT_REDIS_URL")
if REDIS_URL:
    HUEY = {
        "huey_class": "huey.RedisHuey",
        "name": "klient",
        "url": REDIS_URL,
        "immediate": False,
        "consumer": {"workers": 2, "worker_type": "thread", "verbose": False},
    }
else:
    HUEY = {
        "huey_class": "huey.SqliteHuey",
        "name": "klient",
        "filename": str(KLIENT_HOME / "jobs.sqlite3"),
        "immediate": False,
        "consumer": {"workers": 2, "worker_type": "thread", "verbose": False},
    }
# Seconds a durable job may stay pending before the sweep dispatches it again.
KLIENT_OUTBOX_REDISPATCH_AFTER = int(os.environ.get("KLIENT_OUTBOX_REDISPATCH_AFTER", 300))
# Days a finished (done) job stays in the outbox before the daily prune deletes it.
KLIENT_OUTBOX_KEEP_DONE_DAYS = int(os.environ.get("KLIENT_OUTBOX_KEEP_DONE_DAYS", 14))
# Outbound webhooks (docs/webhooks.md): turned off after this many failed deliveries in a
# row; networks a webhook may reach although not public (comma-separated CIDRs, e.g. a
# receiver on the same host in tests). Empty: public addresses only.
KLIENT_WEBHOOK_DISABLE_AFTER = int(os.environ.get("KLIENT_WEBHOOK_DISABLE_AFTER", 10))
KLIENT_WEBHOOK_ALLOW_PRIVATE = [
    item.strip()
    for item in os.environ.get("KLIENT_WEBHOOK_ALLOW_PRIVATE", "").split(",")
    if item.strip()
]

# Email and SMS (docs/notifications.md). With KLIENT_EMAIL_HOST set, mail goes to that SMTP
# server; without it, to files under $KLIENT_HOME/mail/ (development: nothing leaves).
KLIENT_EMAIL_HOST = os.environ.get("KLIENT_EMAIL_HOST", "")
EMAIL_BACKEND = (
    "django.core.mail.backends.smtp.EmailBackend"
    if KLIENT_EMAIL_HOST
    else "django.core.mail.backends.filebased.EmailBackend"
)
EMAIL_FILE_PATH = KLIENT_HOME / "mail"
EMAIL_HOST = KLIENT_EMAIL_HOST or "localhost"
EMAIL_PORT = int(os.environ.get("KLIENT_EMAIL_PORT", 25))
EMAIL_HOST_USER = os.environ.get("KLIENT_EMAIL_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("KLIENT_EMAIL_PASSWORD", "")
EMAIL_USE_TLS = _env_bool("KLIENT_EMAIL_TLS")
EMAIL_USE_SSL = _env_bool("KLIENT_EMAIL_SSL")
# Shorter than a delivery attempt may take: a silent server never holds a worker long.
EMAIL_TIMEOUT = int(os.environ.get("KLIENT_EMAIL_TIMEOUT", 20))
DEFAULT_FROM_EMAIL = os.environ.get("KLIENT_EMAIL_FROM", "Klient <klient@localhost>")
# Links in messages are made absolute with this address.
KLIENT_BASE_URL = os.environ.get("KLIENT_BASE_URL", "http://127.0.0.1:8000")
# SMS: "file" (JSON lines under $KLIENT_HOME/sms/) or "smsru" (SMS.ru, KLIENT_SMSRU_API_ID).
KLIENT_SMS_BACKEND = os.environ.get("KLIENT_SMS_BACKEND", "file")
KLIENT_SMSRU_API_ID = os.environ.get("KLIENT_SMSRU_API_ID", "")
KLIENT_SMSRU_TEST = _env_bool("KLIENT_SMSRU_TEST")
# Against runaway sending: emails and SMS a workspace sends a minute (the rest wait), and
# messages one recipient gets about one record on one channel in 24 hours.
KLIENT_NOTIFY_RATE_PER_MINUTE = int(os.environ.get("KLIENT_NOTIFY_RATE_PER_MINUTE", 120))
KLIENT_NOTIFY_RECORD_DAILY_CAP = int(os.environ.get("KLIENT_NOTIFY_RECORD_DAILY_CAP", 20))

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("KLIENT_LOG_LEVEL", "WARNING")},
}
