"""What the pages read on every request that rarely changes, kept between requests.

- **The notices a person follows** (the pickers of the task list and the dashboard; for a unit,
  a query through its tasks) are kept in the cache under a version that every change able to
  alter them moves: a task given (created, moved to another unit, its support units changed)
  and a notice saved.
- **What the task lists, the dashboard and the task page found or showed**, for a person's
  scope (account, role, unit, active), the filters in the address and the day, under one
  version that every write to the tasks and what their filters read moves (a model saved or
  deleted in `units` or `directives`, an account too since the rows name people, but not its
  sign-in stamp; a task's support units or helpers changed; the few bulk updates of the
  services, which call `lists_changed()`):
  - the task list's bucket counts and each page's ids, and its two parts as HTML (the filter
    form with the chips; the tabs, rows and pages: `{% kept %}`, directives.templatetags.kept):
    a list asked again reads no task at all; the forms that post (a CSRF token) and the
    person's saved filters are written each time;
  - the dashboard's figures, and its content as HTML;
  - the task as its page reads it (events, attachments, units, requests, periods); what other
    apps keep about it (the reminders sent) is read each time, and actions read it afresh;
  - the header's inbox counts.
  The version is read once per request (core.cache.RequestMemoMiddleware). Only where the
  cache is shared by every process (Redis): with a cache of its own in each process a change
  made in another would not show (`DONDOC_LIST_CACHE_SECONDS`, 0 = off).
- **The units' names, folded** (the search matches a phrase against every unit's names, with or
  without accents: 2,500 units in a province) are kept in each process under the version that
  every save of a unit moves.

A version is a random token in the cache, not a counter, so a cache emptied (a restart of
Redis, the test suite's fresh cache) can never bring an old version back. It is moved at once
and again when the change commits: a page read between the two may have kept what it saw
before the commit under the first new version. With a cache of its own in each process (no
Redis: local memory), a change made in another process shows within `TIMEOUT`.
"""

from __future__ import annotations

import hashlib
import time
import uuid
from collections.abc import Callable
from datetime import date
from typing import Any, TypeVar, cast

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.http import QueryDict
from django.utils import timezone
from django.utils.translation import get_language

from core.cache import request_memo
from core.text import fold

T = TypeVar("T")

FOLLOWED = "dondoc:followed-notices:version"
LISTS = "dondoc:task-lists:version"
UNITS = "dondoc:units:version"
# A kept answer lives at most this long (seconds) even when nothing moves its version.
TIMEOUT = 300


def _version(key: str) -> str:
    """The version under `key`, read once per request (core.cache.request_memo)."""
    memo = request_memo()
    if memo is not None and key in memo:
        return str(memo[key])
    found = cache.get(key)
    if found is None:
        cache.add(key, uuid.uuid4().hex, None)
        found = cache.get(key) or ""
    if memo is not None:
        memo[key] = found
    return str(found)


def _move(key: str) -> None:
    moved = uuid.uuid4().hex
    cache.set(key, moved, None)
    memo = request_memo()
    if memo is not None:
        memo[key] = moved


def _changed(key: str) -> None:
    _move(key)
    transaction.on_commit(lambda: _move(key))


def followed_changed() -> None:
    """Some person may follow other notices now: every kept answer is out of date."""
    _changed(FOLLOWED)


def _who(user: Any) -> str:
    """A person's scope in a key: account, role and unit (an account moved to another unit or
    role sees other tasks at once)."""
    return f"{user.pk or 0}:{getattr(user, 'role', '')}:{getattr(user, 'unit_id', '') or ''}"


def key(user: Any) -> str:
    """The key of a person's followed notices."""
    # "2": the entries' shape (id, chair, label); entries of another shape are never read.
    return f"dondoc:followed-notices:2:{_version(FOLLOWED)}:{_who(user)}"


# --- what the task lists found --------------------------------------------------------------

# Saved often, and read by no list filter nor the inbox: their saves leave what is kept alone.
_NOT_READ_BY_LISTS = {"notification", "savedfilter", "auditentry"}
# An account's sign-in stamp: saved at every sign-in, shown by no list (its name is: the rows
# and the filters name people).
_NOT_SHOWN_BY_LISTS = {"last_login"}


def _move_lists() -> None:
    _move(LISTS)


def lists_changed() -> None:
    """Some task list may find other tasks now: every kept answer is out of date.

    The version moves at once (a list read later in the same transaction sees the change) and
    when the transaction commits, once however many rows it saved."""
    _move_lists()
    connection = transaction.get_connection()
    if connection.in_atomic_block and any(
        function is _move_lists for _, function, _ in connection.run_on_commit
    ):
        return
    transaction.on_commit(_move_lists)


