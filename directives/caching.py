"""What a person's pages read on every request and what changes it: the notices they follow.

The task list and the dashboard offer the most recent notices a person follows (and their
chairs) on every request; for a unit that is a query through the unit's tasks. The answer is
kept in the cache under a version that every change able to alter it moves: a task given
(created, moved to another unit, its support units changed) and a notice saved.
"""

from __future__ import annotations

from django.core.cache import cache
from django.db import transaction

VERSION_KEY = "dondoc:followed-notices:version"
# A kept answer lives at most this long even when nothing moves the version.
TIMEOUT = 3600


def version() -> int:
    found = cache.get(VERSION_KEY)
    if found is None:
        cache.add(VERSION_KEY, 1, None)
        found = cache.get(VERSION_KEY, 1)
    return int(found)


def _move() -> None:
    try:
        cache.incr(VERSION_KEY)
    except ValueError:  # not set yet (or evicted): any new value differs from the old keys'
        cache.add(VERSION_KEY, 2, None)


def followed_changed() -> None:
    """Some person may follow other notices now: every kept answer is out of date.

    Moved now and again once the change commits: a page read between the two may have kept
    what it saw before the commit under the first new version.
    """
    _move()
    transaction.on_commit(_move)


def key(user_id: int) -> str:
    return f"dondoc:followed-notices:{version()}:{user_id}"
