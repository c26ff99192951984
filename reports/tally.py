"""Today's dashboard figures per lead unit, kept current in the same transaction as each change.

Counting every task at each request means reading the whole table: at a million tasks, four
seconds of SQL for the leadership's dashboard. The figures depend on the day only through date
comparisons, so for the current day they are kept in `UnitTally` rows, one per lead unit:

- **built** once a day (Celery beat just after midnight; failing that, the first request of the
  day that needs them), by one aggregate over all tasks with the conditions of `reports.queries`;
- **moved** by every change to a task (`tracking`, used by `directives.services` around each
  save; `tracking_many` around the few updates of many tasks at once, the duties' report
  cut-offs): the database measures the tasks against every condition before and after the
  change, with the very same conditions, and the difference goes to their units' rows, in
  the same transaction. No second definition of any figure exists to drift from the first.

Consistency with concurrent changes (PostgreSQL): a change holds a shared advisory lock until it
commits; a build takes the exclusive one, so it waits for the changes in flight and holds new
ones back until it commits. A change therefore either committed before the build's aggregate
(and is counted in it) or applies its difference to the built rows. SQLite runs one writing
transaction at a time, which gives the same guarantee.

The tallies answer the unfiltered dashboard and task list, all units or one lead unit, for
today. Any other filter, or another reference day, is counted live.
"""

from __future__ import annotations

import bisect
import hashlib
import time
import uuid
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from datetime import date
from functools import partial
from typing import Any, NamedTuple

from django.db import connection, transaction
from django.db.models import BigIntegerField, IntegerField, Q, Subquery
from django.db.models.expressions import RawSQL
from django.db.models.fields.json import KT
from django.db.models.functions import Cast, Coalesce
from django.utils import timezone

from core.db import plain_rows
from directives import caching, timeliness
from directives.models import Task

from . import queries
from .models import TallyDay, UnitTally

# Any 64-bit number, the same for every process: pg_advisory_xact_lock's key.
LOCK_KEY = 0x646F6E646F63


def metrics(today: date) -> dict[str, Q | None]:
    """Every condition the tallies count, by name (see reports.queries)."""
    result: dict[str, Q | None] = {**timeliness.bucket_metrics(today)}
    for days in queries.STALE_CHOICES:
        result |= queries.headline_metrics(today, days)
    for granularity in ("month", "week"):
        result |= queries.trend_metrics(today, granularity=granularity)
    return result | queries.work_metrics(today)


_schemas: dict[date, str] = {}


def schema(today: date) -> str:
    """A fingerprint of the conditions: a tally built by other code is rebuilt, not trusted."""
    if today not in _schemas:
        text = repr(sorted((name, str(q)) for name, q in metrics(today).items()))
        _schemas.clear()
        _schemas[today] = hashlib.sha256(text.encode()).hexdigest()
    return _schemas[today]


def _lock(*, exclusive: bool) -> None:
    if connection.vendor == "postgresql":
        function = "pg_advisory_xact_lock" if exclusive else "pg_advisory_xact_lock_shared"
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT {function}(%s)", [LOCK_KEY])


@transaction.atomic
def build(today: date) -> TallyDay:
    """Count every task for `today`, one row per lead unit and the total; drop earlier days."""
    _lock(exclusive=True)
    conditions = metrics(today)
    TallyDay.objects.exclude(day=today).delete()
    tally, _ = TallyDay.objects.update_or_create(
        day=today,
        defaults={"schema": schema(today), "built_at": timezone.now(), "build": uuid.uuid4()},
    )
    tally.units.all().delete()
    rows = list(_per_unit(Task.objects.all(), conditions))
    summed: Counter[str] = Counter()
    for row in rows:
        summed.update(row)
    summed.pop("lead_unit_id", None)
    UnitTally.objects.bulk_create(
        [
            UnitTally(tally=tally, unit_id=row.pop("lead_unit_id"), counts=_sparse(row))
            for row in rows
        ]
        + [
            UnitTally(tally=tally, shard=shard, counts=_sparse(summed) if shard == 0 else {})
            for shard in range(UnitTally.TOTAL_SHARDS)
        ]
    )
    return tally


def _per_unit(tasks: Any, conditions: Mapping[str, Q | None]) -> Any:
    """`tasks` against every condition, one row per lead unit: {lead_unit_id, name: count}."""
    return (
        tasks.order_by()
        .values("lead_unit_id")
        .annotate(**{name: timeliness.count(q) for name, q in conditions.items()})
    )


def _sparse(counts: Mapping[str, int]) -> dict[str, int]:
    """Only the conditions some task meets: readers take a missing name as zero."""
    return {name: value for name, value in counts.items() if value}