def model_changed(sender: Any, **kwargs: Any) -> None:
    """A model of `units` or `directives` was saved or deleted, or a task's support units or
    helpers changed (signal receivers: directives.apps)."""
    if sender._meta.model_name in _NOT_READ_BY_LISTS:
        return
    fields = kwargs.get("update_fields")
    if fields and set(fields) <= _NOT_SHOWN_BY_LISTS:
        return
    lists_changed()


def everything_changed() -> None:
    """The data was replaced wholesale (a restore, the benchmark's load): nothing kept holds."""
    for key in (FOLLOWED, LISTS, UNITS):
        _move(key)


def list_seconds() -> int:
    return int(getattr(settings, "DONDOC_LIST_CACHE_SECONDS", 0))


def list_key(user: Any, day: date, query: Any, part: str, *, without: str = "") -> str:
    """The key of what a list found: the person's scope (account, role, unit, active), the
    day, the filters in the address `query` (a QueryDict; `without` and the page left out, in a
    fixed order) and the part kept."""
    who = f"{_who(user)}:{int(bool(getattr(user, 'is_active', False)))}:{int(user.is_superuser)}"
    filters = sorted(
        (name, query.getlist(name)) for name in query if name not in ("page", "print", without)
    )
    digest = hashlib.blake2b(repr(filters).encode(), digest_size=16).hexdigest()
    return f"dondoc:task-list:{_version(LISTS)}:{who}:{day.isoformat()}:{digest}:{part}"


# Where `prefetch` leaves a value in the request's memo, beside the versions.
_FETCHED = "fetched:"


def prefetch(keys: list[str | None]) -> None:
    """Ask for what a page will read under `keys` at once (one round trip instead of one per
    key); `kept_list` then finds it in the request's memo."""
    memo = request_memo()
    wanted = [key for key in keys if key]
    if memo is None or not wanted or not list_seconds():
        return
    found = cache.get_many(wanted)
    for key in wanted:
        memo[_FETCHED + key] = found.get(key)


def html_key(request: Any, part: str, *, shown: tuple[str, ...] = ()) -> str | None:
    """The key under which a part of a page is kept as HTML (`{% kept %}`): the list key of
    the person, today and the address's filters, and what else the part shows: the language,
    the print layout and the names in `shown` (a page number). None when nothing is kept."""
    if not list_seconds():
        return None
    query = request.GET
    extra = repr((get_language(), *(query.getlist(name) for name in ("print", *shown))))
    digest = hashlib.blake2b(extra.encode(), digest_size=8).hexdigest()
    return list_key(request.user, timezone.localdate(), query, f"html-{part}-{digest}")


def task_key(user: Any, pk: int, whole: bool) -> str:
    """The key of a task as its page reads it for `user` (`whole`: the whole timeline)."""
    return list_key(user, timezone.localdate(), QueryDict(), f"task-{pk}-{int(whole)}")


def inbox_key(user: Any) -> str:
    """The key of the header's inbox counts (directives.context_processors)."""
    return list_key(user, timezone.localdate(), QueryDict(), "inbox")


def kept_only(key: str) -> Any:
    """What is kept under `key`, or None: nothing is computed."""
    if not list_seconds():
        return None
    memo = request_memo()
    if memo is not None and _FETCHED + key in memo:
        return memo[_FETCHED + key]
    return cache.get(key)


def kept_list(key: str, compute: Callable[[], T]) -> T:
    """`compute()`, kept under `key` for `DONDOC_LIST_CACHE_SECONDS` (computed each time when 0)."""
    seconds = list_seconds()
    if not seconds:
        return compute()
    memo = request_memo()
    if memo is not None and _FETCHED + key in memo:
        found = memo.pop(_FETCHED + key)
    else:
        found = cache.get(key)
    if found is None:
        found = compute()
        cache.set(key, found, seconds)
    return cast(T, found)


# --- the units' names -----------------------------------------------------------------------

_unit_names: dict[str, tuple[float, list[tuple[int, tuple[str, ...]]]]] = {}


def units_changed(**kwargs: Any) -> None:
    """A unit was saved (a signal receiver: directives.apps)."""
    _changed(UNITS)


def units_version() -> str:
    """A token that changes whenever a unit is saved or deleted (or the data replaced)."""
    return _version(UNITS)


def unit_names() -> list[tuple[int, tuple[str, ...]]]:
    """(id, its names folded) of every unit: name, short name, aliases."""
    from units.models import Unit

    version = _version(UNITS)
    kept = _unit_names.get(version)
    if kept is not None and time.monotonic() - kept[0] < TIMEOUT:
        return kept[1]
    rows = [
        (pk, tuple(fold(n) for n in (name, short_name, *(aliases or [])) if n))
        for pk, name, short_name, aliases in Unit.objects.values_list(
            "pk", "name", "short_name", "aliases"
        )
    ]
    _unit_names.clear()
    _unit_names[version] = (time.monotonic(), rows)
    return rows
