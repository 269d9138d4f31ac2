"""Settings for Rabat KB, read from the environment (see README, "Configuration")."""

import importlib.util
import os
from datetime import timedelta
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name, default=False):
    return os.environ.get(name, str(default)).strip().lower() in {"1", "true", "yes", "on"}


def env_list(name, default=""):
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = env_bool("DJANGO_DEBUG", default=False)

SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "DJANGO_SECRET_KEY is not set. Set it to a long random value in production, "
            "or set DJANGO_DEBUG=true for local development."
        )
    SECRET_KEY = "insecure-development-key-only-used-when-DJANGO_DEBUG-is-true"

ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]")
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.postgres",
    "django_filters",
    "simple_history",
    "axes",
    "outcomes",
]
# The benchmark tooling (bench/: generate_synthetic) is in a repository checkout only, never in an installed package.
if (BASE_DIR / "bench" / "apps.py").is_file() and importlib.util.find_spec("bench") is not None:
    INSTALLED_APPS.append("bench.apps.BenchConfig")

MIDDLEWARE = [
    # First: it logs every request with its final status and whole duration (outcomes/ops/requestlog.py).
    "outcomes.ops.requestlog.RequestLogMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "outcomes.security.ContentSecurityPolicyMiddleware",
    "outcomes.cors.ApiCorsMiddleware",
    "outcomes.security.RejectNullCharactersMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "outcomes.ops.timeouts.StatementTimeoutMiddleware",
    "outcomes.caching.PublicPageCacheMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    # Last, as django-axes asks: it turns a lockout raised by the backend into the lockout response.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "rabatkb.urls"
WSGI_APPLICATION = "rabatkb.wsgi.application"

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
            ],
        },
    },
]

# An unset DATABASE_URL means the embedded SQLite file; a postgres:// URL selects PostgreSQL through psycopg 3.
DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL") or f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=int(os.environ.get("DJANGO_CONN_MAX_AGE", "60")),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # An unreachable server must fail a request in seconds, not after the system's TCP timeout.
    DATABASES["default"].setdefault("OPTIONS", {}).setdefault(
        "connect_timeout", int(os.environ.get("DJANGO_DB_CONNECT_TIMEOUT", "5"))
    )

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# The cache keeps counts, facets and rendered fragments under the content version (outcomes/caching.py). A redis://
# URL shares one cache between all workers and survives restarts; otherwise each process keeps its own in memory,
# bounded well above Django's default of 300 keys, which the explorer's facets and pages alone would churn through.
# The Redis backend is Django's, made to serve without the cache while Redis is down (outcomes/ops/cache.py).
CACHE_URL = os.environ.get("DJANGO_CACHE_URL") or os.environ.get("REDIS_URL") or ""
if CACHE_URL.startswith(("redis://", "rediss://", "unix://")):
    CACHES = {"default": {"BACKEND": "outcomes.ops.cache.ResilientRedisCache", "LOCATION": CACHE_URL}}
elif CACHE_URL:
    raise ImproperlyConfigured(f"DJANGO_CACHE_URL (or REDIS_URL) must be a redis:// URL, not {CACHE_URL!r}.")
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "OPTIONS": {"MAX_ENTRIES": int(os.environ.get("DJANGO_CACHE_MAX_ENTRIES", "5000"))},
        }
    }
CACHES["default"]["KEY_PREFIX"] = os.environ.get("DJANGO_CACHE_KEY_PREFIX", "rabatkb")

