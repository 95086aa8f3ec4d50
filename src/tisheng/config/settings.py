"""One settings module, read from the environment with safe local defaults.

Environment variables (all optional):
  TISHENG_DEBUG        "1" turns on Django's debug pages (off by default)
  TISHENG_SECRET_KEY   secret key; without it, a random key kept in var/secret_key (mode 0600)
  DATABASE_URL         e.g. postgres://user@127.0.0.1:5432/tisheng; default: SQLite at var/tisheng.sqlite3
  TISHENG_ALLOWED_HOSTS comma-separated host names (default: localhost,127.0.0.1)
  TISHENG_VAR_DIR      where the SQLite file, uploads and collected static files live (default: ./var)
  TISHENG_TASK_BACKEND "db" (default, django-tasks-db worker) or "immediate"
  REDIS_URL            when set, the cache uses Redis (shared across gunicorn workers)
"""

import os
from pathlib import Path

import environ

PACKAGE_DIR = Path(__file__).resolve().parent.parent
env = environ.Env()

VAR_DIR = Path(env.str("TISHENG_VAR_DIR", default=str(Path.cwd() / "var"))).resolve()

DEBUG = env.bool("TISHENG_DEBUG", default=False)
# No public key: without TISHENG_SECRET_KEY the key is read from var/secret_key, created (random, mode
# 0600) on first start (config/secret.py). TISHENG_REQUIRE_SECRET=1 refuses to start without the variable.
SECRET_KEY = env.str("TISHENG_SECRET_KEY", default="")
if not SECRET_KEY:
    if env.bool("TISHENG_REQUIRE_SECRET", default=False):
        from django.core.exceptions import ImproperlyConfigured

        raise ImproperlyConfigured("TISHENG_SECRET_KEY must be set in production")
    from .secret import load_or_create

    SECRET_KEY = load_or_create(VAR_DIR / "secret_key")
ALLOWED_HOSTS = env.list("TISHENG_ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "testserver"])
CSRF_TRUSTED_ORIGINS = env.list("TISHENG_CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django_tasks",
    "django_tasks_db",
    "django_rq",
    "ninja",  # its Swagger UI from our static files, not a CDN (Content-Security-Policy)
    "tisheng.core",
    "tisheng.people",
    "tisheng.organisation",
    "tisheng.access",
    "tisheng.framework",
    "tisheng.exchange",
    "tisheng.programme",
    "tisheng.plans",
    "tisheng.hours",
    "tisheng.trainings",
    "tisheng.research",
    "tisheng.evidence",
    "tisheng.evaluation",
    "tisheng.scoring",
    "tisheng.progress",
    "tisheng.home",
    "tisheng.demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "tisheng.core.middleware.LanguageMiddleware",
    "tisheng.core.middleware.ApiEdgeMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "tisheng.core.middleware.RequestContextMiddleware",
    "tisheng.core.middleware.AppErrorMiddleware",
    "tisheng.core.middleware.ContentSecurityPolicyMiddleware",
]

ROOT_URLCONF = "tisheng.config.urls"
WSGI_APPLICATION = "tisheng.config.wsgi.application"
AUTH_USER_MODEL = "people.User"
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

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
                "tisheng.core.context_processors.scope",
            ],
        },
    },
]

DATABASES = {
    "default": env.db_url("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'tisheng.sqlite3'}"),
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets the web server and the task worker read while one writes.
    DATABASES["default"].setdefault("OPTIONS", {})
    DATABASES["default"]["OPTIONS"].update(
        {
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        }
    )
    # A file, not memory, for the test database: the browser tests' live server runs in another
    # thread, which must see the same committed data through its own connection.
    DATABASES["default"]["TEST"] = {"NAME": str(VAR_DIR / f"test-{os.getpid()}.sqlite3")}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

if env.str("REDIS_URL", default=""):
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": env.str("REDIS_URL"),
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# Background jobs: the django-tasks API. "db" (default) needs no extra server: `tisheng db_worker`.
# "rq" puts jobs on Redis (REDIS_URL) for scale-out: `tisheng rqworker --job-class
# django_tasks_rq.Job default`, as many as needed.
TASK_BACKEND = env.str("TISHENG_TASK_BACKEND", default="db")
TASKS = {
    "default": {
        "BACKEND": {
            "db": "django_tasks_db.DatabaseBackend",
            "rq": "django_tasks_rq.RQBackend",
            "immediate": "django_tasks.backends.immediate.ImmediateBackend",
        }[TASK_BACKEND],
    }
}
RQ_QUEUES = {
    "default": {"URL": env.str("REDIS_URL", default="redis://127.0.0.1:6379/0"), "DEFAULT_TIMEOUT": 3600}
}

# Our own rules with plain Chinese messages (people/passwords.py).
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "tisheng.people.passwords.MinimumLengthValidator", "OPTIONS": {"min_length": 8}},
    {"NAME": "tisheng.people.passwords.CommonPasswordValidator"},
    {"NAME": "tisheng.people.passwords.NotOnlyDigitsValidator"},
    {"NAME": "tisheng.people.passwords.PersonalDataValidator"},
]
# First-sign-in codes (people/codes.py): days a code stays good, and the CJK font embedded in the
# printed slips (Noto Sans SC from npm, placed by `make setup`).
TISHENG_SITE_URL = env.str("TISHENG_SITE_URL", default="平台登录页")  # printed on the slips
TISHENG_SIGN_IN_CODE_DAYS = env.int("TISHENG_SIGN_IN_CODE_DAYS", default=14)
TISHENG_SLIP_FONT = env.str(
    "TISHENG_SLIP_FONT", default=str(PACKAGE_DIR / "people" / "fonts" / "NotoSansSC-Regular.ttf")
)

