"""Django's Redis cache, forgiving: while Redis cannot be reached the site keeps working.

Everything the pages keep in the cache (directives.caching) can be computed again, so an
unreachable Redis should cost speed, not the pages: a read finds nothing, a write is skipped.
After a failure Redis is left alone for `PAUSE` seconds (each page would otherwise wait for
the connection's timeout several times), and the failure is logged once per pause.

What was kept before the failure may be found again when Redis answers: every kept answer
lives at most `directives.caching.TIMEOUT` seconds, and nothing that grants access (sessions
stay in the database) is kept there.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from contextvars import ContextVar
from typing import Any, TypeVar

from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.redis import RedisCache, RedisCacheClient
from django.http import HttpRequest, HttpResponse
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

logger = logging.getLogger(__name__)

T = TypeVar("T")
PAUSE = 10.0  # seconds without trying Redis after it failed
UNREACHABLE = (RedisConnectionError, RedisTimeoutError, OSError)


class OneClientPerPool(RedisCacheClient):
    """Django's Redis cache client, which makes a `redis.Redis` for every call to the cache
    (setting its ~170 reply callbacks one by one: 0.2 ms each on a slow machine, a page
    asks the cache four to six times), with one `redis.Redis` per connection pool instead,
    as redis-py allows: a client is safe to share between threads, each command takes a
    connection from the pool and gives it back."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._clients: dict[int, Any] = {}

    def get_client(self, key: Any = None, *, write: bool = False) -> Any:
        pool = self._get_connection_pool(write)  # type: ignore[attr-defined]
        client = self._clients.get(id(pool))
        if client is None:
            make = self._client  # type: ignore[attr-defined]
            client = self._clients[id(pool)] = make(connection_pool=pool)
        return client


class ForgivingRedisCache(RedisCache):
    def __init__(self, server: str, params: dict[str, Any]) -> None:
        super().__init__(server, params)
        self._class = OneClientPerPool
        self._paused_until = 0.0

    def _try(self, operation: Callable[[], T], fallback: T) -> T:
        if time.monotonic() < self._paused_until:
            return fallback
        try:
            return operation()
        except UNREACHABLE as error:
            self._paused_until = time.monotonic() + PAUSE
            logger.warning("Redis unreachable, the cache is skipped for %s s: %s", PAUSE, error)
            return fallback

    def get(self, key: Any, default: Any = None, version: int | None = None) -> Any:
        return self._try(
            lambda: super(ForgivingRedisCache, self).get(key, default, version), default
        )

    def get_many(self, keys: Any, version: int | None = None) -> dict[Any, Any]:
        return self._try(lambda: super(ForgivingRedisCache, self).get_many(keys, version), {})

    def has_key(self, key: Any, version: int | None = None) -> bool:
        return self._try(lambda: super(ForgivingRedisCache, self).has_key(key, version), False)

    def set(
        self, key: Any, value: Any, timeout: Any = DEFAULT_TIMEOUT, version: int | None = None
    ) -> None:
        self._try(lambda: super(ForgivingRedisCache, self).set(key, value, timeout, version), None)

    def add(
        self, key: Any, value: Any, timeout: Any = DEFAULT_TIMEOUT, version: int | None = None
    ) -> bool:
        return self._try(
            lambda: super(ForgivingRedisCache, self).add(key, value, timeout, version), False
        )

    def set_many(
        self, data: Any, timeout: Any = DEFAULT_TIMEOUT, version: int | None = None
    ) -> list[Any]:
        return self._try(
            lambda: super(ForgivingRedisCache, self).set_many(data, timeout, version), list(data)
        )

    def touch(self, key: Any, timeout: Any = DEFAULT_TIMEOUT, version: int | None = None) -> bool:
        return self._try(
            lambda: super(ForgivingRedisCache, self).touch(key, timeout, version), False
        )

    def delete(self, key: Any, version: int | None = None) -> bool:
        return self._try(lambda: super(ForgivingRedisCache, self).delete(key, version), False)

    def delete_many(self, keys: Any, version: int | None = None) -> None:
        self._try(lambda: super(ForgivingRedisCache, self).delete_many(keys, version), None)


# --- what one request has read from the cache -------------------------------------------------

_memo: ContextVar[dict[str, Any] | None] = ContextVar("dondoc_request_memo", default=None)


def request_memo() -> dict[str, Any] | None:
    """What this request has read from the cache so far (versions, values fetched together),
    None outside a request (a Celery task, a command): there every read asks the cache."""
    return _memo.get()


class RequestMemoMiddleware:
    """One memo per request: a page that reads the same version three times asks Redis once.
    A change made by another process during the request shows from the next request on."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        token = _memo.set({})
        try:
            return self.get_response(request)
        finally:
            _memo.reset(token)


K = TypeVar("K")
V = TypeVar("V")


class KeptInProcess(dict[K, tuple[float, V]]):
    """Values kept in this process for `seconds` each, by key: what is costly to find and
    may be a little old (a table's sample, a unit's size, a picker's options). At most `size`
    of them (None: no bound): a new key past that empties it first."""

    def __init__(self, seconds: float, size: int | None = None) -> None:
        super().__init__()
        self.seconds, self.size = seconds, size

    def fresh(self, key: K) -> V | None:
        """The value kept for `key`, None when none or older than `seconds`."""
        kept = self.get(key)
        if kept is None or time.monotonic() - kept[0] >= self.seconds:
            return None
        return kept[1]

    def keep(self, key: K, value: V) -> V:
        if self.size is not None and len(self) >= self.size and key not in self:
            self.clear()
        self[key] = (time.monotonic(), value)
        return value

    def kept(self, key: K, find: Callable[[], V]) -> V:
        """The value kept for `key` while fresh, else `find()`'s, kept."""
        value = self.fresh(key)
        return self.keep(key, find()) if value is None else value
