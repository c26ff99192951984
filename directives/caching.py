"""What the pages read on every request that rarely changes, kept between requests.

- **The notices a person follows** (the pickers of the task list and the dashboard; for a unit,
  a query through its tasks) are kept in the cache under a version that every change able to
  alter them moves: a task given (created, moved to another unit, its support units changed)
  and a notice saved.
- **What the task lists, the dashboard and the task page found or showed**, for a person's
  scope (account, role, unit, active), the filters in the address and the day, under a
  version that every write to the tasks and what their filters read moves (a model saved or
  deleted in `units` or `directives`, an account too since the rows name people, but not its
  sign-in stamp; a task's support units or helpers changed; the few bulk updates of the
  services, which call `lists_changed()`). The office and the leadership see every task: their
  version (LISTS) moves at every write. A unit's people see their unit's tasks: theirs is
  made of their unit's own version and STRUCTURE's. A write to one task, its timeline, files,
  requests, periods, support units or helpers moves LISTS and the versions of the units it
  concerns (lead unit before and after, support units, the units of its holder and helpers:
  `unit_lists_changed`); any other write (a unit, an account, a notice, a deletion, a bulk
  update) moves LISTS and STRUCTURE, so every list. At a province's scale (2,500 units, a
  change every few seconds somewhere) a unit's lists stay kept until its own tasks change:
  - the task list's bucket counts and each page's ids, and its two parts as HTML (the filter
    form with the chips; the tabs, rows and pages: `{% kept %}`, directives.templatetags.kept):
    a list asked again reads no task at all; the forms that post (a CSRF token) and the
    person's saved filters are written each time;
  - the dashboard's figures, and its content as HTML; its rows of the newest notices and of
    the latest tasks given to several units also under versions of their own tasks (a task's
    save, or a change to its support units or helpers, moves its notice's and its group
    task's: `tasks_of_version`), so that a change elsewhere leaves them kept;
  - the task as its page reads it (events, attachments, units, requests, periods); what other
    apps keep about it (the reminders sent) is read each time, and actions read it afresh;
  - the header's inbox counts, under a version of their own (INBOX) and STRUCTURE's: moved
    when a task is created or its status, review, return or lead unit changes, when an
    extension request or an import draft is saved, and by every change that moves every list
    (a progress report leaves them kept).
  The versions are read once per request (core.cache.RequestMemoMiddleware). Only where the
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
import uuid
from collections.abc import Callable, Collection, Sequence
from collections.abc import Set as AbstractSet
from datetime import date
from typing import Any, NamedTuple, TypeVar, cast

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.db.models import Q
from django.http import QueryDict
from django.utils import timezone
from django.utils.translation import get_language

from core.cache import KeptInProcess, request_memo
from core.text import fold

T = TypeVar("T")

FOLLOWED = "dondoc:followed-notices:version"
# What the office and the leadership see (every task): moved by every change.
LISTS = "dondoc:task-lists:version"
# What every list shows beside its tasks (units, people, notices, …): moved by every change
# that is not one task's; a unit's people's kept answers are under it and their unit's own.
STRUCTURE = "dondoc:task-lists:structure"
UNITS = "dondoc:units:version"
# What the inbox counts read (directives.inbox): moved when a task's inbox fields change (or a
# task is created or deleted), an extension request or an import draft is saved or deleted,
# and by every change that moves STRUCTURE.
INBOX = "dondoc:inbox:version"
# A task's fields the inbox counts read.
_INBOX_FIELDS = ("status", "awaiting_head", "returned_at", "lead_unit_id")
# Saves of these move INBOX (the inbox counts them).
_COUNTED_BY_INBOX = {"extensionrequest", "importdraft"}
# A kept answer lives at most this long (seconds) even when nothing moves its version.
TIMEOUT = 300


def _version(key: str) -> str:
    """The version under `key`, read once per request (core.cache.request_memo)."""
    return _versions([key])[0]


# The versions every page may read: asked for together the first time a request reads one.
_SHARED = (LISTS, STRUCTURE, FOLLOWED, INBOX, UNITS)


def _versions(keys: list[str]) -> list[str]:
    """The versions under `keys`, read once per request, those not yet read in one round trip.
    In a request, the first read takes every shared version with it (`_SHARED`: a page reads
    three to five of them, in turn, a round trip each)."""
    memo = request_memo()
    found: dict[str, Any] = {k: memo[k] for k in keys if k in memo} if memo is not None else {}
    wanted = [k for k in keys if k not in found]
    if wanted:
        also = [k for k in _SHARED if k not in wanted and k not in memo] if memo is not None else []
        asked = wanted + also
        found |= cache.get_many(asked) if len(asked) > 1 else {asked[0]: cache.get(asked[0])}
        for key in also:  # kept for the request when set (one never set is made when read)
            if found.get(key) is not None and memo is not None:
                memo[key] = found[key]
    for key in wanted:
        if found.get(key) is None:
            cache.add(key, uuid.uuid4().hex, None)
            found[key] = cache.get(key) or ""
        if memo is not None:
            memo[key] = found[key]
    return [str(found[key]) for key in keys]


def _move(key: str) -> None:
    _move_all([key])


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


def _unit_version(unit_id: int) -> str:
    return f"dondoc:task-lists:unit:{unit_id}"


def _scope_keys(user: Any) -> list[str]:
    """The versions `user`'s kept answers are under: for a unit's people, STRUCTURE's and
    their unit's (a change to another unit's task leaves them kept); for everyone else
    (the office, the leadership: every task), LISTS, which every change moves."""
    unit_id = getattr(user, "unit_id", None)
    unit_scoped = not getattr(user, "sees_all_units", True) and getattr(
        user, "is_unit_member", False
    )
    if not unit_scoped or unit_id is None:
        return [LISTS]
    return [STRUCTURE, _unit_version(unit_id)]


def _scope_version(user: Any) -> str:
    """The version of what `user`'s kept answers show (`_scope_keys`)."""
    return ".".join(_versions(_scope_keys(user)))


