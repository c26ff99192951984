"""The rows of the task list, read as plain values.

A page of the list shows 25 tasks with their notice's number, lead unit, person and support
units. Read as model instances (three joined models each, the support units prefetched, the
timeliness computed by a `CASE` of every bucket) the page cost ~8 ms, most of it building the
query and the instances; as values it costs a third of that. The timeliness is the same rule,
applied in Python to the row's dates (`timeliness.bucket_of`). The units are named from those
kept in the process (`caching.units_shown`), not joined: with thousands of units PostgreSQL
hashed the whole units table for a page of 25 rows.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime

from . import caching
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
    "lead_unit_id",
    "assignee_id",
    "assignee__full_name",
    "assignee__username",
)
_LEAD = _FIELDS.index("lead_unit_id")


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
    supported: dict[int, list[int]] = defaultdict(list)
    through = Task.support_units.through.objects.filter(task_id__in=ids).order_by()
    for task_id, unit_id in through.values_list("task_id", "unit_id"):
        supported[task_id].append(unit_id)
    # In no order: the rows are put in the order of `ids` below.
    read = Task.objects.filter(pk__in=ids).order_by().values_list(*_FIELDS)
    found = {row[0]: row for row in read}
    # The units' names as kept in the process (caching.units_shown), not joined.
    units = caching.units_shown(
        {row[_LEAD] for row in found.values()} | {u for us in supported.values() for u in us}
    )
    supports = {
        task: tuple(units[u][0] for u in sorted(unit_ids, key=lambda u: (units[u][1], u)))
        for task, unit_ids in supported.items()
    }
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
            lead_unit_id,
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
                lead_unit=units[lead_unit_id][0],
                assignee=(full_name or username) if assignee_id else None,
                supports=supports.get(pk, ()),
            )
        )
    return rows
