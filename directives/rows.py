"""The rows of the task list, read as plain values.

A page of the list shows 25 tasks with their notice's number, lead unit, person and support
units. Read as model instances (three joined models each, the support units prefetched, the
timeliness computed by a `CASE` of every bucket) the page cost ~8 ms, most of it building the
query and the instances; as values it costs a third of that. The timeliness is the same rule,
applied in Python to the row's dates (`timeliness.bucket_of`).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime

from .models import Task
from .timeliness import Timeliness, bucket_of, days_late

_FIELDS = (
    "pk",
    "text",
    "ref",
    "status",
    "deadline",
    "completed_on",
    "awaiting_head",
    "progress",
    "last_activity_at",
    "notice__number",
    "lead_unit__short_name",
    "lead_unit__name",
    "assignee_id",
    "assignee__full_name",
    "assignee__username",
)


@dataclass(frozen=True, slots=True)
class TaskRow:
    """What one row of the task list shows."""

    pk: int
    text: str
    ref: str
    notice_number: str
    status: str
    status_label: str
    deadline: date | None
    timeliness: Timeliness
    days_overdue: int
    awaiting_head: bool
    progress: int
    last_activity_at: datetime | None
    lead_unit: str
    assignee: str | None
    supports: tuple[str, ...]


def list_rows(ids: list[int], today: date) -> list[TaskRow]:
    """The rows of the tasks `ids`, in that order (an id no longer there is left out)."""
    if not ids:
        return []
    supports: dict[int, list[str]] = defaultdict(list)
    through = Task.support_units.through.objects.filter(task_id__in=ids)
    for task_id, short_name, name in through.order_by("unit__order", "unit__name").values_list(
        "task_id", "unit__short_name", "unit__name"
    ):
        supports[task_id].append(short_name or name)
    # In no order: the rows are put in the order of `ids` below.
    read = Task.objects.filter(pk__in=ids).order_by().values_list(*_FIELDS)
    found = {row[0]: row for row in read}
    rows = []
    bucket = bucket_of(today)
    for pk in ids:
        if pk not in found:
            continue
        (
            _,
            text,
            ref,
            status,
            deadline,
            completed_on,
            awaiting_head,
            progress,
            last_activity_at,
            number,
            unit_short_name,
            unit_name,
            assignee_id,
            full_name,
            username,
        ) = found[pk]
        rows.append(
            TaskRow(
                pk=pk,
                text=text,
                ref=ref,
                notice_number=number,
                status=status,
                status_label=str(Task.Status(status).label),
                deadline=deadline,
                timeliness=bucket(status, deadline, completed_on),
                days_overdue=days_late(deadline, completed_on, today),
                awaiting_head=awaiting_head,
                progress=progress,
                last_activity_at=last_activity_at,
                lead_unit=unit_short_name or unit_name,
                assignee=(full_name or username) if assignee_id else None,
                supports=tuple(supports.get(pk, ())),
            )
        )
    return rows
