"""Who may do what to a task (DOMAIN §2). Services enforce these; views use them to show actions."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from units.models import User

    from .models import Task


def is_lead_member(user: User, task: Task) -> bool:
    """Staff or head of the task's lead unit: they own its status."""
    return user.is_active and user.is_unit_member and user.unit_id == task.lead_unit_id


def is_support_member(user: User, task: Task) -> bool:
    """Staff or head of one of the support units: they contribute notes, never the status."""
    if not (user.is_active and user.is_unit_member):
        return False
    return any(unit.pk == user.unit_id for unit in task.support_units.all())


def can_view(user: User, task: Task) -> bool:
    if not user.is_active:
        return False
    return user.sees_all_units or is_lead_member(user, task) or is_support_member(user, task)


def can_manage_tasks(user: User) -> bool:
    """The office enters, edits, pauses, cancels tasks and accepts or returns completion."""
    return user.is_active and user.is_office


def can_decide_extensions(user: User) -> bool:
    """The office and the leadership decide extension requests."""
    return user.is_active and (user.is_office or user.is_leader)


def can_comment(user: User) -> bool:
    """The office and the leadership write comments (ý kiến chỉ đạo) on any task."""
    return user.is_active and (user.is_office or user.is_leader)


def available_actions(user: User, task: Task, today: date) -> set[str]:
    """The actions the task page offers this person now (the services check them again).

    Expects `task.support_units` and `task.extension_requests` to be prefetched.
    """
    from .models import ExtensionRequest, Task

    status = Task.Status
    pending = any(
        r.status == ExtensionRequest.Status.PENDING for r in task.extension_requests.all()
    )
    actions: set[str] = set()
    if is_lead_member(user, task):
        if task.status == status.ASSIGNED:
            actions.add("start")
        if task.status in (status.ASSIGNED, status.IN_PROGRESS):
            actions |= {"progress", "complete"}
        if (
            task.status in (status.ASSIGNED, status.IN_PROGRESS, status.PAUSED)
            and task.deadline is not None
            and task.deadline >= today
            and not pending
        ):
            actions.add("extend")
    if is_support_member(user, task) and task.is_open:
        actions.add("contribute")
    if can_manage_tasks(user):
        if task.status == status.AWAITING_ACCEPTANCE:
            actions |= {"accept", "return"}
        if task.status in (status.ASSIGNED, status.IN_PROGRESS):
            actions.add("pause")
        if task.status == status.PAUSED:
            actions.add("resume")
        if task.is_open:
            actions |= {"cancel", "edit"}
    if can_comment(user):
        actions.add("comment")
    if pending and can_decide_extensions(user):
        actions.add("decide_extension")
    return actions
