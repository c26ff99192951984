"""Figures for lists, the dashboard and reports: typed functions that aggregate in the database.

The official summaries (docs/domain.md §3, §6) count each task in exactly one of five categories:
done on time, done late, not done and in time, not done and overdue, cancelled. Tasks without
a deadline count as in time while open and as on time once done. Every category, ageing bucket
and the stale rule is a `Q` over Task rows, so the dashboard's numbers and the task list behind
each of them are the same rows by construction.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any, Literal

from django.db.models import Exists, Max, OuterRef, Q

from directives.models import (
    Notice,
    Task,
    TaskQuerySet,
    handed_back_q,
    missed_period_q,
    not_received_q,
    unassigned_q,
)
from directives.timeliness import (
    AGEING,
    Timeliness,
    ageing_q,
    aggregate,
    bucket_q,
    buckets_q,
    count,
    stale_q,
)

T = Timeliness

# The five official categories, each a set of timeliness buckets.
CATEGORIES: dict[str, tuple[Timeliness, ...]] = {
    "done_on_time": (T.DONE_ON_TIME, T.DONE_NO_DEADLINE),
    "done_late": (T.DONE_LATE,),
    "open_in_time": (T.IN_TIME, T.DUE_SOON, T.NO_DEADLINE),
    "open_overdue": (T.OVERDUE,),
    "cancelled": (T.CANCELLED,),
}
CATEGORY_LABELS = {
    "done_on_time": "Hoàn thành đúng hạn",
    "done_late": "Hoàn thành quá hạn",
    "open_in_time": "Chưa hoàn thành, trong hạn",
    "open_overdue": "Chưa hoàn thành, quá hạn",
    "cancelled": "Hủy",
}

DEFAULT_STALE_DAYS = 30
STALE_CHOICES = (7, 14, 30, 60, 90)
TREND_POINTS = 12


def category_q(category: str, today: date) -> Q:
    return buckets_q(CATEGORIES[category], today)


def _percent(part: int, whole: int) -> float:
    return round(100 * part / whole, 1) if whole else 0.0


@dataclass(frozen=True)
class Counts:
    """The five official categories of a set of tasks, with percentages of the total."""

    total: int
    done_on_time: int
    done_late: int
    open_in_time: int
    open_overdue: int
    cancelled: int

    def percent(self, category: str) -> float:
        value: int = getattr(self, category)
        return _percent(value, self.total)

    @property
    def done(self) -> int:
        return self.done_on_time + self.done_late

    @property
    def on_time_rate(self) -> float | None:
        """Share of the finished tasks finished on time; None when nothing is finished."""
        return _percent(self.done_on_time, self.done) if self.done else None

    @property
    def overdue_rate(self) -> float:
        return self.percent("open_overdue")


def category_metrics(today: date) -> dict[str, Q | None]:
    """Every task ("total") and the five official categories, by name."""
    return {"total": None, **{name: category_q(name, today) for name in CATEGORIES}}


def _counts(row: Mapping[str, int | None]) -> Counts:
    return Counts(**{name: row.get(name) or 0 for name in ("total", *CATEGORIES)})


@dataclass(frozen=True)
class Headline:
    counts: Counts
    no_deadline: int
    due_soon: int
    awaiting: int
    ageing: list[tuple[str, int, int | None, int]]
    stale: int
    stale_days: int


def headline_metrics(today: date, stale_days: int = DEFAULT_STALE_DAYS) -> dict[str, Q | None]:
    """The conditions behind the headline figures, by name (None: every task)."""
    return {
        **category_metrics(today),
        "no_deadline": bucket_q(T.NO_DEADLINE, today),
        "due_soon": bucket_q(T.DUE_SOON, today),
        "awaiting": Q(status=Task.Status.AWAITING_ACCEPTANCE),
        f"stale_{stale_days}": stale_q(today, stale_days),
        **{f"ageing_{i}": ageing_q(low, high, today) for i, (_, low, high) in enumerate(AGEING)},
    }


def headline_from(counts: Mapping[str, int], *, stale_days: int = DEFAULT_STALE_DAYS) -> Headline:
    return Headline(
        counts=_counts(counts),
        no_deadline=counts.get("no_deadline") or 0,
        due_soon=counts.get("due_soon") or 0,
        awaiting=counts.get("awaiting") or 0,
        ageing=[
            (label, low, high, counts.get(f"ageing_{i}") or 0)
            for i, (label, low, high) in enumerate(AGEING)
        ],
        stale=counts.get(f"stale_{stale_days}") or 0,
        stale_days=stale_days,
    )


def headline(tasks: TaskQuerySet, today: date, *, stale_days: int = DEFAULT_STALE_DAYS) -> Headline:
    """The dashboard's top figures, the ageing of overdue tasks and the stale count: one query."""
    counts = aggregate(tasks, headline_metrics(today, stale_days))
    return headline_from(counts, stale_days=stale_days)


