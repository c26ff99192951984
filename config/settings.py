"""Settings of Đôn đốc, read from environment variables.

With no environment at all (apart from DJANGO_DEBUG=1, which `make run` sets) the app runs on
SQLite with an embedded Celery broker kept in files under var/. Set DATABASE_URL and REDIS_URL
to run the same code on PostgreSQL and Redis. In production (DJANGO_DEBUG unset) a secret key
and the allowed hosts are required.
"""

from datetime import timedelta
from pathlib import Path
from typing import Any

import dj_database_url
from celery.schedules import crontab
from django.core.exceptions import ImproperlyConfigured

from .env import env_bool, env_int, env_list, env_str

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(env_str("DONDOC_VAR_DIR", str(BASE_DIR / "var")))

DEBUG = env_bool("DJANGO_DEBUG", default=False)
# Under DEBUG, Django's own debug pages for a wrong address (else the app's Vietnamese one).
DEBUG_PAGES = env_bool("DJANGO_DEBUG_PAGES", default=False)

if DEBUG:
    SECRET_KEY = env_str("DJANGO_SECRET_KEY", "insecure-development-key-do-not-use-in-production")
else:
    SECRET_KEY = env_str(
        "DJANGO_SECRET_KEY",
        hint="Production needs a long random secret; for local development set DJANGO_DEBUG=1.",
    )

ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", "127.0.0.1,localhost" if DEBUG else "")
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_filters",
    "axes",
    "csp",
    "crispy_forms",
    "crispy_bootstrap5",
    "core",
    "units",
    "directives",
    "reports",
    "reminders",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "api",
]

MIDDLEWARE = [
    "config.logging.RequestContextMiddleware",
    # What a request reads from the cache (the lists' versions) is read once per request.
    "core.cache.RequestMemoMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "config.security.NoStoreWhenSignedInMiddleware",
    "config.security.MethodNotAllowedPageMiddleware",
    "config.security.FriendlyNotFoundMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    # Last, as django-axes asks: it answers a locked-out login itself.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "directives.context_processors.notifications",
            ],
        },
    },
]

