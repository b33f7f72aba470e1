"""Dealbook settings: one file, driven by environment variables.

SQLite at var/dealbook.sqlite3 by default; PostgreSQL when DATABASE_URL is set.
"""

import os
import tempfile
from pathlib import Path

import dj_database_url
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent  # src/dealbook
PROJECT_DIR = BASE_DIR.parent.parent
VAR_DIR = Path(os.environ.get("DEALBOOK_VAR_DIR", PROJECT_DIR / "var"))


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str) -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = env_bool("DEBUG", False)
SECRET_KEY = os.environ.get(
    "SECRET_KEY", "dealbook-insecure-development-key-set-SECRET_KEY-in-production"
)
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost,testserver,[::1]")
CSRF_TRUSTED_ORIGINS = env_list(
    "CSRF_TRUSTED_ORIGINS", "http://127.0.0.1:8000,http://localhost:8000"
)

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.admin",
    "ninja",
    "dealbook.core",
    "dealbook.org",
    "dealbook.collaboration",
    "dealbook.customers",
    "dealbook.leads",
    "dealbook.pipeline",
    "dealbook.activities",
    "dealbook.targets",
    "dealbook.search",
    "dealbook.web",
    "axes",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "dealbook.core.middleware.RequestIdMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "dealbook.core.middleware.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # The signed-in user's saved language and their organisation's time zone (web pages only).
    "dealbook.web.middleware.UserPreferencesMiddleware",
    "dealbook.core.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    # Last: turns a refused sign-in of a locked-out login into the lockout page.
    "axes.middleware.AxesMiddleware",
]

if env_bool("DEALBOOK_QUERY_COUNT_HEADER", False):
    MIDDLEWARE.insert(0, "dealbook.core.middleware.QueryCountHeaderMiddleware")

ROOT_URLCONF = "dealbook.config.urls"
WSGI_APPLICATION = "dealbook.config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.template.context_processors.csp",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

DATABASE_URL = os.environ.get("DATABASE_URL", "")
if DATABASE_URL:
    DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=60)}
    # JIT compiling a plan costs PostgreSQL seconds on queries that run in milliseconds.
    DATABASES["default"].setdefault("OPTIONS", {})["options"] = "-c jit=off"
    if env_bool("DATABASE_PREPARED_STATEMENTS", True):
        # Parameters bound by the server, and each statement prepared on the second time a
        # connection runs it: parsing and planning cost PostgreSQL more than answering most
        # of Dealbook's reads, and a page runs the same few statements again and again.
        # Off (DATABASE_PREPARED_STATEMENTS=0) behind a pooler that cannot keep them.
        DATABASES["default"]["OPTIONS"].update(server_side_binding=True, prepare_threshold=1)
        # And planned once, for any values: left to choose, PostgreSQL plans the statements
        # whose generic plan it guesses dearer afresh on every run (a timeline's UNION took
        # 1.2 ms to plan and 0.2 ms to answer).
        DATABASES["default"]["OPTIONS"]["options"] += " -c plan_cache_mode=force_generic_plan"
else:
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    SQLITE_CACHE_MIB = int(os.environ.get("SQLITE_CACHE_MIB", "64"))
    DATABASES = {
        "default": {
            # Django's SQLite backend, with a process's writers taking turns (core/sqlite).
            "ENGINE": "dealbook.core.sqlite",
            "NAME": os.environ.get("SQLITE_PATH", str(VAR_DIR / "dealbook.sqlite3")),
            # Keep connections: opening one (and its PRAGMAs) per request costs more than the query.
            "CONN_MAX_AGE": 600,
            "CONN_HEALTH_CHECKS": True,
            "OPTIONS": {
                # IMMEDIATE takes the write lock at BEGIN, so a read-modify-write never
                # fails half-way with "database is locked"; writers queue for `timeout`.
                "transaction_mode": "IMMEDIATE",
                "timeout": 30,
                # The page cache of each connection (SQLite's default: 2 MB). Every page a
                # read needs beyond it is a system call into the OS's cache: a search, which
                # reads a few hundred rows by id per type, spent a third of its time there at
                # `large`. One connection per server worker: its memory grows by this much.
                "init_command": (
                    "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; "
                    "PRAGMA foreign_keys=ON; PRAGMA busy_timeout=30000; "
                    f"PRAGMA cache_size=-{SQLITE_CACHE_MIB * 1024};"
                ),
            },
            # Tests use a file too, not Django's shared-cache in-memory database: that one is
            # locked per table (SQLITE_LOCKED, "database table is locked", which the busy
            # timeout does not wait out) and the live server shares one connection among its
            # threads. On a file each thread has its own connection, WAL and the timeout above,
            # as in production. One file per process, so parallel runs never meet.
            "TEST": {
                "NAME": os.environ.get(
                    "SQLITE_TEST_PATH",
                    str(Path(tempfile.gettempdir()) / f"dealbook-test-{os.getpid()}.sqlite3"),
                )
            },
        }
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "org.User"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]
AUTHENTICATION_BACKENDS = [
    # First: refuses a sign-in while its login + address is locked out (django-axes).
    "dealbook.web.auth.SignInLockoutBackend",
    "django.contrib.auth.backends.ModelBackend",
]
LOGIN_URL = "/login/"
LOGIN_REDIRECT_URL = "/"
LOGOUT_REDIRECT_URL = "/login/"

# Sign-in lockout (django-axes): 5 failures for one login from one address lock that pair
# for 15 minutes; a successful sign-in clears the failures.
AXES_FAILURE_LIMIT = 5
AXES_COOLOFF_TIME = 0.25  # hours: 15 minutes
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "web/lockout.html"
AXES_VERBOSE = False

LANGUAGE_CODE = "en"
LANGUAGES = [("en", _("English")), ("zh-hans", _("Simplified Chinese"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = os.environ.get("TIME_ZONE", "Asia/Shanghai")
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_CSP = {
    "default-src": ["'self'"],
    "script-src": ["'self'"],
    "style-src": ["'self'"],
    "img-src": ["'self'", "data:"],
    "object-src": ["'none'"],
    "base-uri": ["'self'"],
    "frame-ancestors": ["'none'"],
    "form-action": ["'self'"],
}

# Business settings (per-organisation values live on Organization; these are defaults).
DEALBOOK_DEFAULT_CURRENCY = "CNY"
DEALBOOK_POOL_IDLE_DAYS = int(os.environ.get("DEALBOOK_POOL_IDLE_DAYS", "30"))
DEALBOOK_POOL_CLAIM_LIMIT = int(os.environ.get("DEALBOOK_POOL_CLAIM_LIMIT", "50"))
DEALBOOK_API_PAGE_MAX = 200

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "WARNING")},
}
