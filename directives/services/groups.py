"""One direction for several units: a task given to a group or to co-leads becomes one task
per member unit (each a full task of its unit), held together by a `GroupTask`."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction

from units.models import Unit, UnitGroup, User

from ..models import GroupTask, Notice, NoticeSection, Task
from .base import clean_note, require_office
from .tasks import assign_task, edit_task


@transaction.atomic
def assign_group_task(
    *,
    actor: User,
    notice: Notice,
    text: str,
    lead_units: Sequence[Unit],
    group: UnitGroup | None = None,
    leads_text: str = "",
    support_units: Sequence[Unit] = (),
    ref: str = "",
    order: int | None = None,
    section: NoticeSection | None = None,
    deadline: date | None = None,
    deadline_kind: str | None = None,
    deadline_text: str = "",
    assigned_on: date | None = None,
) -> GroupTask:
    """Give one direction to several units: one child task per lead unit, the same terms.

    A support unit that is also one of the leads does not support its own child.
    """
    require_office(actor, "Chỉ Văn phòng được giao nhiệm vụ.")
    leads = list(dict.fromkeys(lead_units))
    if len(leads) < 2:
        raise ValidationError(
            "Nhiệm vụ giao nhiều đơn vị cần ít nhất hai đơn vị chủ trì.", code="too_few"
        )
    inactive = [u.name for u in leads if not u.is_active]
    if inactive:
        raise ValidationError(
            f"Đơn vị đã ngừng hoạt động: {', '.join(inactive)}; hãy giao cho đơn vị kế thừa.",
            code="inactive",
        )
    text = clean_note(text, required=True, what="Nội dung nhiệm vụ")
    parent = GroupTask.objects.create(
        notice=notice,
        ref=ref,
        text=text,
        group=group,
        leads_text=(leads_text or (group.name if group else "; ".join(u.name for u in leads)))[
            :500
        ],
        created_by=actor,
    )
    if order is None:
        order = notice.tasks.count() + 1
    for unit in leads:
        assign_task(
            actor=actor,
            notice=notice,
            text=text,
            lead_unit=unit,
            support_units=[s for s in support_units if s.pk != unit.pk],
            ref=ref,
            order=order,
            section=section,
            deadline=deadline,
            deadline_kind=deadline_kind,
            deadline_text=deadline_text,
            assigned_on=assigned_on,
            group_task=parent,
        )
    return parent


@transaction.atomic
def edit_group_task(*, actor: User, group_task: GroupTask, note: str = "", **changes: Any) -> int:
    """The office changes the shared terms (`text`, `ref`, `deadline`, `deadline_kind`,
    `deadline_text`); every open child takes them, each with its own timeline row. A child
    already done or cancelled keeps the terms it was done under. Returns the children changed."""
    require_office(actor, "Chỉ Văn phòng được sửa nhiệm vụ.")
    unknown = set(changes) - {"text", "ref", "deadline", "deadline_kind", "deadline_text"}
    if unknown:
        raise TypeError(f"edit_group_task() got unexpected fields: {sorted(unknown)}")
    group_task = GroupTask.objects.select_for_update().get(pk=group_task.pk)
    if "text" in changes:
        changes["text"] = clean_note(changes["text"], required=True, what="Nội dung nhiệm vụ")
    shared = {k: changes[k] for k in ("text", "ref") if k in changes}
    if shared:
        for name, value in shared.items():
            setattr(group_task, name, value)
        group_task.save(update_fields=list(shared))
    changed = 0
    for child in group_task.children.filter(status__in=Task.OPEN_STATUSES).order_by("pk"):
        before = child.version
        edited = edit_task(actor=actor, task=child, note=note, **changes)
        changed += edited.version != before
    return changed