def _now_and_at_commit(move: Callable[[], None]) -> None:
    """`move()` at once (a page read later in the same transaction sees the change) and when
    the transaction commits, once however many rows it saved."""
    move()
    connection = transaction.get_connection()
    if connection.in_atomic_block and any(
        function is move for _, function, _ in connection.run_on_commit
    ):
        return
    transaction.on_commit(move)


def _move_lists() -> None:
    _move_all([LISTS, STRUCTURE, INBOX])


def _move_inbox() -> None:
    _move(INBOX)


def _inbox_changed() -> None:
    """What the inbox counts may differ: at once and when the transaction commits (once)."""
    _now_and_at_commit(_move_inbox)


def _move_all(keys: list[str]) -> None:
    """`_move` for several versions, in one round trip."""
    moved = {key: uuid.uuid4().hex for key in keys}
    cache.set_many(moved, None)
    memo = request_memo()
    if memo is not None:
        memo.update(moved)


class _UnitMoves:
    """Moves LISTS and the versions `keys` (of units, notices, group tasks; at a transaction's
    commit: one per transaction, the keys of every change in it)."""

    def __init__(self, keys: set[str]) -> None:
        self.keys = keys

    def __call__(self) -> None:
        _move_all([LISTS, *self.keys])


def lists_changed() -> None:
    """Some task list may find other tasks now: every kept answer is out of date.

    The version moves at once (a list read later in the same transaction sees the change) and
    when the transaction commits, once however many rows it saved."""
    _now_and_at_commit(_move_lists)


def unit_lists_changed(units: set[int], parents: AbstractSet[str] = frozenset()) -> None:
    """Tasks of `units` changed (each unit's own, or one it supports): the kept answers of
    those units' people and of everyone who sees every task are out of date; other units'
    stay kept. `parents`: the versions of the tasks' notices and group tasks
    (`_parents_moved`), moved with them. At once, and when the transaction commits (once for
    all its changes)."""
    keys = {_unit_version(u) for u in units if u} | parents
    _UnitMoves(keys)()
    connection = transaction.get_connection()
    if connection.in_atomic_block:
        for _, function, _ in connection.run_on_commit:
            if isinstance(function, _UnitMoves):
                function.keys |= keys
                return
    transaction.on_commit(_UnitMoves(set(keys)))


# --- the tasks of a notice, of a group task ----------------------------------------------------