# --- Database -------------------------------------------------------------------------------
DATABASES = {
    "default": dj_database_url.parse(
        env_str("DATABASE_URL", f"sqlite:///{VAR_DIR / 'dondoc.sqlite3'}"),
        conn_max_age=env_int("DATABASE_CONN_MAX_AGE", 60),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets the web process read while the Celery worker writes; IMMEDIATE avoids
    # "database is locked" on write transactions that start with a read.
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "init_command": (
            "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=5000;"
        ),
    }
    DATABASES["default"]["CONN_MAX_AGE"] = 0
elif DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # PostgreSQL's JIT compiles any query it expects to be costly: the exports and the counts
    # over many tasks paid ~0.6 s of compiling for queries that run in less (docs/benchmarks.md).
    DATABASES["default"].setdefault("OPTIONS", {})["options"] = env_str(
        "DATABASE_OPTIONS", "-c jit=off"
    )

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "units.User"

# --- Cache and broker -----------------------------------------------------------------------
REDIS_URL = env_str("REDIS_URL", "")

if REDIS_URL:
    CACHES: dict[str, dict[str, Any]] = {
        "default": {
            # Django's Redis cache that skips Redis while it cannot be reached (core/cache.py):
            # everything kept there can be computed again.
            "BACKEND": "core.cache.ForgivingRedisCache",
            "LOCATION": REDIS_URL,
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
        }
    }
    CELERY_BROKER_URL = REDIS_URL
    # A task a worker took but never acknowledged (acks_late: the worker died) goes back to the
    # queue after this many seconds: longer than any task runs, far shorter than Redis's hour.
    CELERY_BROKER_TRANSPORT_OPTIONS: dict[str, object] = {
        "visibility_timeout": env_int("DONDOC_BROKER_VISIBILITY_TIMEOUT", 1800)
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    # The embedded broker: kombu's filesystem transport, a folder of message files under var/.
    CELERY_BROKER_URL = "filesystem://"
    _celery_dir = VAR_DIR / "celery"
    # Kombu lists these folders on start; create them so that any entry point works.
    for _folder in ("in", "processed", "control"):
        (_celery_dir / _folder).mkdir(parents=True, exist_ok=True)
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(_celery_dir / "in"),
        "data_folder_out": str(_celery_dir / "in"),
        "processed_folder": str(_celery_dir / "processed"),
        # The exchange tables; kombu's default is a "control" folder in the working directory.
        "control_folder": str(_celery_dir / "control"),
        "store_processed": False,
    }

# Sessions in the database alone. Read from Redis in front of it (cached_db) a page would make
# a query less, but a sign-out while Redis cannot be reached (the cache forgives: core/cache.py)
# would leave the session in Redis, signed in again once Redis is back.
SESSION_ENGINE = "django.contrib.sessions.backends.db"

CELERY_TIMEZONE = "Asia/Ho_Chi_Minh"
CELERY_TASK_DEFAULT_QUEUE = env_str("DONDOC_CELERY_QUEUE", "celery")
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# The worker logs through LOGGING below (JSON in production), with the task's id and name.
CELERY_WORKER_HIJACK_ROOT_LOGGER = False
CELERY_TASK_SOFT_TIME_LIMIT = env_int("CELERY_TASK_SOFT_TIME_LIMIT", 300)
CELERY_TASK_TIME_LIMIT = env_int("CELERY_TASK_TIME_LIMIT", 360)
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celerybeat-schedule")

# --- Reminders (docs/domain.md §5) ----------------------------------------------------------
# The daily job runs at this local time; it sends nothing on weekends and public holidays.
DONDOC_REMINDER_TIME = env_str("DONDOC_REMINDER_TIME", "07:30")
try:
    _hour, _minute = (int(part) for part in DONDOC_REMINDER_TIME.split(":"))
except ValueError:
    raise ImproperlyConfigured(
        f"DONDOC_REMINDER_TIME={DONDOC_REMINDER_TIME!r} is not a time (HH:MM)."
    ) from None
# For integration tests and drills: run the job every N seconds, as if on a given day.
_reminder_interval = env_int("DONDOC_REMINDER_INTERVAL_SECONDS", 0)
_reminder_day = env_str("DONDOC_REMINDER_DAY", "")
CELERY_BEAT_SCHEDULE: dict[str, dict[str, object]] = {
    "daily-reminders": {
        "task": "reminders.send_daily",
        "schedule": (
            float(_reminder_interval)
            if _reminder_interval
            else crontab(hour=str(_hour), minute=str(_minute))
        ),
        "kwargs": {"day": _reminder_day} if _reminder_day else {},
        "options": {"expires": 3600},
    },
    # Today's dashboard figures, counted once so that the dashboard reads them (reports/tally.py).
    "daily-tally": {
        "task": "reports.build_tally",
        "schedule": crontab(hour="0", minute="1"),
        "options": {"expires": 3600},
    },
    # Reminders that should be on their way and are not: lost messages, dead workers, retries.
    "sweep-reminders": {
        "task": "reminders.sweep",
        "schedule": float(env_int("DONDOC_REMINDER_SWEEP_SECONDS", 300)),
        "options": {"expires": 240},
    },
    # Import previews the office left without confirming (directives/importer/pending.py).
    "clean-pending-imports": {
        "task": "directives.clean_pending_imports",
        "schedule": crontab(hour="2", minute="30"),
        "options": {"expires": 3600},
    },
    # Webhook deliveries due again (api/webhooks.py).
    "sweep-webhooks": {
        "task": "api.sweep_webhooks",
        "schedule": float(env_int("DONDOC_WEBHOOK_SWEEP_SECONDS", 60)),
        "options": {"expires": 50},
    },
}
# Outgoing webhooks: seconds to wait for the receiver; seconds before the first retry
# (doubling, at most 6 hours apart).
DONDOC_WEBHOOK_TIMEOUT = env_int("DONDOC_WEBHOOK_TIMEOUT", 10)
DONDOC_WEBHOOK_RETRY_BACKOFF = env_int("DONDOC_WEBHOOK_RETRY_BACKOFF", 60)
# A delivery written this long ago and not taken: its message was lost; the sweeper sends it.
DONDOC_WEBHOOK_REQUEUE_SECONDS = env_int("DONDOC_WEBHOOK_REQUEUE_SECONDS", 60)
# Seconds before the first retry of a failed delivery; doubles each time, up to an hour
# (reminders.delivery.MAX_ATTEMPTS attempts in all).
DONDOC_REMINDER_RETRY_BACKOFF = env_int("DONDOC_REMINDER_RETRY_BACKOFF", 60)
# A worker holds a digest it is sending this long (above the delivery task's 90 s limit);
# a digest held longer belonged to a worker that died, and is sent again.
DONDOC_REMINDER_LEASE_SECONDS = env_int("DONDOC_REMINDER_LEASE_SECONDS", 300)
# A digest handed to the queue this long ago and still waiting: its message was lost.
DONDOC_REMINDER_REQUEUE_SECONDS = env_int("DONDOC_REMINDER_REQUEUE_SECONDS", 600)
# The sweeper sends what is owed from this many days back; older reminders have lapsed.
DONDOC_REMINDER_SWEEP_DAYS = env_int("DONDOC_REMINDER_SWEEP_DAYS", 7)
DONDOC_BASE_URL = env_str("DONDOC_BASE_URL", "http://127.0.0.1:8000")
DONDOC_SMS_BACKEND = env_str("DONDOC_SMS_BACKEND", "reminders.sms.LogBackend")
DONDOC_SMS_URL = env_str("DONDOC_SMS_URL", "")
DONDOC_SMS_TOKEN = env_str("DONDOC_SMS_TOKEN", "")
DONDOC_SMS_SENDER = env_str("DONDOC_SMS_SENDER", "DONDOC")
# Seconds to wait for the SMS gateway (under the delivery task's limit, like EMAIL_TIMEOUT).
DONDOC_SMS_TIMEOUT = env_int("DONDOC_SMS_TIMEOUT", 15)

# --- Auth -----------------------------------------------------------------------------------
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
# Five wrong passwords for one account from one address lock that pair for 15 minutes.
AXES_FAILURE_LIMIT = env_int("DONDOC_LOGIN_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("DONDOC_LOGIN_COOLOFF_MINUTES", 15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_LOCKOUT_TEMPLATE = "registration/lockout.html"
AXES_RESET_ON_SUCCESS = True
AXES_IPWARE_PROXY_COUNT = env_int("DONDOC_PROXY_COUNT", 0)
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"
SESSION_COOKIE_AGE = env_int("SESSION_COOKIE_AGE", 60 * 60 * 12)
# Sessions stay in the database alone (Django's default), not in the cache too: a sign-out
# while Redis could not be reached would leave the session in Redis, alive again once Redis
# answers (docs/benchmarks.md, session 8).

# --- Internationalisation -------------------------------------------------------------------
LANGUAGE_CODE = "vi"
LANGUAGES = [("vi", "Tiếng Việt"), ("en", "English")]
TIME_ZONE = "Asia/Ho_Chi_Minh"
USE_I18N = True
USE_TZ = True
LOCALE_PATHS = [BASE_DIR / "locale"]

# --- Static and uploaded files --------------------------------------------------------------
STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_ROOT = Path(env_str("DONDOC_MEDIA_ROOT", str(VAR_DIR / "media")))
# Uploaded evidence is never public: it is served through a view that checks access,
# so there is deliberately no MEDIA_URL route.
MEDIA_URL = "/media-not-served/"

AWS_STORAGE_BUCKET_NAME = env_str("AWS_STORAGE_BUCKET_NAME", "")
if AWS_STORAGE_BUCKET_NAME:
    _default_storage: dict[str, object] = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": AWS_STORAGE_BUCKET_NAME,
            "endpoint_url": env_str("AWS_S3_ENDPOINT_URL", "") or None,
            "region_name": env_str("AWS_S3_REGION_NAME", "") or None,
            "default_acl": "private",
            "querystring_auth": True,
            "file_overwrite": False,
        },
    }
