"""Work inside the lead unit: who holds a task, and the head's review of a completion report."""

from __future__ import annotations

from collections.abc import Sequence

from django.core.exceptions import ValidationError
from django.db import transaction

from units.models import User

from ..models import Task, TaskEvent
from .base import begin, clean_note, record

Status = Task.Status
Kind = TaskEvent.Kind


def _person(user: User) -> str:
    return user.full_name or user.username


def _check_member(task: Task, person: User, what: str) -> None:
    if not (person.is_active and person.is_unit_member and person.unit_id == task.lead_unit_id):
        raise ValidationError(
            f"{_person(person)} không thuộc {task.lead_unit.display_name}: "
            f"chỉ giao {what} cho người của đơn vị chủ trì.",
            code="not_member",
        )


@transaction.atomic
def assign_person(
    *,
    actor: User,
    task: Task,
    assignee: User,
    helpers: Sequence[User] = (),
    reason: str = "",
    expected_version: int | None = None,
) -> TaskEvent | None:
    """The unit head (or the member the head lets) gives the task to one person of the unit,
    optionally with others who help. Changing who holds it needs a reason; nothing changed
    writes nothing."""
    task = begin(task, "assign_person", actor=actor, expected_version=expected_version)
    _check_member(task, assignee, "nhiệm vụ")
    helpers = [h for h in dict.fromkeys(helpers) if h.pk != assignee.pk]
    for helper in helpers:
        _check_member(task, helper, "phần việc cùng thực hiện")
    previous = task.assignee
    previous_helpers = list(task.helpers.order_by("pk"))
    same_helpers = {h.pk for h in previous_helpers} == {h.pk for h in helpers}
    if previous is not None and previous.pk == assignee.pk and same_helpers:
        return None
    reassigning = previous is not None and previous.pk != assignee.pk
    reason = clean_note(reason, required=reassigning, what="Lý do giao lại")
    task.assignee = assignee
    task.helpers.set(helpers)  # before the timeline row, whose notifications reach them
    return record(
        task,
        actor=actor,
        kind=Kind.PERSON_ASSIGNED,
        note=reason,
        data={
            "assignee": [_person(previous) if previous else None, _person(assignee)],
            "helpers": [_person(h) for h in helpers],
            "assignee_id": assignee.pk,
        },
        changed_fields=["assignee"],
    )


@transaction.atomic
def forward_completion(
    *, actor: User, task: Task, note: str = "", expected_version: int | None = None
) -> TaskEvent:
    """The unit head agrees with a completion report and sends it on to the office."""
    task = begin(task, "forward", actor=actor, expected_version=expected_version)
    task.awaiting_head = False
    return record(
        task,
        actor=actor,
        kind=Kind.FORWARDED,
        note=clean_note(note, required=False),
        changed_fields=["awaiting_head"],
    )


@transaction.atomic
def return_to_person(
    *, actor: User, task: Task, reason: str, expected_version: int | None = None
) -> TaskEvent:
    """The unit head sends a completion report back to the person, with a reason."""
    task = begin(task, "head_return", actor=actor, expected_version=expected_version)
    reason = clean_note(reason, required=True, what="Lý do trả lại")
    task.awaiting_head = False
    task.completed_on = None
    return record(
        task,
        actor=actor,
        kind=Kind.HEAD_RETURNED,
        note=reason,
        status_to=Status.IN_PROGRESS,
        changed_fields=["awaiting_head", "completed_on"],
    )
