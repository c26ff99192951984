"""The office's part in a task's terms: assigning it, correcting it, handing it to a successor."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from core.changes import diff_values, plain
from units.models import Unit, User

from ..models import GroupTask, Notice, NoticeSection, Task, TaskEvent
from ..periods import reporting_from_text
from .base import begin, clean_note, record, require_office, search_text
from .periods import ensure_periods

Status = Task.Status
Kind = TaskEvent.Kind


def _check_units(lead_unit: Unit, support_units: Sequence[Unit]) -> None:
    if not lead_unit.is_active:
        raise ValidationError(
            f"Đơn vị {lead_unit} đã ngừng hoạt động; hãy giao cho đơn vị kế thừa.", code="inactive"
        )
    if any(unit.pk == lead_unit.pk for unit in support_units):
        raise ValidationError(
            "Đơn vị chủ trì không đồng thời là đơn vị phối hợp "
            "(mỗi việc chỉ giao một đơn vị chủ trì).",
            code="lead_is_support",
        )


def _check_deadline(deadline: date | None, assigned_on: date) -> None:
    if deadline is not None and deadline < assigned_on:
        raise ValidationError(
            f"Thời hạn {deadline:%d/%m/%Y} trước ngày giao {assigned_on:%d/%m/%Y}.",
            code="deadline_before_assignment",
        )


def _deadline_kind(deadline: date | None, kind: str | None) -> str:
    if deadline is None:
        return Task.DeadlineKind.ONGOING
    if kind is None or kind == Task.DeadlineKind.ONGOING:
        return Task.DeadlineKind.DATE
    return kind


@transaction.atomic
def assign_task(
    *,
    actor: User,
    notice: Notice,
    text: str,
    lead_unit: Unit,
    support_units: Sequence[Unit] = (),
    ref: str = "",
    order: int | None = None,
    section: NoticeSection | None = None,
    deadline: date | None = None,
    deadline_kind: str | None = None,
    deadline_text: str = "",
    assigned_on: date | None = None,
    group_task: GroupTask | None = None,
    report_every: str | None = None,
    report_day: int | None = None,
) -> Task:
    """Create a task of `notice` for its one lead unit; it starts as `Mới giao`. With
    `group_task`, the task is one member unit's part of a task given to several units."""
    require_office(actor, "Chỉ Văn phòng được giao nhiệm vụ.")
    text = clean_note(text, required=True, what="Nội dung nhiệm vụ")
    _check_units(lead_unit, support_units)
    assigned_on = assigned_on or notice.issued_on
    _check_deadline(deadline, assigned_on)
    if order is None:
        order = notice.tasks.count() + 1
    if report_every is None and deadline is None:
        # "Thường xuyên, báo cáo trước ngày 20 hằng tháng": a recurring duty.
        found = reporting_from_text(deadline_text) or reporting_from_text(text, of_task=True)
        report_every, report_day = found if found else ("", None)
    task = Task(
        notice=notice,
        section=section,
        ref=ref,
        order=order,
        text=text,
        lead_unit=lead_unit,
        assigned_on=assigned_on,
        deadline=deadline,
        original_deadline=deadline,
        deadline_kind=_deadline_kind(deadline, deadline_kind),
        deadline_text=deadline_text,
        group_task=group_task,
        report_every=report_every or "",
        report_day=report_day if report_every else None,
    )
    task.search_text = search_text(task)
    if task.report_every:
        transaction.on_commit(lambda: ensure_periods(timezone.localdate(), [task]))
    record(
        task,
        actor=actor,
        kind=Kind.ASSIGNED,
        status_to=Status.ASSIGNED,
        support_units=list(support_units) if support_units else None,
        data={
            "lead_unit": lead_unit.name,
            "support_units": [u.name for u in support_units],
            "deadline": deadline.isoformat() if deadline else None,
            **({"group_task": group_task.pk} if group_task else {}),
            **({"report_every": task.report_every} if task.report_every else {}),
        },
    )
    return task


_EDITABLE = ("text", "ref", "order", "deadline_text", "report_every", "report_day")