def current(today: date) -> TallyDay | None:
    """Today's tally, built if missing or stale; None for any other day."""
    if today != timezone.localdate():
        return None
    tally = TallyDay.objects.filter(day=today).first()
    if tally is not None and tally.schema == schema(today):
        return tally
    with transaction.atomic():
        _lock(exclusive=True)
        # Another request may have built it while this one waited for the lock.
        tally = TallyDay.objects.filter(day=today, schema=schema(today)).first()
        return tally or build(today)


class UnitCounts(NamedTuple):  # a tuple: thousands made at each dashboard
    unit_id: int
    name: str
    short_name: str
    counts: Mapping[str, int]


def totals(tally: TallyDay) -> dict[str, int]:
    """Every unit together: the sum of the total's shards (one query, a few rows)."""
    summed: Counter[str] = Counter()
    for counts in tally.units.filter(unit__isnull=True).values_list("counts", flat=True):
        summed.update(counts)
    return dict(summed)


def unit_counts(tally: TallyDay, unit_id: int) -> UnitCounts | None:
    """One unit's row, every condition (one query)."""
    row = (
        tally.units.filter(unit_id=unit_id)
        .values_list("unit_id", "unit__name", "unit__short_name", "counts")
        .first()
    )
    return UnitCounts(*row) if row else None


def _revision_written(tally_id: int) -> Any:
    """What a write of a tally row stores as its revision: on PostgreSQL the id of the writing
    transaction; elsewhere (SQLite, one writing transaction at a time, committed in turn) one
    more than any row of the tally holds."""
    if connection.vendor == "postgresql":
        return RawSQL("pg_current_xact_id()::text::bigint", (), output_field=BigIntegerField())
    return _after_last(tally_id)


def _horizon(tally_id: int) -> Any:
    """Read with the rows, in the same statement: the revision from which a row may have been
    moved after this read. On PostgreSQL the oldest transaction the statement's snapshot
    does not see (every transaction from it on may commit later); elsewhere one more than
    the newest revision read."""
    if connection.vendor == "postgresql":
        return RawSQL(
            "pg_snapshot_xmin(pg_current_snapshot())::text::bigint",
            (),
            output_field=BigIntegerField(),
        )
    return _after_last(tally_id)


def _after_last(tally_id: int) -> Any:
    newest = UnitTally.objects.filter(tally_id=tally_id).order_by("-revision").values("revision")
    return Coalesce(Subquery(newest[:1]), 0) + 1


class _KeptTable(NamedTuple):
    """A unit table as this process last read it. Never changed once made (the threads of a
    process share it): a newer read makes another."""

    key: tuple[Any, ...]  # the tally's build and the units' version it was read under
    read_at: float  # when it was last read whole (time.monotonic)
    horizon: int  # rows with a revision from this on may have moved since
    rows: dict[int, UnitCounts]  # every unit's row, those at zero included
    # By sort: (its key, the unit) of the units with tasks, in order; made when first asked.
    orders: dict[str, list[tuple[Any, int]]]

    def moved(self, found: list[UnitCounts], horizon: int) -> _KeptTable:
        """This table with the rows `found` read again: each order mended where they stood
        and stand now, not sorted again."""
        old = [self.rows[row.unit_id] for row in found if row.unit_id in self.rows]
        orders = {}
        for sort, entries in self.orders.items():
            entries = entries.copy()
            for row in old:
                if row.counts["total"]:
                    del entries[bisect.bisect_left(entries, _entry(sort, row))]
            for row in found:
                if row.counts["total"]:
                    bisect.insort(entries, _entry(sort, row))
            orders[sort] = entries
        rows = self.rows | {row.unit_id: row for row in found}
        return self._replace(horizon=horizon, rows=rows, orders=orders)

    def ordered(self, sort: str) -> tuple[_KeptTable, list[UnitCounts]]:
        """The units with tasks by `sort`; and this table, with that order kept if new."""
        table = self
        if sort not in self.orders:
            entries = [_entry(sort, row) for row in self.rows.values() if row.counts["total"]]
            table = self._replace(orders=self.orders | {sort: sorted(entries)})
        rows = self.rows
        return table, [rows[unit_id] for _, unit_id in table.orders[sort]]


def _entry(sort: str, row: UnitCounts) -> tuple[Any, int]:
    """Where a unit stands in the table by `sort`: its key (`queries.UNIT_SORTS`), then its
    id, so that no two units tie."""
    return queries.UNIT_SORTS[sort](row.counts, row.name), row.unit_id