else:
    _default_storage = {"BACKEND": "django.core.files.storage.FileSystemStorage"}

STORAGES = {
    "default": _default_storage,
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}

FILE_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
DATA_UPLOAD_MAX_MEMORY_SIZE = 5_242_880
DONDOC_MAX_UPLOAD_BYTES = env_int("DONDOC_MAX_UPLOAD_BYTES", 20 * 1024 * 1024)

# --- Forms ----------------------------------------------------------------------------------
CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

# --- Domain ---------------------------------------------------------------------------------
# "Sắp đến hạn": a task is due soon when its deadline is within this many days (docs/domain.md §3).
DONDOC_DUE_SOON_DAYS = env_int("DONDOC_DUE_SOON_DAYS", 3)
# What a task list found (its counts, the ids of its pages) is kept this many seconds, until a
# change to the tasks moves its version (directives/caching.py). Only with a cache every
# process shares (Redis): with local memory a change made by another process would not show.
DONDOC_LIST_CACHE_SECONDS = env_int("DONDOC_LIST_CACHE_SECONDS", 300 if REDIS_URL else 0)
DONDOC_ISSUER_NAME = env_str("DONDOC_ISSUER_NAME", "UBND huyện Hương Sơn")
# Who signs the reports unless the office names someone (default: the leader who chaired).
DONDOC_REPORT_SIGNER = env_str("DONDOC_REPORT_SIGNER", "")
# A lead unit acknowledges (tiếp nhận) a new task, or returns it as not its own, within this
# many working days of the assignment (docs/domain.md §2).
DONDOC_RECEIVE_WORKING_DAYS = env_int("DONDOC_RECEIVE_WORKING_DAYS", 2)