# django-axes first: it refuses a locked-out username+address before any password is checked.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "fr"
LANGUAGES = [("fr", _("Français")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = Path(os.environ.get("DJANGO_STATIC_ROOT", BASE_DIR / "staticfiles"))
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}

# Where the source documents the site links to live (fixtures/source/ in the repository).
SOURCE_DOCUMENTS_DIR = BASE_DIR / "fixtures" / "source"

# How long a browser or proxy may reuse a public page before revalidating it (ETag; see outcomes/caching.py).
PUBLIC_CACHE_SECONDS = int(os.environ.get("DJANGO_PUBLIC_CACHE_SECONDS", "60"))
# Origins allowed to read the API from a browser: `*` (any, the default for this public read-only API) or a list.
API_CORS_ORIGINS = env_list("DJANGO_API_CORS_ORIGINS", "*")

ADMIN_PATH = os.environ.get("DJANGO_ADMIN_PATH", "admin/").strip("/") + "/"

# Failed logins (django-axes): 5 failures for one username from one address lock that pair out for 15 minutes.
AXES_FAILURE_LIMIT = int(os.environ.get("DJANGO_AXES_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = timedelta(minutes=int(os.environ.get("DJANGO_AXES_COOLOFF_MINUTES", "15")))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "admin/lockout.html"
# Behind a reverse proxy, the client address is the one the proxies appended to X-Forwarded-For (one proxy assumed
# when DJANGO_SECURE_PROXY_SSL_HEADER says there is one).
TRUSTED_PROXY_COUNT = int(
    os.environ.get("DJANGO_TRUSTED_PROXY_COUNT", "1" if env_bool("DJANGO_SECURE_PROXY_SSL_HEADER") else "0")
)
AXES_CLIENT_IP_CALLABLE = "rabatkb.client_ip.client_ip"

# Security: secure by default outside debug; a TLS-terminating proxy sets DJANGO_SECURE_PROXY_SSL_HEADER.
SECURE_SSL_REDIRECT = env_bool("DJANGO_SECURE_SSL_REDIRECT", default=not DEBUG)
if env_bool("DJANGO_SECURE_PROXY_SSL_HEADER", default=False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SESSION_COOKIE_SECURE = not DEBUG
CSRF_COOKIE_SECURE = not DEBUG
SECURE_HSTS_SECONDS = int(os.environ.get("DJANGO_SECURE_HSTS_SECONDS", "0" if DEBUG else "31536000"))
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("DJANGO_SECURE_HSTS_INCLUDE_SUBDOMAINS", default=True)
SECURE_HSTS_PRELOAD = env_bool("DJANGO_SECURE_HSTS_PRELOAD", default=True)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# Sent on every response by outcomes.security: only the site's own scripts, styles and images, no inline script
# or style, no framing. Same shape as Django 6.0's setting of that name.
SECURE_CSP = {
    "default-src": ["'self'"],
    "script-src": ["'self'"],
    # One inline style attribute is allowed by its hash: `style="border-top: 0"` in django-simple-history's history
    # list (simple_history/object_history_list.html), the only one in the admin.
    "style-src": ["'self'", "'unsafe-hashes'", "'sha256-XMXSevYjgSjXgRafBFDvtjwX+yyWLrxfso9DcNZ9UXM='"],
    "img-src": ["'self'", "data:"],
    "object-src": ["'none'"],
    "base-uri": ["'self'"],
    "form-action": ["'self'"],
    "frame-ancestors": ["'none'"],
}
SESSION_COOKIE_HTTPONLY = True

# Operations (docs/operations.md): bounded work for public requests, readiness, exports.
# A public request's database statements are cancelled after this long (PostgreSQL; 0 switches it off).
STATEMENT_TIMEOUT_MS = int(os.environ.get("DJANGO_STATEMENT_TIMEOUT_MS", "5000"))
READINESS_TIMEOUT_SECONDS = float(os.environ.get("DJANGO_READINESS_TIMEOUT_SECONDS", "2"))
# Exports one client may run at once (0: no limit); a slot left by a worker that died frees itself after this long.
EXPORT_CONCURRENCY_PER_CLIENT = int(os.environ.get("DJANGO_EXPORT_CONCURRENCY_PER_CLIENT", "1"))
EXPORT_SLOT_SECONDS = int(os.environ.get("DJANGO_EXPORT_SLOT_SECONDS", "600"))

# One line per request (logger rabatkb.requests, INFO) with its request id; DJANGO_LOG_FORMAT=json for JSON lines.
LOG_FORMAT = os.environ.get("DJANGO_LOG_FORMAT", "text").strip().lower()
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_id": {"()": "outcomes.ops.requestlog.RequestIdFilter"}},
    "formatters": {
        "text": {"format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"},
        "json": {"()": "outcomes.ops.requestlog.JsonFormatter"},
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "filters": ["request_id"],
            "formatter": "json" if LOG_FORMAT == "json" else "text",
        }
    },
    "root": {"handlers": ["console"], "level": os.environ.get("DJANGO_LOG_LEVEL", "WARNING")},
    "loggers": {"rabatkb.requests": {"level": os.environ.get("DJANGO_REQUEST_LOG_LEVEL", "INFO")}},
}

# Final documents uploaded to propose a draft meeting (outcomes/ingest/): the largest accepted, and how long
# reading a PDF or DOCX may take before it is given up.
INGEST_MAX_BYTES = int(os.environ.get("RABATKB_INGEST_MAX_BYTES", str(10 * 1024 * 1024)))
INGEST_EXTRACTION_SECONDS = int(os.environ.get("RABATKB_INGEST_EXTRACTION_SECONDS", "30"))