# Imports (exchange app): files above these limits are refused with a clear message.
TISHENG_IMPORT_MAX_ROWS = env.int("TISHENG_IMPORT_MAX_ROWS", default=300_000)
TISHENG_IMPORT_MAX_BYTES = env.int("TISHENG_IMPORT_MAX_BYTES", default=60 * 1024 * 1024)
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024  # larger uploads stream to a temporary file

# Login lockout (see people/services.py _check_limits). Within the window (minutes): this many
# failures for one account from one address lock that pair out; this many from one address, whatever
# the names, stop that address (password spraying; a school's pupils and teachers may share one
# address, hence the generous default). Per account from all addresses together: after BACKOFF_AFTER
# failures each try waits BACKOFF_SECONDS, doubled each time; at LOCK_AFTER the account is locked
# until a manager unlocks it. Failures older than WINDOW_HOURS are forgotten.
TISHENG_LOGIN_FAILURE_LIMIT = env.int("TISHENG_LOGIN_FAILURE_LIMIT", default=5)
TISHENG_LOGIN_LOCKOUT_MINUTES = env.int("TISHENG_LOGIN_LOCKOUT_MINUTES", default=15)
TISHENG_LOGIN_ADDRESS_LIMIT = env.int("TISHENG_LOGIN_ADDRESS_LIMIT", default=50)
TISHENG_LOGIN_ACCOUNT_BACKOFF_AFTER = env.int("TISHENG_LOGIN_ACCOUNT_BACKOFF_AFTER", default=10)
TISHENG_LOGIN_ACCOUNT_BACKOFF_SECONDS = env.int("TISHENG_LOGIN_ACCOUNT_BACKOFF_SECONDS", default=30)
TISHENG_LOGIN_ACCOUNT_LOCK_AFTER = env.int("TISHENG_LOGIN_ACCOUNT_LOCK_AFTER", default=20)
TISHENG_LOGIN_ACCOUNT_WINDOW_HOURS = env.int("TISHENG_LOGIN_ACCOUNT_WINDOW_HOURS", default=24)
# API tokens end after this many days (and at once when the password changes or the person is disabled).
TISHENG_API_TOKEN_DAYS = env.int("TISHENG_API_TOKEN_DAYS", default=30)

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [PACKAGE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "static"
STATICFILES_DIRS = [PACKAGE_DIR / "static"]
MEDIA_ROOT = VAR_DIR / "media"
MEDIA_URL = "media/"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": env.str(
            "TISHENG_STATICFILES_STORAGE",
            default="whitenoise.storage.CompressedManifestStaticFilesStorage",
        )
    },
}

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = env.bool("TISHENG_SECURE_COOKIES", default=False)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
# HTTPS (README "Deploying"): redirect plain HTTP, HSTS, and trust the proxy's X-Forwarded-Proto when
# nginx terminates TLS in front of gunicorn (without it the redirect would loop).
SECURE_SSL_REDIRECT = env.bool("TISHENG_SSL_REDIRECT", default=False)
SECURE_HSTS_SECONDS = env.int("TISHENG_HSTS_SECONDS", default=0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("TISHENG_HSTS_INCLUDE_SUBDOMAINS", default=False)
SECURE_HSTS_PRELOAD = env.bool("TISHENG_HSTS_PRELOAD", default=False)
if env.bool("TISHENG_PROXY_SSL_HEADER", default=False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# Content-Security-Policy on every response (core/middleware.py): scripts, styles, fonts and images
# from our own origin only (htmx and ECharts are served from static/vendor/), no inline scripts.
# Django admin and the API docs (Swagger UI) set inline style attributes, so they also get
# style-src 'unsafe-inline' (never for scripts).
TISHENG_CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; "
    "connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)
TISHENG_CSP_RELAXED_STYLE_PATHS = ("/admin/", "/api/v1/docs")
# Bodies above this are refused before a view sees them (uploads get their own limits later).
DATA_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024
DATA_UPLOAD_MAX_NUMBER_FIELDS = 2000

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env.str("TISHENG_LOG_LEVEL", default="WARNING")},
}
