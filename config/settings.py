"""Kruzhok settings: one file, driven by environment variables with safe defaults.

Checking out the code and running ``make run`` gives a working system on SQLite;
``DATABASE_URL=postgres://...`` switches to PostgreSQL; ``KRUZHOK_PROFILE=production``
turns on the hardening that ``manage.py check --deploy`` asks for.
"""

import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


PROFILE = os.environ.get("KRUZHOK_PROFILE", "development")
PRODUCTION = PROFILE == "production"

DEV_SECRET_KEY = "dev-only-insecure-key-change-me-in-production-0123456789abcdef"
SECRET_KEY = os.environ.get("SECRET_KEY", DEV_SECRET_KEY)
DEBUG = env_bool("DEBUG", default=not PRODUCTION)
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "" if PRODUCTION else "127.0.0.1,localhost,testserver,[::1]")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "ninja",  # serves its Swagger UI assets locally (no CDN)
    "kruzhok.core",
    "kruzhok.accounts",
    "kruzhok.territory",
    "kruzhok.catalog",
    "kruzhok.people",
    "kruzhok.enrollment",
    "kruzhok.events",
    "kruzhok.dedup",
    "kruzhok.monitoring",
    "kruzhok.reports",
    "kruzhok.interchange",
    "kruzhok.web",
    "django_tasks",
    "django_tasks_db",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "kruzhok.web.middleware.ChosenLanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "config.urls"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "kruzhok" / "web" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

WSGI_APPLICATION = "config.wsgi.application"
ASGI_APPLICATION = "config.asgi.application"

DEFAULT_SQLITE_PATH = BASE_DIR / "var" / "kruzhok.sqlite3"
DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL") or f"sqlite:///{DEFAULT_SQLITE_PATH}",
        conn_max_age=int(os.environ.get("DB_CONN_MAX_AGE", "0")),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # IMMEDIATE transactions take the write lock at BEGIN, so two writers never both read
    # "a seat is free" and then both write; WAL lets readers go on meanwhile.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;",
        }
    )
    # A file, not memory, for the test database: concurrency tests use several connections. Named after
    # the database, so runs against different DATABASE_URLs (parallel checkouts, CI jobs) don't share it.
    _sqlite_name = Path(DATABASES["default"]["NAME"] or "")
    if _sqlite_name.name in ("", ":memory:"):
        _sqlite_name = DEFAULT_SQLITE_PATH
    DATABASES["default"]["TEST"] = {"NAME": str(_sqlite_name.with_name(f"test-{_sqlite_name.name}"))}
    DEFAULT_SQLITE_PATH.parent.mkdir(parents=True, exist_ok=True)
elif DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # Prepared statements for the few hand-written hot statements that ask for them (the apply request's fast
    # path, kruzhok/enrollment/fastapply.py): they halve the database's CPU there. Django's own queries bind on
    # the client and are never prepared. DB_PREPARE_THRESHOLD=none turns them off (a pooler in transaction mode
    # older than PgBouncer 1.21).
    _prepare = os.environ.get("DB_PREPARE_THRESHOLD", "5").strip().lower()
    DATABASES["default"].setdefault("OPTIONS", {})["prepare_threshold"] = (
        None if _prepare in ("", "none", "off") else int(_prepare))

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"
# E-mail and password today; an SSO / OIDC provider (e.g. ЕСИА, eGov) is added here as another backend.
AUTHENTICATION_BACKENDS = ["django.contrib.auth.backends.ModelBackend"]
LOGIN_URL = "web:login"
LOGIN_REDIRECT_URL = "web:home"
LOGOUT_REDIRECT_URL = "web:home"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "ru"
LANGUAGES = [("ru", _("Русский")), ("kk", _("Казахский")), ("en", _("Английский"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_I18N = True
TIME_ZONE = os.environ.get("TIME_ZONE", "Asia/Yekaterinburg")
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", BASE_DIR / "var" / "static"))
MEDIA_URL = "media/"
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", BASE_DIR / "var" / "media"))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if PRODUCTION
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}

if not PRODUCTION:
    # Development and tests: WhiteNoise serves the apps' static folders directly, no collectstatic needed.
    WHITENOISE_USE_FINDERS = True
    WHITENOISE_AUTOREFRESH = True

EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS")
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "kruzhok@localhost")

# Applications: send status e-mails right after commit (false: a worker sends them, see
# `manage.py send_notifications`); days an invited family has to confirm before the seat moves on.
KRUZHOK_NOTIFY_INLINE = env_bool("KRUZHOK_NOTIFY_INLINE", default=True)
KRUZHOK_INVITATION_DAYS = int(os.environ.get("KRUZHOK_INVITATION_DAYS", "7"))

# Duplicate children: pairs whose match weight (log2 odds) reaches this are merged by the search job without a
# person; empty (the default) switches the automatic merge off — every pair goes to the review queue.
DEDUP_AUTO_MERGE_WEIGHT = float(os.environ["DEDUP_AUTO_MERGE_WEIGHT"]) if os.environ.get("DEDUP_AUTO_MERGE_WEIGHT") \
    else None

# Imports: a file of at least this many rows is read and checked by a forked process of its own while the job
# writes the batches (another core, no shared interpreter lock); a smaller one is read by the job itself.
KRUZHOK_IMPORT_FORK_ROWS = int(os.environ.get("KRUZHOK_IMPORT_FORK_ROWS", "5000"))

# Default country of the installation: decides which directions and qualification
# categories new organizations use unless their region says otherwise.
KRUZHOK_COUNTRY = os.environ.get("KRUZHOK_COUNTRY", "RU")

# Background work (imports, duplicate search, reports, aggregates): django-tasks. "database" queues in the
# database for `manage.py db_worker` (started by `make run` and `make worker`); "immediate" runs a task
# inside the request that enqueues it (the tests use it).
KRUZHOK_TASKS = os.environ.get("KRUZHOK_TASKS", "database")
TASKS = {
    "default": {
        "BACKEND": ("django_tasks.backends.immediate.ImmediateBackend" if KRUZHOK_TASKS == "immediate"
                    else "django_tasks_db.DatabaseBackend"),
    }
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
}

if PRODUCTION:
    # Fail at start-up rather than run a production site with a key anyone can read in the repository.
    if SECRET_KEY == DEV_SECRET_KEY or not SECRET_KEY.strip():
        raise ImproperlyConfigured("KRUZHOK_PROFILE=production needs its own SECRET_KEY (50+ random characters).")
    if not ALLOWED_HOSTS:
        raise ImproperlyConfigured("KRUZHOK_PROFILE=production needs ALLOWED_HOSTS (comma-separated host names).")
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", default=True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", "31536000"))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SECURE_CONTENT_TYPE_NOSNIFF = True
    SECURE_REFERRER_POLICY = "same-origin"
    X_FRAME_OPTIONS = "DENY"
    LANGUAGE_COOKIE_SECURE = True
    LANGUAGE_COOKIE_SAMESITE = "Lax"
    # Static files: WhiteNoise (in MIDDLEWARE) serves STATIC_ROOT, filled by `manage.py collectstatic`;
    # the manifest storage above names files by content hash, which WhiteNoise caches forever.