def _notice_version(notice_id: int) -> str:
    return f"dondoc:tasks-of-notice:{notice_id}"


def _group_version(group_task_id: int) -> str:
    return f"dondoc:tasks-of-group:{group_task_id}"


def _parents_moved(sender: Any, kwargs: dict[str, Any]) -> set[str]:
    """The versions of the notice and the group task of a task saved, or whose support units
    or helpers changed (before and after, should it move); none for any other change."""
    from .models import Task

    instance = kwargs["instance"]
    if not isinstance(instance, Task) or kwargs.get("reverse"):
        return set()
    fields: dict[str, Any] = instance.__dict__
    if "notice_id" not in fields or "group_task_id" not in fields:  # read without them
        row = Task.objects.filter(pk=instance.pk).values("notice_id", "group_task_id").first()
        fields = dict(row or {})
    notices = {fields.get("notice_id"), getattr(instance, "_dondoc_notice", None)}
    groups = {fields.get("group_task_id"), getattr(instance, "_dondoc_group", None)}
    return {_notice_version(n) for n in notices if n} | {_group_version(g) for g in groups if g}


def tasks_of_version(notices: Sequence[int] = (), group_tasks: Sequence[int] = ()) -> str:
    """A version of what the tasks of `notices` and of `group_tasks` show, for whoever sees
    them (the dashboard's notice and group rows): moved by a change to any of those tasks
    (a save, its support units or helpers), and by every change not one task's (STRUCTURE:
    a unit, an account, a notice, a deletion, a bulk update), not by other tasks' changes."""
    keys = [STRUCTURE, *map(_notice_version, notices), *map(_group_version, group_tasks)]
    text = repr((list(notices), list(group_tasks), _versions(keys)))
    return "t" + hashlib.blake2b(text.encode(), digest_size=16).hexdigest()


def tasks_of_versions(notices: Sequence[int], group_tasks: Sequence[int]) -> tuple[str, str]:
    """`tasks_of_version` of `notices` and of `group_tasks`, apart, their versions read in one
    round trip (within a request)."""
    _versions([STRUCTURE, *map(_notice_version, notices), *map(_group_version, group_tasks)])
    return tasks_of_version(notices=notices), tasks_of_version(group_tasks=group_tasks)


def task_loaded(sender: Any, instance: Any, **kwargs: Any) -> None:
    """A task as read (a signal receiver: directives.apps): its lead unit and holder, so that a
    change that moves it from them tells their lists too. Fields not read are left unread."""
    fields = instance.__dict__
    instance._dondoc_loaded = (fields.get("lead_unit_id"), fields.get("assignee_id"))
    instance._dondoc_notice = fields.get("notice_id")
    instance._dondoc_group = fields.get("group_task_id")
    instance._dondoc_inbox = tuple(fields.get(name, _UNREAD) for name in _INBOX_FIELDS)


_UNREAD = object()  # a field the task was read without


def _inbox_touched(sender: Any, kwargs: dict[str, Any]) -> bool:
    """Whether a change can alter the inbox counts: a task created, or saved with one of the
    fields they read changed (or not read when it was loaded), an extension request or an
    import draft saved or deleted."""
    from .models import Task

    if sender._meta.model_name in _COUNTED_BY_INBOX:
        return True
    if sender is not Task or "created" not in kwargs:
        return False
    instance = kwargs["instance"]
    loaded = getattr(instance, "_dondoc_inbox", None)
    if kwargs["created"] or loaded is None:
        return True
    fields = instance.__dict__
    return any(
        loaded[n] is _UNREAD or fields.get(name, _UNREAD) != loaded[n]
        for n, name in enumerate(_INBOX_FIELDS)
    )


def _units_of_task(task_id: int, people: tuple[int | None, ...] = ()) -> set[int]:
    """The units whose lists show task `task_id`: its lead unit, its support units, and the
    units of its holder, its helpers and `people` (one query)."""
    from units.models import User

    from .models import Task

    helpers = Task.helpers.through.objects.filter(task_id=task_id).values("user_id")
    holder = Task.objects.filter(pk=task_id).values("assignee_id")
    found = (
        Task.objects.filter(pk=task_id)
        .order_by()
        .values_list("lead_unit_id", flat=True)
        .union(
            Task.support_units.through.objects.filter(task_id=task_id)
            .order_by()
            .values_list("unit_id", flat=True),
            User.objects.filter(
                Q(pk__in=helpers) | Q(pk__in=holder) | Q(pk__in=[p for p in people if p])
            )
            .order_by()
            .values_list("unit_id", flat=True),
        )
    )
    return {unit for unit in found if unit}


