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


def why_not(user: User, task: Task, action: str, today: date) -> str | None:
    """Why `action` is not offered to `user` on `task` now: "" when it is offered, None
    when the person never takes it (not their role), else the reason in Vietnamese.

    Expects `task.support_units` and `task.extension_requests` prefetched.
    """
    from .models import TRANSITIONS

    transition = TRANSITIONS[action]
    if not ALLOWED[transition.who](user, task):
        return None
    if task.status not in transition.from_statuses:
        return (
            f"Không thể {transition.verb} khi nhiệm vụ đang ở trạng thái "
            f"“{task.get_status_display()}”."
        )
    if transition.at_head is not None and transition.at_head != task.awaiting_head:
        return (
            "Báo cáo hoàn thành đang chờ lãnh đạo đơn vị chủ trì duyệt."
            if task.awaiting_head
            else "Báo cáo hoàn thành đã chuyển Văn phòng."
        )
    if transition.returned is not None and transition.returned != (task.returned_at is not None):
        return (
            "Đơn vị chủ trì đã trả lại nhiệm vụ; chờ Văn phòng giao lại hoặc giữ nguyên."
            if task.returned_at is not None
            else "Đơn vị chủ trì không trả lại nhiệm vụ."
        )
    pending = task.pending_extension
    if action == "extend":
        if task.deadline is None:
            return "Nhiệm vụ thường xuyên, không có thời hạn nên không đề nghị gia hạn."
        if pending is not None:
            return (
                f"Đã có đề nghị gia hạn đến {pending.proposed_deadline:%d/%m/%Y} "
                "đang chờ quyết định."
            )
    if action == "decide_extension" and pending is None:
        return "Không có đề nghị gia hạn nào chờ quyết định."
    if action == "report_period" and not task.report_every:
        return "Nhiệm vụ không có kỳ báo cáo định kỳ."
    if action == "ask_support" and not task.support_units.all():
        return "Nhiệm vụ không có đơn vị phối hợp."
    if action == "hand_back" and task.receive_by() < today:
        # Too late: the unit asks the office instead.
        return (
            f"Đã quá hạn trả lại nhiệm vụ ({task.receive_by():%d/%m/%Y}); "
            "nếu không đúng chức năng, hãy đề nghị Văn phòng giao lại."
        )
    return ""


def available_actions(user: User, task: Task, today: date) -> set[str]:
    """The actions the task page offers this person now (the services check them again):
    each action of the transition table whose status and person rules hold, and the
    action's own condition (`why_not`)."""
    from .models import TRANSITIONS

    return {action for action in TRANSITIONS if why_not(user, task, action, today) == ""}


# The actions a person looks for on a task page; when one of theirs is not offered, the
# page says why (the rest would only be noise).
EXPLAINED = ("extend", "progress", "complete", "hand_back", "accept", "report_period")


def reasons_not_offered(user: User, task: Task, today: date) -> list[tuple[str, str]]:
    """(action verb, reason) for the looked-for actions of this person's role that the page
    does not offer; nothing on a closed task."""
    from .models import TRANSITIONS

    if task.status not in task.OPEN_STATUSES:
        return []
    reasons = []
    for action in EXPLAINED:
        if action == "hand_back" and task.status != task.Status.ASSIGNED:
            continue  # only while the task is new
        if action == "report_period" and not task.report_every:
            continue  # not a recurring duty
        reason = why_not(user, task, action, today)
        if reason:
            reasons.append((TRANSITIONS[action].verb, reason))
    return reasons
