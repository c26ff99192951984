"""The second status axis of docs/domain.md §3: timeliness, derived from dates at a reference day.

Each bucket is one `Q` over Task rows; the buckets are mutually exclusive and cover every task,
so the annotation, the list filters and the dashboard counts all use the same definitions.

An open task is measured against `today`, except one whose completion has been reported
(`Chờ xác nhận`): its clock stopped on the reported completion date, so a unit that reported in
time is not shown overdue while the office has not yet accepted.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping, Sequence
from datetime import date, timedelta
from typing import TYPE_CHECKING, Literal

from django.conf import settings
from django.db import models
from django.db.models import Count, F, Q
from django.utils import timezone

if TYPE_CHECKING:
    from .models import TaskQuerySet

DeadlineField = Literal["deadline", "original_deadline"]


class Timeliness(models.TextChoices):
    IN_TIME = "in_time", "Trong hạn"
    DUE_SOON = "due_soon", "Sắp đến hạn"
    OVERDUE = "overdue", "Quá hạn"
    NO_DEADLINE = "no_deadline", "Không có hạn"
    DONE_ON_TIME = "done_on_time", "Hoàn thành đúng hạn"
    DONE_LATE = "done_late", "Hoàn thành quá hạn"
    DONE_NO_DEADLINE = "done_no_deadline", "Hoàn thành (không hạn)"
    CANCELLED = "cancelled", "Đã hủy"


OPEN_BUCKETS = (
    Timeliness.OVERDUE,
    Timeliness.DUE_SOON,
    Timeliness.IN_TIME,
    Timeliness.NO_DEADLINE,
)


def due_soon_days() -> int:
    return int(settings.DONDOC_DUE_SOON_DAYS)


def bucket_q(
    bucket: Timeliness,
    today: date,
    *,
    soon_days: int | None = None,
    against: DeadlineField = "deadline",
) -> Q:
    """The condition a task meets when it is in `bucket` on `today`."""
    # Imported here: models imports this module for its QuerySet methods.
    from .models import Task

    status = Task.Status
    soon_limit = today + timedelta(days=due_soon_days() if soon_days is None else soon_days)
    deadline = F(against)
    no_deadline = Q(**{f"{against}__isnull": True})
    is_open = Q(status__in=Task.OPEN_STATUSES)
    awaiting = Q(status=status.AWAITING_ACCEPTANCE)
    done = Q(status=status.DONE)

    match bucket:
        case Timeliness.CANCELLED:
            return Q(status=status.CANCELLED)
        case Timeliness.DONE_NO_DEADLINE:
            return done & no_deadline
        case Timeliness.DONE_ON_TIME:
            return done & Q(completed_on__lte=deadline)
        case Timeliness.DONE_LATE:
            return done & Q(completed_on__gt=deadline)
        case Timeliness.NO_DEADLINE:
            return is_open & no_deadline
        case Timeliness.OVERDUE:
            return is_open & (
                (awaiting & Q(completed_on__gt=deadline))
                | (~awaiting & Q(**{f"{against}__lt": today}))
            )
        case Timeliness.DUE_SOON:
            return (
                is_open & ~awaiting & Q(**{f"{against}__gte": today, f"{against}__lte": soon_limit})
            )
        case Timeliness.IN_TIME:
            return is_open & (
                (awaiting & Q(completed_on__lte=deadline))
                | (~awaiting & Q(**{f"{against}__gt": soon_limit}))
            )
    raise ValueError(f"Unknown timeliness bucket: {bucket!r}")


def timeliness_of(
    status: str, deadline: date | None, completed_on: date | None, today: date
) -> Timeliness:
    """The bucket of one task from its status and dates: the same rule as `bucket_q`, in
    Python, for rows already read (tests/directives/test_timeliness.py holds the two equal)."""
    return bucket_of(today)(status, deadline, completed_on)


def bucket_of(today: date) -> Callable[[str, date | None, date | None], Timeliness]:
    """`timeliness_of` on `today`, for many rows: the day's limits worked out once (a short
    unit list's whole rows, a page's)."""
    from .models import Task

    cancelled, done = Task.Status.CANCELLED.value, Task.Status.DONE.value
    awaiting = Task.Status.AWAITING_ACCEPTANCE.value
    soon_limit = today + timedelta(days=due_soon_days())

    def of(status: str, deadline: date | None, completed_on: date | None) -> Timeliness:
        if status == cancelled:
            return Timeliness.CANCELLED
        if status == done:
            if deadline is None:
                return Timeliness.DONE_NO_DEADLINE
            assert completed_on is not None
            return Timeliness.DONE_ON_TIME if completed_on <= deadline else Timeliness.DONE_LATE
        if deadline is None:
            return Timeliness.NO_DEADLINE
        if status == awaiting:
            assert completed_on is not None
            return Timeliness.OVERDUE if completed_on > deadline else Timeliness.IN_TIME
        if deadline < today:
            return Timeliness.OVERDUE
        if deadline <= soon_limit:
            return Timeliness.DUE_SOON
        return Timeliness.IN_TIME

    return of


def days_late(deadline: date | None, completed_on: date | None, today: date) -> int:
    """Days past `deadline` (0 when not late), frozen at the reported completion date."""
    if deadline is None:
        return 0
    end = completed_on if completed_on else today
    return max(0, (end - deadline).days)


def timeliness_case(
    today: date, *, soon_days: int | None = None, against: DeadlineField = "deadline"
) -> models.Case:
    return models.Case(
        *(
            models.When(
                bucket_q(bucket, today, soon_days=soon_days, against=against),
                then=models.Value(bucket.value),
            )
            for bucket in Timeliness
        ),
        default=models.Value(""),
        output_field=models.CharField(),
    )


# --- conditions over tasks beside the buckets, and counting them ---------------------------

# Ageing of the tasks still running late (not yet reported done): days past the deadline.
AGEING: tuple[tuple[str, int, int | None], ...] = (
    ("1–7 ngày", 1, 7),
    ("8–30 ngày", 8, 30),
    ("31–90 ngày", 31, 90),
    ("Trên 90 ngày", 91, None),
)


def buckets_q(buckets: Sequence[Timeliness | str], today: date) -> Q:
    q = Q(pk__in=[])
    for bucket in buckets:
        q |= bucket_q(Timeliness(bucket), today)
    return q


def ageing_q(low: int, high: int | None, today: date) -> Q:
    """Still running (not reported done) and between `low` and `high` days past the deadline."""
    from .models import Task

    q = Q(status__in=Task.RUNNING_STATUSES, deadline__lte=today - timedelta(days=low))
    if high is not None:
        q &= Q(deadline__gte=today - timedelta(days=high))
    return q


def stale_cutoff(today: date, days: int) -> dt.datetime:
    start_of_day = dt.datetime.combine(today, dt.time.min)
    return timezone.make_aware(start_of_day - timedelta(days=days))


def stale_q(today: date, days: int) -> Q:
    """Still running, with no update at all in the `days` days before `today`."""
    from .models import Task

    return Q(status__in=Task.RUNNING_STATUSES, last_activity_at__lt=stale_cutoff(today, days))


def bucket_metrics(today: date) -> dict[str, Q | None]:
    """Each timeliness bucket, by name (`bucket_in_time`, …)."""
    return {f"bucket_{bucket.value}": bucket_q(bucket, today) for bucket in Timeliness}


def buckets_from(counts: Mapping[str, int]) -> dict[Timeliness, int]:
    return {bucket: counts.get(f"bucket_{bucket.value}") or 0 for bucket in Timeliness}


def timeliness_counts(tasks: TaskQuerySet, today: date) -> dict[Timeliness, int]:
    """How many of `tasks` fall in each timeliness bucket on `today`, in one query."""
    return buckets_from(aggregate(tasks, bucket_metrics(today)))


def count(condition: Q | None) -> Count:
    return Count("pk") if condition is None else Count("pk", filter=condition)


def aggregate(tasks: TaskQuerySet, metrics: Mapping[str, Q | None]) -> dict[str, int]:
    """How many of `tasks` meet each named condition, in one query."""
    row = tasks.order_by().aggregate(**{name: count(q) for name, q in metrics.items()})
    return {name: value or 0 for name, value in row.items()}