# --- E-mail ---------------------------------------------------------------------------------
EMAIL_BACKEND = env_str(
    "DJANGO_EMAIL_BACKEND",
    "django.core.mail.backends.console.EmailBackend"
    if DEBUG
    else "django.core.mail.backends.smtp.EmailBackend",
)
EMAIL_FILE_PATH = env_str("DJANGO_EMAIL_FILE_PATH", str(VAR_DIR / "mail"))
EMAIL_HOST = env_str("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
# Seconds to wait for the mail server; well under the delivery task's 60 s limit, so a slow
# server ends in a clean failure and a retry (with the same Message-ID), never a killed task.
EMAIL_TIMEOUT = env_int("EMAIL_TIMEOUT", 20)
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "Đôn đốc <dondoc@localhost>")

# --- Security (production) ------------------------------------------------------------------
# No inline script anywhere: data reaches scripts through json_script. Inline style attributes
# (progress bars) are allowed.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'", "'unsafe-inline'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = False
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
if not DEBUG:
    # Whether a request came over HTTPS is gunicorn's to say: it believes X-Forwarded-Proto
    # only from the proxy's address (FORWARDED_ALLOW_IPS, default 127.0.0.1). Django trusts
    # the header itself only when told the app is reachable through the proxy alone.
    if env_bool("DJANGO_TRUST_X_FORWARDED_PROTO", False):
        SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env_bool("DJANGO_SECURE_SSL_REDIRECT", True)
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = env_int("DJANGO_SECURE_HSTS_SECONDS", 60 * 60 * 24 * 365)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    # The header only allows preloading; nothing happens unless someone submits the domain.
    SECURE_HSTS_PRELOAD = env_bool("DJANGO_SECURE_HSTS_PRELOAD", True)

# JSON lines in production (one object per record, with the request's id, path and account id:
# config/logging.py); readable lines in development.
LOG_FORMAT = env_str("DJANGO_LOG_FORMAT", "plain" if DEBUG else "json")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"context": {"()": "config.logging.ContextFilter"}},
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"},
        "json": {
            "()": "config.logging.JsonFormatter",
            "fmt": "%(levelname)s %(name)s %(message)s",
            "rename_fields": {"levelname": "level", "name": "logger"},
        },
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": "json" if LOG_FORMAT == "json" else "plain",
            "filters": ["context"],
        }
    },
    "root": {"handlers": ["console"], "level": env_str("DJANGO_LOG_LEVEL", "INFO")},
}


# --- REST API (api/) ----------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "api.auth.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_THROTTLE_CLASSES": [
        "rest_framework.throttling.AnonRateThrottle",
        "rest_framework.throttling.UserRateThrottle",
    ],
    "DEFAULT_THROTTLE_RATES": {
        "anon": env_str("DONDOC_API_ANON_RATE", "60/min"),
        "user": env_str("DONDOC_API_USER_RATE", "1200/min"),
    },
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "api.errors.handler",
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Đôn đốc API",
    "DESCRIPTION": (
        "Thông báo kết luận, nhiệm vụ, đơn vị, số liệu; các thao tác trên nhiệm vụ theo đúng "
        "quyền của tài khoản; nhận gói edXML và trả gói trạng thái. Mã truy cập do Văn phòng "
        "cấp ở trang “Mã truy cập API”, gửi trong tiêu đề Authorization: Bearer <mã>."
    ),
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
}
# The edXML package an exchange gateway may post (base64 attachments: ~1.4x the files).
DONDOC_EDXML_MAX_BYTES = env_int("DONDOC_EDXML_MAX_BYTES", 30 * 1024 * 1024)
# This office's electronic identifier (Quyết định 20/2020/QĐ-TTg) and name, as the sender of
# the status packages; when empty, the incoming package's first addressee is used.
DONDOC_ORGAN_ID = env_str("DONDOC_ORGAN_ID", "")
DONDOC_ORGAN_NAME = env_str("DONDOC_ORGAN_NAME", "")
