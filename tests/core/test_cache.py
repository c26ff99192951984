"""core.cache.ForgivingRedisCache: while Redis cannot be reached the pages still answer (the
cache finds nothing, writes are skipped, Redis is left alone for a pause); when it answers it
is Django's Redis cache."""

from __future__ import annotations

import time
import uuid

import pytest
from django.core.cache import cache, caches
from django.http import HttpRequest, HttpResponse
from django.test import Client, RequestFactory, override_settings
from django.urls import reverse

from core import cache as forgiving
from core.cache import ForgivingRedisCache, RequestMemoMiddleware, request_memo
from directives import caching
from tests.conftest import MakeTask
from units.models import User

CLOSED = "redis://127.0.0.1:1/0"  # nothing listens on port 1
OPTIONS = {"socket_connect_timeout": 1, "socket_timeout": 1}


def test_an_unreachable_redis_finds_nothing_and_is_left_alone_for_a_pause() -> None:
    down = ForgivingRedisCache(CLOSED, {"OPTIONS": OPTIONS})
    assert down.get("x", "default") == "default"
    paused = down._paused_until
    assert paused > time.monotonic() + forgiving.PAUSE - 1
    down.set("x", 1)
    assert down.add("x", 1) is False
    assert down.get_many(["x", "y"]) == {}
    assert down.delete("x") is False
    assert down._paused_until == paused  # not tried again during the pause


def test_a_reachable_redis_is_djangos_redis_cache() -> None:
    """The machine's Redis (database 12, a key of this test's own)."""
    up = ForgivingRedisCache("redis://127.0.0.1:6379/12", {"OPTIONS": OPTIONS})
    key = f"test-forgiving-{uuid.uuid4().hex}"
    assert up.get(key) is None
    up.set(key, {"a": 1}, 30)
    assert up.get(key) == {"a": 1}
    assert up.add(key, 2) is False
    assert up.delete(key) is True
    assert up._paused_until == 0.0


def test_the_redis_client_is_made_once_and_shared_by_threads() -> None:
    """One `redis.Redis` per connection pool (core.cache.OneClientPerPool), used by many
    threads at once, each command on a connection of its own from the pool."""
    from concurrent.futures import ThreadPoolExecutor

    up = ForgivingRedisCache("redis://127.0.0.1:6379/12", {"OPTIONS": OPTIONS})
    made = up._cache  # type: ignore[attr-defined]
    client = made.get_client(write=True)
    assert made.get_client(write=False) is client
    prefix = f"test-shared-{uuid.uuid4().hex}"

    def write_and_read(n: int) -> object:
        up.set(f"{prefix}-{n}", {"n": n}, 30)
        return up.get(f"{prefix}-{n}")

    with ThreadPoolExecutor(max_workers=8) as threads:
        found = list(threads.map(write_and_read, range(200)))
    assert found == [{"n": n} for n in range(200)]
    assert made.get_client() is client
    up.delete_many([f"{prefix}-{n}" for n in range(200)])


@pytest.mark.django_db
def test_the_pages_answer_while_redis_cannot_be_reached(
    client: Client, make_task: MakeTask, office: User, staff_a: User
) -> None:
    task = make_task(text="Việc vẫn hiện")
    down = {"default": {"BACKEND": "core.cache.ForgivingRedisCache", "LOCATION": CLOSED}}
    with override_settings(CACHES=down):
        for person in (office, staff_a):
            client.force_login(person)
            listed = client.get(reverse("task_list"))
            assert listed.status_code == 200
            assert "Việc vẫn hiện" in listed.content.decode()
            assert client.get(reverse("dashboard")).status_code == 200
            assert client.get(reverse("task_detail", args=[task.pk])).status_code == 200
        used = caches["default"]
        assert isinstance(used, ForgivingRedisCache) and used._paused_until > 0


def test_a_request_reads_a_version_once() -> None:
    """The lists' version is read from the cache once per request (core.cache.request_memo): a
    change by another process shows from the next request on; a change made in the request
    itself shows in it at once."""
    seen: list[str] = []

    def view(request: HttpRequest) -> HttpResponse:
        seen.append(caching._version(caching.LISTS))
        cache.set(caching.LISTS, "moved-by-another-process", None)
        seen.append(caching._version(caching.LISTS))  # not asked again
        caching._move(caching.LISTS)  # a change in this request
        seen.append(caching._version(caching.LISTS))
        return HttpResponse()

    RequestMemoMiddleware(view)(RequestFactory().get("/"))
    assert seen[0] == seen[1] != seen[2]
    assert request_memo() is None  # outside a request every read asks the cache
    cache.set(caching.LISTS, "moved-by-another-process", None)
    assert caching._version(caching.LISTS) == "moved-by-another-process"


def test_kept_in_process_holds_each_value_for_its_seconds_and_at_most_its_size(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """core.cache.KeptInProcess: a value is fresh for `seconds`, then found no more; past
    `size` keys, a new one empties it first; a key kept again is not a new one."""
    now = [100.0]
    monkeypatch.setattr(time, "monotonic", lambda: now[0])
    kept: forgiving.KeptInProcess[str, bool] = forgiving.KeptInProcess(10, size=2)
    assert kept.fresh("a") is None
    assert kept.keep("a", False) is False
    now[0] += 9.9
    assert kept.fresh("a") is False
    now[0] += 0.1
    assert kept.fresh("a") is None
    kept.keep("a", True)
    kept.keep("b", True)
    kept.keep("b", False)
    assert set(kept) == {"a", "b"}
    kept.keep("c", True)
    assert set(kept) == {"c"}
    unbounded: forgiving.KeptInProcess[int, int] = forgiving.KeptInProcess(10)
    for n in range(100):
        unbounded.keep(n, n)
    assert len(unbounded) == 100 and unbounded.fresh(0) == 0
    # `kept`: found once while fresh, found again once stale.
    found: list[int] = []

    def find() -> int:
        found.append(len(found))
        return len(found)

    assert unbounded.kept(-1, find) == 1 and unbounded.kept(-1, find) == 1
    now[0] += 10
    assert unbounded.kept(-1, find) == 2 and len(found) == 2