# By the conditions read: the unit tables this process keeps (one per "stale after" choice).
_kept_tables: dict[tuple[str, ...], _KeptTable] = {}
# Read whole again at least this often, whatever the revisions say (seconds).
KEPT_TABLE_SECONDS = 300.0


def unit_table(tally: TallyDay, names: Iterable[str], sort: str) -> list[UnitCounts]:
    """Every unit with tasks in the order `sort` (`queries.UNIT_SORTS`, then the unit's id),
    only the named conditions (one query).

    The rows hold about a hundred conditions each; the per-unit table needs a handful, so the
    database extracts them rather than Python decoding thousands of whole documents. A
    province's table (2,500 units) is kept in the process, in order: each read takes only
    the rows moved since the last (`UnitTally.revision`), usually none or one, and puts them
    where they now stand. Only outside a transaction: one that has moved rows itself would
    see them before they commit, or never.
    """
    wanted = tuple(sorted(set(names) | {"total"}))
    if connection.in_atomic_block:
        rows, _ = _read_rows(tally.pk, wanted, since=None)
        return sorted((row for row in rows if row.counts["total"]), key=partial(_entry, sort))
    key = (tally.pk, tally.build, caching.units_version())  # the units' names read with it
    kept = _kept_tables.get(wanted)
    now = time.monotonic()
    if kept is None or kept.key != key or now - kept.read_at >= KEPT_TABLE_SECONDS:
        rows, horizon = _read_rows(tally.pk, wanted, since=None)
        kept = _KeptTable(key, now, horizon or 0, {row.unit_id: row for row in rows}, {})
    else:
        found, horizon = _read_rows(tally.pk, wanted, since=kept.horizon)
        if found:
            kept = kept.moved(found, horizon or kept.horizon)
    kept, ordered = kept.ordered(sort)
    _kept_tables[wanted] = kept  # replaced whole, never changed
    return ordered


def _read_rows(
    tally_id: int, wanted: tuple[str, ...], *, since: int | None
) -> tuple[list[UnitCounts], int | None]:
    """The units' rows of tally `tally_id` (those with a revision from `since` on, when
    given), the `wanted` conditions each; and the horizon read with them (None: no row)."""
    columns = {
        f"c_{i}": Coalesce(Cast(KT(f"counts__{name}"), IntegerField()), 0)
        for i, name in enumerate(wanted)
    }
    rows = UnitTally.objects.filter(tally_id=tally_id, unit__isnull=False)
    if since is not None:
        rows = rows.filter(revision__gte=since)
    found = plain_rows(  # integers and text as read: no converter per value
        rows.annotate(horizon=_horizon(tally_id), **columns).values_list(
            "unit_id", "unit__name", "unit__short_name", "horizon", *columns
        )
    )
    return [
        UnitCounts(unit_id, name, short_name, dict(zip(wanted, values, strict=True)))
        for unit_id, name, short_name, _, *values in found
    ], (found[0][3] if found else None)


def _measure(task_pk: int, conditions: Mapping[str, Q | None]) -> tuple[int, dict[str, int]]:
    row = _per_unit(Task.objects.filter(pk=task_pk), conditions).get()
    return row.pop("lead_unit_id"), row


def _apply(tally_id: int, delta: Mapping[str, int], *, unit_id: int | None, shard: int = 0) -> None:
    changes = {name: value for name, value in delta.items() if value}
    if not changes:
        return
    row, _ = UnitTally.objects.select_for_update().get_or_create(
        tally_id=tally_id, unit_id=unit_id, shard=shard, defaults={"counts": {}}
    )
    for name, value in changes.items():
        row.counts[name] = row.counts.get(name, 0) + value
    row.counts = _sparse(row.counts)
    row.revision = _revision_written(tally_id)
    row.save(update_fields=["counts", "revision"])


def _tally_to_move(today: date) -> int | None:
    """Today's tally that a change in this transaction moves (its id), after taking the shared
    lock that a build waits for; None when there is none yet (the day's build will count the
    change)."""
    _lock(exclusive=False)
    tally = TallyDay.objects.filter(day=today).values_list("pk", "schema").first()
    return tally[0] if tally is not None and tally[1] == schema(today) else None


