"""What the pages read on every request that rarely changes, kept between requests.

- **The notices a person follows** (the pickers of the task list and the dashboard; for a unit,
  a query through its tasks) are kept in the cache under a version that every change able to
  alter them moves: a task given (created, moved to another unit, its support units changed)
  and a notice saved.
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

import time
import uuid
from typing import Any

from django.core.cache import cache
from django.db import transaction

from core.text import fold

FOLLOWED = "dondoc:followed-notices:version"
UNITS = "dondoc:units:version"
# A kept answer lives at most this long (seconds) even when nothing moves its version.
TIMEOUT = 300


def _version(key: str) -> str:
    found = cache.get(key)
    if found is None:
        cache.add(key, uuid.uuid4().hex, None)
        found = cache.get(key) or ""
    return str(found)


def _move(key: str) -> None:
    cache.set(key, uuid.uuid4().hex, None)


def _changed(key: str) -> None:
    _move(key)
    transaction.on_commit(lambda: _move(key))


def followed_changed() -> None:
    """Some person may follow other notices now: every kept answer is out of date."""
    _changed(FOLLOWED)


def key(user: Any) -> str:
    """The key of a person's followed notices: their account, role and unit (an account moved
    to another unit or role follows other notices at once)."""
    who = f"{user.pk or 0}:{getattr(user, 'role', '')}:{getattr(user, 'unit_id', '') or ''}"
    # "2": the entries' shape (id, chair, label); entries of another shape are never read.
    return f"dondoc:followed-notices:2:{_version(FOLLOWED)}:{who}"


# --- the units' names -----------------------------------------------------------------------

_unit_names: dict[str, tuple[float, list[tuple[int, tuple[str, ...]]]]] = {}


def units_changed(**kwargs: Any) -> None:
    """A unit was saved (a signal receiver: directives.apps)."""
    _changed(UNITS)


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
