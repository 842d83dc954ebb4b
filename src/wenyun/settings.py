"""The one settings module. Everything comes from WENYUN_* variables; nothing set still runs."""

from __future__ import annotations

import os
import secrets
from pathlib import Path

import dj_database_url

from wenyun.core.env import SettingError, envbool, envint, envlist, envstr

PACKAGE_DIR = Path(__file__).resolve().parent
DATA_DIR = Path(envstr("WENYUN_DATA_DIR", "var")).resolve()
# The data dir holds the database and the keys: only the account running Wenyun may look inside.
DATA_DIR.mkdir(mode=0o700, parents=True, exist_ok=True)


def _private_file(path: Path, content: str = "") -> None:
    """Create the file readable by its owner only from its first moment (not chmod after writing)."""
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return  # another process made it first
    with os.fdopen(fd, "w", encoding="utf-8") as file:
        file.write(content)


def _secret_key() -> str:
    configured = envstr("WENYUN_SECRET_KEY")
    if configured:
        return configured
    key_file = DATA_DIR / "secret_key"
    if not key_file.exists():
        _private_file(key_file, secrets.token_urlsafe(50))
    return key_file.read_text(encoding="utf-8").strip()


SECRET_KEY = _secret_key()


def _field_keys() -> list[str]:
    """The keys of encrypted fields (bank accounts): WENYUN_FIELD_KEY (or _FILE), comma-separated while
    one is rotated (the first encrypts, all decrypt); unset, a key made once in the data dir. Keep a copy
    of it apart from the database's backups: without it the encrypted fields cannot be read."""
    from cryptography.fernet import Fernet

    configured = envstr("WENYUN_FIELD_KEY")
    if not configured:
        key_file = DATA_DIR / "field_key"
        if not key_file.exists():
            _private_file(key_file, Fernet.generate_key().decode())
        configured = key_file.read_text(encoding="utf-8").strip()
    keys = [key.strip() for key in configured.split(",") if key.strip()]
    for key in keys:
        try:
            Fernet(key.encode())
        except ValueError:
            raise SettingError(
                "WENYUN_FIELD_KEY must be Fernet keys (32 bytes in URL-safe base64), comma-separated; "
                "one is made by: python -c 'from cryptography.fernet import Fernet; "
                "print(Fernet.generate_key().decode())'."
            ) from None
    return keys


WENYUN_FIELD_KEYS = _field_keys()
DEBUG = envbool("WENYUN_DEBUG", False)
ALLOWED_HOSTS = envlist("WENYUN_ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]", "testserver"])
CSRF_TRUSTED_ORIGINS = envlist("WENYUN_CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.contrib.admin",
    "wenyun.core",
    "wenyun.network",
    "wenyun.catalog",
    "wenyun.circulation",
    "wenyun.acquisitions",
    "wenyun.sip2",
    "wenyun.portal",
    "wenyun.programs",
    "wenyun.volunteers",
    "wenyun.workforce",
    "wenyun.stats",
    "wenyun.ledger",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "wenyun.core.middleware.ContentSecurityPolicyMiddleware",
    "wenyun.core.staticfiles.StaticFilesMiddleware",
    # Pages and JSON compressed (static files come precompressed from above). BREACH needs a secret
    # reflected beside attacker text: the CSRF token is masked anew on every response.
    "django.middleware.gzip.GZipMiddleware",
    "wenyun.core.middleware.NulCharactersMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "wenyun.core.middleware.DomainErrorMiddleware",
]

ROOT_URLCONF = "wenyun.urls"
WSGI_APPLICATION = "wenyun.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "wenyun.core.context_processors.site",
            ],
        },
    }
]


def _databases() -> dict:
    url = envstr("WENYUN_DATABASE_URL")
    if url:
        config = dj_database_url.parse(url, conn_max_age=envint("WENYUN_DB_CONN_MAX_AGE", 60))
        # One test database per test process, so two suites on one machine never meet.
        config["TEST"] = {"NAME": f"test_wenyun_{os.getpid()}"}
        return {"default": config}
    sqlite_file = DATA_DIR / envstr("WENYUN_SQLITE_FILE", "wenyun.sqlite3")
    if not sqlite_file.exists():
        # SQLite would create it 0644; an empty file is an empty database, and its -wal and -shm
        # files take the database file's mode.
        _private_file(sqlite_file)
    return {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": sqlite_file,
            "OPTIONS": {
                # WAL lets readers run beside the one writer; IMMEDIATE takes the write lock at BEGIN,
                # so two writers queue instead of failing half-way with "database is locked".
                "init_command": (
                    "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;"
                    " PRAGMA busy_timeout=10000; PRAGMA cache_size=-32000; PRAGMA temp_store=MEMORY;"
                ),
                "transaction_mode": "IMMEDIATE",
                "timeout": 20,
            },
            "TEST": {"NAME": DATA_DIR / f"test-{os.getpid()}.sqlite3"},
        }
    }


