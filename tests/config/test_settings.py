"""Settings come from the environment and fail loudly on a missing or bad value."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from django.core.exceptions import ImproperlyConfigured

from config.env import env_bool, env_int, env_list, env_str

ROOT = Path(__file__).resolve().parents[2]


def settings_in(env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    """Import config.settings in a clean process with only `env` (plus PATH) set."""
    code = (
        "import config.settings as s, json; "
        "print(json.dumps([s.DATABASES['default']['ENGINE'], s.CELERY_BROKER_URL, "
        "s.CACHES['default']['BACKEND'], s.DEBUG, s.STORAGES['default']['BACKEND'], "
        "s.LOG_FORMAT, s.SESSION_ENGINE]))"
    )
    return subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env={"PATH": os.environ.get("PATH", ""), "PYTHONDONTWRITEBYTECODE": "1", **env},
        capture_output=True,
        text=True,
        check=False,
    )


def test_production_without_a_secret_key_stops_with_a_clear_error() -> None:
    result = settings_in({})
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY is required" in result.stderr


def test_the_default_is_sqlite_with_the_embedded_broker(tmp_path: Path) -> None:
    result = settings_in({"DJANGO_DEBUG": "1", "DONDOC_VAR_DIR": str(tmp_path)})
    assert result.returncode == 0, result.stderr
    assert '"django.db.backends.sqlite3", "filesystem://"' in result.stdout
    assert (tmp_path / "celery" / "in").is_dir()
    assert result.stdout.strip().endswith('"plain", "django.contrib.sessions.backends.db"]')


def test_database_url_and_redis_url_switch_to_postgresql_and_redis() -> None:
    result = settings_in(
        {
            "DJANGO_SECRET_KEY": "x" * 60,
            "DATABASE_URL": "postgres://u@db:5432/dondoc",
            "REDIS_URL": "redis://cache:6379/0",
        }
    )
    assert result.returncode == 0, result.stderr
    assert '"django.db.backends.postgresql", "redis://cache:6379/0"' in result.stdout
    assert "RedisCache" in result.stdout
    # Production logs are JSON lines; sessions stay in the database alone (below).
    assert result.stdout.strip().endswith('"json", "django.contrib.sessions.backends.db"]')


def test_an_object_storage_bucket_stores_uploads_there() -> None:
    result = settings_in({"DJANGO_SECRET_KEY": "x" * 60, "AWS_STORAGE_BUCKET_NAME": "dondoc"})
    assert result.returncode == 0, result.stderr
    assert "storages.backends.s3.S3Storage" in result.stdout


def test_env_helpers_refuse_bad_values(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("X_BOOL", "maybe")
    monkeypatch.setenv("X_INT", "ba")
    monkeypatch.setenv("X_LIST", " a, ,b ")
    with pytest.raises(ImproperlyConfigured, match="X_BOOL"):
        env_bool("X_BOOL")
    with pytest.raises(ImproperlyConfigured, match="X_INT"):
        env_int("X_INT", 1)
    with pytest.raises(ImproperlyConfigured, match="X_MISSING"):
        env_str("X_MISSING")
    assert env_list("X_LIST") == ["a", "b"]
    monkeypatch.setenv("X_BOOL", "Yes")
    assert env_bool("X_BOOL") is True


def test_production_believes_x_forwarded_proto_only_when_told() -> None:
    production = {"DJANGO_SECRET_KEY": "x" * 60, "DJANGO_ALLOWED_HOSTS": "dondoc.example.gov.vn"}
    code = "import config.settings as s; print(getattr(s, 'SECURE_PROXY_SSL_HEADER', None))"

    def header(env: dict[str, str]) -> str:
        result = subprocess.run(
            [sys.executable, "-c", code],
            cwd=ROOT,
            env={"PATH": os.environ.get("PATH", ""), "PYTHONDONTWRITEBYTECODE": "1", **env},
            capture_output=True,
            text=True,
            check=True,
        )
        return result.stdout.strip()

    assert header(production) == "None"
    assert "HTTP_X_FORWARDED_PROTO" in header({**production, "DJANGO_TRUST_X_FORWARDED_PROTO": "1"})


@pytest.mark.django_db
def test_a_client_cannot_claim_https_and_signed_in_pages_are_not_stored(
    client: Any, staff_a: Any
) -> None:
    from django.test import RequestFactory

    request = RequestFactory().get("/", HTTP_X_FORWARDED_PROTO="https")
    assert not request.is_secure()
    client.force_login(staff_a)
    for url in ("/nhiem-vu/", "/bang-dieu-khien/", "/thong-bao-ket-luan/"):
        cache = client.get(url)["Cache-Control"]
        assert "no-store" in cache and "private" in cache, url


@pytest.mark.django_db
def test_every_page_offers_the_password_change_and_an_icon(client: Any, staff_a: Any) -> None:
    assert client.get("/favicon.ico").status_code == 301
    client.force_login(staff_a)
    page = client.get("/nhiem-vu/").content.decode()
    assert 'href="/doi-mat-khau/"' in page and 'rel="icon"' in page


@pytest.mark.django_db
def test_a_post_only_address_opened_in_the_browser_says_so_in_vietnamese(
    client: Any, staff_a: Any
) -> None:
    client.force_login(staff_a)
    response = client.get("/thong-bao/da-doc/")
    assert response.status_code == 405
    assert "Không mở được địa chỉ này" in response.content.decode()


@pytest.mark.django_db
def test_a_wrong_address_under_debug_shows_the_apps_page(
    client: Any, staff_a: Any, settings: Any
) -> None:
    """`make run` runs with DEBUG: a mistyped address still answers in Vietnamese."""
    settings.DEBUG = True
    client.force_login(staff_a)
    for url in ("/khong-co-trang-nay/", "/nhiem-vu/999999/"):
        response = client.get(url)
        assert response.status_code == 404
        page = response.content.decode()
        assert "Không tìm thấy" in page and "URLconf" not in page, url
    settings.DEBUG_PAGES = True  # a developer may ask for Django's page back
    assert "URLconf" in client.get("/khong-co-trang-nay/").content.decode()


@pytest.mark.django_db
def test_a_sign_out_holds_when_the_cache_could_not_be_told(
    client: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Signed out while Redis cannot be reached (the cache then forgives and forgets nothing:
    core/cache.py), the session stays signed out once Redis is back: sessions are not read
    from the cache (a session engine that did, cached_db, fails here)."""
    from django.conf import settings
    from django.core.cache import cache
    from django.urls import reverse

    from units.models import User

    client.force_login(User.objects.create_user(username="vanphong", role="office"))
    assert client.get(reverse("task_list")).status_code == 200
    signed_in = client.cookies[settings.SESSION_COOKIE_NAME].value
    with monkeypatch.context() as outage:
        outage.setattr(cache, "delete", lambda *args, **kwargs: False)
        client.post(reverse("logout"))
    # The old cookie (kept by a copy of the browser, or taken) opens nothing any more.
    client.cookies[settings.SESSION_COOKIE_NAME] = signed_in
    assert client.get(reverse("task_list")).status_code == 302  # sent to sign in
