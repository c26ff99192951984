"""Who may do what to a task. The rules are named in `directives.models.TRANSITIONS`; the
services enforce them (`services.base.begin`) and the task page offers what they allow."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import TYPE_CHECKING

from units.access import is_office, is_office_or_leader

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


def is_lead_head(user: User, task: Task) -> bool:
    """The head of the task's lead unit: reviews its staff's completion reports."""
    return is_lead_member(user, task) and user.role == user.Role.HEAD


def divides_work(user: User, task: Task) -> bool:
    """The lead unit's head, or the member the head lets divide the unit's work."""
    return user.divides_work_of(task.lead_unit_id)


# The `who` of each transition: whether `user` may take an action of that kind on `task`.
ALLOWED: dict[str, Callable[[User, Task], bool]] = {
    "lead": is_lead_member,
    "support": is_support_member,
    "head": is_lead_head,
    "divider": divides_work,
    "office": lambda user, task: is_office(user),
    "office_or_leader": lambda user, task: is_office_or_leader(user),
}


def allows(user: User, task: Task, action: str) -> bool:
    """Whether `user` is among those who take `action` (the status is checked separately)."""
    from .models import TRANSITIONS

    return ALLOWED[TRANSITIONS[action].who](user, task)


def available_actions(user: User, task: Task, today: date) -> set[str]:
    """The actions the task page offers this person now (the services check them again).

    Each action of the transition table whose status and person rules hold; an extension
    also needs a deadline not yet passed and no pending request, and the extension decision
    a pending request. Expects `task.support_units` and `task.extension_requests` prefetched.
    """
    from .models import TRANSITIONS

    pending = task.pending_extension is not None
    actions = {
        action
        for action, transition in TRANSITIONS.items()
        if task.status in transition.from_statuses
        and transition.at_head in (None, task.awaiting_head)
        and transition.returned in (None, task.returned_at is not None)
        and ALLOWED[transition.who](user, task)
    }
    if "extend" in actions and (task.deadline is None or task.deadline < today or pending):
        actions.discard("extend")
    if not pending:
        actions.discard("decide_extension")
    if not task.report_every:
        actions.discard("report_period")
    if not task.support_units.all():
        actions.discard("ask_support")
    if "hand_back" in actions and task.receive_by() < today:
        actions.discard("hand_back")  # too late: the unit asks the office instead
    return actions
