"""Settings for the test suite: the real database and broker named by the environment."""

import os

os.environ.setdefault("DJANGO_DEBUG", "0")
os.environ.setdefault("DJANGO_SECRET_KEY", "test-secret-key-not-for-production")
os.environ.setdefault("DJANGO_ALLOWED_HOSTS", "testserver,localhost,127.0.0.1")
os.environ.setdefault("DJANGO_SECURE_SSL_REDIRECT", "0")

from .settings import *  # noqa: E402,F403
from .settings import BASE_DIR  # noqa: E402

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
DONDOC_SMS_BACKEND = "reminders.sms.LocmemBackend"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
SESSION_COOKIE_SECURE = False
CSRF_COOKIE_SECURE = False
STATIC_ROOT = BASE_DIR / "var" / "test-static"
STATIC_ROOT.mkdir(parents=True, exist_ok=True)

# A file, not memory, so that the Celery worker and beat processes started by the integration
# tests open the same test database (pytest-django adds a suffix per xdist worker).
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":  # noqa: F405
    DATABASES["default"]["TEST"] = {"NAME": str(BASE_DIR / "var" / "test-dondoc.sqlite3")}  # noqa: F405

# Readable log lines in test output (production prints JSON; tests/config/test_logging.py
# checks the JSON formatter itself).
LOGGING["handlers"]["console"]["formatter"] = "plain"  # type: ignore[index]  # noqa: F405

# Each of the suite's processes keeps its own cache (user ids and other keys repeat across the
# processes' databases). On Redis, each in its own numbered database: every test starts by
# emptying its cache (tests/conftest.py), which on Redis empties the whole database, and must
# touch neither the other process's cache nor the Celery broker's queues (database 0).
_worker = os.environ.get("PYTEST_XDIST_WORKER", "main")
CACHES["default"]["KEY_PREFIX"] = f"test-{_worker}"  # noqa: F405
if CACHES["default"]["BACKEND"].endswith("RedisCache"):  # noqa: F405
    from urllib.parse import urlsplit, urlunsplit

    _index = 2 + int(_worker[2:]) if _worker[2:].isdigit() else 1
    _parts = urlsplit(CACHES["default"]["LOCATION"])  # noqa: F405
    CACHES["default"]["LOCATION"] = urlunsplit(_parts._replace(path=f"/{_index}"))  # noqa: F405

# The task lists keep what they found on SQLite too (one process reads and writes in a test),
# so that every test of a list also checks that the kept answers follow the changes.
DONDOC_LIST_CACHE_SECONDS = 300
