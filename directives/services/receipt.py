"""Receiving a new task: the lead unit acknowledges it (`work.start_task`) or, within the days
it has for it, returns it as not its own; the office then gives it to another unit or insists."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from core.changes import plain
from units.models import Unit, User

from ..models import Task, TaskEvent
from .base import TransitionError, begin, clean_note, record, search_text

Kind = TaskEvent.Kind


@transaction.atomic
def hand_back(
    *,
    actor: User,
    task: Task,
    reason: str,
    proposed_unit: Unit | None = None,
    expected_version: int | None = None,
) -> TaskEvent:
    """The lead unit returns a new task as not within its functions, with a reason and,
    if it knows, the unit it should go to. The office decides."""
    task = begin(task, "hand_back", actor=actor, expected_version=expected_version)
    reason = clean_note(reason, required=True, what="Lý do trả lại")
    last_day = task.receive_by()
    if timezone.localdate() > last_day:
        raise TransitionError(
            f"Đã quá thời hạn trả lại nhiệm vụ ({last_day:%d/%m/%Y}); hãy tiếp nhận, hoặc "
            "đề nghị Văn phòng điều chỉnh bằng ý kiến trên diễn biến.",
            code="too_late",
        )
    if proposed_unit is not None and (
        proposed_unit.pk == task.lead_unit_id or not proposed_unit.is_active
    ):
        raise ValidationError(
            {"proposed_unit": "Đơn vị đề xuất phải là một đơn vị khác đang hoạt động."}
        )
    task.returned_at = timezone.now()
    task.return_reason = reason
    task.proposed_unit = proposed_unit
    return record(
        task,
        actor=actor,
        kind=Kind.HANDED_BACK,
        note=reason,
        data={"proposed_unit": proposed_unit.name if proposed_unit else None},
        changed_fields=["returned_at", "return_reason", "proposed_unit"],
    )


def _clear_return(task: Task) -> list[str]:
    task.returned_at = None
    task.return_reason = ""
    task.proposed_unit = None
    return ["returned_at", "return_reason", "proposed_unit"]


@transaction.atomic
def reassign_lead(
    *,
    actor: User,
    task: Task,
    lead_unit: Unit,
    note: str = "",
    expected_version: int | None = None,
) -> TaskEvent:
    """The office gives a returned task to another unit: it starts anew there (new
    assignment day, nobody holding it), the history stays on the timeline."""
    task = begin(task, "reassign", actor=actor, expected_version=expected_version)
    if lead_unit.pk == task.lead_unit_id or not lead_unit.is_active:
        raise ValidationError({"lead_unit": "Hãy chọn một đơn vị khác, đang hoạt động."})
    previous = task.lead_unit
    task.lead_unit = lead_unit
    task.assignee = None
    task.assigned_on = max(task.assigned_on, timezone.localdate())
    task.search_text = search_text(task)
    fields = _clear_return(task)
    supports = [u for u in task.support_units.all() if u.pk != lead_unit.pk]
    task.helpers.clear()
    return record(
        task,
        actor=actor,
        kind=Kind.REASSIGNED,
        note=clean_note(note, required=False),
        data={"changes": {"lead_unit": [plain(previous), plain(lead_unit)]}},
        changed_fields=[*fields, "lead_unit", "assignee", "assigned_on", "search_text"],
        support_units=supports,
    )


@transaction.atomic
def insist_on_lead(
    *, actor: User, task: Task, note: str, expected_version: int | None = None
) -> TaskEvent:
    """The office keeps the task with its lead unit, saying why; the unit then receives it."""
    task = begin(task, "insist", actor=actor, expected_version=expected_version)
    note = clean_note(note, required=True, what="Ý kiến của Văn phòng")
    fields = _clear_return(task)
    return record(task, actor=actor, kind=Kind.INSISTED, note=note, changed_fields=fields)
