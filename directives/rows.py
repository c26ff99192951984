"""The rows of the task list and of a task's timeline, read as plain values.

A page of the list shows 25 tasks with their notice's number, lead unit, person and support
units. Read as model instances (three joined models each, the support units prefetched, the
timeliness computed by a `CASE` of every bucket) the page cost ~8 ms, most of it building the
query and the instances; as values it costs a third of that. The timeliness is the same rule,
applied in Python to the row's dates (`timeliness.bucket_of`). The units are named from those
kept in the process (`caching.units_shown`), not joined: with thousands of units PostgreSQL
hashed the whole units table for a page of 25 rows.

A task's page shows its latest timeline rows (up to fifty), each with who wrote it, for which
unit, its files and the objective cause the office recorded: as model instances (an event, its
author, its unit and its cause each) fifty rows took 3.7 ms to read and 0.9 ms to keep with
the task (pickled), 0.4 ms to take back from the cache on every page; as values, 1.7 ms,
0.04 ms and 0.03 ms.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from . import caching
from .models import Attachment, Task, TaskEvent
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


@dataclass(frozen=True, slots=True)
class TimelineFile:
    """A file on a timeline row."""

    pk: int
    name: str
    size: int


@dataclass(frozen=True, slots=True)
class TimelineRow:
    """What one row of a task's timeline shows (`TaskEvent`)."""

    pk: int
    kind: str
    kind_label: str
    created_at: datetime
    actor: str  # as `User.__str__` names them
    unit: str | None  # the unit acted for, as it is shown
    status_from_label: str
    status_to: str
    status_to_label: str
    progress: int | None
    note: str
    data: Any
    cause: str | None  # the objective cause the office recorded, if any
    files: tuple[TimelineFile, ...]


_EVENT_FIELDS = (
    "pk",
    "kind",
    "created_at",
    "actor__full_name",
    "actor__username",
    "unit_id",
    "status_from",
    "status_to",
    "progress",
    "note",
    "data",
    "objective_cause__pk",
    "objective_cause__note",
)
_EVENT_UNIT = _EVENT_FIELDS.index("unit_id")


def timeline(task_id: int, *, limit: int | None, with_files: bool) -> list[TimelineRow]:
    """Task `task_id`'s timeline, newest first (the latest `limit` rows; all with None).
    `with_files`: whether any row has files (known with the task): read them then (one
    query more)."""
    events = TaskEvent.objects.filter(task_id=task_id).order_by("-created_at", "-pk")
    values = events.values_list(*_EVENT_FIELDS)
    read = list(values[:limit] if limit is not None else values)
    files: dict[int, list[TimelineFile]] = defaultdict(list)
    if with_files and read:
        attached = Attachment.objects.filter(event__in=[row[0] for row in read]).order_by("pk")
        for event_id, pk, name, size in attached.values_list("event_id", "pk", "name", "size"):
            files[event_id].append(TimelineFile(pk, name, size))
    units = caching.units_shown({r[_EVENT_UNIT] for r in read if r[_EVENT_UNIT] is not None})
    kinds, statuses = dict(TaskEvent.Kind.choices), dict(Task.Status.choices)
    return [
        TimelineRow(
            pk=pk,
            kind=kind,
            kind_label=str(kinds.get(kind, kind)),
            created_at=created_at,
            actor=full_name or username,
            unit=units[unit_id][0] if unit_id is not None else None,
            status_from_label=str(statuses.get(status_from, status_from)),
            status_to=status_to,
            status_to_label=str(statuses.get(status_to, status_to)),
            progress=progress,
            note=note,
            data=data,
            cause=cause_note if cause_pk is not None else None,
            files=tuple(files.get(pk, ())),
        )
        for (
            pk,
            kind,
            created_at,
            full_name,
            username,
            unit_id,
            status_from,
            status_to,
            progress,
            note,
            data,
            cause_pk,
            cause_note,
        ) in read
    ]