def _touched_units(sender: Any, kwargs: dict[str, Any]) -> set[int] | None:
    """The units whose lists a change to one task can alter (`_units_of_task`), or None when
    the change is not one task's (every list may show it)."""
    from .models import Task, TaskEvent

    instance = kwargs["instance"]
    if "action" in kwargs:  # a task's support units or helpers (m2m_changed)
        if kwargs.get("reverse") or not isinstance(instance, Task):
            return None
        added = set(kwargs.get("pk_set") or ())
        if kwargs["model"] is Task.support_units.field.related_model:
            return _units_of_task(instance.pk) | added
        return _units_of_task(instance.pk, tuple(added))
    if "created" not in kwargs:  # a deletion: what it took with it is not known here
        return None
    if isinstance(instance, Task):
        lead, holder = getattr(instance, "_dondoc_loaded", (None, None))
        return _units_of_task(instance.pk, (holder,)) | {
            u for u in (instance.lead_unit_id, lead) if u
        }
    field_names = {f.name for f in sender._meta.concrete_fields}
    if "task" in field_names and sender._meta.get_field("task").related_model is Task:
        extra = {instance.unit_id} if "unit" in field_names else set()
        return _units_of_task(instance.task_id) | extra
    if "event" in field_names and sender._meta.get_field("event").related_model is TaskEvent:
        task_id = TaskEvent.objects.filter(pk=instance.event_id).values_list("task_id").first()
        return _units_of_task(task_id[0]) if task_id else None
    return None


def model_changed(sender: Any, **kwargs: Any) -> None:
    """A model of `units` or `directives` was saved or deleted, or a task's support units or
    helpers changed (signal receivers: directives.apps). A change to one task (the task, its
    timeline, files, requests, periods, support units, helpers) tells the lists of the units
    it concerns (`unit_lists_changed`); any other, every list."""
    if sender._meta.model_name in _NOT_READ_BY_LISTS:
        return
    fields = kwargs.get("update_fields")
    if fields and set(fields) <= _NOT_SHOWN_BY_LISTS:
        return
    units = _touched_units(sender, kwargs)
    if units is None:
        lists_changed()
        return
    unit_lists_changed(units, _parents_moved(sender, kwargs))
    if _inbox_touched(sender, kwargs):
        _inbox_changed()


def everything_changed() -> None:
    """The data was replaced wholesale (a restore, the benchmark's load): nothing kept holds."""
    for key in (FOLLOWED, LISTS, STRUCTURE, UNITS, INBOX):
        _move(key)


def list_seconds() -> int:
    return int(getattr(settings, "DONDOC_LIST_CACHE_SECONDS", 0))


def list_key(
    user: Any, day: date, query: Any, part: str, *, without: str = "", version: str = ""
) -> str:
    """The key of what a list found: the person's scope (account, role, unit, active), the
    day, the filters in the address `query` (a QueryDict; `without` and the page left out, in a
    fixed order) and the part kept; under the person's version (`_scope_version`) unless
    another is given."""
    who = f"{_who(user)}:{int(bool(getattr(user, 'is_active', False)))}:{int(user.is_superuser)}"
    filters = sorted(
        (name, query.getlist(name)) for name in query if name not in ("page", "print", without)
    )
    digest = hashlib.blake2b(repr(filters).encode(), digest_size=16).hexdigest()
    version = version or _scope_version(user)
    return f"dondoc:task-list:{version}:{who}:{day.isoformat()}:{digest}:{part}"


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