@transaction.atomic
def edit_task(
    *,
    actor: User,
    task: Task,
    expected_version: int | None = None,
    note: str = "",
    **changes: Any,
) -> Task:
    """The office corrects a task's terms; the timeline keeps the old and new values.

    Accepts `text`, `ref`, `order`, `deadline_text`, `report_every`, `report_day`,
    `lead_unit`, `support_units`, `deadline` and `deadline_kind`. A corrected deadline
    replaces the assigned one (the original); moving a deadline later at a unit's request is an
    extension instead.
    """
    require_office(actor, "Chỉ Văn phòng được sửa nhiệm vụ.")
    unknown = set(changes) - {*_EDITABLE, "lead_unit", "support_units", "deadline", "deadline_kind"}
    if unknown:
        raise TypeError(f"edit_task() got unexpected fields: {sorted(unknown)}")
    task = begin(task, "edit", actor=actor, expected_version=expected_version)

    terms = {name: changes[name] for name in _EDITABLE if name in changes}
    if "text" in terms:
        terms["text"] = clean_note(terms["text"], required=True, what="Nội dung nhiệm vụ")
    reporting = {"report_every", "report_day"} & set(terms)
    if reporting and not terms.get("report_every", task.report_every):
        terms["report_day"] = None  # no reporting period, no cut-off day
        task.report_due = None
        changes_due = True
    else:
        changes_due = False
    lead = changes.get("lead_unit", task.lead_unit)
    current_support = list(task.support_units.all())
    support = list(changes.get("support_units", current_support))
    _check_units(lead, support)
    if lead.pk != task.lead_unit_id:
        terms["lead_unit"] = lead
        # Nobody of the new unit holds it yet; the old unit's people no longer do.
        terms["assignee"] = None
    diff = diff_values(task, terms)
    if {u.pk for u in support} != {u.pk for u in current_support}:
        diff["support_units"] = [plain(set(current_support)), plain(set(support))]

    fields = set(terms) & set(diff)
    if "lead_unit" in fields:
        fields.add("assignee")
    if "deadline" in changes or "deadline_kind" in changes:
        deadline = changes.get("deadline", task.deadline)
        kind = _deadline_kind(deadline, changes.get("deadline_kind", task.deadline_kind))
        _check_deadline(deadline, task.assigned_on)
        if deadline != task.deadline or kind != task.deadline_kind:
            diff["deadline"] = [plain(task.deadline), plain(deadline)]
            terms |= {"deadline": deadline, "original_deadline": deadline, "deadline_kind": kind}
            fields |= {"deadline", "original_deadline", "deadline_kind"}

    if not diff:
        return task
    for name in fields:
        setattr(task, name, terms[name])
    if "lead_unit" in fields:
        task.helpers.clear()
    task.search_text = search_text(task)
    if {"report_every", "report_day"} & fields and task.report_every:
        transaction.on_commit(lambda: ensure_periods(timezone.localdate(), [task]))
    record(
        task,
        actor=actor,
        kind=Kind.EDITED,
        note=clean_note(note, required=False),
        data={"changes": diff},
        changed_fields=fields | {"search_text"} | ({"report_due"} if changes_due else set()),
        support_units=support if "support_units" in diff else None,
    )
    return task


@transaction.atomic
def transfer_open_tasks(*, actor: User, source: Unit, target: Unit) -> int:
    """Move a closing unit's open tasks (led or supported) to its successor, history kept."""
    require_office(actor, "Chỉ Văn phòng được chuyển giao nhiệm vụ.")
    moved = 0
    led = Task.objects.select_for_update().filter(lead_unit=source, status__in=Task.OPEN_STATUSES)
    for task in led:
        task.lead_unit = target
        task.assignee = None  # the successor gives it to one of its people
        task.helpers.clear()
        task.search_text = search_text(task)
        record(
            task,
            actor=actor,
            kind=Kind.EDITED,
            note=f"{source.name} giải thể/sáp nhập; nhiệm vụ chuyển cho {target.name}.",
            data={"changes": {"lead_unit": [source.name, target.name]}},
            changed_fields=["lead_unit", "assignee", "search_text"],
            support_units=[u for u in task.support_units.all() if u.pk != target.pk],
        )
        moved += 1
    supported = Task.objects.select_for_update().filter(
        support_units=source, status__in=Task.OPEN_STATUSES
    )
    for task in supported:
        others = [u for u in task.support_units.all() if u.pk != source.pk]
        # A successor that already leads the task does not also support it.
        successor_supports = task.lead_unit_id != target.pk
        if successor_supports and all(u.pk != target.pk for u in others):
            others.append(target)
        record(
            task,
            actor=actor,
            kind=Kind.EDITED,
            note=f"{source.name} giải thể/sáp nhập; phần phối hợp chuyển cho {target.name}."
            if successor_supports
            else f"{source.name} giải thể/sáp nhập; {target.name} đã chủ trì nhiệm vụ này.",
            data={
                "changes": {
                    "support_units": [source.name, target.name if successor_supports else None]
                }
            },
            bump_version=False,
            support_units=others,
        )
        moved += 1
    return moved


def close_unit_tasks(*, actor: User, unit: Unit, successor: Unit | None) -> int:
    """The `core.seams.unit_closing` part of directives: hand the unit's open tasks over.

    Without a successor, a unit that still leads open tasks cannot be closed.
    """
    if successor is not None:
        return transfer_open_tasks(actor=actor, source=unit, target=successor)
    if Task.objects.filter(lead_unit=unit, status__in=Task.OPEN_STATUSES).exists():
        raise ValidationError(
            "Đơn vị còn nhiệm vụ chưa hoàn thành: hãy chọn đơn vị kế thừa để chuyển giao.",
            code="open_tasks",
        )
    return 0
