"""Recurring duties: the periods each one is reported for, and the unit's period report."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import Max, OuterRef, Q, Subquery
from django.utils import timezone

from core import seams
from units.models import User

from .. import caching, periods
from ..models import PeriodReport, Task, TaskEvent
from .base import TransitionError, begin, clean_note, record

Status = Task.Status
Kind = TaskEvent.Kind


def ensure_periods(today: date, tasks: Sequence[Task] | None = None) -> int:
    """Open the periods of recurring duties up to the one holding `today` (the daily job does
    it for every open duty; a duty's own actions for it). Idempotent; returns the rows added."""
    duties = Task.objects.filter(status__in=Task.OPEN_STATUSES).exclude(report_every="")
    if tasks is not None:
        duties = duties.filter(pk__in=[t.pk for t in tasks])
    last = dict(
        PeriodReport.objects.filter(task__in=duties)
        .values("task")
        .annotate(last=Max("period_end"))
        .values_list("task", "last")
    )
    rows: list[PeriodReport] = []
    for task_id, assigned_on, every, day in duties.values_list(
        "pk", "assigned_on", "report_every", "report_day"
    ).iterator(chunk_size=5000):
        first = assigned_on
        if task_id in last:
            first = last[task_id] + timedelta(days=1)
        for start, end, due in periods.periods(first, today, every, day):
            if task_id in last and start < first:
                # A period overlapping one already opened (the period was changed since).
                continue
            rows.append(
                PeriodReport(task_id=task_id, period_start=start, period_end=end, due_on=due)
            )
        if len(rows) >= 5000:
            PeriodReport.objects.bulk_create(rows, ignore_conflicts=True)
            rows = []
    PeriodReport.objects.bulk_create(rows, ignore_conflicts=True)
    keep_report_due(duties)
    if tasks is None:  # duties ended or no longer reported on: nothing due any more
        ended = Task.objects.filter(report_due__isnull=False).filter(
            ~Q(status__in=Task.OPEN_STATUSES) | Q(report_every="")
        )
        with transaction.atomic(), seams.tasks_bulk_write.around(ended):
            ended.update(report_due=None)
    caching.lists_changed()  # bulk writes: no signal tells the kept lists
    return len(rows)


def keep_report_due(tasks: Any) -> None:
    """Set each open duty's `report_due`: the cut-off of its earliest period not yet reported
    (accepting or cancelling a duty clears it: `services.decisions`)."""
    earliest = (
        PeriodReport.objects.filter(task=OuterRef("pk"), reported_on__isnull=True)
        .order_by("due_on")
        .values("due_on")[:1]
    )
    with transaction.atomic(), seams.tasks_bulk_write.around(tasks):
        tasks.update(report_due=Subquery(earliest))
    caching.lists_changed()  # a bulk update: no signal tells the kept lists


@transaction.atomic
def report_period(
    *,
    actor: User,
    task: Task,
    note: str,
    files: Sequence[UploadedFile] = (),
    expected_version: int | None = None,
) -> PeriodReport:
    """The lead unit sends a recurring duty's period report: it answers the earliest period
    not yet reported (a missed one first), counted on time or late against its cut-off."""
    task = begin(task, "report_period", actor=actor, expected_version=expected_version)
    if not task.report_every:
        raise TransitionError("Nhiệm vụ này không có kỳ báo cáo định kỳ.", code="not_recurring")
    note = clean_note(note, required=True, what="Nội dung báo cáo")
    today = timezone.localdate()
    ensure_periods(today, [task])
    period = (
        PeriodReport.objects.select_for_update()
        .filter(task=task, reported_on__isnull=True, period_start__lte=today)
        .order_by("period_start")
        .first()
    )
    if period is None:
        raise ValidationError(
            "Các kỳ báo cáo đến nay đã báo cáo đủ; kỳ tiếp theo chưa bắt đầu.", code="no_period"
        )
    event = record(
        task,
        actor=actor,
        kind=Kind.PERIOD_REPORTED,
        note=note,
        status_to=Status.IN_PROGRESS,
        files=files,
        data={
            "period": periods.label(period.period_start, task.report_every),
            "due_on": period.due_on.isoformat(),
            "late": today > period.due_on,
        },
    )
    period.reported_on = today
    period.event = event
    period.save(update_fields=["reported_on", "event"])
    keep_report_due(Task.objects.filter(pk=task.pk))
    return period
