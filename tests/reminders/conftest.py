"""What the reminder tests with real Celery processes share: their environment and launcher."""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from django.db import connection

ROOT = Path(__file__).resolve().parents[2]
DAY = date(2023, 10, 31)  # one working day after the deadline: staff and head are reminded


def database_url() -> str:
    settings = connection.settings_dict
    if settings["ENGINE"] == "django.db.backends.sqlite3":
        return f"sqlite:///{settings['NAME']}"
    user = settings["USER"] or "postgres"
    host = settings["HOST"] or "127.0.0.1"
    return f"postgres://{user}@{host}:{settings['PORT'] or 5432}/{settings['NAME']}"


@pytest.fixture
def celery_env(tmp_path: Path) -> dict[str, str]:
    (tmp_path / "mail").mkdir()
    (tmp_path / "markers").mkdir()
    env = {
        "PATH": os.environ.get("PATH", ""),
        # The processes write no bytecode beside the sources (a test run writes only var/).
        "PYTHONDONTWRITEBYTECODE": "1",
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DJANGO_DEBUG": "0",
        "DJANGO_SECRET_KEY": "integration-test",
        "DJANGO_ALLOWED_HOSTS": "localhost",
        "DATABASE_URL": database_url(),
        "DONDOC_VAR_DIR": str(tmp_path),
        "DONDOC_CELERY_QUEUE": f"test-{uuid.uuid4().hex[:8]}",
        "DONDOC_REMINDER_INTERVAL_SECONDS": "1",
        "DONDOC_REMINDER_DAY": DAY.isoformat(),
        "DONDOC_REMINDER_RETRY_BACKOFF": "1",
        "DJANGO_EMAIL_BACKEND": "tests.reminders.flaky_email.FlakyFileBackend",
        "DJANGO_EMAIL_FILE_PATH": str(tmp_path / "mail"),
        "FLAKY_EMAIL_MARKERS": str(tmp_path / "markers"),
        "PYTHONPATH": str(ROOT),
    }
    if os.environ.get("REDIS_URL"):
        env["REDIS_URL"] = os.environ["REDIS_URL"]
    return env


@pytest.fixture
def processes(
    celery_env: dict[str, str], tmp_path: Path
) -> Iterator[list[subprocess.Popen[bytes]]]:
    started: list[subprocess.Popen[bytes]] = []
    yield started
    for process in started:
        process.terminate()
    for process in started:
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def start(args: list[str], env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    celery = str(Path(sys.executable).with_name("celery"))
    return subprocess.Popen(
        [celery, "-A", "config", *args],
        cwd=ROOT,
        env=env,
        stdout=log.open("wb"),
        stderr=subprocess.STDOUT,
    )


@pytest.fixture
def ladder() -> None:
    """The default ladder, which a test on a flushed database (transaction=True) lacks."""
    from reminders.ladder import ensure_default_ladder
    from reminders.models import ReminderStep

    ensure_default_ladder(ReminderStep)


def start_worker(env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    """A Celery worker on the test's own queue: four threads, no gossip or mingle."""
    queue = env["DONDOC_CELERY_QUEUE"]
    return start(
        [
            "worker",
            "-Q",
            queue,
            "--pool=threads",
            "--concurrency=4",
            "--without-gossip",
            "--without-mingle",
            "--loglevel=INFO",
        ],
        env,
        log,
    )