def html_key(
    request: Any, part: str, *, shown: tuple[str, ...] = (), of_tasks: bool = True
) -> str | None:
    """The key under which a part of a page is kept as HTML (`{% kept %}`): the list key of
    the person, today and the address's filters, and what else the part shows: the language,
    the print layout and the names in `shown` (a page number). None when nothing is kept.

    `of_tasks=False`: a part that shows no task's data, only what every list shows (units,
    people, notices) and the notices the person follows (the filters' form): kept across
    changes to the tasks, under STRUCTURE's version and FOLLOWED's."""
    if not list_seconds():
        return None
    query = request.GET
    extra = repr((get_language(), *(query.getlist(name) for name in ("print", *shown))))
    digest = hashlib.blake2b(extra.encode(), digest_size=8).hexdigest()
    version = ""
    if not of_tasks:
        # The person's own versions read with these (one round trip): the page's other parts
        # are kept under them.
        structure, followed = _versions([STRUCTURE, FOLLOWED, *_scope_keys(request.user)])[:2]
        version = f"f{structure}.{followed}"
    return list_key(
        request.user, timezone.localdate(), query, f"html-{part}-{digest}", version=version
    )


def task_key(user: Any, pk: int, whole: bool) -> str:
    """The key of a task as its page reads it for `user` (`whole`: the whole timeline)."""
    return list_key(user, timezone.localdate(), QueryDict(), f"task-{pk}-{int(whole)}")


def inbox_key(user: Any) -> str:
    """The key of the header's inbox counts (directives.context_processors): kept until a
    change the inbox counts (`INBOX`), not at every change to a task (a progress report)."""
    version = "i" + ".".join(_versions([INBOX, STRUCTURE]))
    return list_key(user, timezone.localdate(), QueryDict(), "inbox", version=version)


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


Rank = tuple[int, str, str]


def _rank(order: int, name: str) -> Rank:
    """A unit's place among the units: by `Unit.order`, then by name as Vietnamese readers
    look one up (accents and case folded, "Đ" beside "D"), the same on every database."""
    return (order, fold(name), name)


class _Units(NamedTuple):
    folded: list[tuple[int, tuple[str, ...]]]  # (id, its names folded)
    shown: dict[int, str]  # id: the name it is shown by (Unit.display_name)
    rank: dict[int, Rank]  # id: its place among the units (`_rank`)


# The units' names under the units' version: only the current version's.
_unit_names: KeptInProcess[str, _Units] = KeptInProcess(TIMEOUT, 1)


def units_changed(**kwargs: Any) -> None:
    """A unit was saved (a signal receiver: directives.apps)."""
    _changed(UNITS)


def units_version() -> str:
    """A token that changes whenever a unit is saved or deleted (or the data replaced)."""
    return _version(UNITS)


def _units() -> _Units:
    from units.models import Unit

    def read() -> _Units:
        rows = list(Unit.objects.values_list("pk", "name", "short_name", "aliases", "order"))
        return _Units(
            folded=[
                (pk, tuple(fold(n) for n in (name, short_name, *(aliases or [])) if n))
                for pk, name, short_name, aliases, _ in rows
            ],
            shown={pk: short_name or name for pk, name, short_name, _, _ in rows},
            rank={pk: _rank(order, name) for pk, name, _, _, order in rows},
        )

    return _unit_names.kept(_version(UNITS), read)


def unit_names() -> list[tuple[int, tuple[str, ...]]]:
    """(id, its names folded) of every unit: name, short name, aliases."""
    return _units().folded


def unit_shown_name(unit_id: int) -> str:
    """The name unit `unit_id` is shown by (its short name, else its name; as
    `Unit.display_name`), without reading the unit: the header of every page names the
    person's unit."""
    return _units().shown.get(unit_id, "")


def units_shown(ids: Collection[int]) -> dict[int, tuple[str, Rank]]:
    """For each unit of `ids`: the name it is shown by and its place among the units
    (`_rank`), from the units kept in the process; a unit saved since they were read (by
    another process, its version not seen yet) is read from the database. A task list's
    rows name their units so, without joining the units' table (at 2,500 units PostgreSQL
    hashed the whole table for a page of 25 rows: ~1.6 ms of 3)."""
    from units.models import Unit

    units = _units()
    found = {unit: (units.shown[unit], units.rank[unit]) for unit in ids if unit in units.shown}
    missing = set(ids) - found.keys()
    if missing:
        for pk, name, short_name, order in Unit.objects.filter(pk__in=missing).values_list(
            "pk", "name", "short_name", "order"
        ):
            found[pk] = (short_name or name, _rank(order, name))
    return found