@contextmanager
def tracking(task: Task) -> Iterator[None]:
    """Around a change saved to `task` (or its creation): move today's tally by the difference.

    Must run inside the change's transaction, after the task's row is locked.
    """
    assert connection.in_atomic_block, "tally.tracking needs the change's transaction"
    today = timezone.localdate()
    tally_id = _tally_to_move(today)
    if tally_id is None:
        yield
        return
    conditions = metrics(today)
    before = _measure(task.pk, conditions) if task.pk else None
    yield
    unit_id, after = _measure(task.pk, conditions)
    old_counts = before[1] if before is not None else dict.fromkeys(after, 0)
    delta = {k: after[k] - old_counts[k] for k in after}
    if before is not None and before[0] != unit_id:
        _apply(tally_id, {k: -v for k, v in before[1].items()}, unit_id=before[0])
        _apply(tally_id, after, unit_id=unit_id)
    else:
        _apply(tally_id, delta, unit_id=unit_id)
    _apply(tally_id, delta, unit_id=None, shard=task.pk % UnitTally.TOTAL_SHARDS)


# Tasks measured per query when many change at once (SQLite takes at most 32,766 parameters).
MEASURED_AT_ONCE = 5000


def _measure_many(ids: list[int], conditions: Mapping[str, Q | None]) -> Counter[tuple[int, str]]:
    """Tasks `ids` against every condition, summed per lead unit: {(unit, name): count}."""
    summed: Counter[tuple[int, str]] = Counter()
    for start in range(0, len(ids), MEASURED_AT_ONCE):
        chunk = Task.objects.filter(pk__in=ids[start : start + MEASURED_AT_ONCE])
        for row in _per_unit(chunk, conditions):
            unit_id = row.pop("lead_unit_id")
            summed.update({(unit_id, name): value for name, value in row.items()})
    return summed


@contextmanager
def tracking_many(tasks: Any) -> Iterator[None]:
    """Around an update of many tasks at once (`tasks`, a queryset of them), which moves no
    task to another unit: move today's tally by their difference, unit by unit.

    Must run inside the update's transaction. The tasks are locked first (in order), so that
    no change to one of them lands between the two measures; the update may then make them
    leave `tasks` (their ids are measured again, not the queryset).
    """
    assert connection.in_atomic_block, "tally.tracking_many needs the update's transaction"
    today = timezone.localdate()
    tally_id = _tally_to_move(today)
    if tally_id is None:
        yield
        return
    ids = list(tasks.order_by("pk").select_for_update().values_list("pk", flat=True))
    conditions = metrics(today)
    before = _measure_many(ids, conditions)
    yield
    after = _measure_many(ids, conditions)
    after.subtract(before)
    units: dict[int, dict[str, int]] = {}
    for (unit_id, name), value in after.items():
        units.setdefault(unit_id, {})[name] = value
    for unit_id in sorted(units):  # rows locked in one order by every bulk update
        _apply(tally_id, units[unit_id], unit_id=unit_id)
    summed: Counter[str] = Counter()
    for delta in units.values():
        summed.update(delta)
    _apply(tally_id, summed, unit_id=None)


def eligible(cleaned: Mapping[str, Any] | None, today: date) -> tuple[bool, int | None]:
    """Whether a task filter's values can be answered from the tally, and for which unit.

    Only the lead-unit filter, the reference day (today) and the timeliness tabs qualify.
    """
    if cleaned is None:
        return True, None
    unit = None
    for name, value in cleaned.items():
        if name in ("timeliness", "as_of") or value in (None, "", [], ()):
            continue
        if name == "unit" and cleaned.get("role") in (None, "", "lead"):
            unit = value.pk
            continue
        if name == "role" and value == "lead" and cleaned.get("unit") is not None:
            continue
        return False, None
    if cleaned.get("as_of") not in (None, today):
        return False, None
    return True, unit


def answering(
    user: Any, task_filter: Any, today: date, *, own_unit: bool
) -> tuple[TallyDay, int | None] | None:
    """Today's tally and the lead unit (None: every unit) that a page filtered by
    `task_filter` counts, or None when it must count live.

    Only today, only the filters `eligible` accepts, and only scopes made of whole lead units:
    everything for the office and the leadership (or one lead unit they pick); with
    `own_unit`, a unit member's own led tasks (the dashboard's scope for them).
    """
    if task_filter.is_bound and not task_filter.form.is_valid():
        return None
    cleaned = task_filter.form.cleaned_data if task_filter.is_bound else None
    usable, unit_id = eligible(cleaned, today)
    if not usable:
        return None
    if not user.sees_all_units:
        if not own_unit or user.unit_id is None:
            return None
        unit_id = user.unit_id
    built = current(today)
    return None if built is None else (built, unit_id)


def counts_for(user: Any, task_filter: Any, today: date) -> dict[str, int] | None:
    """The counts of the tasks a list filtered by `task_filter` holds, or None to count live."""
    found = answering(user, task_filter, today, own_unit=False)
    if found is None:
        return None
    built, unit_id = found
    if unit_id is None:
        return totals(built)
    row = unit_counts(built, unit_id)
    return dict(row.counts) if row else {}