DATABASES = _databases()
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "core.User"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 8}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "core:workbench"
LOGOUT_REDIRECT_URL = "portal:home"
LOGIN_FAILURE_LIMIT = envint("WENYUN_LOGIN_FAILURE_LIMIT", 5)
LOGIN_FAILURE_WINDOW_SECONDS = envint("WENYUN_LOGIN_FAILURE_WINDOW", 900)
# Looser limits (see core.services.login_lock): one account from every address, one address across accounts.
LOGIN_ACCOUNT_FAILURE_LIMIT = envint("WENYUN_LOGIN_ACCOUNT_FAILURE_LIMIT", 20)
LOGIN_ADDRESS_FAILURE_LIMIT = envint("WENYUN_LOGIN_ADDRESS_FAILURE_LIMIT", 30)

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS: list = []  # each app keeps its own locale/ folder
TIME_ZONE = envstr("WENYUN_TIME_ZONE", "Asia/Shanghai")
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = DATA_DIR / "static"
STATIC_ROOT.mkdir(exist_ok=True)
STATICFILES_DIRS = [PACKAGE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    # Hashed names (cached a year) and gzip copies once collected; see core/staticfiles.py.
    "staticfiles": {"BACKEND": "wenyun.core.staticfiles.StaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG
MEDIA_ROOT = DATA_DIR / "media"
MEDIA_URL = "/media/"
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = envbool("WENYUN_SECURE_COOKIES", False)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
X_FRAME_OPTIONS = "DENY"
# Where cookies are secure the site is on HTTPS: browsers are told to stay there (a year, this host only).
SECURE_HSTS_SECONDS = envint("WENYUN_HSTS_SECONDS", 365 * 24 * 3600) if SESSION_COOKIE_SECURE else 0
# Behind a proxy that ends TLS (waitress speaks plain HTTP), the proxy's X-Forwarded-Proto says HTTPS;
# only set this where the proxy overwrites that header.
SECURE_PROXY_SSL_HEADER = (
    ("HTTP_X_FORWARDED_PROTO", "https") if envbool("WENYUN_BEHIND_TLS_PROXY", False) else None
)
# Everything is vendored, so nothing but this site is needed. Scripts only from our static files (no
# inline script, no handlers in markup: see wenyun/wenyun.js); inline styles stay allowed, the templates
# and htmx use them.
CONTENT_SECURITY_POLICY = envstr(
    "WENYUN_CONTENT_SECURITY_POLICY",
    "default-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; object-src 'none'; "
    "base-uri 'self'; form-action 'self'; frame-ancestors 'none'",
)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": envstr("WENYUN_LOG_LEVEL", "WARNING")},
}

WENYUN_COUNTY_NAME = envstr("WENYUN_COUNTY_NAME", "")
# The reader category (code or name) a migrated reader takes when the file gives none (import-patrons).
WENYUN_DEFAULT_READER_CATEGORY = envstr("WENYUN_DEFAULT_READER_CATEGORY", "")
SIP2_TLS_CERT = envstr("WENYUN_SIP2_TLS_CERT")
SIP2_TLS_KEY = envstr("WENYUN_SIP2_TLS_KEY")
SIP2_MAX_MESSAGE_BYTES = envint("WENYUN_SIP2_MAX_MESSAGE_BYTES", 8192)
SIP2_IDLE_TIMEOUT = envint("WENYUN_SIP2_IDLE_TIMEOUT", 1800)  # seconds a kiosk may stay silent
SIP2_MESSAGE_TIMEOUT = envint("WENYUN_SIP2_MESSAGE_TIMEOUT", 30)  # seconds to finish a begun message

# Imports from files (core/uploads.py), checked before a file is read: the most bytes a file may hold
# (an XLSX's parts counted uncompressed) and the most rows of a CSV or XLSX table (records of an
# uploaded MARC file).
IMPORT_MAX_BYTES = envint("WENYUN_IMPORT_MAX_BYTES", 100 * 1024 * 1024)
IMPORT_MAX_ROWS = envint("WENYUN_IMPORT_MAX_ROWS", 200_000)

# Dashboards (stats/dashboard.py): figures younger than this are served as they are; older ones of the
# same day are served at once and computed again in the background.
STATS_DASHBOARD_FRESH_SECONDS = envint("WENYUN_DASHBOARD_FRESH_SECONDS", 300)
# `wenyun serve` computes the county's dashboards as it starts (0: it does not).
STATS_DASHBOARD_WARM = envint("WENYUN_DASHBOARD_WARM", 1) == 1

# Notices to readers (circulation/notices.py). The SMS gateway sender is
# WENYUN_NOTICE_SENDER=wenyun.circulation.notices.SmsSender; its key may come from WENYUN_SMS_KEY_FILE.
WENYUN_NOTICE_SENDER = envstr("WENYUN_NOTICE_SENDER", "wenyun.circulation.notices.OutboxSender")
WENYUN_SMS_URL = envstr("WENYUN_SMS_URL")
WENYUN_SMS_ACCOUNT = envstr("WENYUN_SMS_ACCOUNT")
WENYUN_SMS_KEY = envstr("WENYUN_SMS_KEY")
WENYUN_SMS_TIMEOUT = envint("WENYUN_SMS_TIMEOUT", 10)  # seconds
WENYUN_SMS_TEMPLATES = {  # the gateway's template code for each kind of notice
    kind: envstr(f"WENYUN_SMS_TEMPLATE_{kind.upper()}") for kind in ("hold_ready", "due_soon", "overdue")
}