@dataclass(frozen=True)
class UnitRow:
    unit_id: int
    name: str
    short_name: str
    counts: Counts
    stale: int


# "Đơn vị chậm nhất ở trên", as the dashboard says: most tasks overdue now; then the largest
# share of late work (overdue, or done late) in all its tasks; then the lowest share done on
# time among its finished tasks; then the name.
LAG_RULE = (
    "nhiều việc quá hạn nhất; rồi tỉ lệ việc trễ (quá hạn hoặc hoàn thành quá hạn) cao nhất; "
    "rồi tỉ lệ hoàn thành đúng hạn thấp nhất"
)


def _lag(c: Mapping[str, int], name: str) -> tuple[Any, ...]:
    # `_percent` written out: the key of every unit of a province (2,500) at each dashboard.
    get = c.get
    overdue, done_late, done_on_time = (
        get("open_overdue", 0),
        get("done_late", 0),
        get("done_on_time", 0),
    )
    total = get("total", 0)
    done = done_on_time + done_late
    return (
        -overdue,
        -round(100 * (overdue + done_late) / total, 1) if total else 0.0,
        round(100 * done_on_time / done, 1) if done else 100.0,
        name,
    )


def _on_time(c: Mapping[str, int], name: str) -> tuple[Any, ...]:
    done_on_time = c.get("done_on_time", 0)
    done = done_on_time + c.get("done_late", 0)
    return (-(_percent(done_on_time, done) if done else -1), name)


# Sort keys over a unit's counts by name (the same numbers as `Counts`' properties), so that a
# table of thousands of units is sorted before any row object is built.
UNIT_SORTS: dict[str, Callable[[Mapping[str, int], str], Any]] = {
    "lag": _lag,
    "name": lambda c, name: name,
    "total": lambda c, name: (-c.get("total", 0), name),
    "overdue": lambda c, name: (-c.get("open_overdue", 0), name),
    "on_time": _on_time,
}


def unit_metrics(today: date, stale_days: int = DEFAULT_STALE_DAYS) -> dict[str, Q | None]:
    return {**category_metrics(today), f"stale_{stale_days}": stale_q(today, stale_days)}


def unit_row(
    unit_id: int, name: str, short_name: str, counts: Mapping[str, int], stale_days: int
) -> UnitRow:
    return UnitRow(
        unit_id=unit_id,
        name=name,
        short_name=short_name or name,
        counts=_counts(counts),
        stale=counts.get(f"stale_{stale_days}") or 0,
    )


def sort_units(rows: list[UnitRow], sort: str) -> list[UnitRow]:
    key = UNIT_SORTS.get(sort, UNIT_SORTS["lag"])
    return sorted(rows, key=lambda r: key(vars(r.counts), r.name))


def per_unit(
    tasks: TaskQuerySet,
    today: date,
    *,
    sort: str = "lag",
    stale_days: int = DEFAULT_STALE_DAYS,
) -> list[UnitRow]:
    """The official categories per lead unit, laggards first by default: one query."""
    metrics = unit_metrics(today, stale_days)
    rows = (
        tasks.order_by()
        .values("lead_unit_id", "lead_unit__name", "lead_unit__short_name")
        .annotate(**{name: count(q) for name, q in metrics.items()})
    )
    result = [
        unit_row(
            row["lead_unit_id"],
            row["lead_unit__name"],
            row["lead_unit__short_name"],
            row,
            stale_days,
        )
        for row in rows
    ]
    return sort_units(result, sort)


@dataclass(frozen=True)
class NoticeRow:
    notice_id: int
    number: str
    issued_on: date
    title: str
    counts: Counts
    last_activity: dt.datetime | None

    @property
    def progress(self) -> float:
        """Finished tasks out of those not cancelled."""
        return _percent(self.counts.done, self.counts.total - self.counts.cancelled)


NOTICE_ROWS = 20


def newest_notices(tasks: TaskQuerySet, *, limit: int = NOTICE_ROWS) -> Any:
    """The newest notices with a task in `tasks`, their ids (a query, walking the notices by
    date: `notice_issued`)."""
    return (
        Notice.objects.filter(Exists(tasks.order_by().filter(notice_id=OuterRef("pk"))))
        .order_by("-issued_on", "-pk")
        .values_list("pk", flat=True)[:limit]
    )


def per_notice(
    tasks: TaskQuerySet,
    today: date,
    *,
    notices: Sequence[int] | None = None,
    limit: int = NOTICE_ROWS,
) -> list[NoticeRow]:
    """Progress of each notice, newest first: one query.

    The newest notices with a task in `tasks` are picked first (`newest_notices`, in the same
    query unless given as `notices`), then only their tasks are counted: not every task of
    the scope.
    """
    newest = newest_notices(tasks, limit=limit) if notices is None else notices
    rows = (
        tasks.filter(notice_id__in=newest)
        .order_by()
        .values("notice_id", "notice__number", "notice__issued_on", "notice__title")
        .annotate(
            **{name: count(q) for name, q in category_metrics(today).items()},
            last_activity=Max("last_activity_at"),
        )
        .order_by("-notice__issued_on", "-notice_id")[:limit]
    )
    return [
        NoticeRow(
            notice_id=row["notice_id"],
            number=row["notice__number"],
            issued_on=row["notice__issued_on"],
            title=row["notice__title"],
            counts=_counts(row),
            last_activity=row["last_activity"],
        )
        for row in rows
    ]


Granularity = Literal["month", "week"]


@dataclass(frozen=True)
class TrendPoint:
    label: str
    start: date
    end: date
    completed: int
    overdue: int


@dataclass
class Trend:
    granularity: Granularity
    points: list[TrendPoint] = field(default_factory=list)


def _periods(end: date, granularity: Granularity, count: int) -> list[tuple[str, date, date]]:
    periods = []
    if granularity == "week":
        last_monday = end - timedelta(days=end.weekday())
        for i in reversed(range(count)):
            start = last_monday - timedelta(weeks=i)
            stop = min(start + timedelta(days=6), end)
            periods.append((f"Tuần {start:%d/%m}", start, stop))
        return periods
    year, month = end.year, end.month
    months = []
    for _ in range(count):
        months.append((year, month))
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
    for year, month in reversed(months):
        start = date(year, month, 1)
        next_month = date(year + (month == 12), month % 12 + 1, 1)
        periods.append((f"{month:02d}/{year}", start, min(next_month - timedelta(days=1), end)))
    return periods


def trend_metrics(
    end: date, *, granularity: Granularity = "month", count: int = TREND_POINTS
) -> dict[str, Q | None]:
    """Per period: tasks completed in it, and tasks overdue at its last day.

    "Overdue at day d" reads the timeline's dates: assigned by d, deadline before d, not
    completed by d and not cancelled. A deadline extended later counts as extended.
    """
    metrics: dict[str, Q | None] = {}
    for i, (_, start, stop) in enumerate(_periods(end, granularity, count)):
        metrics[f"{granularity}_completed_{i}"] = Q(
            status=Task.Status.DONE, completed_on__range=(start, stop)
        )
        metrics[f"{granularity}_overdue_{i}"] = (
            Q(assigned_on__lte=stop, deadline__lt=stop)
            & (Q(completed_on__isnull=True) | Q(completed_on__gt=stop))
            & ~Q(status=Task.Status.CANCELLED)
        )
    return metrics


def trend_from(
    counts: Mapping[str, int],
    end: date,
    *,
    granularity: Granularity = "month",
    count: int = TREND_POINTS,
) -> Trend:
    return Trend(
        granularity=granularity,
        points=[
            TrendPoint(
                label=label,
                start=start,
                end=stop,
                completed=counts.get(f"{granularity}_completed_{i}") or 0,
                overdue=counts.get(f"{granularity}_overdue_{i}") or 0,
            )
            for i, (label, start, stop) in enumerate(_periods(end, granularity, count))
        ],
    )


def trend(
    tasks: TaskQuerySet,
    end: date,
    *,
    granularity: Granularity = "month",
    count: int = TREND_POINTS,
) -> Trend:
    """The completed and overdue tasks of each period (`trend_metrics`): one query."""
    counts = aggregate(tasks, trend_metrics(end, granularity=granularity, count=count))
    return trend_from(counts, end, granularity=granularity, count=count)


def work_metrics(today: date) -> dict[str, Q | None]:
    """The work-model figures, which today's tally counts too: who holds a task, whether its
    unit received or returned it, whether a period report of a duty is missing (its cut-off
    moves for many duties at once: directives.services.periods, through the tally too)."""
    return {
        "unassigned": unassigned_q(),
        "not_received": not_received_q(today),
        "handed_back": handed_back_q(),
        "missed_period": missed_period_q(today),
    }


def work_counts(
    tasks: TaskQuerySet, today: date, tallied: Mapping[str, int] | None = None
) -> dict[str, int]:
    """The work-model figures of a scope, each equal to its list's count: from `tallied`
    (today's tally of exactly that scope) when it answers, else each read through its own
    partial index (one query apiece), never by scanning every task."""
    return {
        name: tasks.filter(condition).count() if tallied is None else tallied.get(name, 0)
        for name, condition in work_metrics(today).items()
    }
